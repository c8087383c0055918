// What a school decides for itself: how much of a date of birth it keeps (the DPIA leaves this to the
// school), and leaving the programme, with what follows spelled out before anything happens.

import * as api from "../api.js";
import { field, h, longDate, nextId, replace } from "../dom.js";
import { busy, confirm, describeError, notice, pageHeader, panel } from "./common.js";
import { forgetSchool, schoolContext } from "./organisation.js";

const EXIT_GRACE_DAYS = 30; // SCHOOL_EXIT_GRACE_DAYS (README: Configuration)

function radio(name, value, label, hint, checked) {
  const id = nextId("radio");
  return h("div", { class: "radio" },
    h("input", { type: "radio", name, id, value, checked }),
    h("label", { class: "radio__label", for: id }, label),
    h("p", { class: "radio__hint" }, hint));
}

function dobPanel(schoolPath, school, onSaved) {
  const choices = h("fieldset", { class: "fieldset" }, h("legend", {}, "Dates of birth"),
    radio("dob_policy", "exact", "Keep the full date of birth",
      "Day, month and year, as in your MIS.", school.dob_policy === "exact"),
    radio("dob_policy", "generic", "Keep only the year of birth",
      "Stored as 1 January of the year. Year groups stay right: they come from the real date when pupils are loaded.",
      school.dob_policy === "generic"));
  const save = h("button", { type: "submit", class: "button" }, "Save");
  const out = h("div", { class: "form-problem", "aria-live": "polite" });
  const form = h("form", { class: "form", novalidate: true }, choices, save, out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const chosen = form.querySelector("input[name=dob_policy]:checked")?.value;
    if (!chosen || chosen === school.dob_policy) {
      out.append(notice("Nothing to change.", "info"));
      return;
    }
    if (chosen === "generic") {
      const sure = await confirm("Keep only the year of birth?",
        "Every date of birth already stored for your pupils is reduced to 1 January of its year now, and new "
        + "uploads keep only the year. Year groups are kept. The full dates can't be brought back except by "
        + "switching back and uploading from your MIS again.", "Keep only the year");
      if (!sure) return;
    }
    try {
      const saved = await busy(save, "Saving…", () => api.patch(schoolPath, { dob_policy: chosen }));
      onSaved(saved, chosen === "generic"
        ? "Done. Only the year of birth is kept now, for every pupil."
        : "Done. Full dates of birth are kept from the next upload.");
    } catch (error) {
      out.append(notice(describeError(error), "error"));
    }
  });
  return panel("Date of birth", form);
}

function leavingPanel(schoolPath, school, onSaved) {
  if (!school.active) {
    const left = school.left_programme_at;
    const due = left ? new Date(new Date(left).getTime() + EXIT_GRACE_DAYS * 86_400_000) : null;
    return panel("Leaving the programme", notice(h("div", {},
      h("p", {}, h("strong", {}, `Your school left the programme${left ? ` on ${longDate(left)}` : ""}.`)),
      h("p", {}, `Every pupil's record is deleted ${due ? `on ${longDate(due.toISOString())}` : `${EXIT_GRACE_DAYS} days after leaving`}. `
        + "Your CU manager can undo this before then.")), "warning"));
  }
  const input = h("input", { type: "text", autocomplete: "off", spellcheck: "false" });
  const typed = field(`Type the school's name (${school.name}) to confirm`, input);
  const leave = h("button", { type: "submit", class: "button button--danger" }, "Leave the programme");
  const out = h("div", { class: "form-problem", "aria-live": "polite" });
  const form = h("form", { class: "form", novalidate: true }, typed, leave, out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    typed.showError("");
    if (input.value.trim().toLowerCase() !== school.name.toLowerCase()) {
      typed.showError("Type the school's name exactly as shown.");
      input.focus();
      return;
    }
    try {
      const saved = await busy(leave, "Saving…", () => api.patch(schoolPath, { active: false }));
      onSaved(saved, "Your school has left the programme.");
    } catch (error) {
      out.append(notice(describeError(error), "error"));
    }
  });
  return panel("Leaving the programme",
    h("p", {}, "If your school stops taking part in Children's University:"),
    h("ul", {},
      h("li", {}, `${EXIT_GRACE_DAYS} days after you leave, every pupil's record is deleted: names, hours, awards and `
        + "certificates. Download anything you want to keep first."),
      h("li", {}, "Until then nothing changes for pupils, and your CU manager can undo it."),
      h("li", {}, "Staff accounts stay until your CU manager removes them.")),
    form);
}

export async function schoolSettingsPage({ schoolId }, { user }) {
  const schoolPath = `/schools/${encodeURIComponent(schoolId)}`;
  const context = await schoolContext(schoolId, user, "/settings");
  let current = await api.get(schoolPath);
  const feedback = h("div", { "aria-live": "polite" });
  const body = h("div", {});
  const draw = () => replace(body, dobPanel(schoolPath, current, saved), leavingPanel(schoolPath, current, saved));
  function saved(school, message) {
    current = school;
    forgetSchool(schoolId);
    draw();
    replace(feedback, notice(message, "success"));
  }
  draw();
  return h("div", { class: "page" },
    pageHeader("School settings", { crumbs: context.crumbs, lead: context.school.name }),
    context.tabs,
    feedback,
    body);
}
