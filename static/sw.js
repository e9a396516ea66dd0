// The service worker: precaches the app's shell under a version the server stamps from the
// assets' content hashes, serves it offline, and deletes only its own old caches. The API
// needs a session, so nothing of it is cached here: the app keeps its data in IndexedDB.

const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const PREFIX = "audit-";
const CACHE = `${PREFIX}${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

async function cacheFirst(key, request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(key)) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Everything else (the API, photo thumbnails) goes to the network untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin || request.cache === "no-store") return;
  if (request.mode === "navigate" && url.pathname === "/") {
    event.respondWith(cacheFirst("/", request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(url.pathname, request));
  }
});
