// Service worker of the patrol phone page (scope /patrol/): keeps the page and its script
// so the page opens again without signal; network first, the kept copy when offline.
// Only the phone page is kept; the API is never cached (check-ins queue in localStorage).
"use strict";
var CACHE = "jh-patrol-v1";
var PAGE = "/patrol/m";
var ASSETS = [PAGE, "/static/js/patrol_phone.js", "/static/css/app.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});
self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (ASSETS.indexOf(url.pathname) < 0) return;
  event.respondWith(fetch(event.request).then(function (resp) {
    if (resp.ok && !resp.redirected) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (c) { c.put(url.pathname, copy); });
    }
    return resp;
  }, function () {
    return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
  }));
});
