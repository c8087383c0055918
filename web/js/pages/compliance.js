// Compliance: alerts from the audit trail, what is stored, what is due to be deleted, which schools have not
// synced, the last retention run, and the audit trail of who did what (staff by name; pupils never named).

import * as api from "../api.js";
import { dateTime, field, h, isoDate, longDate, plural, replace } from "../dom.js";
import { barChart } from "../charts.js";
import { busy, describeError, notice, pageHeader, panel, stat } from "./common.js";

function humanise(key) {
  const text = key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function retentionRun(run) {
  if (!run) return h("p", { class: "muted" }, "No retention run recorded yet.");
  const facts = [
    ["Started", dateTime(run.started_at)],
    ["Finished", run.ended_at ? dateTime(run.ended_at) : "Still running"],
    ["Result", `${humanise(run.status)}${run.complete ? "" : " (stopped at its batch limit; the next run carries on)"}`],
  ];
  if (run.error_count) facts.push(["Errors", String(run.error_count)]);
  for (const [key, value] of Object.entries(run.counts || {})) facts.push([humanise(key), String(value)]);
  return h("dl", { class: "facts" }, facts.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

function staleSchools(list) {
  if (!list?.length) return h("p", {}, "Every school has uploaded recently.");
  return h("ul", { class: "plain-list" }, list.map((item) => h("li", {},
    h("a", { href: `#/schools/${encodeURIComponent(item.school_id)}/upload` }, item.name),
    item.last_sync_at ? ` (last upload ${longDate(item.last_sync_at)})` : " (never uploaded)")));
}

/** Alerts of the last days (newest first); the Trust can have them emailed. */
function alertsPanel(alerts, user) {
  const list = alerts?.length
    ? h("ul", { class: "alert-list" }, alerts.map((a) => h("li", { class: "alert-list__item" },
      h("strong", {}, a.title),
      h("span", { class: "muted" }, ` ${dateTime(a.last_at)}`,
        a.count > 1 ? ` · ${a.count} times since ${dateTime(a.first_at)}` : "",
        a.actor_id ? ` · by ${a.actor_id}` : ""))))
    : h("p", {}, "No alerts in the last 7 days.");
  const body = [list];
  if (user?.role === "trust_admin" && alerts?.length) {
    const result = h("div", { "aria-live": "polite" });
    const send = h("button", {
      type: "button", class: "button button--secondary", onClick: async () => {
        try {
          const answer = await busy(send, "Sending…", () => api.post("/compliance/alerts/email"));
          replace(result, notice(answer.emailed ? "The alerts have been emailed to you." : "No email was sent.",
            answer.emailed ? "success" : "info"));
        } catch (error) {
          replace(result, notice(describeError(error), "error"));
        }
      },
    }, "Email me these alerts");
    body.push(h("div", { class: "actions" }, send), result);
  }
  return panel("Alerts", ...body);
}

const AUDIT_PAGE = 50;

const ROLES = { school_staff: "school staff", partner_manager: "CU manager", trust_admin: "the Trust" };

/** Who did it, as staff know each other: a name for staff, never a pupil's; the id only when unknown. */
function actor(e) {
  if (!e.actor_id) return h("span", {}, "Automatic (system)");
  if (e.actor_name) return h("span", {}, e.actor_name, h("span", { class: "muted" }, ` · ${ROLES[e.actor_role] || "staff"}`));
  if (e.actor_id.startsWith("pup_")) return h("span", {}, "A pupil");
  if (e.actor_id.startsWith("stf_")) return h("span", {}, "A former member of staff");
  return h("span", { class: "mono" }, e.actor_id);
}

function auditRow(e) {
  const count = e.record_count ?? (e.subject_ids || []).length;
  return h("tr", {},
    h("td", { "data-label": "When" }, dateTime(e.at)),
    h("td", { "data-label": "Who" }, actor(e)),
    h("td", { "data-label": "Action" }, humanise(e.action)),
    h("td", { "data-label": "About" }, count ? plural(count, "record") : "–"));
}

/** The newest entries first, a page at a time (a day at the Trust can hold hundreds). */
function auditTable(entries) {
  if (!entries.length) return h("p", { class: "empty" }, "No audit entries in this period.");
  const body = h("tbody", {}, entries.slice(0, AUDIT_PAGE).map(auditRow));
  const count = h("p", { class: "muted", role: "status" });
  const more = h("button", { type: "button", class: "button button--secondary" }, "Show more");
  const update = () => {
    const shown = body.children.length;
    count.textContent = `Showing ${shown} of ${plural(entries.length, "entry", "entries")}.`;
    more.hidden = shown >= entries.length;
  };
  more.addEventListener("click", () => {
    body.append(...entries.slice(body.children.length, body.children.length + AUDIT_PAGE).map(auditRow));
    update();
  });
  update();
  return h("div", {},
    h("div", { class: "table-wrap" }, h("table", { class: "table table--compact" },
      h("caption", { class: "visually-hidden" }, "Audit entries"),
      h("thead", {}, h("tr", {}, ["When", "Who", "Action", "About"].map((t) => h("th", { scope: "col" }, t)))),
      body)),
    h("div", { class: "actions" }, count, more));
}

export async function compliancePage(params, { user } = {}) {
  let summary = null;
  let summaryError = null;
  try {
    summary = await api.get("/compliance");
  } catch (error) {
    summaryError = error;
  }

  const weekAgo = new Date();
  weekAgo.setDate(weekAgo.getDate() - 7);
  const from = h("input", { type: "date", value: isoDate(weekAgo) });
  const to = h("input", { type: "date", value: isoDate(new Date()) });
  const show = h("button", { type: "submit", class: "button" }, "Show");
  const auditBody = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "toolbar", novalidate: true },
    field("From", from), field("To", to),
    h("div", { class: "toolbar__buttons" }, show));
  const loadAudit = async () => {
    try {
      const { entries } = await api.get("/audit", {
        query: { from: from.value, to: to.value },
      });
      replace(auditBody, auditTable(entries));
    } catch (error) {
      replace(auditBody, notice(describeError(error), "error"));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(show, "Loading…", loadAudit);
  });
  await loadAudit();

  const overview = summary ? [
    alertsPanel(summary.alerts, user),
    h("div", { class: "stats" },
      stat("current pupils", summary.pupils_active),
      stat("pupils who left", summary.pupils_left, "deleted 30 days after leaving"),
      stat("schools not synced recently", (summary.schools_stale_sync || []).length)),
    h("div", { class: "charts charts--three" },
      panel(null, barChart("Deletions due", (summary.deletions_due || []).map((d) => ({
        label: longDate(d.date), value: d.count })), { empty: "No deletions are due.", ordered: true })),
      panel("Schools not synced recently", staleSchools(summary.schools_stale_sync)),
      panel("Retention", retentionRun(summary.last_retention_run))),
  ] : notice(summaryError?.status === 404 ? "The compliance summary is not available yet."
    : describeError(summaryError), "info");

  return h("div", { class: "page" },
    pageHeader("Compliance", {
      lead: "What is stored and when it is deleted. The audit trail records every read, change, export and deletion of personal data.",
    }),
    overview,
    panel("Audit trail", form, auditBody));
}
