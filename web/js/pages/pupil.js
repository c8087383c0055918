// The pupil's page: add a stamp code, see what it unlocked, the hours, the way to the next award, the
// awards reached with their certificates, and the activities done. Few words, big targets.

import * as api from "../api.js";
import { badgeButton } from "./credentials.js";
import { announce, field, h, hours, longDate, nextId, replace, s, saveBlob } from "../dom.js";
import { icon, medal } from "../icons.js";
import { progressBar } from "../charts.js";
import { COLOURS, codeProblem, parseStampCode } from "../stampcode.js";
import * as session from "../session.js";
import { celebrate } from "./celebration.js";
import { busy } from "./common.js";

// What the answer to a code means for the child: [kind, message]. "info" is a friendly note (already
// added), "error" something to fix.
function redemptionOutcome(error) {
  if (!(error instanceof api.ApiError)) {
    return ["error", "We couldn't reach Children's University. Check the internet and try again."];
  }
  switch (error.status) {
    case 400:
      return ["error", "That doesn't look like a stamp code. It's a colour and 4 numbers, like RED 2468."];
    case 403:
      return ["error", "Your account can't collect new hours at the moment. Ask your teacher."];
    case 404:
      return ["error", "We can't find that code. Check the colour and the numbers on your passport."];
    case 409:
      return error.problem.redemption_id
        ? ["info", "You've already added this stamp. Well done!"]
        : ["error", "Someone else has already used this code. Ask for your own one."];
    case 410:
      return ["error", "This code isn't open right now. Ask the person who gave it to you."];
    case 429: {
      const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : null;
      return ["error", minutes
        ? `Too many tries! Have a break and try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`
        : "Too many tries! Have a break and try again later."];
    }
    default:
      return ["error", "Something went wrong on our side. Try again in a moment."];
  }
}

function chips(label, items, kind) {
  if (!items?.length) return null;
  return h("div", { class: "chips-group" },
    h("h3", { class: "chips-group__label" }, label),
    h("ul", { class: `chips chips--${kind}` }, items.map((item) => h("li", { class: "chip" }, item))));
}

function codePreview() {
  const dot = s("svg", { width: 22, height: 22, "aria-hidden": "true" },
    s("circle", { cx: 11, cy: 11, r: 9, stroke: "#1d1b2f", "stroke-width": 2 }));
  const text = h("span", { class: "code-preview__text" });
  const el = h("p", { class: "code-preview", hidden: true }, dot, text);
  el.update = (value) => {
    const code = parseStampCode(value);
    el.hidden = !code;
    if (code) {
      dot.firstChild.setAttribute("fill", COLOURS[code.colour]);
      text.textContent = code.text;
    }
  };
  return el;
}

async function saveCertificate(award) {
  const response = await api.get(`/certificates/${encodeURIComponent(award.certificate_id)}`, { raw: true });
  const name = award.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  saveBlob(await response.blob(), `certificate-${name}.pdf`);
}

function certificateButton(award) {
  const button = h("button", { type: "button", class: "button button--small button--secondary" },
    icon("download", { size: 20 }), h("span", {}, "Certificate"));
  button.setAttribute("aria-label", `Download my ${award.name} certificate`);
  button.addEventListener("click", () => busy(button, "Getting it…", () => saveCertificate(award)).catch(() => {
    announce("Sorry, the certificate didn't download. Try again.");
  }));
  return button;
}

function unlockedCard(result) {
  const { activity } = result;
  const headingId = nextId("unlocked");
  return h("section", { class: "unlocked", "aria-labelledby": headingId, tabindex: "-1" },
    h("p", { class: "unlocked__kicker" }, icon("star", { size: 28, filled: true }), "You unlocked"),
    h("h2", { class: "unlocked__title", id: headingId }, activity.title),
    h("p", { class: "unlocked__hours" }, `+${hours(activity.hours)} ${Number(activity.hours) === 1 ? "hour" : "hours"}`),
    chips("Skills you used", activity.skills, "skills"),
    chips("Things you explored", activity.interests, "interests"),
    activity.employer_engagement ? h("p", { class: "badge" }, icon("people", { size: 20 }),
      "You met people from the world of work") : null,
    (result.new_awards || []).map((award) => h("p", { class: "new-award" }, medal(award.name, 40),
      h("span", { class: "new-award__title" }, `You got the ${award.name}!`))));
}

function hoursCard(progress) {
  const total = Number(progress.total_hours) || 0;
  const next = progress.next_award;
  const reached = (progress.awards || []).map((a) => a.hours);
  const from = reached.length ? Math.max(...reached) : 0;
  const children = [
    h("p", { class: "big-number" }, h("span", { class: "big-number__value" }, hours(total)),
      h("span", { class: "big-number__unit" }, total === 1 ? " hour" : " hours")),
  ];
  if (next) {
    const label = `${hours(next.hours_remaining)} ${Number(next.hours_remaining) === 1 ? "hour" : "hours"} to go to the ${next.name}`;
    children.push(
      progressBar(`Progress to the ${next.name}`, Math.round((total - from) * 100) / 100, next.hours - from,
        { text: label }),
      h("p", { class: "next-award" }, h("strong", {}, label)));
  } else {
    children.push(h("p", { class: "next-award" }, "You have reached every award. Amazing!"));
  }
  return h("section", { class: "panel panel--hours", "aria-labelledby": "my-hours" },
    h("h2", { class: "panel__title", id: "my-hours" }, "My hours"), ...children);
}

// The ladder: every medal earned (with its date and certificate), the next one with the hours to go, and
// the ones after it greyed out, so reaching an award never looks like starting again from nothing.
function ladderCard(progress) {
  const earned = [...(progress.awards || [])].sort((a, b) => a.hours - b.hours);
  const upcoming = progress.upcoming_awards || [];
  const next = progress.next_award;
  const steps = [
    ...earned.map((award) => h("li", { class: "ladder__step ladder__step--earned" },
      medal(award.name, 48),
      h("div", { class: "ladder__text" },
        h("p", { class: "ladder__name" }, award.name),
        h("p", { class: "ladder__detail" }, `Earned on ${longDate(award.achieved_at)}`)),
      h("div", { class: "award__actions" }, certificateButton(award),
        progress.open_badges ? badgeButton(award) : null))),
    ...upcoming.map((award, index) => {
      const isNext = index === 0 && next;
      return h("li", { class: `ladder__step ${isNext ? "ladder__step--next" : "ladder__step--locked"}` },
        medal(award.name, 48),
        h("div", { class: "ladder__text" },
          h("p", { class: "ladder__name" }, award.name),
          h("p", { class: "ladder__detail" }, isNext
            ? `Next: ${hours(next.hours_remaining)} ${Number(next.hours_remaining) === 1 ? "hour" : "hours"} to go`
            : `Locked · at ${award.hours} hours`)));
    }),
  ];
  return h("section", { class: "panel", "aria-labelledby": "my-ladder" },
    h("h2", { class: "panel__title", id: "my-ladder" }, "My award ladder"),
    earned.length ? null : h("p", {}, "Your first award is the Bronze Award at 30 hours. Keep going!"),
    h("ol", { class: "ladder" }, steps));
}

// Skills and interests from every stamp so far, with the hours spent on each (most first).
function skillsCard(progress) {
  const tally = (pick) => {
    const totals = new Map();
    for (const item of progress.redemptions || []) {
      for (const name of item.activity[pick] || []) totals.set(name, (totals.get(name) || 0) + Number(item.hours));
    }
    return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const list = (entries, kind) => h("ul", { class: `chips chips--${kind}` }, entries.map(([name, total]) =>
    h("li", { class: "chip" }, name, h("span", { class: "chip__hours" }, ` · ${hours(total)} h`))));
  const skills = tally("skills");
  const interests = tally("interests");
  return h("section", { class: "panel", "aria-labelledby": "my-skills" },
    h("h2", { class: "panel__title", id: "my-skills" }, "My skills and interests"),
    skills.length || interests.length ? [
      skills.length ? h("div", { class: "chips-group" }, h("h3", { class: "chips-group__label" }, "Skills I've used"),
        list(skills, "skills")) : null,
      interests.length ? h("div", { class: "chips-group" },
        h("h3", { class: "chips-group__label" }, "Things I've explored"), list(interests, "interests")) : null,
    ] : h("p", {}, "Add a stamp and the skills you use will show here."));
}

function activitiesCard(progress) {
  const done = [...(progress.redemptions || [])].sort((a, b) => String(b.redeemed_at).localeCompare(a.redeemed_at));
  if (!done.length) return null;
  return h("section", { class: "panel", "aria-labelledby": "my-activities" },
    h("h2", { class: "panel__title", id: "my-activities" }, "What I've done"),
    h("ul", { class: "done" }, done.map((item) => h("li", { class: "done__item" },
      h("span", { class: "done__title" }, item.activity.title),
      h("span", { class: "done__hours" }, `+${hours(item.hours)} h`),
      h("span", { class: "done__date muted" }, longDate(item.redeemed_at))))));
}

function privacyNote() {
  return h("div", { class: "privacy-note" }, icon("shield", { size: 20 }),
    h("p", {}, "Who can see your hours and awards: your school, your local Children's University and the ",
      "Children's University Trust. Nobody else."));
}

export async function pupilHome(params, { user }) {
  let progress = await api.get("/me/progress");
  const result = h("div", { class: "result-area", "aria-live": "polite" });
  const progressArea = h("div", { class: "progress-area" });
  const drawProgress = () => replace(progressArea, hoursCard(progress), ladderCard(progress), skillsCard(progress),
    activitiesCard(progress));
  drawProgress();

  const input = h("input", {
    type: "text", id: "stamp-code", name: "code", class: "input--code", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", maxlength: 40, placeholder: "RED 2468",
  });
  const preview = codePreview();
  const codeField = field("Stamp code", input, { hint: "The colour and the 4 numbers from your passport." });
  // Typing again starts a new attempt: the old error goes at once.
  input.addEventListener("input", () => {
    preview.update(input.value);
    codeField.showError("");
  });
  const submit = h("button", { type: "submit", class: "button button--big button--go" }, "Add my stamp");
  const form = h("form", { class: "stamp-form", novalidate: true }, codeField, preview, submit);

  async function addCode(code) {
    replace(result, h("p", { class: "checking", role: "status" }, h("span", { class: "spinner spinner--small",
      "aria-hidden": "true" }), "Checking your code…"));
    // Kept until the answer comes: if the session has ended, the pupil signs in again and it is added then.
    session.keepPendingCode(parseStampCode(code)?.text || code);
    let redeemed;
    try {
      redeemed = await busy(submit, "Checking…", () => api.post("/redemptions", { code }));
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) return;
      session.keepPendingCode(null);
      const [kind, message] = redemptionOutcome(error);
      if (kind === "info") {
        replace(result, h("p", { class: "notice notice--friendly", role: "status" }, icon("check", { size: 24 }),
          message));
      } else {
        replace(result);
        codeField.showError(message);
      }
      input.focus();
      return;
    }
    session.keepPendingCode(null);
    progress = await api.get("/me/progress");
    const card = unlockedCard(redeemed);
    replace(result, card);
    drawProgress();
    input.value = "";
    preview.update("");
    announce(`You unlocked ${redeemed.activity.title}. You now have ${hours(redeemed.total_hours)} hours.`);
    if (redeemed.new_awards?.length) {
      const reached = redeemed.new_awards.map((award) => ({
        ...award, certificate_id: progress.awards.find((a) => a.name === award.name)?.certificate_id,
      }));
      await celebrate(reached, { nextAward: progress.next_award, getCertificate: saveCertificate });
    }
    card.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    codeField.showError("");
    const code = input.value.trim();
    const problem = code ? codeProblem(code) : "Type the code from your passport first.";
    if (problem) {
      replace(result);
      codeField.showError(problem);
      input.focus();
      return;
    }
    await addCode(code);
  });

  const pending = session.pendingCodeValue();
  if (pending) {
    // Signed in again after the session ended mid-code: add the code that was typed then.
    input.value = pending;
    preview.update(pending);
    window.setTimeout(() => addCode(pending), 0);
  }

  const firstName = (user.display_name || "").split(" ")[0];
  return h("div", { class: "page pupil-home" },
    h("h1", { tabindex: "-1" }, firstName ? `Hi, ${firstName}!` : "Hi!"),
    h("section", { class: "panel panel--stamp", "aria-labelledby": "add-stamp" },
      h("h2", { class: "panel__title", id: "add-stamp" }, "Add a stamp"),
      form, result),
    progressArea,
    privacyNote());
}
