// A few line icons, drawn inline (no icon font, nothing fetched from elsewhere). Decorative: aria-hidden.

import { s } from "./dom.js";

const PATHS = {
  star: "M12 2.8l2.8 5.8 6.3.9-4.6 4.5 1.1 6.3L12 17.3l-5.6 3 1.1-6.3-4.6-4.5 6.3-.9z",
  upload: "M12 16V4m0 0l-5 5m5-5l5 5M4 15v4a1 1 0 001 1h14a1 1 0 001-1v-4",
  people: "M9 11a4 4 0 100-8 4 4 0 000 8zm-7 9a7 7 0 0114 0M17 11a3 3 0 100-6M22 20a6 6 0 00-4-5.6",
  ticket: "M3 8a2 2 0 002-2h14a2 2 0 002 2v2a2 2 0 000 4v2a2 2 0 00-2 2H5a2 2 0 00-2-2v-2a2 2 0 000-4zM9 6v12",
  chart: "M4 20V10m6 10V4m6 16v-7m4 7H2",
  shield: "M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z",
  key: "M15 7a4 4 0 11-3.9 4.9L3 20v-3h3v-3h3l2.1-2.1A4 4 0 0115 7z",
  printer: "M7 9V3h10v6M7 17H4v-6a2 2 0 012-2h12a2 2 0 012 2v6h-3M7 14h10v7H7z",
  medal: "M8 2l4 7 4-7M12 22a6 6 0 100-12 6 6 0 000 12z",
  school: "M3 10l9-6 9 6M5 9v11h14V9M10 20v-5h4v5",
  download: "M12 4v12m0 0l-5-5m5 5l5-5M4 20h16",
  check: "M4 12l5 5L20 6",
  eye: "M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12zm10 3a3 3 0 100-6 3 3 0 000 6z",
};

export function icon(name, { size = 24, filled = false } = {}) {
  return s("svg", {
    class: "icon", width: size, height: size, viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false",
  }, s("path", {
    d: PATHS[name], fill: filled ? "currentColor" : "none", stroke: "currentColor", "stroke-width": filled ? 1 : 2,
    "stroke-linecap": "round", "stroke-linejoin": "round",
  }));
}

/** A medal in its award colour (Bronze, Silver, Gold), for award lists and celebrations. */
export function medal(awardName, size = 56) {
  const tone = (awardName || "").split(" ")[0].toLowerCase();
  const colours = { bronze: ["#b8733a", "#8a4f20"], silver: ["#c3c9d1", "#7d8894"], gold: ["#f2c230", "#b8860b"] };
  const [face, rim] = colours[tone] || colours.gold;
  return s("svg", { class: "medal", width: size, height: size, viewBox: "0 0 64 64", "aria-hidden": "true" },
    s("path", { d: "M20 2h10l6 20H26z", fill: "#4a2c8f" }),
    s("path", { d: "M44 2H34l-6 20h10z", fill: "#0b6e6b" }),
    s("circle", { cx: 32, cy: 40, r: 20, fill: face, stroke: rim, "stroke-width": 4 }),
    s("path", { d: "M32 28l3.5 7.2 7.9 1.1-5.7 5.6 1.3 7.8L32 46l-7 3.7 1.3-7.8-5.7-5.6 7.9-1.1z", fill: rim }));
}
