// Partners, schools and staff: where the Trust, a CU manager and a school coordinator start.

import * as api from "../api.js";
import { dateTime, field, h, replace } from "../dom.js";
import { icon } from "../icons.js";
import { busy, cardLink, describeError, notice, pageHeader, panel, showFieldErrors } from "./common.js";
import { termPanel } from "./dashboard.js";
import { staffPanelBody } from "./staff-admin.js";

const schools = new Map();
const partners = new Map();

/** A school, fetched once per session of the page (names for headings and breadcrumbs). */
export async function school(schoolId) {
  if (!schools.has(schoolId)) schools.set(schoolId, await api.get(`/schools/${encodeURIComponent(schoolId)}`));
  return schools.get(schoolId);
}

/** Drop a school from the cache after it changed (its settings page). */
export function forgetSchool(schoolId) {
  schools.delete(schoolId);
}

export async function partner(partnerId) {
  if (!partners.has(partnerId)) {
    const { partners: list } = await api.get("/partners");
    list.forEach((p) => partners.set(p.id, p));
  }
  return partners.get(partnerId) || { id: partnerId, name: "Partner" };
}

/** Breadcrumbs and tabs for a school's pages, for staff above the school (CU managers, the Trust). */
export async function schoolContext(schoolId, user, current) {
  const s = await school(schoolId);
  const base = `#/schools/${encodeURIComponent(schoolId)}`;
  const crumbs = [];
  if (user.role !== "school_staff") {
    if (user.role === "trust_admin") crumbs.push(["Partners", "#/partners"]);
    const p = await partner(s.partner_id);
    crumbs.push([p.name, `#/partners/${encodeURIComponent(s.partner_id)}`]);
    crumbs.push([s.name, current ? base : null]);
  }
  const tabs = user.role === "school_staff" ? null : h("nav", { class: "tabs", "aria-label": s.name },
    h("ul", {}, [["", "Overview"], ["/pupils", "Pupils"], ["/upload", "Upload"], ["/activities", "Activities"],
      ["/certificates", "Certificates"], ["/report", "Report"], ["/settings", "Settings"]].map(([suffix, label]) => h("li", {}, h("a", {
      href: base + suffix, class: "tabs__link", "aria-current": current === (suffix || "overview") ? "page" : null,
    }, label)))));
  return { school: s, crumbs: crumbs.length ? crumbs : undefined, tabs };
}

function textInput(name, { type = "text", autocomplete, required = true } = {}) {
  return h("input", { type, name, id: `f-${name}`, autocomplete, required });
}

/** Invite a member of staff: the API answers with the invitation link, which we show to pass on. */
function inviteForm(endpoint, { onInvited, what }) {
  const inputs = {
    first_name: textInput("first_name", { autocomplete: "off" }),
    last_name: textInput("last_name", { autocomplete: "off" }),
    nickname: textInput("nickname", { autocomplete: "off" }),
    email: textInput("email", { type: "email", autocomplete: "off" }),
  };
  const fields = {
    first_name: field("First name", inputs.first_name),
    last_name: field("Last name", inputs.last_name),
    nickname: field("Known as", inputs.nickname, { hint: "How they are addressed, e.g. Mrs Patel or Sam." }),
    email: field("Email address", inputs.email, { hint: "They sign in with this." }),
  };
  const out = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button" }, `Invite ${what}`);
  const form = h("form", { class: "form form--grid", novalidate: true }, Object.values(fields), submit, out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Object.values(fields).forEach((f) => f.showError(""));
    out.replaceChildren();
    const body = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
    try {
      const created = await busy(submit, "Inviting…", () => api.post(endpoint, body));
      form.reset();
      const link = h("input", { type: "text", readonly: true, value: created.invitation_url, class: "input--copy",
        "aria-label": "Invitation link" });
      out.append(notice(h("div", {},
        h("p", {}, `Invitation created for ${created.email}. Send them this link (it works once, for 7 days):`),
        link), "success"));
      link.select();
      onInvited?.(created);
    } catch (error) {
      if (!showFieldErrors(error, fields)) out.append(notice(describeError(error), "error"));
    }
  });
  return form;
}

function staffTable(staff) {
  if (!staff.length) return h("p", { class: "muted" }, "Nobody yet.");
  return h("table", { class: "table" },
    h("thead", {}, h("tr", {}, ["Name", "Email", "Status"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, staff.map((m) => h("tr", {},
      h("td", { "data-label": "Name" }, `${m.first_name} ${m.last_name}`),
      h("td", { "data-label": "Email" }, m.email),
      h("td", { "data-label": "Status" }, m.status === "active" ? "Active" : "Invited")))));
}

export async function partnersPage() {
  const { partners: list } = await api.get("/partners");
  list.forEach((p) => partners.set(p.id, p));
  const name = h("input", { type: "text", name: "name", id: "partner-name", required: true });
  const nameField = field("Name", name, { hint: "e.g. Children's University of Greater Manchester" });
  const out = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button" }, "Add partner");
  const form = h("form", { class: "form form--inline", novalidate: true }, nameField, submit, out);
  const listEl = h("ul", { class: "card-list" });
  const draw = () => replace(listEl, [...partners.values()].sort((a, b) => a.name.localeCompare(b.name)).map((p) =>
    h("li", {}, cardLink(`#/partners/${encodeURIComponent(p.id)}`, p.name, "Schools, managers and report",
      icon("school")))));
  draw();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    nameField.showError("");
    try {
      const created = await busy(submit, "Adding…", () => api.post("/partners", { name: name.value.trim() }));
      partners.set(created.id, created);
      form.reset();
      draw();
    } catch (error) {
      if (!showFieldErrors(error, { name: nameField })) nameField.showError(describeError(error));
    }
  });
  return h("div", { class: "page" },
    pageHeader("Partners", { lead: "Local Children's Universities and their member schools." }),
    list.length ? listEl : h("p", {}, "No partners yet."),
    panel("Add a partner", form));
}

export async function partnerPage({ partnerId }, { user }) {
  const [p, { schools: list }] = await Promise.all([
    partner(partnerId), api.get(`/partners/${encodeURIComponent(partnerId)}/schools`)]);
  list.forEach((s) => schools.set(s.id, s));
  const listEl = h("ul", { class: "card-list" });
  const draw = () => replace(listEl, list.length
    ? [...list].sort((a, b) => a.name.localeCompare(b.name)).map((s) => h("li", {},
      cardLink(`#/schools/${encodeURIComponent(s.id)}`, s.name,
        s.last_sync_at ? `Last MIS upload ${dateTime(s.last_sync_at)}` : "No MIS upload yet", icon("school"))))
    : h("li", { class: "muted" }, "No schools yet."));
  draw();

  const name = h("input", { type: "text", name: "name", id: "school-name", required: true });
  const urn = h("input", { type: "text", name: "urn", id: "school-urn", inputmode: "numeric", maxlength: 6 });
  const policy = h("select", { name: "dob_policy", id: "school-dob" },
    h("option", { value: "exact" }, "Keep the full date of birth"),
    h("option", { value: "generic" }, "Keep only the year of birth"));
  const fields = { name: field("School name", name), urn: field("URN (optional)", urn, { hint: "6 digits" }),
    dob_policy: field("Date of birth", policy) };
  const out = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button" }, "Add school");
  const form = h("form", { class: "form form--grid", novalidate: true }, Object.values(fields), submit, out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    Object.values(fields).forEach((f) => f.showError(""));
    try {
      const created = await busy(submit, "Adding…", () => api.post(`/partners/${encodeURIComponent(partnerId)}/schools`,
        { name: name.value.trim(), urn: urn.value.trim() || null, dob_policy: policy.value }));
      list.push(created);
      schools.set(created.id, created);
      form.reset();
      draw();
    } catch (error) {
      if (!showFieldErrors(error, fields)) out.append(notice(describeError(error), "error"));
    }
  });

  const base = `#/partners/${encodeURIComponent(partnerId)}`;
  const trust = user.role === "trust_admin";
  const managers = trust
    ? await api.get(`/partners/${encodeURIComponent(partnerId)}/managers`).then((r) => r.staff).catch(() => [])
    : null;
  const managerList = h("div", {}, managers ? staffTable(managers) : null);
  return h("div", { class: "page" },
    pageHeader(p.name, {
      crumbs: trust ? [["Partners", "#/partners"], [p.name, null]] : undefined,
      // A CU manager has these in the navigation; the Trust, looking at one partner, has them here.
      actions: trust ? [h("a", { class: "button button--secondary", href: `${base}/activities` }, "Activities"),
        h("a", { class: "button button--secondary", href: `${base}/report` }, "Report")] : undefined,
    }),
    h("section", { "aria-labelledby": "schools-heading" }, h("h2", { id: "schools-heading" }, "Schools"), listEl),
    panel("Add a school", form),
    managers ? panel("CU managers", managerList,
      h("h3", {}, "Invite a CU manager"),
      inviteForm(`/partners/${encodeURIComponent(partnerId)}/managers`, {
        what: "manager",
        onInvited: (created) => {
          managers.push(created);
          replace(managerList, staffTable(managers));
        },
      })) : null);
}

export async function schoolPage({ schoolId }, { user }) {
  const context = await schoolContext(schoolId, user, "overview");
  const s = context.school;
  const base = `#/schools/${encodeURIComponent(schoolId)}`;
  const [pupils, staff, term] = await Promise.all([
    api.get(`/schools/${encodeURIComponent(schoolId)}/pupils`, { query: { status: "active", page_size: 1000 } })
      .catch(() => null),
    api.get(`/schools/${encodeURIComponent(schoolId)}/staff`).then((r) => r.staff).catch(() => []),
    termPanel(schoolId).catch(() => null),
  ]);
  const count = pupils ? `${pupils.pupils.length}${pupils.next_page_token ? "+" : ""}` : "–";
  const staffList = staffPanelBody(user, staff);
  return h("div", { class: "page" },
    pageHeader(s.name, {
      crumbs: context.crumbs,
      lead: s.last_sync_at ? `Pupils last loaded from the MIS on ${dateTime(s.last_sync_at)}.`
        : "No pupils loaded from the MIS yet: start with an upload.",
    }),
    context.tabs,
    term,
    h("ul", { class: "card-grid" },
      h("li", {}, cardLink(`${base}/pupils`, "Pupils", `${count} active pupils · login cards and passwords`,
        icon("people"))),
      user.role === "school_staff" ? h("li", {}, cardLink(`${base}/group-hours`, "Record hours for a group",
        "A club session or trip: tick who came", icon("check"))) : null,
      h("li", {}, cardLink(`${base}/certificates`, "Certificates for an assembly", "Every award reached, in one PDF",
        icon("medal"))),
      h("li", {}, cardLink(`${base}/upload`, "Upload from your MIS", "SIMS, Arbor, Bromcom… (CSV)", icon("upload"))),
      h("li", {}, cardLink(`${base}/activities`, "Activities and codes", "School clubs and their stamp codes",
        icon("ticket"))),
      h("li", {}, cardLink(`${base}/report`, "Report", "Hours, skills and who takes part", icon("chart")))),
    // Staff accounts are created by the partner manager (DPIA); a coordinator asks them.
    panel("Staff", staffList.element, user.role === "school_staff"
      ? h("p", { class: "muted" }, "To add a colleague, ask your Children's University manager to invite them.")
      : [h("h3", {}, "Invite a colleague"),
        inviteForm(`/schools/${encodeURIComponent(schoolId)}/staff`, {
          what: "colleague",
          onInvited: (created) => {
            staff.push(created);
            staffList.redraw();
          },
        })]));
}
