// Alerts: the nav badge and the inbox update without reloading (polling /api/alerts/poll),
// and the detail page's map replay of the event's track snippet.
(function () {
  "use strict";
  // the inbox wants news within seconds; elsewhere the badge may lag a little
  var POLL_MS = 3000, BADGE_MS = 15000;
  var SEV = { red: "红色", orange: "橙色", yellow: "黄色" };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Beijing time whatever the browser's own zone, as on every other page.
  var BEIJING = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", hour12: false,
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  function localTime(iso) {
    var parts = {};
    BEIJING.formatToParts(new Date(iso)).forEach(function (x) { parts[x.type] = x.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour.replace("24", "00") + ":" + parts.minute;
  }

  function setBadge(count) {
    var link = document.querySelector('.mainnav a[href="/alerts/"]');
    if (!link) return;
    var badge = link.querySelector(".badge");
    if (!count) { if (badge) badge.remove(); return; }
    if (!badge) { badge = el("span", { "class": "badge", "data-testid": "alert-badge" }); link.appendChild(badge); }
    badge.textContent = String(count);
  }

  function stateText(a) {
    var outcomes = { confirmed: "确认属实", false_alarm: "误报", clue: "转为线索" };
    return a.state_label + (a.outcome ? "（" + outcomes[a.outcome] + "）" : "");
  }

  function row(a) {
    var tr = el("tr", { "data-id": String(a.id), "class": "fresh" });
    var pick = el("td"); pick.appendChild(el("input", { type: "checkbox", name: "ids", value: String(a.id),
      "aria-label": "选择预警 #" + a.id })); tr.appendChild(pick);
    tr.appendChild(el("td", {}, "#" + a.id));
    var sev = el("td"); sev.appendChild(el("span", { "class": "sev sev-" + a.severity }, SEV[a.severity] || a.severity));
    tr.appendChild(sev);
    tr.appendChild(el("td", {}, a.kind_label));
    var t = el("td"); t.appendChild(el("a", { href: "/alerts/" + a.id }, a.title));
    if (a.occurrences > 1) t.appendChild(el("span", { "class": "hint" }, "（共 " + a.occurrences + " 次）"));
    tr.appendChild(t);
    tr.appendChild(el("td", {}, a.sub_district || (a.lon !== null ? "海上" : "无固定地点")));
    tr.appendChild(el("td", {}, localTime(a.start)));
    tr.appendChild(el("td", {}, a.groups.concat(a.units).join("、")));
    tr.appendChild(el("td", { "class": "state" }, stateText(a)));
    return tr;
  }

  function applyToTable(table, alerts) {
    var body = table.tBodies[0];
    var filter = table.getAttribute("data-state");
    alerts.forEach(function (a) {
      var existing = body.querySelector('tr[data-id="' + a.id + '"]');
      var wanted = filter === "" || (filter === "open" ? a.state !== "closed" : a.state === filter);
      if (existing && !wanted) { existing.remove(); return; }
      if (existing) { existing.querySelector(".state").textContent = stateText(a); return; }
      if (!wanted) return;
      var empty = body.querySelector("tr.empty"); if (empty) empty.remove();
      body.insertBefore(row(a), body.firstChild);
    });
  }

  function poll() {
    var table = document.getElementById("alert-table");
    var cursor = (table && table.getAttribute("data-cursor")) || window.__alertCursor || "";
    var url = "/api/alerts/poll" + (cursor ? "?since=" + encodeURIComponent(cursor) : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        setBadge(data.new_count);
        if (data.cursor) { window.__alertCursor = data.cursor; if (table) table.setAttribute("data-cursor", data.cursor); }
        if (table && cursor) applyToTable(table, data.alerts);
        var status = document.getElementById("live-status"); if (status) status.textContent = "实时更新中";
      })
      .catch(function () {
        var status = document.getElementById("live-status"); if (status) status.textContent = "连接中断，正在重试…";
      })
      .then(function () { setTimeout(poll, table ? POLL_MS : BADGE_MS); });
  }

  function replay() {
    var node = document.getElementById("alert-data");
    if (!node || typeof L === "undefined") return;
    var data = JSON.parse(node.textContent);
    var map = L.map("replay");
    if (window.JinghaiPlaces) window.JinghaiPlaces.attach(map, "/api/map/places");
    map.getContainer().style.background = "#cfe3f5";  // sea; land comes from the coastline
    if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 18 }).addTo(map);
    fetch("/api/map/coastline.geojson", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        if (g) L.geoJSON(g, { interactive: false, style: { color: "#8a7650", weight: 1,
          fillColor: "#efe6cf", fillOpacity: data.tile_url ? 0 : 1 } }).addTo(map).bringToBack();
      }).catch(function () {});
    fetch("/api/zones", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fc) {
        if (fc) L.geoJSON(fc, { style: { color: "#7a8896", weight: 1, fillOpacity: 0.05 },
          pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 4, color: "#7a8896" }); },
          onEachFeature: function (f, layer) { layer.bindTooltip(el("span", {}, f.properties.name)); } }).addTo(map);
      });
    var colours = ["#c62828", "#1565c0", "#2e7d32", "#6a1b9a"];
    var byVessel = {};
    (data.track || []).forEach(function (p) { (byVessel[p.mmsi] = byVessel[p.mmsi] || []).push(p); });
    var bounds = [];
    var markers = {};
    var legend = document.getElementById("replay-legend");
    var names = data.vessel_labels || {};
    Object.keys(byVessel).forEach(function (m, i) {
      if (legend) {  // which line and dot is which vessel
        var li = el("li", { "data-mmsi": String(m) });
        li.appendChild(el("span", { "class": "swatch", style: "display:inline-block;width:.9em;height:.9em;border-radius:50%;margin-right:.35em;background:" + colours[i % colours.length] }));
        li.appendChild(document.createTextNode(names[m] || String(m)));
        legend.appendChild(li);
      }
      var pts = byVessel[m].map(function (p) { return [p.lat, p.lon]; });
      bounds = bounds.concat(pts);
      L.polyline(pts, { color: colours[i % colours.length], weight: 2 }).addTo(map).bindTooltip(el("span", {}, String(m)));
      markers[m] = L.circleMarker(pts[0], { radius: 6, color: colours[i % colours.length], fillOpacity: 0.9 }).addTo(map);
    });
    if (data.lat !== null && data.lon !== null) { bounds.push([data.lat, data.lon]); L.marker([data.lat, data.lon]).addTo(map); }
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); else map.setView([29.9, 121.95], 10);
    // replay: one slider over the union of times; each vessel's marker jumps to its last fix
    var times = (data.track || []).map(function (p) { return p.ts; }).sort();
    times = times.filter(function (t, i) { return i === 0 || t !== times[i - 1]; });
    var slider = document.getElementById("replay-pos");
    var label = document.getElementById("replay-time");
    slider.max = Math.max(times.length - 1, 0);
    function show(i) {
      var t = times[i]; if (!t) return;
      label.textContent = localTime(t);
      Object.keys(byVessel).forEach(function (m) {
        var last = null; byVessel[m].forEach(function (p) { if (p.ts <= t) last = p; });
        if (last) markers[m].setLatLng([last.lat, last.lon]);
      });
    }
    slider.addEventListener("input", function () { show(+slider.value); });
    var timer = null;
    document.getElementById("replay-play").addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; return; }
      if (+slider.value >= times.length - 1) slider.value = 0;
      timer = setInterval(function () {
        if (+slider.value >= times.length - 1) { clearInterval(timer); timer = null; return; }
        slider.value = +slider.value + 1; show(+slider.value);
      }, 150);
    });
    show(0);
  }

  function bulkSelect() {
    var all = document.getElementById("select-all");
    if (!all) return;
    all.addEventListener("change", function () {
      document.querySelectorAll('#alert-table input[name="ids"]').forEach(function (c) { c.checked = all.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bulkSelect();
    replay();
    if (document.querySelector(".mainnav")) poll();
  });
})();
