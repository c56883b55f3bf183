/*
 * Service worker for the public story pages (registered with scope /r/ by verhaal-form.js) and
 * for a waarderingssessie's choosing page (scope /w/, by waarderen.js).
 *
 * Its one job: let a resident open the story form without a connection. It keeps the last copy
 * of each public form page and of the static files it needs. It never touches POSTs (the page
 * script queues and resends those) and never caches the thank-you or withdrawal pages, which
 * hold a personal code.
 */
"use strict";

var CACHE = "verhalenbank-publiek-v1";

function isFormPage(url) {
  // /r/<slug> or /r/<slug>/ ; not /r/<slug>/bedankt, not /r/intrekken.
  var match = /^\/r\/([^/]+)\/?$/.exec(url.pathname);
  if (match) return match[1] !== "intrekken" && url.search === "";
  // A waarderingssessie's choosing page /w/<code> (registered with scope /w/ by waarderen.js).
  return /^\/w\/[A-Za-z0-9]{1,12}\/?$/.test(url.pathname) && url.search === "";
}

function isStatic(url) {
  return url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("install", function (event) {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("verhalenbank-publiek-") === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

// Network first, so residents always get the current question and a fresh CSRF token;
// the cached copy is only for when the network is gone.
function networkFirst(request) {
  return fetch(request)
    .then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    })
    .catch(function () {
      return caches.match(request).then(function (cached) {
        return cached || Response.error();
      });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isFormPage(url) || isStatic(url)) {
    event.respondWith(networkFirst(request));
  }
});
