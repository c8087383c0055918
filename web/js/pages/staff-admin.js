// A school's staff accounts: who has one, and for whoever may (the person, their CU manager, the Trust):
// correct their details, download what is stored about them, remove the account.

import * as api from "../api.js";
import { field, h, nextId, replace, saveBlob } from "../dom.js";
import { busy, confirm, describeError, notice, showFieldErrors } from "./common.js";

/** Who may change or remove an account: the person, a CU manager (school staff), the Trust. */
function manages(user, member) {
  return user.id === member.id || user.role === "trust_admin"
    || (user.role === "partner_manager" && member.role === "school_staff");
}

function editDialog(member) {
  const inputs = {
    first_name: h("input", { type: "text", value: member.first_name, autocomplete: "off" }),
    last_name: h("input", { type: "text", value: member.last_name, autocomplete: "off" }),
    nickname: h("input", { type: "text", value: member.nickname, autocomplete: "off" }),
    email: h("input", { type: "email", value: member.email, autocomplete: "off" }),
    phone: h("input", { type: "tel", value: member.phone || "", autocomplete: "off" }),
  };
  const fields = {
    first_name: field("First name", inputs.first_name),
    last_name: field("Last name", inputs.last_name),
    nickname: field("Known as", inputs.nickname),
    email: field("Email address", inputs.email, { hint: "They sign in with this." }),
    phone: field("Phone (optional)", inputs.phone),
  };
  const problem = h("div", { class: "form-problem" });
  const titleId = nextId("dialog");
  return new Promise((resolve) => {
    let saved = null;
    const save = h("button", { type: "submit", class: "button" }, "Save changes");
    const form = h("form", { class: "form", novalidate: true }, Object.values(fields), problem,
      h("div", { class: "dialog__actions" },
        h("button", { type: "button", class: "button button--secondary", onClick: () => el.close() }, "Cancel"), save));
    const el = h("dialog", { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId, class: "dialog__title" }, `Correct details: ${member.first_name} ${member.last_name}`), form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.replaceChildren();
      Object.values(fields).forEach((f) => f.showError(""));
      const changes = {};
      for (const [key, input] of Object.entries(inputs)) {
        const value = input.value.trim();
        if (value !== (member[key] ?? "")) changes[key] = value || null;
      }
      if (!Object.keys(changes).length) {
        el.close();
        return;
      }
      try {
        saved = await busy(save, "Saving…", () => api.patch(`/staff/${encodeURIComponent(member.id)}`, changes));
        el.close();
      } catch (error) {
        if (!showFieldErrors(error, fields)) problem.append(notice(describeError(error), "error"));
      }
    });
    el.addEventListener("close", () => {
      el.remove();
      resolve(saved);
    });
    document.body.append(el);
    el.showModal();
  });
}

/** The staff table with its actions; `staff` is kept up to date as accounts change. */
export function staffPanelBody(user, staff) {
  const feedback = h("div", { "aria-live": "polite" });
  const holder = h("div", {});
  function row(member) {
    const name = `${member.first_name} ${member.last_name}`;
    const actions = [];
    if (manages(user, member)) {
      const edit = h("button", { type: "button", class: "button button--small button--secondary",
        "aria-label": `Edit ${name}` }, "Edit");
      edit.addEventListener("click", async () => {
        const saved = await editDialog(member);
        if (!saved) return;
        staff.splice(staff.indexOf(member), 1, saved);
        draw();
        replace(feedback, notice(`Saved the changes for ${saved.first_name} ${saved.last_name}.`, "success"));
      });
      const data = h("button", { type: "button", class: "button button--small button--secondary",
        "aria-label": `Download data of ${name}` }, "Download data");
      data.addEventListener("click", async () => {
        try {
          const response = await busy(data, "…", () => api.get(`/staff/${encodeURIComponent(member.id)}/export`,
            { raw: true }));
          saveBlob(await response.blob(), `staff-data-${member.id}.json`);
        } catch (error) {
          replace(feedback, notice(describeError(error), "error"));
        }
      });
      const remove = h("button", { type: "button", class: "button button--small button--quiet button--danger-text",
        "aria-label": `Remove ${name}` }, "Remove");
      remove.addEventListener("click", async () => {
        const sure = await confirm(`Remove ${name}'s account?`,
          "They can no longer sign in, and their name and email are deleted. What they did stays in the audit "
          + "trail under an id only.", "Remove the account", { danger: true });
        if (!sure) return;
        try {
          await busy(remove, "Removing…", () => api.del(`/staff/${encodeURIComponent(member.id)}`));
          staff.splice(staff.indexOf(member), 1);
          draw();
          replace(feedback, notice(`${name}'s account has been removed.`, "success"));
        } catch (error) {
          replace(feedback, notice(describeError(error), "error"));
        }
      });
      actions.push(edit, data, remove);
    }
    if (member.status !== "active" && user.role !== "school_staff" && manages(user, member) && user.id !== member.id) {
      // The first link expired or got lost: a new one, emailed and shown here to pass on (the old one stops).
      const resend = h("button", { type: "button", class: "button button--small button--secondary",
        "aria-label": `Send a new invitation to ${name}` }, "Send a new invitation");
      resend.addEventListener("click", async () => {
        try {
          const sent = await busy(resend, "Sending…", () => api.post(`/staff/${encodeURIComponent(member.id)}/invitation`));
          const link = h("input", { type: "text", readonly: true, value: sent.invitation_url, class: "input--copy",
            "aria-label": `New invitation link for ${name}` });
          replace(feedback, notice(h("div", {},
            h("p", {}, sent.invitation_emailed ? `A new invitation has been emailed to ${member.email}. The link also works `
              + "from here (once, for 7 days); the old one no longer does:" : `Send ${member.email} this new link (it works `
              + "once, for 7 days); the old one no longer does:"), link), "success"));
          link.select();
        } catch (error) {
          replace(feedback, notice(describeError(error), "error"));
        }
      });
      actions.unshift(resend);
    }
    return h("tr", {},
      h("th", { scope: "row", "data-label": "Name" }, name,
        h("span", { class: "table__sub" }, member.nickname)),
      h("td", { "data-label": "Email" }, member.email),
      h("td", { "data-label": "Status" }, member.status === "active" ? "Active" : "Invited"),
      h("td", { class: "table__actions" }, actions));
  }
  function draw() {
    replace(holder, staff.length ? h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("caption", { class: "visually-hidden" }, "Staff accounts"),
      h("thead", {}, h("tr", {}, ["Name", "Email", "Status"].map((t) => h("th", { scope: "col" }, t)),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, staff.map(row)))) : h("p", { class: "muted" }, "Nobody yet."));
  }
  draw();
  return { element: h("div", {}, feedback, holder), redraw: draw };
}
