// Loading pupils from an MIS export: check the file first (a dry run that writes nothing), see what would
// change, what is wrong and which columns are dropped, then load exactly the bytes that were checked.

import * as api from "../api.js";
import { field, h, nextId, plural, replace } from "../dom.js";
import { icon } from "../icons.js";
import { busy, describeError, notice, pageHeader, panel, stat } from "./common.js";
import { schoolContext } from "./organisation.js";

const MAX_ERRORS_SHOWN = 50;

function counts(report, { dryRun }) {
  const will = (now, later) => (dryRun ? later : now);
  return h("div", { class: "stats" },
    stat("rows in the file", report.received),
    stat(will("new pupils", "new pupils"), report.created),
    stat(will("updated", "to update"), report.updated),
    stat("unchanged", report.unchanged),
    stat(will("marked as left", "to mark as left"), report.left),
    report.reactivated ? stat("back again", report.reactivated) : null,
    stat("rows with problems", report.rejected));
}

function columnsNotice(report) {
  const parts = [];
  if (report.special_category_columns?.length) {
    parts.push(notice(h("div", {},
      h("p", {}, h("strong", {}, "Special-category data found and removed. "),
        "These columns hold sensitive information (such as health, SEN or ethnicity). They are never stored:"),
      h("ul", { class: "columns", "aria-label": "Special-category columns" },
        report.special_category_columns.map((c) => h("li", { class: "chip chip--warning" }, c)))), "warning"));
  }
  const plain = (report.dropped_columns || []).filter((c) => !(report.special_category_columns || []).includes(c));
  if (plain.length) {
    parts.push(notice(h("div", {},
      h("p", {}, "These columns are not needed and are not stored:"),
      h("ul", { class: "columns", "aria-label": "Dropped columns" }, plain.map((c) => h("li", { class: "chip" }, c)))),
    "info"));
  }
  return parts;
}

function errorsTable(report) {
  if (!report.errors?.length) return null;
  const shown = report.errors.slice(0, MAX_ERRORS_SHOWN);
  const captionId = nextId("errors");
  return h("div", { class: "table-wrap" },
    h("h3", { id: captionId }, `Rows with problems (${report.errors.length})`),
    h("p", { class: "muted" }, "These rows are left out. Fix them in your MIS and upload again."),
    h("table", { class: "table table--compact", "aria-labelledby": captionId },
      h("thead", {}, h("tr", {}, ["Row", "Column", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, shown.map((e) => h("tr", {},
        h("td", { "data-label": "Row" }, e.row ?? "–"),
        h("td", { "data-label": "Column" }, e.field ?? "–"),
        h("td", { "data-label": "Problem" }, e.message))))),
    report.errors.length > shown.length
      ? h("p", { class: "muted" }, `…and ${report.errors.length - shown.length} more.`) : null);
}

export async function uploadPage({ schoolId }, { user }) {
  const context = await schoolContext(schoolId, user, "/upload");
  const path = `/schools/${encodeURIComponent(schoolId)}/roster`;
  const fileInput = h("input", { type: "file", id: "mis-file", name: "file", accept: ".csv,text/csv", required: true });
  const fileField = field("MIS export (CSV file)", fileInput,
    { hint: "Export pupils with first name, last name, date of birth and gender (UPN if you have it)." });
  const mode = (value, label, hint, checked) => {
    const id = nextId("mode");
    return h("div", { class: "radio" },
      h("input", { type: "radio", name: "mode", id, value, checked }),
      h("label", { for: id }, h("span", { class: "radio__label" }, label), h("span", { class: "radio__hint" }, hint)));
  };
  const modes = h("fieldset", { class: "fieldset" },
    h("legend", {}, "What is in the file?"),
    mode("full", "All our pupils", "Pupils missing from the file are marked as left.", true),
    mode("partial", "Only some pupils", "Adds and updates; nobody is marked as left.", false));
  const check = h("button", { type: "submit", class: "button" }, icon("check", { size: 20 }), h("span", {}, "Check the file"));
  const form = h("form", { class: "form", novalidate: true }, fileField, modes, check);
  const preview = h("div", { class: "preview", tabindex: "-1" });

  let checked = null; // {data, mode, name} of the file the preview describes
  const invalidate = () => {
    checked = null;
    replace(preview);
  };
  fileInput.addEventListener("change", invalidate);
  modes.addEventListener("change", invalidate);

  const send = (data, selectedMode, dryRun) => api.request("POST", path, {
    body: data, contentType: "text/csv", query: { mode: selectedMode, dry_run: dryRun ? "true" : "false" },
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fileField.showError("");
    const file = fileInput.files?.[0];
    if (!file) {
      fileField.showError("Choose the CSV file exported from your MIS.");
      fileInput.focus();
      return;
    }
    const selectedMode = form.elements.mode.value;
    try {
      const data = await file.arrayBuffer();
      const report = await busy(check, "Checking…", () => send(data, selectedMode, true));
      checked = { data, mode: selectedMode, name: file.name };
      showPreview(report);
    } catch (error) {
      fileField.showError(describeError(error));
      fileInput.focus();
    }
  });

  function showPreview(report) {
    const usable = report.created + report.updated + report.unchanged + (report.reactivated || 0);
    const commit = h("button", { type: "button", class: "button button--go" },
      `Load ${plural(usable, "pupil")}`);
    const again = h("button", { type: "button", class: "button button--secondary", onClick: () => {
      invalidate();
      fileInput.value = "";
      fileInput.focus();
    } }, "Choose another file");
    commit.addEventListener("click", async () => {
      try {
        const result = await busy(commit, "Loading…", () => send(checked.data, checked.mode, false));
        showResult(result);
      } catch (error) {
        preview.append(notice(describeError(error), "error"));
      }
    });
    replace(preview, panel(`Check before you load: ${checked.name}`,
      h("p", {}, "Nothing has been saved yet. This is what loading the file would do:"),
      counts(report, { dryRun: true }),
      report.left > 0 && checked.mode === "full" ? notice(`${plural(report.left, "pupil is", "pupils are")} not in this file `
        + "and will be marked as left. Their records are deleted after 30 days unless they appear in a later upload.",
      "warning") : null,
      columnsNotice(report),
      errorsTable(report),
      usable > 0 || report.left > 0 ? h("div", { class: "actions" }, commit, again)
        : h("div", { class: "actions" }, notice("There is nothing to load from this file.", "error"), again)));
    preview.focus();
  }

  function showResult(report) {
    const base = `#/schools/${encodeURIComponent(schoolId)}`;
    replace(preview, panel("Pupils loaded",
      notice(`Done. ${plural(report.created, "new pupil")}, ${report.updated} updated, ${report.left} marked as left.`,
        "success"),
      counts(report, { dryRun: false }),
      columnsNotice(report),
      errorsTable(report),
      h("div", { class: "actions" },
        h("a", { class: "button", href: `${base}/pupils` }, icon("printer", { size: 20 }),
          h("span", {}, "Pupils and login cards")))));
    checked = null;
    fileInput.value = "";
    preview.focus();
  }

  return h("div", { class: "page" },
    pageHeader("Upload pupils", {
      crumbs: context.crumbs,
      lead: "Use an export from SIMS, Arbor, Bromcom or Wonde. You will see what changes before anything is saved.",
    }),
    context.tabs,
    panel(null, form),
    preview);
}
