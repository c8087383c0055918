// The single-page app: a hash router (invitation links are <base>/#/invitation/<token>), the header, the
// staff navigation and a page in <main>. Pages are functions returning a DOM node.

import * as api from "./api.js";
import { announce, h, replace } from "./dom.js";
import * as session from "./session.js";
import { home, pupilSignIn, staffSignIn, ssoReturn } from "./pages/signin.js";
import { invitationPage } from "./pages/invitation.js";
import { accountPage, forgotPasswordPage, resetPasswordPage } from "./pages/account.js";
import { pupilHome } from "./pages/pupil.js";
import { partnerPage, partnersPage, schoolPage } from "./pages/organisation.js";
import { pupilsPage } from "./pages/pupils.js";
import { pupilDetailPage } from "./pages/pupil-detail.js";
import { groupHoursPage } from "./pages/group-hours.js";
import { certificatesPage } from "./pages/certificates.js";
import { schoolSettingsPage } from "./pages/school-settings.js";
import { uploadPage } from "./pages/upload.js";
import { activitiesPage, activityPage } from "./pages/activities.js";
import { reportPage } from "./pages/report.js";
import { compliancePage } from "./pages/compliance.js";
import { staffNav } from "./pages/nav.js";
import { verifyPage } from "./pages/credentials.js";
import { graduationPage } from "./pages/graduation.js";
import { transferPage } from "./pages/transfer.js";
import { errorPanel, setFlash } from "./pages/common.js";

const PUBLIC = "public";
const PUPIL = "pupil";
const STAFF = "staff";
const OPEN = "open"; // anyone, signed in or not (checking a certificate)

// [pattern, page, who may open it]; `:name` segments become params.
const ROUTES = [
  ["", home, PUBLIC],
  ["signin", pupilSignIn, PUBLIC],
  ["staff/signin", staffSignIn, PUBLIC],
  ["invitation/:token", invitationPage, PUBLIC],
  ["password/forgot", forgotPasswordPage, PUBLIC],
  ["password/reset/:token", resetPasswordPage, PUBLIC],
  ["account", accountPage, STAFF],
  ["verify", verifyPage, OPEN],
  ["verify/:code", verifyPage, OPEN],
  ["me", pupilHome, PUPIL],
  ["partners", partnersPage, STAFF],
  ["partners/:partnerId", partnerPage, STAFF],
  ["partners/:partnerId/activities", activitiesPage, STAFF],
  ["partners/:partnerId/activities/:activityId", activityPage, STAFF],
  ["partners/:partnerId/report", reportPage, STAFF],
  ["partners/:partnerId/graduation", graduationPage, STAFF],
  ["national", reportPage, STAFF],
  ["schools/:schoolId", schoolPage, STAFF],
  ["schools/:schoolId/pupils", pupilsPage, STAFF],
  ["schools/:schoolId/pupils/:pupilId", pupilDetailPage, STAFF],
  ["schools/:schoolId/group-hours", groupHoursPage, STAFF],
  ["schools/:schoolId/certificates", certificatesPage, STAFF],
  ["schools/:schoolId/settings", schoolSettingsPage, STAFF],
  ["schools/:schoolId/upload", uploadPage, STAFF],
  ["schools/:schoolId/activities", activitiesPage, STAFF],
  ["schools/:schoolId/activities/:activityId", activityPage, STAFF],
  ["schools/:schoolId/report", reportPage, STAFF],
  ["schools/:schoolId/graduation", graduationPage, STAFF],
  ["schools/:schoolId/pupils/:pupilId/transfer", transferPage, STAFF],
  ["compliance", compliancePage, STAFF],
];

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, page, access] of ROUTES) {
    const names = pattern.split("/").filter(Boolean);
    if (names.length !== parts.length) continue;
    const params = {};
    const ok = names.every((name, i) => {
      if (name.startsWith(":")) {
        params[name.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return name === parts[i];
    });
    if (ok) return { page, access, params, pattern };
  }
  return null;
}

function currentPath() {
  return window.location.hash.replace(/^#\/?/, "").split("?")[0];
}

function go(route) {
  if (window.location.hash === route) render();
  else window.location.hash = route;
}

function renderUserArea() {
  const area = document.getElementById("user-area");
  const u = session.user();
  if (!u) {
    replace(area);
    return;
  }
  replace(area,
    h("span", { class: "site-header__name" }, u.display_name),
    session.isStaff(u) ? h("a", { class: "button button--quiet button--small", href: "#/account" }, "Your account")
      : null,
    h("button", {
      type: "button", class: "button button--quiet button--small", onClick: async () => {
        await api.signOut();
        go("#/");
        announce("You have signed out.");
      },
    }, "Sign out"));
}

let renderCount = 0;

async function render() {
  const ticket = ++renderCount;
  const main = document.getElementById("main");
  const nav = document.getElementById("site-nav");
  const path = currentPath();
  const route = match(path);
  const u = session.user();
  document.body.dataset.audience = u?.role === "pupil" || (!session.isStaff(u) && !path.startsWith("staff")
    && !path.startsWith("invitation") && !path.startsWith("password")) ? "pupil" : "staff";
  renderUserArea();

  if (!route) {
    nav.hidden = true;
    replace(main, errorPanel("Page not found", "There is nothing at this address.", { home: session.homeRoute() }));
    return;
  }
  if (route.access !== PUBLIC && route.access !== OPEN && !u) {
    go(route.access === PUPIL ? "#/signin" : "#/staff/signin");
    return;
  }
  if ((route.access === PUPIL && u.role !== "pupil") || (route.access === STAFF && !session.isStaff(u))) {
    go(session.homeRoute());
    return;
  }
  if (route.access === PUBLIC && u && route.pattern !== "invitation/:token") {
    go(session.homeRoute());
    return;
  }

  const context = { user: u, go, path, pattern: route.pattern };
  if (route.access === STAFF) {
    replace(nav, staffNav(u, route.params, route.pattern));
    nav.hidden = false;
  } else {
    nav.hidden = true;
    replace(nav);
  }
  main.setAttribute("aria-busy", "true");
  // The previous page goes at once (no half-dimmed form under a header that already says "Sign out").
  replace(main, loadingState());
  let content;
  try {
    content = await route.page(route.params, context);
  } catch (error) {
    content = pageError(error);
  }
  if (ticket !== renderCount) return; // a newer navigation has started
  main.removeAttribute("aria-busy");
  replace(main, content);
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent} – Children's University` : "Children's University Online";
  if (rendered) main.focus({ preventScroll: true });
  rendered = true;
  window.scrollTo(0, 0);
}
let rendered = false;

function loadingState() {
  return h("div", { class: "page page--narrow loading-state" },
    h("div", { class: "spinner", "aria-hidden": "true" }),
    h("p", { class: "loading", role: "status" }, "Loading…"));
}

function pageError(error) {
  if (error instanceof api.ApiError && error.status === 401) {
    return errorPanel("Please sign in again", "Your session has ended.", { home: "#/" });
  }
  if (error instanceof api.ApiError && error.status === 404) {
    return errorPanel("Not found", "This does not exist, or you do not have access to it.",
      { home: session.homeRoute() });
  }
  if (error instanceof api.ApiError) {
    return errorPanel("Something went wrong", error.status >= 500
      ? "Children's University had a problem answering. Please try again in a moment."
      : error.message, { home: session.homeRoute() });
  }
  // A failed fetch (offline, the service down) or a bug: never the browser's own words ("Failed to fetch").
  return errorPanel("We can't reach Children's University",
    "Check your internet connection, then try again. Nothing you have saved is lost.", { home: session.homeRoute() });
}

async function start() {
  await api.configure();
  // Back from Microsoft sign-in: the provider appends code (or error) and state to our address.
  const query = new URLSearchParams(window.location.search);
  if (query.has("state") && (query.has("code") || query.has("error"))) {
    await ssoReturn(Object.fromEntries(query.entries()));
    const next = session.signedIn() ? session.homeRoute() : "#/staff/signin";
    window.history.replaceState(null, "", window.location.pathname + next);
  } else if (session.refreshToken()) {
    await api.refresh();
  }
  session.onChange((u, reason, previous) => {
    const onPrivatePage = ![PUBLIC, OPEN].includes(match(currentPath())?.access);
    if (reason === "expired" && previous) {
      // Back to the right sign-in, and afterwards back here (a pupil's typed code is kept by their page).
      const pupil = previous.role === "pupil";
      const code = pupil ? session.pendingCodeValue(previous) : null;
      setFlash(code
        ? `You were signed out. Sign in again and we'll add ${code} for you.`
        : "You have been signed out. Please sign in again.");
      if (onPrivatePage) session.rememberReturn(window.location.hash, previous.role);
      go(pupil ? "#/signin" : "#/staff/signin");
    } else if (!u && onPrivatePage) {
      go("#/");
    }
    renderUserArea();
  });
  window.addEventListener("hashchange", render);
  render();
}

start();

// Installable on phones and tablets: the worker caches the app shell only (sw.js), never an API answer.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("sw.js").catch(() => {
      // Not fatal: the app works the same without it, only not offline or installed.
    });
  });
}
