// Moving school: the old school gives a leaver's family a transfer code on a slip; the new school enters
// it for the pupil on its roster, and the hours and awards move across.

import * as api from "../api.js";
import { field, h, hours, longDate, plural, replace } from "../dom.js";
import { busy, describeError, notice, pageHeader, panel } from "./common.js";

function issuePanel(schoolId, pupil) {
  const button = h("button", { type: "button", class: "button" }, "Make a transfer code");
  const result = h("div", { "aria-live": "polite" });
  button.addEventListener("click", () => busy(button, "Making it…", async () => {
    try {
      const issued = await api.post(`/schools/${encodeURIComponent(schoolId)}/pupils/${encodeURIComponent(pupil.id)}`
        + "/transfer-code");
      replace(result, h("div", { class: "slip" },
        h("p", {}, `Give this code to ${pupil.first_name}'s family for the new school:`),
        h("p", { class: "slip__code mono", "data-testid": "transfer-code" }, issued.code),
        h("p", {}, `It works once, until ${longDate(issued.expires_on)}, when this school's copy is erased.`),
        h("button", { type: "button", class: "button button--secondary", onClick: () => window.print() },
          "Print the slip")));
    } catch (error) {
      replace(result, notice(describeError(error), "error"));
    }
  }));
  return panel("Moving to a new school",
    h("p", {}, `${pupil.first_name} has left. Their hours and awards can move to their new school until `
      + `${longDate(pupil.deletion_due)}. Making a new code cancels an unused earlier one.`),
    button, result);
}

function redeemPanel(schoolId, pupil) {
  const input = h("input", { type: "text", name: "code", autocomplete: "off", spellcheck: "false", class: "mono",
    required: true, maxlength: "40" });
  const button = h("button", { type: "submit", class: "button" }, "Move the record here");
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "form", novalidate: true },
    field("Transfer code from the old school", input, { hint: "On the slip the family brought, like 7KQ2-M9XD-4TRB-H3WP." }),
    button, result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) {
      replace(result, notice("Type the code from the slip.", "error"));
      return;
    }
    busy(button, "Moving…", async () => {
      try {
        const moved = await api.post(`/schools/${encodeURIComponent(schoolId)}/pupils/${encodeURIComponent(pupil.id)}`
          + "/transfer", { code: input.value });
        replace(result, notice(moved.already_moved
          ? `Already done: ${pupil.first_name} has ${hours(moved.total_hours)} hours.`
          : `Done: ${hours(moved.hours_added)} hours, ${plural(moved.redemptions_moved, "activity", "activities")} and `
            + `${plural(moved.awards_moved, "award")} moved. ${pupil.first_name} now has ${hours(moved.total_hours)} hours.`,
        "success"));
      } catch (error) {
        replace(result, notice(describeError(error), "error"));
      }
    });
  });
  return panel("Joining from another school",
    h("p", {}, `If ${pupil.first_name} took part in Children's University at their old school, enter the `
      + "transfer code from that school to bring their hours and awards here."), form);
}

/** `#/schools/<id>/pupils/<pupil>/transfer`: issue (for a leaver) or redeem (for a pupil on the roster). */
export async function transferPage(params) {
  const pupil = await api.get(`/schools/${encodeURIComponent(params.schoolId)}/pupils/${encodeURIComponent(params.pupilId)}`);
  return h("div", { class: "page page--narrow" },
    pageHeader(`${pupil.first_name} ${pupil.last_name}: moving school`, {
      crumbs: [["Pupils", `#/schools/${encodeURIComponent(params.schoolId)}/pupils`], ["Moving school"]],
    }),
    pupil.status === "left" ? issuePanel(params.schoolId, pupil) : redeemPanel(params.schoolId, pupil));
}
