// One pupil, for their school's staff: details, hours, activities, awards and certificates, and what can
// be done for them (correct, restrict, new password, login card, their data, erase).

import * as api from "../api.js";
import { field, h, hours, longDate, nextId, replace, saveBlob } from "../dom.js";
import { icon, medal } from "../icons.js";
import { busy, confirm, describeError, notice, pageHeader, panel } from "./common.js";
import { schoolContext } from "./organisation.js";
import { credentialsDialog, fullName, rectifyDialog, yearLabel } from "./pupils.js";

const GENDER = { female: "Female", male: "Male", other: "Other" };

function facts(pupil, school) {
  const rows = [
    ["Year", yearLabel(pupil.year_group)],
    [school.dob_policy === "generic" ? "Year of birth" : "Date of birth",
      school.dob_policy === "generic" ? String(pupil.date_of_birth).slice(0, 4) : longDate(pupil.date_of_birth)],
    ["Gender", GENDER[pupil.gender] || pupil.gender],
    ["UPN", pupil.upn || "–"],
    ["Username", pupil.username],
    ["Status", pupil.status === "left"
      ? `Left the school${pupil.deletion_due ? ` · deleted on ${longDate(pupil.deletion_due)}` : ""}` : "At the school"],
  ];
  return h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function restrictionNotice(pupil) {
  return pupil.restricted
    ? notice("Restricted: their record is kept, but they can't collect new hours and it isn't used in reports "
      + "until the restriction is lifted.", "warning")
    : null;
}

/** Erasing needs the word typed, so a slip of the mouse never deletes a child's record. */
async function confirmErase(pupil) {
  const input = h("input", { type: "text", autocomplete: "off", spellcheck: "false" });
  const typed = field("Type ERASE to confirm", input);
  const titleId = nextId("dialog");
  return new Promise((resolve) => {
    let sure = false;
    const go = h("button", { type: "submit", class: "button button--danger", disabled: true }, "Erase now");
    input.addEventListener("input", () => { go.disabled = input.value.trim().toUpperCase() !== "ERASE"; });
    const form = h("form", { class: "form", novalidate: true, method: "dialog" },
      h("p", {}, "Everything stored about this pupil is deleted at once: their details, hours, awards and "
        + "certificates. This cannot be undone."),
      typed,
      h("div", { class: "dialog__actions" },
        h("button", { type: "button", class: "button button--secondary", onClick: () => el.close() }, "Cancel"), go));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sure = input.value.trim().toUpperCase() === "ERASE";
      el.close();
    });
    const el = h("dialog", { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId, class: "dialog__title" }, `Erase ${fullName(pupil)}?`), form);
    el.addEventListener("close", () => {
      el.remove();
      resolve(sure);
    });
    document.body.append(el);
    el.showModal();
    input.focus();
  });
}

function awardsPanel(progress, schoolPath, pupil, feedback) {
  const awards = [...progress.awards].sort((a, b) => a.hours - b.hours);
  return panel("Awards and certificates",
    awards.length ? h("ul", { class: "awards" }, awards.map((award) => {
      const button = h("button", { type: "button", class: "button button--small button--secondary" },
        icon("download", { size: 18 }), h("span", {}, "Certificate"));
      button.setAttribute("aria-label", `Download the ${award.name} certificate`);
      button.addEventListener("click", async () => {
        try {
          const response = await busy(button, "Getting it…", () => api.get(
            `/certificates/${encodeURIComponent(award.certificate_id)}`, { raw: true }));
          saveBlob(await response.blob(), `certificate-${pupil.username}-${award.hours}.pdf`);
        } catch (error) {
          feedback.replaceChildren(notice(describeError(error), "error"));
        }
      });
      return h("li", { class: "award" }, medal(award.name, 44),
        h("div", { class: "award__text" }, h("p", { class: "award__name" }, award.name),
          h("p", { class: "award__date muted" }, `Reached on ${longDate(award.achieved_at)}`)), button);
    })) : h("p", {}, "No awards yet."),
    progress.next_award
      ? h("p", { class: "muted" }, `${hours(progress.next_award.hours_remaining)} hours to go to the ${progress.next_award.name}.`)
      : null,
    h("p", { class: "muted" }, h("a", { href: `#${schoolPath}/certificates` }, "Print certificates for an assembly")));
}

function activitiesPanel(progress) {
  return panel("Activities",
    progress.redemptions.length ? h("div", { class: "table-wrap" }, h("table", { class: "table table--compact" },
      h("caption", { class: "visually-hidden" }, "Activities"),
      h("thead", {}, h("tr", {}, ["Activity", "Hours", "Date"].map((t) => h("th", { scope: "col",
        class: t === "Hours" ? "num" : null }, t)))),
      h("tbody", {}, progress.redemptions.map((r) => h("tr", {},
        h("th", { scope: "row", "data-label": "Activity" }, r.activity.title),
        h("td", { "data-label": "Hours", class: "num" }, hours(r.hours)),
        h("td", { "data-label": "Date" }, longDate(r.redeemed_at)))))))
      : h("p", {}, "No activities yet."));
}

export async function pupilDetailPage({ schoolId, pupilId }, { user, go }) {
  const schoolPath = `/schools/${encodeURIComponent(schoolId)}`;
  const pupilPath = `${schoolPath}/pupils/${encodeURIComponent(pupilId)}`;
  const [context, loaded, progress] = await Promise.all([
    schoolContext(schoolId, user, "/pupils"), api.get(pupilPath), api.get(`${pupilPath}/progress`)]);
  let pupil = loaded;
  const feedback = h("div", { class: "form-problem", "aria-live": "polite" });
  const details = h("div", {});
  const restrictedArea = h("div", {});
  const restrict = h("button", { type: "button", class: "button button--secondary" });

  function draw() {
    replace(details, facts(pupil, context.school));
    replace(restrictedArea, restrictionNotice(pupil));
    restrict.textContent = pupil.restricted ? "Lift the restriction" : "Restrict";
  }
  draw();

  const edit = h("button", { type: "button", class: "button button--secondary" }, "Correct details");
  edit.addEventListener("click", async () => {
    const outcome = await rectifyDialog(schoolPath, pupil);
    if (outcome?.erase) {
      eraseButton.click();
    } else if (outcome?.saved) {
      pupil = outcome.saved;
      draw();
      feedback.replaceChildren(notice("Saved the changes.", "success"));
    }
  });

  restrict.addEventListener("click", async () => {
    const lifting = pupil.restricted;
    const sure = await confirm(lifting ? `Lift the restriction for ${fullName(pupil)}?` : `Restrict ${fullName(pupil)}?`,
      lifting ? "They can collect hours again, and their record is used in reports again."
        : "Use this when a parent or the pupil objects to their data being used. The record is kept, but they "
        + "can't collect new hours and it isn't used in reports until you lift the restriction.",
      lifting ? "Lift the restriction" : "Restrict");
    if (!sure) return;
    try {
      pupil = await busy(restrict, "Saving…", () => api.patch(pupilPath, { restricted: !lifting }));
      draw();
      feedback.replaceChildren(notice(lifting ? "The restriction has been lifted." : `${fullName(pupil)} is now restricted.`,
        "success"));
    } catch (error) {
      feedback.replaceChildren(notice(describeError(error), "error"));
    }
  });

  const password = h("button", { type: "button", class: "button button--secondary" }, "New password");
  password.addEventListener("click", async () => {
    const sure = await confirm(`New password for ${fullName(pupil)}?`, "Their old password stops working straight away.",
      "Make a new password");
    if (!sure) return;
    try {
      const creds = await busy(password, "…", () => api.post(`${pupilPath}/password`));
      await credentialsDialog(pupil, creds);
    } catch (error) {
      feedback.replaceChildren(notice(describeError(error), "error"));
    }
  });

  const card = h("button", { type: "button", class: "button button--secondary" }, icon("printer", { size: 20 }),
    h("span", {}, "Print login card"));
  card.addEventListener("click", async () => {
    const sure = await confirm("Print a login card?", "The card has a new password; the old one stops working.",
      "Make the card");
    if (!sure) return;
    try {
      const response = await busy(card, "Making the card…", () => api.request("POST", `${schoolPath}/login-cards`,
        { json: { pupil_ids: [pupil.id] }, raw: true }));
      saveBlob(await response.blob(), `login-card-${pupil.username}.pdf`);
      feedback.replaceChildren(notice("Login card downloaded.", "success"));
    } catch (error) {
      feedback.replaceChildren(notice(describeError(error), "error"));
    }
  });

  const exportButton = h("button", { type: "button", class: "button button--secondary" }, "Download their data");
  exportButton.addEventListener("click", async () => {
    try {
      const response = await busy(exportButton, "Preparing…", () => api.get(`${pupilPath}/export`, { raw: true }));
      saveBlob(await response.blob(), `pupil-data-${pupil.username}.json`);
    } catch (error) {
      feedback.replaceChildren(notice(describeError(error), "error"));
    }
  });

  const eraseButton = h("button", { type: "button", class: "button button--quiet button--danger-text" }, "Erase pupil");
  eraseButton.addEventListener("click", async () => {
    if (!await confirmErase(pupil)) return;
    try {
      await busy(eraseButton, "Erasing…", () => api.del(pupilPath));
      go(`#${schoolPath}/pupils`);
    } catch (error) {
      feedback.replaceChildren(notice(describeError(error), "error"));
    }
  });

  const crumbs = [...(context.crumbs || []), ["Pupils", `#${schoolPath}/pupils`], [fullName(pupil), null]];
  return h("div", { class: "page pupil-detail" },
    pageHeader(fullName(pupil), { crumbs, lead: `${hours(progress.total_hours)} hours of learning` }),
    context.tabs,
    restrictedArea,
    feedback,
    h("div", { class: "pupil-columns" },
      panel("Details", details,
        h("div", { class: "toolbar__buttons" }, edit, restrict, password, card, exportButton,
          h("a", { class: "button button--secondary", href: `#${schoolPath}/pupils/${encodeURIComponent(pupil.id)}/transfer` },
            "Moving school")),
        h("div", { class: "dialog__more" }, eraseButton)),
      awardsPanel(progress, schoolPath, pupil, feedback)),
    activitiesPanel(progress));
}
