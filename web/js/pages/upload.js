// Loading pupils from an MIS export (CSV), a OneRoster bundle (zip) or Wonde JSON: check the file first (a dry
// run that writes nothing), see who would be new and who would be marked as left, what is wrong and which
// columns are dropped, then load exactly the bytes that were checked, confirming the number of leavers so
// nothing changes behind the preview. Uploads dropped into storage and held by the leaver guard are listed
// here too, to confirm or discard.

import * as api from "../api.js";
import { dateTime, field, h, nextId, plural, replace } from "../dom.js";
import { icon } from "../icons.js";
import { busy, confirm, describeError, notice, pageHeader, panel, stat } from "./common.js";
import { schoolContext } from "./organisation.js";

const MAX_ERRORS_SHOWN = 50;
const MAX_NAMES_SHOWN = 200;

/** The content type the API reads a file as, from its extension. */
function contentTypeOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith(".zip")) return "application/zip";
  if (lower.endsWith(".json")) return "application/json";
  return "text/csv";
}

function usableOf(report) {
  return report.created + report.updated + report.unchanged + (report.reactivated || 0);
}

/** What pressing the button will do, in words: "Load 6 pupils and mark 33 as left". */
function consequence(report) {
  const load = `Load ${plural(usableOf(report), "pupil")}`;
  return report.left > 0 ? `${load} and mark ${report.left} as left` : load;
}

function namesList(title, people, label) {
  if (!people?.length) return null;
  const headingId = nextId("names");
  const shown = people.slice(0, MAX_NAMES_SHOWN);
  return h("div", { class: "names" },
    h("h3", { id: headingId }, `${title} (${people.length})`),
    h("ul", { class: "names__list", "aria-labelledby": headingId },
      shown.map((p) => h("li", {}, `${p.first_name} ${p.last_name}${label ? label(p) : ""}`))),
    people.length > shown.length ? h("p", { class: "muted" }, `…and ${people.length - shown.length} more.`) : null);
}

function counts(report, { dryRun }) {
  const will = (now, later) => (dryRun ? later : now);
  return h("div", { class: "stats" },
    stat("rows in the file", report.received),
    stat(will("new pupils", "new pupils"), report.created),
    stat(will("updated", "to update"), report.updated),
    stat("unchanged", report.unchanged),
    stat(will("marked as left", "to mark as left"), report.left),
    report.reactivated ? stat("back again", report.reactivated) : null,
    stat("rows with problems", report.rejected),
    report.kept_unchanged_rejected ? stat("kept despite a problem", report.kept_unchanged_rejected) : null);
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
  const fileInput = h("input", {
    type: "file", id: "mis-file", name: "file", required: true,
    accept: ".csv,.txt,.zip,.json,text/csv,application/zip,application/json",
  });
  const fileField = field("MIS export file", fileInput, {
    hint: "A CSV export with first name, last name, date of birth and gender (UPN if you have it), a OneRoster"
      + " bundle (.zip) or a Wonde students export (.json).",
  });
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

  const waiting = h("div", { class: "waiting" });
  let checked = null; // {data, mode, name, type, confirm} of the file the preview describes
  const invalidate = () => {
    checked = null;
    replace(preview);
  };
  fileInput.addEventListener("change", invalidate);
  modes.addEventListener("change", invalidate);

  const send = (file, dryRun) => api.request("POST", path, {
    body: file.data, contentType: file.type,
    query: { mode: file.mode, dry_run: dryRun ? "true" : "false", confirm_leavers: dryRun ? undefined : file.confirm },
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
      const candidate = { data: await file.arrayBuffer(), mode: selectedMode, name: file.name,
        type: contentTypeOf(file.name) };
      const report = await busy(check, "Checking…", () => send(candidate, true));
      // The load repeats the number of leavers the preview showed: if the roster changed since, it is refused.
      checked = { ...candidate, confirm: report.mode === "full" ? report.left : undefined };
      showPreview(report);
    } catch (error) {
      fileField.showError(describeError(error));
      fileInput.focus();
    }
  });

  function showPreview(report) {
    const usable = usableOf(report);
    const commit = h("button", { type: "button", class: `button ${report.hold_reason ? "button--danger" : "button--go"}` },
      consequence(report));
    const again = h("button", { type: "button", class: "button button--secondary", onClick: () => {
      invalidate();
      fileInput.value = "";
      fileInput.focus();
    } }, "Choose another file");
    commit.addEventListener("click", async () => {
      try {
        const result = await busy(commit, "Loading…", () => send(checked, false));
        showResult(result);
      } catch (error) {
        const changed = error.status === 409 && error.problem?.confirm_leavers !== undefined;
        preview.append(notice(changed
          ? "The pupils at this school changed since the check, so nothing was loaded. Check the file again."
          : describeError(error), "error"));
      }
    });
    const leaving = report.left > 0 && report.mode === "full";
    replace(preview, panel(`Check before you load: ${checked.name}`,
      h("p", {}, "Nothing has been saved yet. This is what loading the file would do:"),
      counts(report, { dryRun: true }),
      report.hold_reason ? notice(h("div", {},
        h("p", {}, h("strong", {}, "Please check this carefully. "), `This file ${report.hold_reason}.`),
        h("p", {}, "If the file is right, loading it marks these pupils as left.")), "warning") : null,
      leaving ? notice(`${plural(report.left, "pupil is", "pupils are")} not in this file `
        + "and will be marked as left. Their records are deleted after 30 days unless they appear in a later upload.",
      "warning") : null,
      report.date_order === "month-first" ? notice("Dates in this file are written month first (as in the US); they"
        + " were read that way.", "info") : null,
      report.date_order === "mixed" ? notice("This file mixes day-first and month-first dates (it may have been"
        + " opened in a spreadsheet set to another country). Dates that could be read either way are listed as"
        + " problems.", "warning") : null,
      namesList("New pupils", report.new_pupils, (p) => ` (row ${p.row})`),
      namesList("Will be marked as left", report.leaving_pupils),
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

  async function showWaiting() {
    let uploads = [];
    try {
      uploads = (await api.get(`${path}/uploads`)).uploads;
    } catch (error) {
      replace(waiting, notice(describeError(error), "error"));
      return;
    }
    if (!uploads.length) {
      replace(waiting);
      return;
    }
    replace(waiting, panel("Uploads waiting for you",
      h("p", {}, "These files were sent from your MIS straight to storage. Files that would change a lot are held"
        + " until someone here confirms them."),
      h("ul", { class: "waiting__list" }, uploads.map((upload) => waitingItem(upload)))));
  }

  function waitingItem(upload) {
    const item = h("li", { class: "waiting__item", "aria-label": upload.name });
    const report = upload.report;
    if (upload.status !== "held" || !report) {
      replace(item, h("p", {}, h("strong", {}, upload.name), ` — received ${dateTime(upload.uploaded_at)}, not processed yet.`));
      return item;
    }
    const base = `${path}/uploads/${encodeURIComponent(upload.name)}`;
    const confirmButton = h("button", { type: "button", class: "button button--danger" }, `Confirm: ${consequence(report)}`);
    const discard = h("button", { type: "button", class: "button button--secondary" }, "Discard");
    confirmButton.addEventListener("click", async () => {
      try {
        const result = await busy(confirmButton, "Loading…",
          () => api.request("POST", `${base}/confirm`, { query: { confirm_leavers: report.confirm_leavers } }));
        showResult(result);
        await showWaiting();
      } catch (error) {
        item.append(notice(describeError(error), "error"));
      }
    });
    discard.addEventListener("click", async () => {
      if (!await confirm(`Discard ${upload.name}?`, "The file is deleted and nothing in it is loaded.", "Discard")) return;
      try {
        await busy(discard, "Discarding…", () => api.del(base));
        await showWaiting();
      } catch (error) {
        item.append(notice(describeError(error), "error"));
      }
    });
    replace(item,
      h("p", {}, h("strong", {}, upload.name), ` — received ${dateTime(upload.uploaded_at)}. Held: the file ${report.hold_reason}.`),
      counts(report, { dryRun: true }),
      h("div", { class: "actions" }, confirmButton, discard));
    return item;
  }

  showWaiting();

  return h("div", { class: "page" },
    pageHeader("Upload pupils", {
      crumbs: context.crumbs,
      lead: "Use an export from SIMS, Arbor, Bromcom, a OneRoster bundle or Wonde. You will see what changes before"
        + " anything is saved.",
    }),
    context.tabs,
    waiting,
    panel(null, form),
    preview);
}
