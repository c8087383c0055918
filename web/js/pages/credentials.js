// Checking a certificate from outside (anyone, signed in or not) and a pupil's "Download my badge".
// The verify page never shows a child's name or school: the API does not send them.

import * as api from "../api.js";
import { announce, field, h, longDate, replace, saveBlob } from "../dom.js";
import { busy, describeError, notice, pageHeader, panel } from "./common.js";

function nameCheck(code) {
  const input = h("input", { type: "text", name: "name", autocomplete: "off", required: true, maxlength: "200" });
  const result = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button button--secondary" }, "Check the name");
  const form = h("form", { class: "form", novalidate: true },
    field("The child's name, as you have it", input,
      { hint: "We only answer whether it matches. We never show the name." }),
    button, result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) {
      replace(result, notice("Type the name you want to check.", "error"));
      return;
    }
    busy(button, "Checking…", async () => {
      try {
        const answer = await api.post(`/verify/${encodeURIComponent(code)}`, { name: input.value }, { anonymous: true });
        replace(result, answer.matches
          ? notice("The name matches this certificate.", "success")
          : notice("The name does not match this certificate.", "warning"));
      } catch (error) {
        replace(result, notice(describeError(error), "error"));
      }
    });
  });
  return panel("Does the name match?", form);
}

function genuine(answer) {
  return h("div", {},
    notice("Genuine: this is a real Children's University certificate.", "success"),
    panel("What it says",
      h("dl", { class: "facts" },
        h("dt", {}, "Award"), h("dd", {}, answer.award),
        h("dt", {}, "Hours of learning"), h("dd", {}, String(answer.hours)),
        h("dt", {}, "Date achieved"), h("dd", {}, longDate(answer.achieved_on)),
        h("dt", {}, "Issued by"), h("dd", {}, answer.issuer.partner),
        h("dt", {}, "Verification code"), h("dd", { class: "mono" }, answer.code))),
    nameCheck(answer.code));
}

async function check(code) {
  try {
    return genuine(await api.get(`/verify/${encodeURIComponent(code)}`, { anonymous: true }));
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) {
      return notice("Not known: no certificate has this code. Check the code on the certificate "
        + "(the letters O, I and L can be typed as 0, 1 and 1).", "warning");
    }
    return notice(describeError(error), "error");
  }
}

/** `#/verify` and `#/verify/<code>`: what a QR code on a certificate opens. */
export async function verifyPage(params, { go }) {
  const input = h("input", {
    type: "text", name: "code", value: params.code || "", autocomplete: "off", spellcheck: "false",
    autocapitalize: "characters", required: true, maxlength: "40", class: "mono",
  });
  const form = h("form", { class: "form", novalidate: true },
    field("Verification code", input, { hint: "Printed at the bottom of the certificate, like 7KQ2-M9XD-4TRB-H3WP." }),
    h("button", { type: "submit", class: "button" }, "Check"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (code) go(`#/verify/${encodeURIComponent(code)}`);
  });
  const result = params.code ? await check(params.code) : null;
  return h("div", { class: "page page--narrow" },
    pageHeader("Check a certificate", {
      lead: "Is a Children's University certificate genuine? Enter its verification code. "
        + "We show the award, never the child's name or school.",
    }),
    panel(null, form),
    result ? h("div", { "aria-live": "polite" }, result) : null);
}

/** "Download my badge" for one award (shown only where the pupil's school allows digital badges). */
export function badgeButton(award) {
  // Visible "Badge" is part of the accessible name, as the certificate button's "Certificate" is.
  const button = h("button", { type: "button", class: "button button--secondary button--small" }, h("span", {}, "Badge"));
  button.setAttribute("aria-label", `Download my ${award.name} badge`);
  button.addEventListener("click", () => busy(button, "Getting it…", async () => {
    try {
      const response = await api.get(`/certificates/${encodeURIComponent(award.certificate_id)}/credential`,
        { raw: true });
      const name = award.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      saveBlob(await response.blob(), `badge-${name}.jwt`);
      announce("Your badge has downloaded.");
    } catch {
      announce("Sorry, the badge didn't download. Try again.");
    }
  }));
  return button;
}
