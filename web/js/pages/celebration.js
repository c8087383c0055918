// The award moment: a full-screen celebration when a stamp takes a child past an award. The medal comes
// first, then the words and one big button for the certificate. A modal <dialog>, so focus stays inside
// and Escape closes it; the confetti is decoration only and stops for prefers-reduced-motion (styles.css).

import { h, nextId } from "../dom.js";
import { icon, medal } from "../icons.js";

const CONFETTI_PIECES = 18;

function confetti() {
  return h("div", { class: "celebration__confetti", "aria-hidden": "true" },
    Array.from({ length: CONFETTI_PIECES }, (_, i) => h("span", { class: `confetti confetti--${i % 6}` })));
}

/**
 * Show the celebration for the awards just reached (the highest one leads). `getCertificate(award)` downloads
 * a certificate; resolves when the child closes the celebration.
 */
export function celebrate(awards, { nextAward, getCertificate }) {
  const top = awards[awards.length - 1];
  const titleId = nextId("celebration");
  return new Promise((resolve) => {
    const download = h("button", { type: "button", class: "button button--big button--go celebration__certificate" },
      icon("download", { size: 26 }), h("span", {}, "Get my certificate"));
    const status = h("p", { class: "celebration__status", role: "status" });
    download.addEventListener("click", async () => {
      status.textContent = "Getting your certificate…";
      try {
        await getCertificate(top);
        status.textContent = "Your certificate has downloaded.";
      } catch {
        status.textContent = "Sorry, the certificate didn't download. Try again.";
      }
    });
    const close = h("button", { type: "button", class: "button button--secondary celebration__close" },
      "Keep going");
    const el = h("dialog", { class: "celebration", "aria-labelledby": titleId },
      confetti(),
      h("div", { class: "celebration__card" },
        h("div", { class: "celebration__medal" }, medal(top.name, 160)),
        h("h2", { class: "celebration__title", id: titleId }, `You got the ${top.name}!`),
        h("p", { class: "celebration__hours" }, `For ${top.hours} hours of learning. Well done!`),
        awards.length > 1
          ? h("p", {}, `And on the way: ${awards.slice(0, -1).map((a) => `the ${a.name}`).join(", ")}.`) : null,
        top.certificate_id ? download : null,
        status,
        nextAward
          ? h("p", { class: "celebration__next" }, `Next up: the ${nextAward.name} at ${nextAward.hours} hours.`)
          : h("p", { class: "celebration__next" }, "That's every award there is. Amazing!"),
        close));
    close.addEventListener("click", () => el.close());
    el.addEventListener("close", () => {
      el.remove();
      resolve();
    });
    document.body.append(el);
    el.showModal();
    (top.certificate_id ? download : close).focus();
  });
}
