// Activities (a partner's learning destinations or a school's clubs) and their stamp codes and code sheets.

import * as api from "../api.js";
import { field, h, hours, nextId, plural, replace, s, saveBlob, shortDate } from "../dom.js";
import { icon } from "../icons.js";
import { COLOURS, parseStampCode } from "../stampcode.js";
import { busy, describeError, notice, pageHeader, panel, showFieldErrors, sortable } from "./common.js";
import { partner, schoolContext } from "./organisation.js";

/** Where an activity list lives: a school's clubs or a partner's learning destinations. */
async function owner(params, user, current) {
  if (params.schoolId) {
    const context = await schoolContext(params.schoolId, user, current);
    return {
      ...context, query: { school_id: params.schoolId }, body: { school_id: params.schoolId },
      base: `#/schools/${encodeURIComponent(params.schoolId)}/activities`,
      lead: "School clubs and sessions. Only pupils of this school can use their stamp codes.",
    };
  }
  const p = await partner(params.partnerId);
  const base = `#/partners/${encodeURIComponent(params.partnerId)}`;
  const crumbs = user.role === "trust_admin" ? [["Partners", "#/partners"], [p.name, base]] : [[p.name, base]];
  return {
    crumbs, tabs: null, query: { partner_id: params.partnerId }, body: { partner_id: params.partnerId },
    base: `${base}/activities`,
    lead: "Validated learning destinations. Every pupil can use their stamp codes.",
  };
}

function validity(item) {
  if (item.valid_from && item.valid_to) return `${shortDate(item.valid_from)} to ${shortDate(item.valid_to)}`;
  if (item.valid_from) return `From ${shortDate(item.valid_from)}`;
  if (item.valid_to) return `Until ${shortDate(item.valid_to)}`;
  return "Any time";
}

function chipList(label, items, kind) {
  if (!items?.length) return null;
  return h("ul", { class: `chips chips--small chips--${kind}`, "aria-label": label },
    items.map((item) => h("li", { class: "chip" }, item)));
}

function checkboxGroup(legend, name, options) {
  return h("fieldset", { class: "fieldset checkboxes" },
    h("legend", {}, legend),
    h("div", { class: "checkboxes__items" }, options.map((option) => {
      const id = nextId(name);
      return h("div", { class: "checkbox" },
        h("input", { type: "checkbox", id, name, value: option }),
        h("label", { for: id }, option));
    })));
}

function activityForm(vocabulary, ownerBody, onCreated) {
  const inputs = {
    title: h("input", { type: "text", maxlength: 120, autocomplete: "off" }),
    description: h("textarea", { rows: 3, maxlength: 2000 }),
    hours: h("input", { type: "number", min: 0.25, step: 0.25, max: 100, inputmode: "decimal" }),
    valid_from: h("input", { type: "date" }),
    valid_to: h("input", { type: "date" }),
  };
  const fields = {
    title: field("Title", inputs.title, { hint: "What pupils see, e.g. Museum sleepover or Coding club." }),
    description: field("Description (optional)", inputs.description),
    hours: field("Hours", inputs.hours, { hint: "In quarter hours: 1.5 means an hour and a half." }),
    valid_from: field("Codes work from (optional)", inputs.valid_from),
    valid_to: field("Codes work until (optional)", inputs.valid_to),
  };
  const skills = checkboxGroup("Skills it builds", "skills", vocabulary.skills);
  const interests = checkboxGroup("Interests it explores", "interests", vocabulary.interests);
  const employerId = nextId("employer");
  const employer = h("div", { class: "checkbox" },
    h("input", { type: "checkbox", id: employerId, name: "employer_engagement" }),
    h("label", { for: employerId }, "Pupils meet people from the world of work"));
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button" }, "Create activity");
  const form = h("form", { class: "form", novalidate: true },
    fields.title, fields.description, fields.hours, skills, interests, employer,
    h("div", { class: "form__row" }, fields.valid_from, fields.valid_to), problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    Object.values(fields).forEach((f) => f.showError(""));
    if (!inputs.title.value.trim()) {
      fields.title.showError("Give the activity a title.");
      inputs.title.focus();
      return;
    }
    const value = Number(inputs.hours.value);
    if (!(value > 0) || Math.round(value * 4) !== value * 4) {
      fields.hours.showError("Hours must be more than 0, in quarter hours (e.g. 1.5).");
      inputs.hours.focus();
      return;
    }
    const checkedValues = (group) => [...group.querySelectorAll("input:checked")].map((el) => el.value);
    const body = {
      ...ownerBody,
      title: inputs.title.value.trim(),
      description: inputs.description.value.trim() || null,
      hours: value,
      skills: checkedValues(skills),
      interests: checkedValues(interests),
      employer_engagement: employer.querySelector("input").checked,
      valid_from: inputs.valid_from.value || null,
      valid_to: inputs.valid_to.value || null,
    };
    try {
      const created = await busy(submit, "Creating…", () => api.post("/activities", body));
      form.reset();
      onCreated(created);
    } catch (error) {
      if (!showFieldErrors(error, fields)) problem.append(notice(describeError(error), "error"));
    }
  });
  return form;
}

function activityCard(activity, base) {
  return h("li", { class: "activity" },
    h("div", { class: "activity__main" },
      h("h2", { class: "activity__title" }, h("a", { href: `${base}/${encodeURIComponent(activity.id)}` }, activity.title)),
      h("p", { class: "activity__meta" },
        h("span", { class: "pill" }, `${hours(activity.hours)} h`),
        activity.employer_engagement ? h("span", { class: "pill pill--work" }, "World of work") : null,
        h("span", { class: "muted" }, validity(activity))),
      chipList("Skills", activity.skills, "skills"),
      chipList("Interests", activity.interests, "interests")),
    h("a", { class: "button button--secondary button--small", href: `${base}/${encodeURIComponent(activity.id)}` },
      icon("ticket", { size: 18 }), h("span", {}, "Stamp codes")));
}

export async function activitiesPage(params, { user }) {
  const where = await owner(params, user, "/activities");
  const [{ activities }, vocabulary] = await Promise.all([
    api.get("/activities", { query: where.query }),
    api.get("/vocabulary").catch(() => ({ skills: [], interests: [] })),
  ]);
  const list = h("ul", { class: "activities" });
  const draw = () => replace(list, activities.length
    ? [...activities].sort((a, b) => a.title.localeCompare(b.title)).map((a) => activityCard(a, where.base))
    : h("li", { class: "empty" }, "No activities yet. Create the first one below."));
  draw();
  const created = h("div");
  const form = activityForm(vocabulary, where.body, (activity) => {
    activities.push(activity);
    draw();
    replace(created, notice(h("span", {}, `Created “${activity.title}”. `,
      h("a", { href: `${where.base}/${encodeURIComponent(activity.id)}` }, "Make its stamp codes")), "success"));
  });
  return h("div", { class: "page" },
    pageHeader("Activities", { crumbs: where.crumbs, lead: where.lead }),
    where.tabs,
    list,
    created,
    panel("New activity", form));
}

function codeCell(code) {
  const parsed = parseStampCode(code);
  return h("span", { class: "stamp" },
    parsed ? s("svg", { width: 14, height: 14, "aria-hidden": "true" },
      s("circle", { cx: 7, cy: 7, r: 6, fill: COLOURS[parsed.colour], stroke: "#1d1b2f", "stroke-width": 1 })) : null,
    h("span", { class: "mono" }, code));
}

/** "Used" or "Unused" (nobody new can redeem a used code), and for shared codes how far they have gone. */
function useStatus(c) {
  const label = c.used ? "Used" : "Unused";
  if (c.single_use) return { label };
  if (c.max_uses) return { label, sub: `${c.uses ?? 0} of ${c.max_uses} uses` };
  return { label, sub: "Uses not counted" };
}

/** The code list: searchable by code, filtered by used / unused, sorted by a heading or the "Sort by" menu. */
function codesList(initial) {
  let codes = initial;
  const search = h("input", { type: "search", id: nextId("code-search"), autocomplete: "off", spellcheck: "false" });
  const show = h("select", { id: nextId("code-show") },
    h("option", { value: "" }, "All codes"), h("option", { value: "unused" }, "Unused"),
    h("option", { value: "used" }, "Used"));
  // The same orders as the column headings (which a phone does not show): "key-direction".
  const sortSelect = h("select", { id: nextId("code-sort") },
    h("option", { value: "code-up" }, "Code, A to Z"), h("option", { value: "code-down" }, "Code, Z to A"),
    h("option", { value: "used-up" }, "Unused first"), h("option", { value: "used-down" }, "Used first"));
  const summary = h("p", { class: "muted", role: "status" });
  const body = h("tbody");
  const emptyState = h("p", { class: "empty" });
  const SORTS = {
    code: (a, b) => a.code.localeCompare(b.code),
    used: (a, b) => Number(a.used) - Number(b.used) || SORTS.code(a, b),
  };
  const sorting = sortable(sortSelect, { key: "code", ascending: true }, SORTS, () => draw());
  const visible = () => {
    const wanted = search.value.toUpperCase().replace(/[\s-]+/g, "");
    return codes.filter((c) => (!wanted || c.code.replace(/\s+/g, "").includes(wanted))
      && (!show.value || c.used === (show.value === "used"))).sort(sorting.order);
  };
  const row = (c) => {
    const status = useStatus(c);
    return h("tr", { class: c.used ? "is-used" : null },
      h("td", { "data-label": "Code" }, codeCell(c.code)),
      h("td", { "data-label": "Use" }, c.single_use ? "One pupil" : (c.max_uses ? `Shared, up to ${c.max_uses}` : "Shared")),
      h("td", { "data-label": "When" }, validity(c)),
      h("td", { "data-label": "Status" }, h("span", { class: c.used ? "pill pill--used" : "pill" }, status.label),
        status.sub ? h("span", { class: "table__sub" }, status.sub) : null));
  };
  const tableWrap = h("div", { class: "table-wrap" }, h("table", { class: "table table--compact table--codes" },
    h("caption", { class: "visually-hidden" }, "Stamp codes"),
    h("thead", {}, h("tr", {}, sorting.heading("Code", "code"), h("th", { scope: "col" }, "Use"),
      h("th", { scope: "col" }, "When"), sorting.heading("Status", "used"))),
    body));
  const toolbar = h("div", { class: "toolbar toolbar--search" },
    field("Search codes", search, { hint: "A colour or numbers, e.g. red 24" }),
    field("Show", show), field("Sort by", sortSelect));

  function draw() {
    const shown = visible();
    replace(body, shown.map(row));
    const unused = codes.filter((c) => !c.used).length;
    summary.textContent = codes.length
      ? `Showing ${shown.length} of ${plural(codes.length, "code")} · ${unused} unused, ${codes.length - unused} used.`
      : "";
    toolbar.hidden = codes.length === 0;
    tableWrap.hidden = shown.length === 0;
    emptyState.hidden = shown.length > 0;
    emptyState.textContent = codes.length ? "No codes match." : "No stamp codes yet.";
  }
  search.addEventListener("input", draw);
  show.addEventListener("change", draw);
  draw();
  const el = h("div", {}, toolbar, summary, tableWrap, emptyState);
  el.update = (next) => {
    codes = next;
    draw();
  };
  return el;
}

export async function activityPage(params, { user }) {
  const where = await owner(params, user, "/activities");
  const { activities } = await api.get("/activities", { query: where.query });
  const activity = activities.find((a) => a.id === params.activityId);
  if (!activity) throw new api.ApiError(404, { detail: "No such activity." });
  const codesPath = `/activities/${encodeURIComponent(activity.id)}/codes`;
  let { codes } = await api.get(codesPath);

  // The printed sheet is for handing out, so by default it holds only codes a child can still use.
  const includeUsedId = nextId("include-used");
  const includeUsed = h("div", { class: "checkbox" },
    h("input", { type: "checkbox", id: includeUsedId }),
    h("label", { for: includeUsedId }, "Print used codes too"));
  const sheet = (format, label, filename) => {
    const button = h("button", { type: "button", class: "button button--secondary" }, icon("download", { size: 20 }),
      h("span", {}, label));
    button.addEventListener("click", async () => {
      const query = { format };
      if (format === "pdf" && includeUsed.querySelector("input").checked) query.include_used = "true";
      try {
        const response = await busy(button, "Preparing…", () => api.get(codesPath, { query, raw: true }));
        saveBlob(await response.blob(), filename);
      } catch (error) {
        feedback.replaceChildren(notice(describeError(error), "error"));
      }
    });
    return button;
  };
  const feedback = h("div", { class: "form-problem" });
  const codesArea = codesList(codes);
  const codesHeading = h("h2", { class: "panel__title", id: "codes-heading" }, `Stamp codes (${codes.length})`);
  const downloads = h("div", { class: "actions", hidden: !codes.length },
    sheet("pdf", "Code sheet (PDF)", "stamp-codes.pdf"), sheet("csv", "Codes (CSV)", "stamp-codes.csv"),
    includeUsed,
    h("p", { class: "muted" }, "The code sheet leaves out used codes unless you tick the box. The CSV lists every code."));

  const count = h("input", { type: "number", min: 1, max: 500, value: 30, inputmode: "numeric" });
  const maxUses = h("input", { type: "number", min: 1, inputmode: "numeric" });
  const from = h("input", { type: "date" });
  const to = h("input", { type: "date" });
  const fields = {
    count: field("How many codes?", count, { hint: "Up to 500 at a time." }),
    max_uses: field("Most pupils per code (optional)", maxUses),
    valid_from: field("Work from (optional)", from),
    valid_to: field("Work until (optional)", to),
  };
  const kindName = nextId("kind");
  const kind = (value, label, hint, checked) => {
    const id = nextId("kind");
    return h("div", { class: "radio" }, h("input", { type: "radio", name: kindName, id, value, checked }),
      h("label", { for: id }, h("span", { class: "radio__label" }, label), h("span", { class: "radio__hint" }, hint)));
  };
  const kinds = h("fieldset", { class: "fieldset" }, h("legend", {}, "Kind of code"),
    kind("single", "One code per pupil", "Each code works once, for one pupil. Hand them out one each.", true),
    kind("shared", "One code for a whole session", "Every pupil there types the same code, once each.", false));
  fields.max_uses.hidden = true;
  kinds.addEventListener("change", () => {
    const shared = kinds.querySelector("input:checked").value === "shared";
    fields.max_uses.hidden = !shared;
  });
  const submit = h("button", { type: "submit", class: "button" }, "Make codes");
  const problem = h("div", { class: "form-problem" });
  const form = h("form", { class: "form", novalidate: true }, fields.count, kinds, fields.max_uses,
    h("div", { class: "form__row" }, fields.valid_from, fields.valid_to), problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    Object.values(fields).forEach((f) => f.showError(""));
    const shared = kinds.querySelector("input:checked").value === "shared";
    const body = {
      count: Number(count.value), single_use: !shared,
      max_uses: shared && maxUses.value ? Number(maxUses.value) : null,
      valid_from: from.value || null, valid_to: to.value || null,
    };
    try {
      const made = await busy(submit, "Making…", () => api.post(codesPath, body));
      codes = [...made.codes, ...codes];
      codesArea.update(codes);
      codesHeading.textContent = `Stamp codes (${codes.length})`;
      downloads.hidden = false;
      replace(feedback, notice(`${plural(made.codes.length, "new code")} made. Print the code sheet to hand them out.`,
        "success"));
      codesHeading.scrollIntoView({ block: "start" });
    } catch (error) {
      if (!showFieldErrors(error, fields)) problem.append(notice(describeError(error), "error"));
    }
  });

  return h("div", { class: "page" },
    pageHeader(activity.title, {
      crumbs: [...(where.crumbs || []), ["Activities", where.base], [activity.title, null]],
      lead: `${hours(activity.hours)} hours · ${validity(activity)}`,
    }),
    where.tabs,
    panel("Make stamp codes", form),
    h("section", { class: "panel", "aria-labelledby": "codes-heading" }, codesHeading, feedback, downloads, codesArea));
}
