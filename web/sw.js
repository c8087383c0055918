// The service worker: the app shell (HTML, CSS, scripts, icons) is cached so the app opens and installs
// like an app; anything from the API is never cached or answered from here (it goes to the network as if
// there were no worker), so no child's data is ever kept on the device. Offline, pages fall back to
// offline.html, which says what works.

const VERSION = "cuo-shell-v1";
const SHELL = [
  "./", "index.html", "offline.html", "styles.css", "config.json", "icon.svg", "manifest.json",
  "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-192.png", "icons/maskable-512.png",
  "js/app.js", "js/api.js", "js/charts.js", "js/dom.js", "js/icons.js", "js/session.js", "js/stampcode.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

function isShell(url) {
  return url.origin === self.location.origin && !url.pathname.includes("/api/");
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  // The API (and anything not a GET, or from elsewhere) is left alone: straight to the network.
  if (event.request.method !== "GET" || !isShell(url)) return;
  if (event.request.mode === "navigate") {
    event.respondWith(fetch(event.request).catch(() => caches.match("offline.html")));
    return;
  }
  // Network first so a new release shows at once; the cached copy only when the network is gone.
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(VERSION).then((cache) => cache.put(event.request, copy));
    }
    return response;
  }).catch(() => caches.match(event.request).then((cached) => cached || Response.error())));
});
