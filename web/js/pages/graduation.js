// The graduation list for the ceremony: who reached which award in a period, school by school, with
// a CSV for the invitations and each school's certificates as one PDF.

import * as api from "../api.js";
import { field, h, isoDate, plural, replace, saveBlob } from "../dom.js";
import { busy, describeError, notice, pageHeader, panel } from "./common.js";

const TIERS = ["Award", "Certificate", "Diploma", "Degree", "Postgraduate Award", "Postgraduate Certificate",
  "Postgraduate Diploma", "Postgraduate Masters Degree", "Doctorate", "Fellowship"];
const AWARDS = TIERS.flatMap((tier) => ["Bronze", "Silver", "Gold"].map((medal) => `${medal} ${tier}`));

function schoolYearStart(today) {
  const year = today.getMonth() >= 8 ? today.getFullYear() : today.getFullYear() - 1;
  return `${year}-09-01`;
}

async function download(button, path, query, filename) {
  await busy(button, "Preparing…", async () => {
    const response = await api.get(path, { query, raw: true });
    saveBlob(await response.blob(), filename);
  });
}

function schoolPanel(school, query) {
  const pdf = h("button", { type: "button", class: "button button--secondary button--small" }, "Certificates (PDF)");
  const status = h("p", { role: "status", class: "muted" });
  pdf.addEventListener("click", () => download(pdf, `/schools/${encodeURIComponent(school.school_id)}/graduation`,
    { ...query, format: "pdf" }, "certificates.pdf").catch((error) => { status.textContent = describeError(error); }));
  const counts = Object.entries(school.awards).map(([name, n]) => `${name}: ${n}`).join(" · ");
  return panel(school.school_name,
    h("p", {}, school.pupils.length ? `${plural(school.pupils.length, "pupil")} — ${counts}` : "Nobody this time."),
    school.pupils.length ? h("div", { class: "table-wrap" }, h("table", { class: "table table--compact" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Pupil"), h("th", { scope: "col" }, "Year"),
        h("th", { scope: "col" }, "Awards"))),
      h("tbody", {}, school.pupils.map((p) => h("tr", {},
        h("td", { "data-label": "Pupil" }, `${p.first_name} ${p.last_name}${p.status === "left" ? " (left)" : ""}`),
        h("td", { "data-label": "Year" }, String(p.year_group)),
        h("td", { "data-label": "Awards" }, p.awards.map((a) => a.name).join(", "))))))) : null,
    school.pupils.length ? h("p", {}, pdf) : null, status);
}

/** `#/partners/<id>/graduation` (CU manager, Trust) and `#/schools/<id>/graduation` (the school). */
export async function graduationPage(params) {
  const base = params.partnerId ? `/partners/${encodeURIComponent(params.partnerId)}/graduation`
    : `/schools/${encodeURIComponent(params.schoolId)}/graduation`;
  const today = new Date();
  const from = h("input", { type: "date", name: "from", value: schoolYearStart(today), required: true });
  const to = h("input", { type: "date", name: "to", value: isoDate(today), required: true });
  const award = h("select", { name: "award" }, h("option", { value: "" }, "Every award"),
    AWARDS.map((name) => h("option", { value: name }, name)));
  const show = h("button", { type: "submit", class: "button" }, "Show the list");
  const csv = h("button", { type: "button", class: "button button--secondary" }, "Download CSV for invitations");
  const results = h("div", { "aria-live": "polite" });
  const query = () => ({ from: from.value, to: to.value, award: award.value });
  const form = h("form", { class: "form form--grid", novalidate: true },
    field("From", from), field("To", to), field("Award", award), show);
  const load = () => busy(show, "Loading…", async () => {
    try {
      const list = await api.get(base, { query: query() });
      replace(results, list.schools.length ? list.schools.map((s) => schoolPanel(s, query()))
        : notice("There are no schools here yet."));
    } catch (error) {
      replace(results, notice(describeError(error), "error"));
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  csv.addEventListener("click", () => download(csv, base, { ...query(), format: "csv" }, "graduation-list.csv")
    .catch((error) => replace(results, notice(describeError(error), "error"))));
  const page = h("div", { class: "page" },
    pageHeader("Graduation list", {
      lead: "Pupils who reached each award in the period, by school: for the ceremony's invitations "
        + "and certificates. Pupils whose records are restricted are left out.",
      actions: csv,
    }),
    panel(null, form), results);
  await load();
  return page;
}
