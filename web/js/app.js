// The single-page app: a hash router (invitation links are <base>/#/invitation/<token>), the header, the
// staff navigation and a page in <main>. Pages are functions returning a DOM node.

import * as api from "./api.js";
import { announce, h, replace } from "./dom.js";
import * as session from "./session.js";
import { errorPanel, setFlash } from "./pages/common.js";

const PUBLIC = "public";
const PUPIL = "pupil";
const STAFF = "staff";
const OPEN = "open"; // anyone, signed in or not (checking a certificate)

// Each page's module is fetched the first time its route is opened, so a pupil's phone never downloads a
// staff page (and the sign-in page stays small). Adding a page: write web/js/pages/<name>.js exporting the
// page function, and add its route below with a loader, `() => import(...)` of the module's relative path,
// and the export's name. Keep that path a literal string: the server renames each file to a name carrying
// its content hash (so browsers cache it for a year) and rewrites the quoted paths that refer to it
// (shared/web_client.py). Shared pieces go in pages/common.js only when the sign-in page needs them too.
const signin = () => import("./pages/signin.js");
const account = () => import("./pages/account.js");
const organisation = () => import("./pages/organisation.js");
const activities = () => import("./pages/activities.js");
const credentials = () => import("./pages/credentials.js");
const report = () => import("./pages/report.js");
const graduation = () => import("./pages/graduation.js");

// [pattern, module, the page function it exports, who may open it]; `:name` segments become params.
const ROUTES = [
  ["", signin, "home", PUBLIC],
  ["signin", signin, "pupilSignIn", PUBLIC],
  ["staff/signin", signin, "staffSignIn", PUBLIC],
  ["invitation/:token", () => import("./pages/invitation.js"), "invitationPage", PUBLIC],
  ["password/forgot", account, "forgotPasswordPage", PUBLIC],
  ["password/reset/:token", account, "resetPasswordPage", PUBLIC],
  ["account", account, "accountPage", STAFF],
  ["verify", credentials, "verifyPage", OPEN],
  ["verify/:code", credentials, "verifyPage", OPEN],
  ["me", () => import("./pages/pupil.js"), "pupilHome", PUPIL],
  ["partners", organisation, "partnersPage", STAFF],
  ["partners/:partnerId", organisation, "partnerPage", STAFF],
  ["partners/:partnerId/activities", activities, "activitiesPage", STAFF],
  ["partners/:partnerId/activities/:activityId", activities, "activityPage", STAFF],
  ["partners/:partnerId/report", report, "reportPage", STAFF],
  ["partners/:partnerId/graduation", graduation, "graduationPage", STAFF],
  ["national", report, "reportPage", STAFF],
  ["schools/:schoolId", organisation, "schoolPage", STAFF],
  ["schools/:schoolId/pupils", () => import("./pages/pupils.js"), "pupilsPage", STAFF],
  ["schools/:schoolId/pupils/:pupilId", () => import("./pages/pupil-detail.js"), "pupilDetailPage", STAFF],
  ["schools/:schoolId/group-hours", () => import("./pages/group-hours.js"), "groupHoursPage", STAFF],
  ["schools/:schoolId/certificates", () => import("./pages/certificates.js"), "certificatesPage", STAFF],
  ["schools/:schoolId/settings", () => import("./pages/school-settings.js"), "schoolSettingsPage", STAFF],
  ["schools/:schoolId/upload", () => import("./pages/upload.js"), "uploadPage", STAFF],
  ["schools/:schoolId/activities", activities, "activitiesPage", STAFF],
  ["schools/:schoolId/activities/:activityId", activities, "activityPage", STAFF],
  ["schools/:schoolId/report", report, "reportPage", STAFF],
  ["schools/:schoolId/graduation", graduation, "graduationPage", STAFF],
  ["schools/:schoolId/pupils/:pupilId/transfer", () => import("./pages/transfer.js"), "transferPage", STAFF],
  ["compliance", () => import("./pages/compliance.js"), "compliancePage", STAFF],
];
// The staff navigation comes with the first staff page.
const staffNavigation = () => import("./pages/nav.js");

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, load, name, access] of ROUTES) {
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
    if (ok) return { load, name, access, params, pattern };
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
  if (route.access !== STAFF) {
    nav.hidden = true;
    replace(nav);
  }
  main.setAttribute("aria-busy", "true");
  // The previous page goes at once (no half-dimmed form under a header that already says "Sign out").
  replace(main, loadingState());
  let content;
  try {
    const [module, navigation] = await Promise.all([
      route.load(), route.access === STAFF ? staffNavigation() : null,
    ]).catch((error) => { throw new PageNotLoaded(error); });
    if (ticket !== renderCount) return; // a newer navigation has started
    if (navigation) {
      replace(nav, navigation.staffNav(u, route.params, route.pattern));
      nav.hidden = false;
    }
    content = await module[route.name](route.params, context);
  } catch (error) {
    content = pageError(error);
  }
  if (ticket !== renderCount) return;
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

/** A page's module did not arrive: no connection, or this tab was opened before a new release. */
class PageNotLoaded extends Error {}

function pageError(error) {
  if (error instanceof PageNotLoaded) {
    // A reload brings the current release's index.html and so the current names of every module.
    return errorPanel("We can't open this page",
      "Check your internet connection, then reload the page. Nothing you have saved is lost.",
      { home: session.homeRoute(), reload: true });
  }
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
  // The first page's module is fetched while config.json is read; render() then finds it loaded.
  match(currentPath())?.load().catch(() => {});
  await api.configure();
  // Back from Microsoft sign-in: the provider appends code (or error) and state to our address.
  const query = new URLSearchParams(window.location.search);
  if (query.has("state") && (query.has("code") || query.has("error"))) {
    const { ssoReturn } = await signin();
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
