// Staff accounts: the second sign-in step, setting up an authenticator app (QR code), recovery codes,
// forgotten and reset passwords, and the signed-in "Your account" page (change password, two-step sign-in).

import * as api from "../api.js";
import { field, h } from "../dom.js";
import * as session from "../session.js";
import { busy, describeError, notice, pageHeader, panel, setFlash, showFieldErrors, takeFlash } from "./common.js";
import { passwordField } from "./signin.js";

const MIN_LENGTH = 12;

function codeInput(id, label, hint) {
  const input = h("input", {
    type: "text", id, name: id, inputmode: "text", autocomplete: "one-time-code", required: true,
    autocapitalize: "none", spellcheck: "false", maxlength: "32", class: "input--otp",
  });
  const wrapper = field(label, input, { hint });
  wrapper.input = input;
  return wrapper;
}

/** Ten recovery codes, shown once, with a way to keep them. */
export function recoveryCodes(codes, onContinue, continueLabel = "I have kept them – continue") {
  const text = codes.join("\n");
  const copy = h("button", {
    type: "button", class: "button button--secondary", onClick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        copy.textContent = "Copied";
      } catch {
        copy.textContent = "Select the codes and copy them";
      }
    },
  }, "Copy the codes");
  return h("section", { class: "panel", "aria-labelledby": "recovery-title" },
    h("h2", { class: "panel__title", id: "recovery-title" }, "Your recovery codes"),
    h("p", {}, "If you ever lose your phone, each of these codes lets you sign in once instead of a code from "
      + "the app. Keep them somewhere safe (a password manager, or printed and locked away). They are shown "
      + "only now."),
    h("ol", { class: "recovery-codes", "aria-label": "Recovery codes" }, codes.map((code) => h("li", {}, code))),
    h("div", { class: "button-row" }, copy,
      h("button", { type: "button", class: "button", onClick: onContinue }, continueLabel)));
}

/**
 * Set up an authenticator app: show the QR code and the secret, then confirm with its first code.
 * `begin()` resolves to {secret, otpauth_uri, qr_svg}; `finish(code)` to the confirmation's answer.
 */
export function authenticatorSetup(begin, finish, onDone) {
  const area = h("div", { class: "setup" }, h("p", { "aria-live": "polite" }, "Preparing your QR code…"));
  begin().then((setup) => {
    const code = codeInput("setup-code", "Code from the app", "Six digits; they change every 30 seconds.");
    const problem = h("div", { class: "form-problem" });
    const submit = h("button", { type: "submit", class: "button button--big" }, "Turn on two-step sign-in");
    const form = h("form", { class: "form", novalidate: true }, code, problem, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      code.showError("");
      problem.replaceChildren();
      if (!code.input.value.trim()) {
        code.showError("Type the six digits the app shows.");
        code.input.focus();
        return;
      }
      try {
        const answer = await busy(submit, "Checking…", () => finish(code.input.value.trim()));
        onDone(answer);
      } catch (error) {
        if (error instanceof api.ApiError && error.status === 400) {
          code.showError(error.message);
          code.input.select();
          code.input.focus();
        } else {
          problem.append(notice(describeError(error), "error"));
        }
      }
    });
    area.replaceChildren(
      h("ol", { class: "steps" },
        h("li", {}, "Open an authenticator app on your phone (for example Microsoft Authenticator or Google "
          + "Authenticator) and add an account."),
        h("li", {}, "Scan this QR code:",
          h("img", { class: "qr", src: setup.qr_svg, alt: "QR code to add Children's University Online to your "
            + "authenticator app", width: "200", height: "200" }),
          h("span", { class: "setup__secret" }, "Cannot scan? Type this key instead: ",
            h("code", { "data-testid": "totp-secret" }, setup.secret))),
        h("li", {}, "Type the code the app shows below.")),
      form);
  }).catch((error) => {
    area.replaceChildren(notice(describeError(error), "error"));
  });
  return area;
}

/**
 * The second step after a right password: a code from the app (or a recovery code), or, for an account
 * that must have two-step sign-in and has none yet, setting it up. `onSignedIn(user)` when done.
 */
export function secondStep(answer, onSignedIn) {
  const challenge = answer.mfa_challenge;
  if (answer.mfa_enrolment_required) {
    const box = h("div", { class: "second-step" },
      h("h2", {}, "Set up two-step sign-in"),
      h("p", {}, "Your account can see many schools' records, so it needs a second step when you sign in: "
        + "a code from an app on your phone."));
    box.append(authenticatorSetup(
      () => api.request("POST", "/auth/mfa/setup", { json: { challenge }, anonymous: true }),
      (code) => api.request("POST", "/auth/mfa/setup/confirm", { json: { challenge, code }, anonymous: true }),
      (tokens) => {
        box.replaceChildren(recoveryCodes(tokens.recovery_codes, () => {
          session.start(tokens);
          onSignedIn(tokens.user);
        }));
        box.querySelector("h2")?.focus();
      }));
    return box;
  }
  const code = codeInput("mfa-code", "Code from your authenticator app",
    "Six digits. Lost your phone? Type one of your recovery codes instead.");
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button button--big" }, "Continue");
  const form = h("form", { class: "form second-step", novalidate: true },
    h("h2", {}, "Two-step sign-in"), code, problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (!code.input.value.trim()) {
      code.showError("Type the code from your app.");
      code.input.focus();
      return;
    }
    code.showError("");
    try {
      const tokens = await busy(submit, "Checking…", () => api.request("POST", "/auth/mfa/verify",
        { json: { challenge, code: code.input.value.trim() }, anonymous: true }));
      session.start(tokens);
      onSignedIn(tokens.user);
    } catch (error) {
      problem.append(notice(error instanceof api.ApiError && error.status === 401 ? error.message
        : describeError(error), "error"));
      code.input.select();
      code.input.focus();
    }
  });
  queueMicrotask(() => code.input.focus());
  return form;
}

export function forgotPasswordPage() {
  const email = h("input", { type: "email", id: "email", name: "email", autocomplete: "username", required: true,
    autocapitalize: "none", spellcheck: "false" });
  const emailField = field("Email address", email);
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button button--big" }, "Email me a link");
  const form = h("form", { class: "form", novalidate: true }, emailField, problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (!email.value.trim()) {
      emailField.showError("Enter the email address you sign in with.");
      email.focus();
      return;
    }
    emailField.showError("");
    try {
      await busy(submit, "Sending…", () => api.request("POST", "/auth/password/forgot",
        { json: { email: email.value.trim() }, anonymous: true }));
      form.replaceWith(notice("If that address has an account, we have emailed it a link to choose a new "
        + "password. The link works once, for 30 minutes. Check your junk folder if it does not arrive.", "success"));
    } catch (error) {
      problem.append(notice(describeError(error), "error"));
    }
  });
  return h("div", { class: "page page--narrow" },
    h("h1", { tabindex: "-1" }, "Forgotten your password?"),
    h("p", { class: "lead" }, "We will email you a link to choose a new one."),
    form,
    h("p", { class: "aside" }, h("a", { href: "#/staff/signin" }, "Back to sign in")));
}

function newPasswordFields() {
  const password = passwordField("New password", {
    id: "new-password", autocomplete: "new-password",
    hint: `At least ${MIN_LENGTH} characters. A few unrelated words make a strong one that is easy to remember.`,
  });
  const again = passwordField("Type it again", { id: "new-password-again", autocomplete: "new-password" });
  const check = () => {
    password.showError("");
    again.showError("");
    if (password.input.value.length < MIN_LENGTH) {
      password.showError(`Use at least ${MIN_LENGTH} characters.`);
      password.input.focus();
      return null;
    }
    if (password.input.value !== again.input.value) {
      again.showError("The two passwords are different.");
      again.input.focus();
      return null;
    }
    return password.input.value;
  };
  return { password, again, check };
}

export function resetPasswordPage({ token }, { go }) {
  const { password, again, check } = newPasswordFields();
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button button--big" }, "Save new password");
  const form = h("form", { class: "form", novalidate: true }, password, again, problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const value = check();
    if (value === null) return;
    try {
      await busy(submit, "Saving…", () => api.request("POST", "/auth/password/reset",
        { json: { token, password: value }, anonymous: true }));
      setFlash("Your password has been changed. Sign in with it now.", "success");
      go("#/staff/signin");
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 410) {
        form.replaceWith(notice(error.message, "error"),
          h("p", {}, h("a", { href: "#/password/forgot" }, "Ask for a new link")));
      } else if (!showFieldErrors(error, { password })) {
        problem.append(notice(describeError(error), "error"));
      }
    }
  });
  return h("div", { class: "page page--narrow" },
    h("h1", { tabindex: "-1" }, "Choose a new password"),
    h("p", { class: "lead" }, "Choosing a new password signs you out everywhere else."),
    form);
}

function changePasswordPanel() {
  const current = passwordField("Current password", { id: "current-password", autocomplete: "current-password" });
  const { password, again, check } = newPasswordFields();
  const problem = h("div", { class: "form-problem" });
  const submit = h("button", { type: "submit", class: "button" }, "Change password");
  const form = h("form", { class: "form", novalidate: true }, current, password, again, problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    current.showError("");
    if (!current.input.value) {
      current.showError("Type your current password.");
      current.input.focus();
      return;
    }
    const value = check();
    if (value === null) return;
    try {
      const tokens = await busy(submit, "Saving…", () => api.post("/auth/password",
        { current_password: current.input.value, new_password: value }));
      session.start(tokens);
      form.reset();
      problem.append(notice("Your password has been changed, and you have been signed out everywhere else.",
        "success"));
    } catch (error) {
      if (!showFieldErrors(error, { current_password: current, new_password: password })) {
        problem.append(notice(describeError(error), "error"));
      }
    }
  });
  return panel("Change your password", form);
}

function twoStepPanel(status) {
  const body = h("div", {});
  const show = (state) => {
    if (state.enrolled) {
      const code = codeInput("renew-code", "Code from your authenticator app");
      const problem = h("div", { class: "form-problem" });
      const submit = h("button", { type: "submit", class: "button button--secondary" }, "Make new recovery codes");
      const form = h("form", { class: "form", novalidate: true }, code, problem, submit);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        problem.replaceChildren();
        code.showError("");
        try {
          const answer = await busy(submit, "Making…", () => api.post("/auth/mfa/recovery-codes",
            { code: code.input.value.trim() }));
          body.replaceChildren(recoveryCodes(answer.recovery_codes,
            () => show({ ...state, recovery_codes_left: answer.recovery_codes.length }), "Done"));
        } catch (error) {
          if (error instanceof api.ApiError && error.status === 400) code.showError(error.message);
          else problem.append(notice(describeError(error), "error"));
        }
      });
      body.replaceChildren(
        h("p", {}, "Two-step sign-in is on. ",
          `You have ${state.recovery_codes_left} unused recovery code${state.recovery_codes_left === 1 ? "" : "s"}.`),
        h("p", {}, "New recovery codes replace the old ones. Lost your phone? Ask the Trust to reset your "
          + "two-step sign-in."),
        form);
      return;
    }
    const start = h("button", {
      type: "button", class: "button", onClick: () => {
        body.replaceChildren(authenticatorSetup(
          () => api.post("/auth/mfa/enrolment"),
          (code) => api.post("/auth/mfa/enrolment/confirm", { code }),
          (answer) => body.replaceChildren(recoveryCodes(answer.recovery_codes,
            () => show({ enrolled: true, required: state.required,
              recovery_codes_left: answer.recovery_codes.length }), "Done"))));
      },
    }, "Set up two-step sign-in");
    body.replaceChildren(
      h("p", {}, "Add a second step to your sign-in: a code from an app on your phone. Then someone who "
        + "learns your password still cannot get in."),
      start);
  };
  show(status);
  return panel("Two-step sign-in", body);
}

export async function accountPage(params, { user }) {
  const status = await api.get("/auth/mfa");
  return h("div", { class: "page page--narrow" },
    takeFlash(),
    pageHeader("Your account", { lead: `Signed in as ${user.display_name}.` }),
    changePasswordPanel(),
    twoStepPanel(status));
}
