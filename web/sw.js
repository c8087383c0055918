// The service worker: the app shell (the files of the first page and the offline page) is cached so the
// app opens and installs like an app; anything from the API is never cached or answered from here (it goes
// to the network as if there were no worker), so no child's data is ever kept on the device. Offline,
// pages fall back to offline.html, which says what works.
//
// The server gives every script, stylesheet and image a name carrying its content hash and rewrites the
// paths below to those names (shared/web_client.py), so a release that changes any of them changes this
// file: the browser then installs the new worker, which caches the new shell and drops the old one.
// Only what the pupil's sign-in page already loaded is listed (the browser has those files in its own cache,
// so caching them costs no download); other pages are kept as they are opened.

const CACHE = "cuo-shell";
const SHELL = [
  "offline.html", "styles.css", "icon.svg",
  "js/app.js", "js/api.js", "js/session.js", "js/dom.js", "js/icons.js", "js/pages/common.js", "js/pages/signin.js",
];
// A name carrying a content hash (shared/web_client.py, HASH_LENGTH): its bytes never change.
const HASHED = /\.[0-9a-f]{10}\.[a-z0-9]+$/;

self.addEventListener("install", (event) => {
  // The files are public and the app sends no cookies: fetched without credentials, the ones the page has
  // just loaded come from the browser's cache without a request.
  const requests = SHELL.map((path) => new Request(path, { credentials: "omit" }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Earlier workers' caches go, and so does whatever an earlier release left in this one.
    await Promise.all((await caches.keys()).filter((key) => key !== CACHE).map((key) => caches.delete(key)));
    const cache = await caches.open(CACHE);
    const shell = new Set(SHELL.map((path) => new URL(path, self.location.href).href));
    await Promise.all((await cache.keys()).filter((request) => !shell.has(request.url))
      .map((request) => cache.delete(request)));
    await self.clients.claim();
  })());
});

async function hashedFile(request) {
  // Whatever a response varies by (Accept-Encoding, or Origin when a CORS layer adds it), a hashed name's
  // content is the same.
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  // The API (and anything not a GET, or from elsewhere) is left alone: straight to the network.
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.includes("/api/")) return;
  if (event.request.mode === "navigate") {
    // Always the network, so a new release shows at once; offline, the page that says what still works.
    event.respondWith(fetch(event.request).catch(() => caches.match("offline.html")));
    return;
  }
  // A hashed name is answered from the worker's cache when it has it (offline too): it cannot be stale.
  // Other files (config.json, the manifest) go to the network as they would without a worker.
  if (HASHED.test(url.pathname)) event.respondWith(hashedFile(event.request));
});
