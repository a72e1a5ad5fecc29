// The field app's service worker. fvfield/pwa.py serves it at /sw.js with
// two placeholders filled in: the precache manifest (url + md5 revision of
// every shell file) and the constants of static/js/constants.js.
// It never holds user data: records live in the page's IndexedDB.
importScripts('/static/vendor/workbox-7.4.1/workbox-sw.js');
workbox.setConfig({modulePathPrefix: '/static/vendor/workbox-7.4.1/', debug: false});

const FV = self.__FV_CONSTANTS;

// Load every module now: importScripts() is refused once the worker is
// installed, and workbox-sw would otherwise load a module on first use.
const {cacheableResponse, core, expiration, precaching, routing, strategies} = workbox;

core.setCacheNameDetails({prefix: FV.CACHE_PREFIX});

precaching.precacheAndRoute(self.__WB_MANIFEST);
precaching.cleanupOutdatedCaches();

// Every address under /app/ opens the same shell; its router reads the hash.
routing.registerRoute(new routing.NavigationRoute(
  precaching.createHandlerBoundToURL(FV.APP_SCOPE),
  {allowlist: [new RegExp('^' + FV.APP_SCOPE)]},
));

// Photos: a named cache with a bound, so a week of market photos cannot
// fill the phone. Other API calls are never cached (the routes below only
// match attachments; anything unmatched goes to the network).
const ATTACHMENT = /^\/api\/v1\/teams\/[^/]+\/attachments\/[0-9a-f]{64}$/;
routing.registerRoute(
  ({url, request}) => request.method === 'GET' && url.origin === self.location.origin
    && ATTACHMENT.test(url.pathname),
  new strategies.CacheFirst({
    cacheName: FV.PHOTO_CACHE,
    plugins: [
      new cacheableResponse.CacheableResponsePlugin({statuses: [200]}),
      new expiration.ExpirationPlugin({
        maxEntries: FV.PHOTO_CACHE_MAX_ENTRIES,
        maxAgeSeconds: FV.PHOTO_CACHE_MAX_AGE_SECONDS,
        purgeOnQuotaError: true,
      }),
    ],
  }),
);

// A first install takes the open page at once (nothing older to disagree
// with). An update waits until the page asks: it may hold a half-filled form.
core.clientsClaim();

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === FV.MESSAGE_SKIP_WAITING) {
    self.skipWaiting();
  }
});

// Background Sync only wakes the page's sync engine; the outbox stays in
// the page's IndexedDB. With no page open, the next start syncs.
self.addEventListener('sync', (event) => {
  if (event.tag !== FV.SYNC_TAG) {
    return;
  }
  event.waitUntil(
    self.clients.matchAll({type: 'window'}).then((clients) => {
      for (const client of clients) {
        client.postMessage({type: FV.MESSAGE_SYNC});
      }
    }),
  );
});
