// A school's pupils: search, rectify, erase, new passwords and printable login cards.

import * as api from "../api.js";
import { field, h, hours, longDate, nextId, plural, replace, saveBlob } from "../dom.js";
import { icon } from "../icons.js";
import { busy, confirm, describeError, dialog, notice, pageHeader, showFieldErrors, sortable } from "./common.js";
import { schoolContext } from "./organisation.js";

const MAX_CARDS = 200; // POST /login-cards takes at most this many pupils at once
const GENDERS = [["female", "Female"], ["male", "Male"], ["other", "Other"]];

export function fullName(p) {
  return `${p.first_name} ${p.last_name}`;
}

export function yearLabel(year) {
  if (year === null || year === undefined) return "–";
  return year <= 0 ? "Reception" : `Year ${year}`;
}

function matches(p, words) {
  const haystack = `${p.first_name} ${p.last_name} ${p.username} ${p.upn || ""}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

export function credentialsDialog(pupil, creds) {
  return dialog(`New password for ${fullName(pupil)}`, h("div", {},
    h("dl", { class: "credentials" },
      h("dt", {}, "Username"), h("dd", {}, creds.username),
      h("dt", {}, "Password"), h("dd", {}, creds.password)),
    notice("This is shown only once. Write it down for the pupil now, or print a login card instead.", "warning")),
  [["Done", "done"]]);
}

export async function rectifyDialog(schoolPath, pupil) {
  const inputs = {
    first_name: h("input", { type: "text", value: pupil.first_name, autocomplete: "off" }),
    last_name: h("input", { type: "text", value: pupil.last_name, autocomplete: "off" }),
    date_of_birth: h("input", { type: "date", value: pupil.date_of_birth }),
    gender: h("select", {}, GENDERS.map(([value, label]) => h("option", { value, selected: value === pupil.gender },
      label))),
    upn: h("input", { type: "text", value: pupil.upn || "", maxlength: 13, autocomplete: "off", spellcheck: "false" }),
  };
  const fields = {
    first_name: field("First name", inputs.first_name),
    last_name: field("Last name", inputs.last_name),
    date_of_birth: field("Date of birth", inputs.date_of_birth),
    gender: field("Gender", inputs.gender),
    upn: field("UPN", inputs.upn, { hint: "13 characters, from the MIS. Leave empty if unknown." }),
  };
  const problem = h("div", { class: "form-problem" });
  const titleId = nextId("dialog");
  // Resolves with {saved: pupil}, {erase: true} (the caller confirms and erases) or null.
  return new Promise((resolve) => {
    let outcome = null;
    const save = h("button", { type: "submit", class: "button" }, "Save changes");
    const cancel = h("button", { type: "button", class: "button button--secondary", onClick: () => el.close() }, "Cancel");
    const exportButton = h("button", { type: "button", class: "button button--quiet" }, "Download their data");
    const erase = h("button", { type: "button", class: "button button--quiet button--danger-text", onClick: () => {
      outcome = { erase: true };
      el.close();
    } }, "Erase pupil");
    const form = h("form", { class: "form", novalidate: true }, Object.values(fields), problem,
      h("div", { class: "dialog__actions" }, cancel, save),
      h("div", { class: "dialog__more" }, exportButton, erase));
    const el = h("dialog", { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId, class: "dialog__title" }, `Correct details: ${fullName(pupil)}`), form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.replaceChildren();
      Object.values(fields).forEach((f) => f.showError(""));
      const changes = {};
      for (const [key, input] of Object.entries(inputs)) {
        const value = input.value.trim();
        if (value !== (pupil[key] ?? "")) changes[key] = value;
      }
      if (!Object.keys(changes).length) {
        el.close();
        return;
      }
      try {
        const saved = await busy(save, "Saving…", () => api.patch(`${schoolPath}/pupils/${encodeURIComponent(pupil.id)}`,
          changes));
        outcome = { saved };
        el.close();
      } catch (error) {
        if (!showFieldErrors(error, fields)) problem.append(notice(describeError(error), "error"));
      }
    });
    exportButton.addEventListener("click", async () => {
      try {
        const response = await busy(exportButton, "Preparing…", () => api.get(
          `${schoolPath}/pupils/${encodeURIComponent(pupil.id)}/export`, { raw: true }));
        saveBlob(await response.blob(), `pupil-data-${pupil.username}.json`);
      } catch (error) {
        problem.append(notice(describeError(error), "error"));
      }
    });
    el.addEventListener("close", () => {
      el.remove();
      resolve(outcome);
    });
    document.body.append(el);
    el.showModal();
  });
}

async function erasePupil(schoolPath, pupil) {
  const sure = await confirm(`Erase ${fullName(pupil)}?`,
    "Everything stored about this pupil is deleted at once, including their hours and awards. This cannot be undone.",
    "Erase now", { danger: true });
  if (!sure) return false;
  await api.del(`${schoolPath}/pupils/${encodeURIComponent(pupil.id)}`);
  return true;
}

export async function pupilsPage({ schoolId }, { user }) {
  const context = await schoolContext(schoolId, user, "/pupils");
  const schoolPath = `/schools/${encodeURIComponent(schoolId)}`;
  let status = "active";
  let pupils = await api.allPages(`${schoolPath}/pupils`, "pupils", { status, page_size: 500 });
  const selected = new Set();

  const search = h("input", { type: "search", id: "pupil-search", autocomplete: "off", spellcheck: "false" });
  const statusSelect = h("select", { id: "pupil-status" },
    h("option", { value: "active" }, "Current pupils"), h("option", { value: "left" }, "Left the school"));
  const yearSelect = h("select", { id: "pupil-year" });
  // The same order as the column headings (which a phone does not show): "key-direction".
  const sortSelect = h("select", { id: "pupil-sort" },
    h("option", { value: "name-up" }, "Surname, A to Z"), h("option", { value: "name-down" }, "Surname, Z to A"),
    h("option", { value: "year-up" }, "Year group"), h("option", { value: "hours-down" }, "Most hours first"),
    h("option", { value: "hours-up" }, "Fewest hours first"));
  const summary = h("p", { class: "muted", role: "status" });
  const feedback = h("div", { class: "form-problem" });
  const body = h("tbody");
  const selectAll = h("input", { type: "checkbox", id: "select-all" });
  const selectAllBox = h("div", { class: "checkbox" }, selectAll,
    h("label", { for: "select-all" }, "Select all shown pupils"));
  const cards = h("button", { type: "button", class: "button", disabled: true }, icon("printer", { size: 20 }),
    h("span", {}, "Print login cards"));
  const tableWrap = h("div", { class: "table-wrap" });

  // Sorted by surname unless a column heading says otherwise; the heading carries aria-sort.
  const SORTS = {
    name: (a, b) => a.last_name.localeCompare(b.last_name) || a.first_name.localeCompare(b.first_name),
    year: (a, b) => a.year_group - b.year_group || SORTS.name(a, b),
    hours: (a, b) => a.total_hours - b.total_hours || SORTS.name(a, b),
  };
  const sorting = sortable(sortSelect, { key: "name", ascending: true }, SORTS, () => draw());
  const visible = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const year = yearSelect.value;
    return pupils.filter((p) => matches(p, words) && (!year || String(p.year_group) === year)).sort(sorting.order);
  };

  function drawYears() {
    const years = [...new Set(pupils.map((p) => p.year_group))].sort((a, b) => a - b);
    const current = yearSelect.value;
    replace(yearSelect, h("option", { value: "" }, "All years"),
      years.map((y) => h("option", { value: String(y), selected: String(y) === current }, yearLabel(y))));
  }

  function updateSelection() {
    const shown = visible();
    const shownSelected = shown.filter((p) => selected.has(p.id)).length;
    selectAll.checked = shown.length > 0 && shownSelected === shown.length;
    selectAll.indeterminate = shownSelected > 0 && shownSelected < shown.length;
    cards.disabled = selected.size === 0;
    cards.lastChild.textContent = selected.size ? `Print login cards (${selected.size})` : "Print login cards";
  }

  function row(p) {
    const box = h("input", { type: "checkbox", checked: selected.has(p.id), "aria-label": `Select ${fullName(p)}` });
    box.addEventListener("change", () => {
      if (box.checked) selected.add(p.id);
      else selected.delete(p.id);
      updateSelection();
    });
    const edit = h("button", { type: "button", class: "button button--small button--secondary" }, "Edit");
    edit.setAttribute("aria-label", `Edit ${fullName(p)}`);
    edit.addEventListener("click", async () => {
      const outcome = await rectifyDialog(schoolPath, p);
      try {
        if (outcome?.erase && await erasePupil(schoolPath, p)) {
          pupils = pupils.filter((x) => x.id !== p.id);
          selected.delete(p.id);
          feedback.replaceChildren(notice(`${fullName(p)} has been erased.`, "success"));
        } else if (outcome?.saved) {
          pupils = pupils.map((x) => (x.id === p.id ? outcome.saved : x));
          feedback.replaceChildren(notice(`Saved the changes for ${fullName(outcome.saved)}.`, "success"));
        } else {
          return;
        }
      } catch (error) {
        feedback.replaceChildren(notice(describeError(error), "error"));
      }
      draw();
    });
    const reset = h("button", { type: "button", class: "button button--small button--secondary" }, "New password");
    reset.setAttribute("aria-label", `New password for ${fullName(p)}`);
    reset.addEventListener("click", async () => {
      const sure = await confirm(`New password for ${fullName(p)}?`,
        "Their old password stops working straight away.", "Make a new password");
      if (!sure) return;
      try {
        const creds = await busy(reset, "…", () => api.post(`${schoolPath}/pupils/${encodeURIComponent(p.id)}/password`));
        await credentialsDialog(p, creds);
      } catch (error) {
        feedback.replaceChildren(notice(describeError(error), "error"));
      }
    });
    return h("tr", {},
      h("td", { class: "table__check" }, box),
      h("th", { scope: "row", "data-label": "Name" },
        h("a", { href: `#${schoolPath}/pupils/${encodeURIComponent(p.id)}` }, fullName(p)),
        p.restricted ? h("span", { class: "table__sub" }, "Restricted") : null,
        p.status === "left" && p.deletion_due
          ? h("span", { class: "table__sub" }, `Left · deleted on ${longDate(p.deletion_due)}`) : null),
      h("td", { "data-label": "Year" }, yearLabel(p.year_group)),
      h("td", { "data-label": "Username", class: "mono" }, p.username),
      h("td", { "data-label": "Hours", class: "num" }, hours(p.total_hours)),
      h("td", { class: "table__actions" }, edit, reset));
  }

  function draw() {
    const shown = visible();
    replace(body, shown.map(row));
    summary.textContent = pupils.length
      ? `Showing ${shown.length} of ${plural(pupils.length, "pupil")}.`
      : "";
    tableWrap.hidden = shown.length === 0;
    selectAllBox.hidden = shown.length === 0;
    emptyState.hidden = shown.length > 0;
    emptyState.textContent = pupils.length ? "No pupils match your search." : (status === "active"
      ? "No pupils yet. Upload an export from your MIS to add them." : "No pupils have left.");
    updateSelection();
  }

  selectAll.addEventListener("change", () => {
    for (const p of visible()) {
      if (selectAll.checked) selected.add(p.id);
      else selected.delete(p.id);
    }
    draw();
  });
  search.addEventListener("input", draw);
  yearSelect.addEventListener("change", draw);
  statusSelect.addEventListener("change", async () => {
    status = statusSelect.value;
    selected.clear();
    pupils = await api.allPages(`${schoolPath}/pupils`, "pupils", { status, page_size: 500 });
    drawYears();
    draw();
  });

  cards.addEventListener("click", async () => {
    feedback.replaceChildren();
    if (selected.size > MAX_CARDS) {
      feedback.append(notice(`Choose at most ${MAX_CARDS} pupils at a time.`, "error"));
      return;
    }
    const sure = await confirm(`Print ${plural(selected.size, "login card")}?`,
      `Each card has a new password. The old passwords of ${selected.size === 1 ? "this pupil" : "these pupils"} stop working.`,
      "Make login cards");
    if (!sure) return;
    try {
      const response = await busy(cards, "Making cards…", () => api.request("POST", `${schoolPath}/login-cards`,
        { json: { pupil_ids: [...selected] }, raw: true }));
      saveBlob(await response.blob(), "login-cards.pdf");
      feedback.replaceChildren(notice(`${plural(selected.size, "login card")} downloaded (login-cards.pdf).`, "success"));
    } catch (error) {
      feedback.replaceChildren(notice(describeError(error), "error"));
    }
    updateSelection();
  });

  const emptyState = h("p", { class: "empty" });
  replace(tableWrap, h("table", { class: "table table--pupils" },
    h("caption", { class: "visually-hidden" }, "Pupils"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", class: "table__check" }, h("span", { class: "visually-hidden" }, "Selected")),
      sorting.heading("Name", "name"), sorting.heading("Year", "year"), h("th", { scope: "col" }, "Username"),
      sorting.heading("Hours", "hours", "num"),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
    body));
  drawYears();
  draw();

  return h("div", { class: "page" },
    pageHeader("Pupils", { crumbs: context.crumbs, actions: cards }),
    context.tabs,
    h("div", { class: "toolbar toolbar--search" },
      field("Search", search, { hint: "Name, username or UPN" }),
      field("Show", statusSelect),
      field("Year", yearSelect),
      field("Sort by", sortSelect)),
    feedback,
    h("div", { class: "select-bar" }, selectAllBox, summary),
    tableWrap,
    emptyState);
}
