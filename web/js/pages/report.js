// Reports for a school, a partner or the whole programme: headline numbers and charts (inline SVG),
// and the same report as CSV.

import * as api from "../api.js";
import { announce, dateTime, field, h, hours, isoDate, longDate, replace, saveBlob } from "../dom.js";
import { icon } from "../icons.js";
import { barChart, stackedShareChart } from "../charts.js";
import { busy, describeError, notice, pageHeader, panel, stat } from "./common.js";
import { partner, schoolContext } from "./organisation.js";

const GENDERS = [{ key: "female", label: "Female" }, { key: "male", label: "Male" }, { key: "other", label: "Other" }];
// Partner and national reports hide any cell that describes fewer than 5 pupils behind this marker.
const SUPPRESSED = "<5";

/** 1 September of the school year we are in: reports default to "this school year". */
function schoolYearStart(today = new Date()) {
  const year = today.getMonth() >= 8 ? today.getFullYear() : today.getFullYear() - 1;
  return new Date(year, 8, 1);
}

// "<5" stands only for a count of pupils; hours and rates behind it say they are hidden, and why.
const HIDDEN = "hidden";
const HIDDEN_WHY = "hidden: fewer than 5 pupils";
const shown = (value, format = String) => (value === SUPPRESSED ? SUPPRESSED : format(value ?? 0));
const amount = (value, format = String) => (value === SUPPRESSED ? HIDDEN : format(value ?? 0));

function percent(rate) {
  return amount(rate, (n) => `${Math.round(Number(n) * 1000) / 10}%`);
}

/** Chartable items of a {name: number | "<5"} mapping, and the names whose figure is hidden. */
function split(mapping, label = (key) => key, value = (v) => v) {
  const items = [];
  const hidden = [];
  for (const [key, raw] of Object.entries(mapping || {})) {
    const figure = value(raw);
    if (figure === SUPPRESSED) hidden.push(label(key));
    else items.push({ label: label(key), value: Number(figure) || 0 });
  }
  return { items, hidden };
}

function hiddenNote(hidden) {
  return hidden.length ? h("p", { class: "muted chart__note" },
    `Fewer than 5 pupils, so not shown: ${hidden.join(", ")}.`) : null;
}

function chartPanel(title, mapping, options = {}, { label, value } = {}) {
  const { items, hidden } = split(mapping, label, value);
  if (!items.some((item) => item.value > 0) && hidden.length) {
    // One message per chart: everything there is to show is hidden.
    return panel(null, h("figure", { class: "chart" }, h("figcaption", { class: "chart__title" }, title),
      hiddenNote(hidden)));
  }
  return panel(null, barChart(title, items, options), hiddenNote(hidden));
}

const MONTH = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric" });

function monthLabel(month) {
  return MONTH.format(new Date(`${month}-15T12:00:00`));
}

/** Month by month: hours of learning and pupils taking part. */
function trendPanel(trend) {
  if (!trend?.length) return null;
  const hoursBy = Object.fromEntries(trend.map((m) => [m.month, m.hours]));
  const pupilsBy = Object.fromEntries(trend.map((m) => [m.month, m.participants]));
  return h("div", { class: "charts" },
    chartPanel("Hours of learning, month by month", hoursBy, { format: (v) => `${hours(v)} h`, ordered: true,
      empty: "No learning in these months yet." }, { label: monthLabel }),
    chartPanel("Pupils taking part, month by month", pupilsBy, { colour: "#0b6e6b", ordered: true,
      empty: "No learning in these months yet." }, { label: monthLabel }));
}

/** Year groups come as "Year 5" (or a bare number); sort them as numbers, Reception first. */
function yearGroupLabel(key) {
  const n = Number(key);
  if (Number.isNaN(n)) return key;
  return n <= 0 ? "Reception" : `Year ${n}`;
}

function yearGroupOrder(key) {
  if (/reception/i.test(key)) return 0;
  const digits = String(key).match(/\d+/);
  return digits ? Number(digits[0]) : Number.MAX_SAFE_INTEGER;
}

function genderPanel(byGender) {
  const groups = [
    { label: "All pupils", counts: byGender?.roster },
    { label: "Taking part", counts: byGender?.participants },
  ];
  const hidden = groups.some((g) => Object.values(g.counts || {}).includes(SUPPRESSED));
  const title = "Gender: all pupils and those taking part";
  if (hidden) {
    return panel(null, h("figure", { class: "chart" }, h("figcaption", { class: "chart__title" }, title),
      h("p", { class: "muted" }, "Hidden: some groups have fewer than 5 pupils.")));
  }
  return panel(null, stackedShareChart(title, groups, GENDERS));
}

function table(caption, headers, rows) {
  if (!rows.length) return h("p", { class: "muted" }, "None in the figures yet.");
  return h("div", { class: "table-wrap" }, h("table", { class: "table table--compact" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((text, i) => (i === 0
      ? h("th", { scope: "row" }, text) : h("td", { "data-label": headers[i] }, text))))))));
}

/** The part only one kind of report has: a school's activities, a partner's schools, the partners. */
function breakdown(report) {
  if (report.activities) {
    const used = report.activities.filter((a) => a.pupils > 0);
    return panel("Activities used", used.length
      ? table("Activities used", ["Activity", "Offered by", "Pupils"],
        used.map((a) => [a.title, a.provider === "school" ? "This school" : "Partner", String(a.pupils)]))
      : h("p", { class: "muted" }, "No activities used in this period."));
  }
  if (report.schools && Array.isArray(report.schools)) {
    return panel("Schools", table("Schools", ["School", "Pupils", "Taking part", "Rate", "Hours", "Figures from"],
      report.schools.map((s) => (s.as_of
        ? [s.name, shown(s.pupils), shown(s.participants), percent(s.participation_rate), amount(s.total_hours, hours),
          dateTime(s.as_of)]
        : [s.name, "–", "–", "–", "–", "Being prepared"]))),
    report.schools_pending ? h("p", { class: "muted" },
      `${report.schools_pending} school(s) not rolled up yet, so not in the figures.`) : null);
  }
  if (report.partners) {
    return panel("Partners", table("Partners", ["Partner", "Schools", "Pupils", "Taking part", "Rate", "Hours"],
      report.partners.map((p) => [p.name, String(p.schools), shown(p.pupils), shown(p.participants),
        percent(p.participation_rate), amount(p.total_hours, hours)])),
    report.partners_pending ? h("p", { class: "muted" },
      `${report.partners_pending} partner(s) not rolled up yet, so not in the figures.`) : null);
  }
  return null;
}

function freshness(report) {
  const parts = [];
  if (report.as_of) parts.push(`Figures as of ${dateTime(report.as_of)}.`);
  const period = report.period;
  if (period?.granularity === "month") {
    parts.push(`Partner and national figures are kept by month, so this covers ${period.from ? longDate(period.from)
      : "the beginning"} to ${period.to ? longDate(period.to) : "now"}.`);
  }
  if (report.suppression) {
    parts.push("Counts of fewer than 5 pupils show as “<5”; hours and rates about fewer than 5 pupils are hidden.");
  }
  return parts.length ? h("p", { class: "muted" }, parts.join(" ")) : null;
}

/** Partner and national figures come from a roll-up: before the first one there is nothing to show yet. */
function preparing(report) {
  const parts = report.schools_pending ?? report.partners_pending;
  if (parts === undefined || report.as_of) return null;
  const next = report.next_rollup_at ? ` The next update is at ${dateTime(report.next_rollup_at)}.` : "";
  return notice(h("div", {}, h("p", {}, h("strong", {}, "These figures are being prepared.")),
    h("p", {}, `Reports for partners and the whole programme are put together from each school's figures on a `
      + `schedule.${next} Come back after that.`)), "info");
}

function hoursStat(label, value, hint) {
  return value === SUPPRESSED ? stat(label, "Hidden", HIDDEN_WHY) : stat(label, hours(value ?? 0), hint);
}

function drawReport(report) {
  const waiting = preparing(report);
  if (waiting) return [waiting, breakdown(report)];
  return [
    freshness(report),
    h("div", { class: "stats stats--wide" },
      stat("pupils", shown(report.pupils)),
      stat("taking part", shown(report.participants), report.participation_rate === SUPPRESSED
        ? `rate ${HIDDEN_WHY}` : `${percent(report.participation_rate)} of pupils`),
      hoursStat("hours of learning", report.total_hours,
        report.hours_per_participant !== undefined && report.hours_per_participant !== SUPPRESSED
          ? `${hours(report.hours_per_participant)} per pupil taking part` : null),
      hoursStat("hours with employers", report.employer_engagement_hours),
      stat("activities used", report.activities_used, `of ${report.activities_available} available`)),
    h("div", { class: "charts" },
      chartPanel("Hours by skill", report.skills, { format: (v) => `${hours(v)} h` }),
      chartPanel("Hours by interest", report.interests, { format: (v) => `${hours(v)} h`, colour: "#0b6e6b" }),
      genderPanel(report.by_gender),
      chartPanel("Pupils taking part, by year group", Object.fromEntries(Object.entries(report.by_year_group || {})
        .sort(([a], [b]) => yearGroupOrder(a) - yearGroupOrder(b))), { colour: "#1d4ed8", ordered: true },
      { label: yearGroupLabel, value: (figures) => (typeof figures === "object" ? figures.participants : figures) }),
      chartPanel("Awards reached", report.awards, { colour: "#c2410c" })),
    trendPanel(report.trend),
    breakdown(report),
  ];
}

async function scope(params, user) {
  if (params.schoolId) {
    const context = await schoolContext(params.schoolId, user, "/report");
    return { ...context, title: `Report: ${context.school.name}`, path: `/schools/${encodeURIComponent(params.schoolId)}/report`,
      filename: "school-report.csv" };
  }
  if (params.partnerId) {
    const p = await partner(params.partnerId);
    const base = `#/partners/${encodeURIComponent(params.partnerId)}`;
    return {
      crumbs: user.role === "trust_admin" ? [["Partners", "#/partners"], [p.name, base], ["Report", null]] : undefined,
      title: `Report: ${p.name}`, path: `/partners/${encodeURIComponent(params.partnerId)}/report`,
      filename: "partner-report.csv",
    };
  }
  return { title: "National report", path: "/reports/national", filename: "national-report.csv" };
}

export async function reportPage(params, { user }) {
  const where = await scope(params, user);
  const from = h("input", { type: "date", value: isoDate(schoolYearStart()) });
  const to = h("input", { type: "date", value: isoDate(new Date()) });
  const show = h("button", { type: "submit", class: "button" }, "Show");
  const csv = h("button", { type: "button", class: "button button--secondary" }, icon("download", { size: 20 }),
    h("span", {}, "Download CSV"));
  const form = h("form", { class: "toolbar toolbar--report", novalidate: true },
    field("From", from), field("To", to), h("div", { class: "toolbar__buttons" }, show, csv));
  const body = h("div", { class: "report" });
  const range = () => ({ from: from.value || undefined, to: to.value || undefined });

  const load = async () => {
    body.setAttribute("aria-busy", "true");
    try {
      const report = await api.get(where.path, { query: { ...range(), format: "json" } });
      replace(body, drawReport(report));
    } catch (error) {
      replace(body, notice(describeError(error), "error"));
    } finally {
      body.removeAttribute("aria-busy");
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(show, "Loading…", load);
    announce("Report updated.");
  });
  csv.addEventListener("click", async () => {
    try {
      const response = await busy(csv, "Preparing…", () => api.get(where.path,
        { query: { ...range(), format: "csv" }, raw: true }));
      saveBlob(await response.blob(), where.filename);
    } catch (error) {
      body.prepend(notice(describeError(error), "error"));
    }
  });
  await load();
  return h("div", { class: "page" },
    pageHeader(where.title, { crumbs: where.crumbs }),
    where.tabs,
    form,
    body);
}
