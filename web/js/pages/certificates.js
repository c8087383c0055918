// Certificates for an assembly: every award the school's pupils reached between two dates, listed, and
// printed as one PDF (a certificate a page, in class and name order).

import * as api from "../api.js";
import { field, h, isoDate, longDate, plural, replace, saveBlob } from "../dom.js";
import { icon, medal } from "../icons.js";
import { busy, describeError, notice, pageHeader, panel } from "./common.js";
import { schoolContext } from "./organisation.js";
import { yearLabel } from "./pupils.js";

export async function certificatesPage({ schoolId }, { user }) {
  const schoolPath = `/schools/${encodeURIComponent(schoolId)}`;
  const context = await schoolContext(schoolId, user, "/certificates");
  const today = new Date();
  const fortnightAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 14);
  const from = h("input", { type: "date", id: "awards-from", value: isoDate(fortnightAgo), required: true });
  const to = h("input", { type: "date", id: "awards-to", value: isoDate(today), required: true });
  const fields = { from: field("From", from), to: field("To", to) };
  const find = h("button", { type: "submit", class: "button" }, "Show awards");
  const problem = h("div", { class: "form-problem", "aria-live": "polite" });
  const results = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "form form--inline", novalidate: true }, fields.from, fields.to, find);

  async function show() {
    problem.replaceChildren();
    Object.values(fields).forEach((f) => f.showError(""));
    if (!from.value || !to.value) {
      (from.value ? fields.to : fields.from).showError("Choose a date.");
      return;
    }
    if (to.value < from.value) {
      fields.to.showError("The last day can't be before the first.");
      return;
    }
    const query = { from: from.value, to: to.value };
    let awards;
    try {
      ({ awards } = await busy(find, "Looking…", () => api.get(`${schoolPath}/awards`, { query })));
    } catch (error) {
      problem.append(notice(describeError(error), "error"));
      return;
    }
    if (!awards.length) {
      replace(results, h("p", { class: "empty" },
        `No awards were reached between ${longDate(from.value)} and ${longDate(to.value)}.`));
      return;
    }
    const download = h("button", { type: "button", class: "button button--big" }, icon("printer", { size: 22 }),
      h("span", {}, `Download ${plural(awards.length, "certificate")} (PDF)`));
    download.addEventListener("click", async () => {
      try {
        const response = await busy(download, "Making the PDF…", () => api.get(`${schoolPath}/awards`,
          { query: { ...query, format: "pdf" }, raw: true }));
        saveBlob(await response.blob(), `certificates-${query.from}-to-${query.to}.pdf`);
      } catch (error) {
        problem.append(notice(describeError(error), "error"));
      }
    });
    replace(results, panel(`${plural(awards.length, "award")} to celebrate`,
      h("p", {}, "One certificate a page, in year and name order, ready to hand out."),
      download,
      h("ul", { class: "awards awards--list" }, awards.map((a) => h("li", { class: "award" }, medal(a.name, 36),
        h("div", { class: "award__text" },
          h("p", { class: "award__name" }, h("a", { href: `#${schoolPath}/pupils/${encodeURIComponent(a.pupil_id)}` },
            `${a.first_name} ${a.last_name}`)),
          h("p", { class: "award__date muted" }, `${a.name} · ${yearLabel(a.year_group)} · ${longDate(a.achieved_at)}`)))))));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  await show();

  return h("div", { class: "page" },
    pageHeader("Certificates for an assembly", { crumbs: context.crumbs,
      lead: "Every award your pupils reached between two dates, printed together. Each certificate carries "
        + "its own verification code and QR code, so anyone can check it is genuine." }),
    context.tabs,
    panel(null, form, problem),
    results);
}
