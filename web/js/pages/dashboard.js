// A school's home at a glance: this term's figures from the school report (live), and who reached an
// award lately. The figures are the school's own, so nothing is hidden here.

import * as api from "../api.js";
import { h, hours, isoDate, longDate, plural } from "../dom.js";
import { medal } from "../icons.js";
import { panel, stat } from "./common.js";

/** The first day of the English school term we are in: autumn from September, spring from January,
 * summer from April (close enough for a dashboard; the report page takes any dates). */
export function termStart(today = new Date()) {
  const month = today.getMonth();
  if (month >= 8) return { start: new Date(today.getFullYear(), 8, 1), name: "autumn term" };
  if (month >= 3) return { start: new Date(today.getFullYear(), 3, 1), name: "summer term" };
  return { start: new Date(today.getFullYear(), 0, 1), name: "spring term" };
}

export async function termPanel(schoolId) {
  const schoolPath = `/schools/${encodeURIComponent(schoolId)}`;
  const term = termStart();
  const query = { from: isoDate(term.start), to: isoDate(new Date()) };
  const [report, awards] = await Promise.all([
    api.get(`${schoolPath}/report`, { query }).catch(() => null),
    api.get(`${schoolPath}/awards`, { query }).then((r) => r.awards).catch(() => []),
  ]);
  if (!report) return null;
  const reached = Object.values(report.awards || {}).reduce((sum, n) => sum + (Number(n) || 0), 0);
  const latest = [...awards].sort((a, b) => String(b.achieved_at).localeCompare(a.achieved_at)).slice(0, 5);
  return panel(`This ${term.name} so far`,
    h("div", { class: "stats stats--wide" },
      stat("pupils taking part", String(report.participants),
        `${Math.round((Number(report.participation_rate) || 0) * 1000) / 10}% of ${plural(report.pupils, "pupil")}`),
      stat("hours of learning", hours(report.total_hours)),
      stat("awards reached", String(reached)),
      stat("activities used", String(report.activities_used), `of ${report.activities_available} available`)),
    latest.length ? [h("h3", {}, "Latest awards"), h("ul", { class: "awards awards--list" }, latest.map((a) =>
      h("li", { class: "award" }, medal(a.name, 32), h("div", { class: "award__text" },
        h("p", { class: "award__name" }, h("a", { href: `#${schoolPath}/pupils/${encodeURIComponent(a.pupil_id)}` },
          `${a.first_name} ${a.last_name}`)),
        h("p", { class: "award__date muted" }, `${a.name} · ${longDate(a.achieved_at)}`)))))] : null,
    h("p", {}, h("a", { href: `#${schoolPath}/report` }, "See the full report")));
}
