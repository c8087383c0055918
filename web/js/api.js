// The public HTTP API (shared/API.md) and nothing else. Adds the bearer token, turns problem+json into
// ApiError, and on a 401 swaps the refresh token once and retries once.

import * as session from "./session.js";

let apiBase = "/api";

/** Read config.json (where the API lives when the client is served from another origin). */
export async function configure() {
  try {
    const response = await fetch("config.json", { cache: "no-cache" });
    if (response.ok) {
      const config = await response.json();
      if (typeof config.api_base === "string" && config.api_base) apiBase = config.api_base.replace(/\/$/, "");
    }
  } catch {
    // No config: the API is on this origin.
  }
}

export function url(path, query) {
  const target = new URL(`${apiBase}${path}`, window.location.href);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(key, value);
  }
  return target.toString();
}

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }

  /** Row/field errors of a problem (400 validation, roster rows). */
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

let refreshing = null;

async function swapRefreshToken() {
  const refresh = session.refreshToken();
  if (!refresh) return false;
  const response = await fetch(url("/auth/refresh"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: refresh }),
  });
  if (!response.ok) {
    session.clear("expired");
    return false;
  }
  session.start(await response.json());
  return true;
}

/** One refresh at a time: refresh tokens work once, so two parallel refreshes would revoke the session. */
export function refresh() {
  if (!refreshing) {
    refreshing = swapRefreshToken().catch(() => false).finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function problemOf(response) {
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Call the API. Options: json (a body to send as JSON), body + contentType (anything else), query,
 * raw (return the Response, for PDFs and CSV), anonymous (no token, no refresh).
 */
export async function request(method, path, options = {}) {
  const { json, body, contentType, query, raw = false, anonymous = false } = options;
  const send = async () => {
    const headers = {};
    if (!anonymous && session.token()) headers.Authorization = `Bearer ${session.token()}`;
    let payload = body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(json);
    } else if (contentType) {
      headers["Content-Type"] = contentType;
    }
    return fetch(url(path, query), { method, headers, body: payload });
  };
  let response = await send();
  if (response.status === 401 && !anonymous && await refresh()) {
    response = await send();
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("retry-after")) || undefined;
    const error = new ApiError(response.status, await problemOf(response), retryAfter);
    if (response.status === 401 && !anonymous) session.clear("expired");
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path, options) => request("GET", path, options);
export const post = (path, json, options = {}) => request("POST", path, { ...options, json });
export const patch = (path, json, options = {}) => request("PATCH", path, { ...options, json });
export const del = (path, options) => request("DELETE", path, options);

/**
 * Sign in with a username (pupils) or email (staff) and password. Starts the session and answers the
 * tokens, or answers `{mfa_required: true, mfa_challenge, ...}` when a second step must come first.
 */
export async function signIn(username, password) {
  const answer = await request("POST", "/auth/login", { json: { username, password }, anonymous: true });
  if (!answer.mfa_required) session.start(answer);
  return answer;
}

export async function signOut() {
  const refreshTokenValue = session.refreshToken();
  session.clear();
  if (refreshTokenValue) {
    try {
      await request("POST", "/auth/logout", { json: { refresh_token: refreshTokenValue }, anonymous: true });
    } catch {
      // Already gone on the server; the tab has forgotten it either way.
    }
  }
}

/** True when "Sign in with Microsoft" is set up: the login endpoint redirects instead of answering 404. */
export async function ssoAvailable() {
  try {
    const response = await fetch(url("/auth/sso"), { method: "GET" });
    return response.ok && (await response.json()).enabled === true;
  } catch {
    return false;
  }
}

/** Finish a Microsoft sign-in: the provider sent the browser back here with code and state. */
export async function completeSso(params) {
  const tokens = await request("GET", "/auth/sso/callback", { query: params, anonymous: true });
  session.start(tokens);
  return tokens.user;
}

/** Load every page of a paged list. */
export async function allPages(path, key, query = {}) {
  const items = [];
  let pageToken;
  do {
    const page = await get(path, { query: { ...query, page_token: pageToken } });
    items.push(...page[key]);
    pageToken = page.next_page_token;
  } while (pageToken);
  return items;
}
