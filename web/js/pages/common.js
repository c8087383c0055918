// Pieces every page uses: headings, panels, error messages, a one-shot message across navigation,
// confirmation dialogs and busy buttons.

import { ApiError } from "../api.js";
import { h, nextId } from "../dom.js";

let flash = null;

/** A message for the next page to show (e.g. "Your session has ended"), shown once. */
export function setFlash(message, kind = "info") {
  flash = { message, kind };
}

export function takeFlash() {
  const message = flash;
  flash = null;
  return message ? notice(message.message, message.kind) : null;
}

export function notice(message, kind = "info") {
  return h("div", { class: `notice notice--${kind}`, role: kind === "error" ? "alert" : "status" }, message);
}

export function pageHeader(title, { lead, actions, crumbs } = {}) {
  return h("div", { class: "page-header" },
    crumbs ? h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("ol", {}, crumbs.map(([label, href]) =>
      h("li", {}, href ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label))))) : null,
    h("div", { class: "page-header__row" },
      h("h1", { tabindex: "-1" }, title),
      actions ? h("div", { class: "page-header__actions" }, actions) : null),
    lead ? h("p", { class: "lead" }, lead) : null);
}

export function panel(title, ...children) {
  const headingId = title ? nextId("panel") : null;
  return h("section", { class: "panel", "aria-labelledby": headingId },
    title ? h("h2", { class: "panel__title", id: headingId }, title) : null, ...children);
}

export function errorPanel(title, message, { home, reload } = {}) {
  return h("div", { class: "page page--narrow" },
    h("h1", { tabindex: "-1" }, title),
    h("p", { class: "lead" }, message),
    reload ? h("p", {}, h("button", { type: "button", class: "button", onClick: () => window.location.reload() },
      "Reload the page")) : null,
    home ? h("p", {}, h("a", { class: reload ? "button button--secondary" : "button", href: home }, "Go to the start"))
      : null);
}

/** What to tell a member of staff about a failed request. */
export function describeError(error) {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const minutes = error.retryAfter ? Math.ceil(error.retryAfter / 60) : null;
      return minutes ? `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`
        : "Too many attempts. Try again later.";
    }
    if (error.status === 403) return error.message || "You cannot change this.";
    if (error.status === 413 && !error.problem.detail) return "The file is too large to upload.";
    return error.message;
  }
  return "We could not reach the service. Check your connection and try again.";
}

/** Show field errors from a problem (`errors: [{field, message}]`) next to their fields. */
export function showFieldErrors(error, fields) {
  let shown = false;
  for (const item of error?.errors || []) {
    const name = (item.field || "").split(".").pop();
    if (fields[name]) {
      fields[name].showError(item.message);
      shown = true;
    }
  }
  return shown;
}

/** Run `work` with the button showing it is busy; returns work's result. */
export async function busy(button, label, work) {
  const original = [...button.childNodes];
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.replaceChildren(label);
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.replaceChildren(...original);
  }
}

/** A modal dialog; resolves with the value of the button pressed (or null on Escape/Cancel). */
export function dialog(title, body, buttons) {
  return new Promise((resolve) => {
    const titleId = nextId("dialog");
    const el = h("dialog", { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId, class: "dialog__title" }, title),
      h("div", { class: "dialog__body" }, body),
      h("div", { class: "dialog__actions" }, buttons.map(([label, value, kind]) => h("button", {
        type: "button", class: `button ${kind ? `button--${kind}` : ""}`, onClick: () => {
          el.returnValue = value;
          el.close();
        },
      }, label))));
    el.addEventListener("close", () => {
      el.remove();
      resolve(el.returnValue || null);
    });
    el.addEventListener("cancel", () => { el.returnValue = ""; });
    document.body.append(el);
    el.showModal();
  });
}

export async function confirm(title, message, yes, { danger = false } = {}) {
  const answer = await dialog(title, h("p", {}, message),
    [["Cancel", "", "secondary"], [yes, "yes", danger ? "danger" : ""]]);
  return answer === "yes";
}

/** A link styled as a large card, for dashboards. */
export function cardLink(href, title, description, icon) {
  return h("a", { class: "card-link", href },
    icon ? h("span", { class: "card-link__icon", "aria-hidden": "true" }, icon) : null,
    h("span", { class: "card-link__text" },
      h("span", { class: "card-link__title" }, title),
      description ? h("span", { class: "card-link__desc" }, description) : null));
}

export function stat(label, value, hint) {
  return h("div", { class: "stat" },
    h("span", { class: "stat__value" }, value),
    h("span", { class: "stat__label" }, label),
    hint ? h("span", { class: "stat__hint" }, hint) : null);
}

/**
 * Sorting a list by its column headings or by a "Sort by" menu (phones do not show the headings), kept in step:
 * menu values are "key-up" / "key-down"; a heading carries aria-sort. `sorts` compares two items per key;
 * `redraw` runs after every change. `order` is the comparison to sort the shown items with.
 */
export function sortable(menu, initial, sorts, redraw) {
  let sort = initial;
  const marks = [];
  function set(next) {
    sort = next;
    marks.forEach((mark) => mark());
    const value = `${sort.key}-${sort.ascending ? "up" : "down"}`;
    if ([...menu.options].some((o) => o.value === value)) menu.value = value;
    redraw();
  }
  menu.addEventListener("change", () => {
    const [key, direction] = menu.value.split("-");
    set({ key, ascending: direction === "up" });
  });
  return {
    order: (a, b) => (sort.ascending ? 1 : -1) * sorts[sort.key](a, b),
    heading(label, key, className) {
      const button = h("button", { type: "button", class: "sort" }, label);
      const th = h("th", { scope: "col", class: className || null }, button);
      const mark = () => {
        const active = sort.key === key;
        th.setAttribute("aria-sort", active ? (sort.ascending ? "ascending" : "descending") : "none");
        button.dataset.sorted = active ? (sort.ascending ? "up" : "down") : "";
      };
      button.addEventListener("click", () => set({ key, ascending: sort.key === key ? !sort.ascending : true }));
      marks.push(mark);
      mark();
      return th;
    },
  };
}
