// Who is signed in. The access token lives only in this module's memory; the refresh token in
// sessionStorage (this tab only, gone when it closes), so a reload can sign back in without a password.
// Nothing goes to localStorage or cookies.

const REFRESH_KEY = "cuo.refresh_token";

let accessToken = null;
let currentUser = null;
const listeners = new Set();

export function signedIn() {
  return currentUser !== null;
}

export function user() {
  return currentUser;
}

export function token() {
  return accessToken;
}

export function refreshToken() {
  try {
    return window.sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

/** Keep a token response from sign-in, refresh or an accepted invitation. */
export function start(tokens) {
  accessToken = tokens.access_token;
  currentUser = tokens.user;
  try {
    window.sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    // Storage refused (private mode quotas): the session still works until the tab is reloaded.
  }
  listeners.forEach((listener) => listener(currentUser));
}

/** Forget the session; `reason` is "signed-out" or "expired" (the API refused the tokens). */
export function clear(reason = "signed-out") {
  const wasSignedIn = currentUser !== null;
  const previous = currentUser;
  accessToken = null;
  currentUser = null;
  try {
    window.sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // Nothing stored.
  }
  listeners.forEach((listener) => listener(null, wasSignedIn ? reason : null, previous));
}

export function onChange(listener) {
  listeners.add(listener);
}

export const STAFF_ROLES = new Set(["school_staff", "partner_manager", "trust_admin"]);

export function isStaff(u = currentUser) {
  return Boolean(u && STAFF_ROLES.has(u.role));
}

/** Where a signed-in user starts. */
export function homeRoute(u = currentUser) {
  if (!u) return "#/";
  if (u.role === "pupil") return "#/me";
  if (u.role === "school_staff") return `#/schools/${encodeURIComponent(u.school_id)}`;
  if (u.role === "partner_manager") return `#/partners/${encodeURIComponent(u.partner_id)}`;
  return "#/partners";
}

// Where to go back to after signing in again, when a session ended under someone's hands (memory only).
let returnTo = null;

export function rememberReturn(route, role) {
  returnTo = route ? { route, pupil: role === "pupil" } : null;
}

/** The route to go back to for this user (pupil routes for pupils, staff routes for staff), once. */
export function takeReturn(u) {
  const kept = returnTo;
  returnTo = null;
  if (!kept || !u || kept.pupil !== (u.role === "pupil")) return null;
  return kept.route;
}

// A stamp code typed when the session ended: kept in memory and added once the same pupil has signed in
// again (never for another child who signs in on the same tablet).
let pending = null;

export function keepPendingCode(code) {
  pending = code && currentUser ? { code, userId: currentUser.id } : null;
}

/** The code kept for this pupil (`u`, default: whoever is signed in), or null. */
export function pendingCodeValue(u = currentUser) {
  return pending && u && pending.userId === u.id ? pending.code : null;
}
