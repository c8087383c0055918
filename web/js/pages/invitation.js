// A staff invitation link (<base>/#/invitation/<token>): choose a password (and, for the Trust and CU
// managers, set up two-step sign-in), and you are signed in.

import * as api from "../api.js";
import { h } from "../dom.js";
import * as session from "../session.js";
import { busy, describeError, notice } from "./common.js";
import { passwordField } from "./signin.js";
import { secondStep } from "./account.js";

const MIN_LENGTH = 12;

export function invitationPage({ token }, { go }) {
  if (session.signedIn()) {
    // Someone else's session in this tab must not carry over to the invited account.
    api.signOut();
  }
  const password = passwordField("Choose a password", {
    id: "new-password", autocomplete: "new-password",
    hint: `At least ${MIN_LENGTH} characters. A few unrelated words make a strong one that is easy to remember.`,
  });
  const again = passwordField("Type it again", { id: "new-password-again", autocomplete: "new-password" });
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button button--big" }, "Set password and sign in");
  const form = h("form", { class: "form", novalidate: true }, password, again, problem, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    password.showError("");
    again.showError("");
    const value = password.input.value;
    if (value.length < MIN_LENGTH) {
      password.showError(`Use at least ${MIN_LENGTH} characters.`);
      password.input.focus();
      return;
    }
    if (value !== again.input.value) {
      again.showError("The two passwords are different.");
      again.input.focus();
      return;
    }
    try {
      const answer = await busy(submit, "Setting up…", () => api.request("POST", "/auth/invitations/accept",
        { json: { token, password: value }, anonymous: true }));
      if (answer.mfa_required) {
        form.replaceWith(secondStep(answer, (user) => go(session.homeRoute(user))));
        return;
      }
      session.start(answer);
      go(session.homeRoute(answer.user));
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 410) {
        form.replaceWith(notice(error.message, "error"));
        return;
      }
      const field = error.errors?.find((e) => (e.field || "").endsWith("password"));
      if (field || (error instanceof api.ApiError && error.status === 400)) {
        password.showError(field?.message || error.message);
        password.input.focus();
      } else {
        problem.append(notice(describeError(error), "error"));
      }
    }
  });

  return h("div", { class: "page page--narrow" },
    h("h1", { tabindex: "-1" }, "Welcome to Children's University Online"),
    h("p", { class: "lead" }, "You have been invited to help run Children's University. Choose a password to finish."),
    form);
}
