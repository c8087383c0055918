// Building the page from data without innerHTML: every value reaches the DOM as text, so nothing a pupil
// name or an uploaded file contains can turn into markup or script.

const SVG_NS = "http://www.w3.org/2000/svg";
const PROPERTIES = new Set(["value", "checked", "disabled", "selected", "indeterminate", "hidden", "required"]);

function setProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (PROPERTIES.has(key) && !(el instanceof SVGElement)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: h("button", {class: "button", onClick}, "Save"). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

/** An SVG element, for charts and icons. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, attrs);
  append(el, children);
  return el;
}

let uid = 0;
/** A fresh id for label/aria pairs. */
export function nextId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Replace everything inside `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Say something to screen readers without moving focus. */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A new text node after clearing makes screen readers read the same message twice in a row too.
  window.requestAnimationFrame(() => { region.textContent = message; });
}

/** A labelled form field. `input` is the control; hint and error are tied to it with aria-describedby. */
export function field(label, input, { hint, id } = {}) {
  const controlId = id || input.id || nextId("field");
  input.id = controlId;
  const hintEl = hint ? h("p", { class: "field__hint", id: `${controlId}-hint` }, hint) : null;
  const errorEl = h("p", { class: "field__error", id: `${controlId}-error`, hidden: true });
  const described = [hintEl && hintEl.id].filter(Boolean).join(" ");
  if (described) input.setAttribute("aria-describedby", described);
  const wrapper = h("div", { class: "field" }, h("label", { class: "field__label", for: controlId }, label), hintEl,
    errorEl, input);
  wrapper.showError = (message) => {
    errorEl.textContent = message || "";
    errorEl.hidden = !message;
    wrapper.classList.toggle("field--error", Boolean(message));
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [described, errorEl.id].filter(Boolean).join(" "));
    } else {
      input.removeAttribute("aria-invalid");
      if (described) input.setAttribute("aria-describedby", described);
      else input.removeAttribute("aria-describedby");
    }
  };
  return wrapper;
}

/** Format hours the way people write them: 30, 31.5, 0.25. */
export function hours(value) {
  const n = Number(value) || 0;
  return String(Math.round(n * 100) / 100);
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });
const DATE_SHORT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });
const DATE_TIME = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit" });

function toDate(value) {
  if (!value) return null;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00` : value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function longDate(value) {
  const d = toDate(value);
  return d ? DATE.format(d) : "";
}

export function shortDate(value) {
  const d = toDate(value);
  return d ? DATE_SHORT.format(d) : "";
}

export function dateTime(value) {
  const d = toDate(value);
  return d ? DATE_TIME.format(d) : "";
}

/** ISO date (yyyy-mm-dd) of a Date in local time, for <input type=date>. */
export function isoDate(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Save a Blob as a file through a temporary link (works for PDFs fetched with a bearer token). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, class: "visually-hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
