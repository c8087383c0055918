// The pupil's page: add a stamp code, see what it unlocked, the hours, the way to the next award, the
// awards reached with their certificates, and the activities done. Few words, big targets.

import * as api from "../api.js";
import { announce, field, h, hours, longDate, nextId, replace, s, saveBlob } from "../dom.js";
import { icon, medal } from "../icons.js";
import { progressBar } from "../charts.js";
import { COLOURS, parseStampCode } from "../stampcode.js";
import { busy } from "./common.js";

function redemptionMessage(error) {
  if (!(error instanceof api.ApiError)) return "We couldn't reach Children's University. Try again in a moment.";
  switch (error.status) {
    case 400:
      return "That doesn't look like a stamp code. It's a colour and 4 numbers, like RED 2468.";
    case 404:
      return "We can't find that code. Check the colour and the numbers on your passport.";
    case 409:
      return error.problem.redemption_id
        ? "You've already added this stamp. Well done!"
        : "Someone else has already used this code. Ask for your own one.";
    case 410:
      return "This code isn't open right now. Ask the person who gave it to you.";
    case 429: {
      const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : null;
      return minutes ? `Too many tries! Have a break and try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`
        : "Too many tries! Have a break and try again later.";
    }
    default:
      return "Something went wrong. Try again in a moment.";
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

async function downloadCertificate(button, award) {
  await busy(button, "Getting it…", async () => {
    const response = await api.get(`/certificates/${encodeURIComponent(award.certificate_id)}`, { raw: true });
    const name = award.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    saveBlob(await response.blob(), `certificate-${name}.pdf`);
  });
}

function certificateButton(award) {
  const button = h("button", { type: "button", class: "button button--small button--secondary" },
    icon("download", { size: 20 }), h("span", {}, "Certificate"));
  button.setAttribute("aria-label", `Download my ${award.name} certificate`);
  button.addEventListener("click", () => downloadCertificate(button, award).catch(() => {
    announce("Sorry, the certificate didn't download. Try again.");
  }));
  return button;
}

function unlockedCard(result, progress) {
  const { activity } = result;
  const headingId = nextId("unlocked");
  const card = h("section", { class: "unlocked", "aria-labelledby": headingId, tabindex: "-1" },
    h("p", { class: "unlocked__kicker" }, icon("star", { size: 28, filled: true }), "You unlocked"),
    h("h2", { class: "unlocked__title", id: headingId }, activity.title),
    h("p", { class: "unlocked__hours" }, `+${hours(activity.hours)} ${Number(activity.hours) === 1 ? "hour" : "hours"}`),
    chips("Skills you used", activity.skills, "skills"),
    chips("Things you explored", activity.interests, "interests"),
    activity.employer_engagement ? h("p", { class: "badge" }, icon("people", { size: 20 }),
      "You met people from the world of work") : null);
  for (const award of result.new_awards || []) {
    const reached = progress?.awards?.find((a) => a.name === award.name);
    card.append(h("div", { class: "new-award" },
      medal(award.name, 72),
      h("div", {},
        h("p", { class: "new-award__title" }, `You got the ${award.name}!`),
        h("p", {}, `For ${award.hours} hours of learning.`),
        reached?.certificate_id ? certificateButton(reached) : null)));
  }
  return card;
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

function awardsCard(progress) {
  const awards = [...(progress.awards || [])].sort((a, b) => b.hours - a.hours);
  return h("section", { class: "panel", "aria-labelledby": "my-awards" },
    h("h2", { class: "panel__title", id: "my-awards" }, "My awards"),
    awards.length
      ? h("ul", { class: "awards" }, awards.map((award) => h("li", { class: "award" },
        medal(award.name),
        h("div", { class: "award__text" },
          h("p", { class: "award__name" }, award.name),
          h("p", { class: "award__date muted" }, longDate(award.achieved_at))),
        certificateButton(award))))
      : h("p", {}, "Your first award is the Bronze Award at 30 hours. Keep going!"));
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

export async function pupilHome(params, { user }) {
  let progress = await api.get("/me/progress");
  const result = h("div", { class: "result-area" });
  const progressArea = h("div", { class: "progress-area" });
  const drawProgress = () => replace(progressArea, hoursCard(progress), awardsCard(progress), activitiesCard(progress));
  drawProgress();

  const input = h("input", {
    type: "text", id: "stamp-code", name: "code", class: "input--code", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", maxlength: 40, placeholder: "RED 2468",
  });
  const preview = codePreview();
  input.addEventListener("input", () => preview.update(input.value));
  const codeField = field("Stamp code", input, { hint: "The colour and the 4 numbers from your passport." });
  const submit = h("button", { type: "submit", class: "button button--big button--go" }, "Add my stamp");
  const form = h("form", { class: "stamp-form", novalidate: true }, codeField, preview, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    codeField.showError("");
    const code = input.value.trim();
    if (!code) {
      codeField.showError("Type the code from your passport first.");
      input.focus();
      return;
    }
    try {
      const redeemed = await busy(submit, "Checking…", () => api.post("/redemptions", { code }));
      progress = await api.get("/me/progress");
      const card = unlockedCard(redeemed, progress);
      replace(result, card);
      drawProgress();
      input.value = "";
      preview.update("");
      card.focus();
      announce(`You unlocked ${redeemed.activity.title}. You now have ${hours(redeemed.total_hours)} hours.`);
    } catch (error) {
      codeField.showError(redemptionMessage(error));
      input.focus();
    }
  });

  const firstName = (user.display_name || "").split(" ")[0];
  return h("div", { class: "page pupil-home" },
    h("h1", { tabindex: "-1" }, firstName ? `Hi, ${firstName}!` : "Hi!"),
    h("section", { class: "panel panel--stamp", "aria-labelledby": "add-stamp" },
      h("h2", { class: "panel__title", id: "add-stamp" }, "Add a stamp"),
      form),
    result,
    progressArea,
    h("p", { class: "privacy-note" }, icon("shield", { size: 20 }), "Only you and your school can see your hours."));
}
