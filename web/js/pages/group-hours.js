// Record hours for a group: a club session. Choose the activity, tick the pupils who came, send once.
// The request carries a session id made when the form opens, so pressing again after a lost answer (or a
// double tap) never gives anyone the hours twice.

import * as api from "../api.js";
import { field, h, hours, plural, replace } from "../dom.js";
import { busy, describeError, notice, pageHeader, panel } from "./common.js";
import { schoolContext } from "./organisation.js";
import { fullName, yearLabel } from "./pupils.js";

function newSessionId() {
  const bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function activityLabel(a) {
  return `${a.title} (${hours(a.hours)} ${Number(a.hours) === 1 ? "hour" : "hours"})`;
}

export async function groupHoursPage({ schoolId }, { user }) {
  const schoolPath = `/schools/${encodeURIComponent(schoolId)}`;
  const context = await schoolContext(schoolId, user, "/group-hours");
  const [clubs, destinations, pupils] = await Promise.all([
    api.get("/activities", { query: { school_id: schoolId } }).then((r) => r.activities),
    api.get("/activities", { query: { partner_id: context.school.partner_id } }).then((r) => r.activities)
      .catch(() => []),
    api.allPages(`${schoolPath}/pupils`, "pupils", { status: "active", page_size: 500 }),
  ]);
  const eligible = pupils.filter((p) => !p.restricted)
    .sort((a, b) => a.year_group - b.year_group || a.last_name.localeCompare(b.last_name)
      || a.first_name.localeCompare(b.first_name));
  const names = new Map(pupils.map((p) => [p.id, fullName(p)]));
  let sessionId = newSessionId();
  const ticked = new Set();

  const activity = h("select", { id: "group-activity", required: true },
    h("option", { value: "" }, "Choose an activity"),
    clubs.length ? h("optgroup", { label: "Our clubs" }, clubs.map((a) => h("option", { value: a.id }, activityLabel(a))))
      : null,
    destinations.length ? h("optgroup", { label: "Learning destinations" },
      destinations.map((a) => h("option", { value: a.id }, activityLabel(a)))) : null);
  const activityField = field("Activity", activity, { hint: "Add a club on the Activities page if it isn't here." });
  const search = h("input", { type: "search", id: "group-search", autocomplete: "off", spellcheck: "false" });
  const year = h("select", { id: "group-year" }, h("option", { value: "" }, "All years"),
    [...new Set(eligible.map((p) => p.year_group))].sort((a, b) => a - b)
      .map((y) => h("option", { value: String(y) }, yearLabel(y))));
  const list = h("ul", { class: "tick-list" });
  const count = h("p", { class: "tick-count", role: "status" });
  const tickShown = h("button", { type: "button", class: "button button--small button--secondary" }, "Tick all shown");
  const untick = h("button", { type: "button", class: "button button--small button--secondary" }, "Untick all");
  const submit = h("button", { type: "submit", class: "button button--big" }, "Record hours");
  const problem = h("div", { class: "form-problem", "aria-live": "polite" });
  const outcome = h("div", { "aria-live": "polite" });

  const shown = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    return eligible.filter((p) => (!year.value || String(p.year_group) === year.value)
      && words.every((w) => `${p.first_name} ${p.last_name}`.toLowerCase().includes(w)));
  };
  function drawCount() {
    count.textContent = `${plural(ticked.size, "pupil")} ticked`;
    submit.textContent = ticked.size ? `Record hours for ${plural(ticked.size, "pupil")}` : "Record hours";
  }
  function drawList() {
    replace(list, shown().map((p) => {
      const id = `tick-${p.id}`;
      const box = h("input", { type: "checkbox", id, checked: ticked.has(p.id) });
      box.addEventListener("change", () => {
        if (box.checked) ticked.add(p.id);
        else ticked.delete(p.id);
        drawCount();
      });
      return h("li", { class: "tick-list__item" }, box,
        h("label", { for: id }, fullName(p), h("span", { class: "muted" }, ` · ${yearLabel(p.year_group)}`)));
    }));
    if (!list.childElementCount) list.append(h("li", { class: "muted" }, "No pupils match."));
    drawCount();
  }
  search.addEventListener("input", drawList);
  year.addEventListener("change", drawList);
  tickShown.addEventListener("click", () => {
    shown().forEach((p) => ticked.add(p.id));
    drawList();
  });
  untick.addEventListener("click", () => {
    ticked.clear();
    drawList();
  });
  drawList();

  const form = h("form", { class: "form", novalidate: true }, activityField,
    h("fieldset", { class: "fieldset" }, h("legend", {}, "Who came"),
      h("div", { class: "toolbar toolbar--search" }, field("Find a pupil", search), field("Year", year)),
      h("div", { class: "toolbar__buttons" }, tickShown, untick), count, list),
    problem, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    activityField.showError("");
    if (!activity.value) {
      activityField.showError("Choose the activity the pupils did.");
      activity.focus();
      return;
    }
    if (!ticked.size) {
      problem.append(notice("Tick the pupils who came.", "error"));
      return;
    }
    const chosen = [...ticked];
    try {
      const result = await busy(submit, "Recording…", () => api.post(`${schoolPath}/group-redemptions`,
        { activity_id: activity.value, pupil_ids: chosen, session_id: sessionId }));
      const awards = result.recorded.filter((m) => m.new_awards.length);
      replace(outcome, notice(h("div", {},
        h("p", {}, h("strong", {}, `Recorded ${hours(result.activity.hours)} ${Number(result.activity.hours) === 1
          ? "hour" : "hours"} of ${result.activity.title} for ${plural(result.recorded.length, "pupil")}.`)),
        result.already_recorded.length
          ? h("p", {}, `${plural(result.already_recorded.length, "pupil")} already had this session, so nothing was added for them.`)
          : null,
        awards.length ? [h("p", {}, "Awards reached:"), h("ul", {}, awards.map((m) => h("li", {},
          `${names.get(m.pupil_id) || "A pupil"}: ${m.new_awards.map((a) => a.name).join(", ")}`)))] : null,
        awards.length ? h("p", {}, h("a", { href: `#${schoolPath}/certificates` }, "Print their certificates")) : null),
      "success"));
      // The next session is a new one; the same ticks are kept for a club that meets again.
      sessionId = newSessionId();
      outcome.querySelector(".notice")?.setAttribute("tabindex", "-1");
      outcome.querySelector(".notice")?.focus();
    } catch (error) {
      // Same session id on the next press: whatever reached the server is not counted twice.
      if (error instanceof api.ApiError && error.errors.length) {
        problem.append(notice(h("div", {}, h("p", {}, error.message), h("ul", {}, error.errors.map((e) => {
          const index = Number(String(e.field || "").split(".").pop());
          return h("li", {}, `${names.get(chosen[index]) || "A pupil"}: ${e.message}`);
        }))), "error"));
      } else {
        problem.append(notice(describeError(error), "error"));
      }
    }
  });

  return h("div", { class: "page" },
    pageHeader("Record hours for a group", { crumbs: context.crumbs,
      lead: "For a club session or a trip: every ticked pupil gets the activity's hours, once." }),
    context.tabs,
    outcome,
    panel(null, form));
}
