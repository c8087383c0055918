// The front door: choose pupil or staff, sign in with a password, or with Microsoft (staff, when set up).

import * as api from "../api.js";
import { field, h } from "../dom.js";
import { icon } from "../icons.js";
import * as session from "../session.js";
import { busy, describeError, notice, setFlash, takeFlash } from "./common.js";

export function home() {
  return h("div", { class: "page page--narrow welcome" },
    takeFlash(),
    h("h1", { tabindex: "-1" }, "Welcome!"),
    h("p", { class: "lead" }, "Collect hours for the things you learn and earn awards."),
    h("div", { class: "choice" },
      h("a", { class: "choice__item choice__item--pupil", href: "#/signin" },
        icon("star", { size: 40, filled: true }),
        h("span", { class: "choice__title" }, "I'm a pupil"),
        h("span", { class: "choice__desc" }, "Add stamps and see my awards")),
      h("a", { class: "choice__item choice__item--staff", href: "#/staff/signin" },
        icon("school", { size: 40 }),
        h("span", { class: "choice__title" }, "I'm staff"),
        h("span", { class: "choice__desc" }, "School coordinators and CU managers"))));
}

/** A show/hide toggle for a password input (children mistype what they cannot see). */
export function passwordToggle(input) {
  const button = h("button", {
    type: "button", class: "password__toggle", "aria-pressed": "false", "aria-controls": input.id,
    onClick: () => {
      const show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", String(show));
      button.textContent = show ? "Hide" : "Show";
    },
  }, "Show");
  return h("div", { class: "password" }, input, button);
}

/** A labelled password field with its show/hide toggle; `.input` is the <input>. */
export function passwordField(label, { autocomplete, id, hint }) {
  const input = h("input", { type: "password", id, name: id, autocomplete, required: true, spellcheck: "false" });
  const wrapper = field(label, input, { hint, id });
  // field() put the input last; the toggle's box takes it over in the same place.
  wrapper.append(passwordToggle(input));
  wrapper.input = input;
  return wrapper;
}

function signInForm({ usernameLabel, usernameType, usernameAutocomplete, submitLabel, onSignedIn, extra, error }) {
  const username = h("input", {
    type: usernameType, id: "username", name: "username", autocomplete: usernameAutocomplete, required: true,
    autocapitalize: "none", spellcheck: "false",
  });
  const usernameField = field(usernameLabel, username);
  const passwordFieldEl = passwordField("Password", { autocomplete: "current-password", id: "password" });
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button button--big" }, submitLabel);
  const form = h("form", { class: "form", novalidate: true }, usernameField, passwordFieldEl, problem, submit, extra);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const name = username.value.trim();
    const password = passwordFieldEl.input.value;
    if (!name || !password) {
      problem.append(notice(error.missing, "error"));
      (name ? passwordFieldEl.input : username).focus();
      return;
    }
    try {
      const answer = await busy(submit, "Signing in…", () => api.signIn(name, password));
      if (answer.mfa_required) {
        // Only staff have a second step: its code (account.js) is fetched when one is asked for.
        const { secondStep } = await import("./account.js");
        form.replaceWith(secondStep(answer, onSignedIn));
        return;
      }
      onSignedIn(answer.user);
    } catch (err) {
      problem.append(notice(err instanceof api.ApiError && err.status === 401 ? error.wrong : describeError(err),
        "error"));
      passwordFieldEl.input.select();
      passwordFieldEl.input.focus();
    }
  });
  return form;
}

export function pupilSignIn(params, { go }) {
  return h("div", { class: "page page--narrow" },
    takeFlash(),
    h("h1", { tabindex: "-1" }, "Sign in"),
    h("p", { class: "lead" }, "Your username and password are on your login card."),
    signInForm({
      usernameLabel: "Username", usernameType: "text", usernameAutocomplete: "username", submitLabel: "Let's go!",
      onSignedIn: (user) => go(session.takeReturn(user) || (user.role === "pupil" ? "#/me" : session.homeRoute(user))),
      error: {
        missing: "Type your username and your password.",
        wrong: "That didn't work. Check your username and password and try again.",
      },
    }),
    h("p", { class: "aside" }, h("a", { href: "#/staff/signin" }, "Staff sign in")));
}

let ssoKnown = null;

export function staffSignIn(params, { go }) {
  const microsoft = h("div", { class: "sso", hidden: true },
    h("p", { class: "sso__or" }, h("span", {}, "or")),
    h("a", { class: "button button--secondary button--block", href: api.url("/auth/sso/login") },
      "Sign in with Microsoft"));
  // Ask once per visit whether single sign-on is configured (GET /auth/sso starts no flow).
  (ssoKnown ??= api.ssoAvailable()).then((available) => { microsoft.hidden = !available; });
  return h("div", { class: "page page--narrow" },
    takeFlash(),
    h("h1", { tabindex: "-1" }, "Staff sign in"),
    h("p", { class: "lead" }, "For school coordinators, CU managers and the Trust."),
    signInForm({
      usernameLabel: "Email address", usernameType: "email", usernameAutocomplete: "username",
      submitLabel: "Sign in", extra: microsoft,
      onSignedIn: (user) => go(session.takeReturn(user) || session.homeRoute(user)),
      error: {
        missing: "Enter your email address and password.",
        wrong: "The email address or password is not right.",
      },
    }),
    h("p", { class: "aside" }, h("a", { href: "#/password/forgot" }, "Forgotten your password?"), " · ",
      h("a", { href: "#/signin" }, "Pupil sign in")));
}

/** Microsoft sent the browser back with code and state: trade them for our tokens. */
export async function ssoReturn(params) {
  try {
    await api.completeSso(params);
  } catch (error) {
    setFlash(describeError(error), "error");
  }
}
