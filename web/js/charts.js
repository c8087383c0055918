// Charts as inline SVG, no library. Bars are sized in percentages of the chart's own width, so the text
// stays at its real size on a phone and on a laptop (a scaled viewBox would shrink the labels).
// Every chart has a text equivalent: an accessible name and description, and a table to open.

import { h, nextId, s } from "./dom.js";

const ROW = 46; // px per bar: the label line above, the bar below
const BAR = 18;
export const SERIES_COLOURS = ["#4a2c8f", "#0b6e6b", "#c2410c", "#1d4ed8", "#a21caf", "#4d7c0f"];

function dataTable(caption, headers, rows) {
  return h("details", { class: "chart__table" },
    h("summary", {}, "Show as a table"),
    h("table", { class: "table table--compact" },
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((text, i) => (i === 0
        ? h("th", { scope: "row" }, text) : h("td", {}, text))))))));
}

/**
 * Horizontal bars, one per item: [{label, value}], longest first unless `ordered` (year groups, dates).
 * `format` renders a value (e.g. hours); `empty` is what to say when there is nothing to draw.
 */
export function barChart(title, items, {
  format = String, empty = "Nothing to show yet.", colour = SERIES_COLOURS[0], ordered = false,
} = {}) {
  const titleId = nextId("chart");
  const rows = [...items].filter((item) => item.value > 0);
  if (!ordered) rows.sort((a, b) => b.value - a.value);
  const figure = h("figure", { class: "chart" }, h("figcaption", { class: "chart__title", id: titleId }, title));
  if (!rows.length) {
    figure.append(h("p", { class: "muted" }, empty));
    return figure;
  }
  const max = Math.max(...rows.map((row) => row.value));
  const summary = rows.map((row) => `${row.label}: ${format(row.value)}`).join("; ");
  const descId = nextId("chart-desc");
  const chart = s("svg", {
    class: "chart__svg", width: "100%", height: rows.length * ROW, role: "img",
    "aria-labelledby": `${titleId} ${descId}`,
  }, s("desc", { id: descId }, summary));
  rows.forEach((row, index) => {
    const top = index * ROW;
    // Leave room at the right for the value label.
    const width = Math.max((row.value / max) * 82, 0.8);
    chart.append(
      s("text", { x: 0, y: top + 15, class: "chart__label" }, row.label),
      s("rect", { x: 0, y: top + 21, width: `${width}%`, height: BAR, rx: 4, fill: colour }),
      s("text", { x: `${width + 1.5}%`, y: top + 35, class: "chart__value" }, format(row.value)),
    );
  });
  figure.append(chart, dataTable(title, ["", "Value"], rows.map((row) => [row.label, format(row.value)])));
  return figure;
}

/**
 * 100% stacked bars comparing groups (e.g. roster vs participants) over the same categories.
 * groups: [{label, counts: {category: n}}]; categories: [{key, label}].
 */
export function stackedShareChart(title, groups, categories) {
  const titleId = nextId("chart");
  const descId = nextId("chart-desc");
  const figure = h("figure", { class: "chart" }, h("figcaption", { class: "chart__title", id: titleId }, title));
  const totals = groups.map((group) => categories.reduce((sum, c) => sum + (group.counts?.[c.key] || 0), 0));
  if (totals.every((total) => total === 0)) {
    figure.append(h("p", { class: "muted" }, "Nothing to show yet."));
    return figure;
  }
  const pct = (n, total) => (total ? Math.round((n / total) * 1000) / 10 : 0);
  const summary = groups.map((group, g) => `${group.label}: ${categories.map((c) =>
    `${c.label} ${pct(group.counts?.[c.key] || 0, totals[g])}%`).join(", ")}`).join("; ");
  const chart = s("svg", {
    class: "chart__svg", width: "100%", height: groups.length * (ROW + 8), role: "img",
    "aria-labelledby": `${titleId} ${descId}`,
  }, s("desc", { id: descId }, summary));
  groups.forEach((group, g) => {
    const top = g * (ROW + 8);
    chart.append(s("text", { x: 0, y: top + 15, class: "chart__label" },
      `${group.label} (${totals[g]})`));
    let left = 0;
    categories.forEach((category, c) => {
      const share = pct(group.counts?.[category.key] || 0, totals[g]);
      if (!share) return;
      chart.append(s("rect", {
        x: `${left}%`, y: top + 21, width: `${share}%`, height: BAR + 6, fill: SERIES_COLOURS[c % SERIES_COLOURS.length],
      }, s("title", {}, `${category.label}: ${share}%`)));
      if (share >= 12) {
        chart.append(s("text", { x: `${left + share / 2}%`, y: top + 38, class: "chart__inside" }, `${Math.round(share)}%`));
      }
      left += share;
    });
  });
  const legend = h("ul", { class: "chart__legend" }, categories.map((category, c) => h("li", {},
    s("svg", { width: 14, height: 14, "aria-hidden": "true" },
      s("rect", { width: 14, height: 14, rx: 3, fill: SERIES_COLOURS[c % SERIES_COLOURS.length] })),
    category.label)));
  figure.append(legend, chart, dataTable(title, ["", ...categories.map((c) => c.label)],
    groups.map((group, g) => [group.label, ...categories.map((c) => {
      const n = group.counts?.[c.key] || 0;
      return `${n} (${pct(n, totals[g])}%)`;
    })])));
  return figure;
}

/** A progress bar with its numbers spoken: value out of max. */
export function progressBar(label, value, max, { text } = {}) {
  const ratio = max > 0 ? Math.min(Math.max(value / max, 0), 1) : 0;
  const fill = h("div", { class: "progress__fill", hidden: ratio === 0 });
  fill.style.width = `${Math.round(ratio * 1000) / 10}%`;
  return h("div", {
    class: "progress", role: "progressbar", "aria-label": label, "aria-valuemin": 0, "aria-valuemax": max,
    "aria-valuenow": value, "aria-valuetext": text || `${value} of ${max}`,
  }, fill);
}
