/* The live map (海图). Polls /api/map/vessels?since=<version> every 2 s and moves only the
   vessels that changed; a click opens the side panel (identity, registry record, QR code,
   last message) and the track with playback. All text from AIS is untrusted: it is only
   ever set with textContent, never as HTML. */
(function () {
  "use strict";

  var root = document.getElementById("map-app");
  if (!root || typeof L === "undefined") { return; }
  var POLL_MS = 2000;
  var TZ = "Asia/Shanghai";
  var tiles = root.dataset.tiles || "";

  var map = L.map("map", { center: [29.9, 122.0], zoom: 11, minZoom: 8, maxZoom: 17,
                           worldCopyJump: false, attributionControl: !!tiles });
  window.jinghaiMap = map;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
  }

  // --- helpers ------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "class") { node.className = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function localTime(iso) {
    if (!iso) { return ""; }
    var d = typeof iso === "number" ? new Date(iso) : new Date(iso);
    return d.toLocaleString("zh-CN", { timeZone: TZ, hour12: false });
  }
  function fmt(v, digits, unit) {
    if (v === null || v === undefined || v === "") { return "—"; }
    return (typeof v === "number" && digits !== undefined ? v.toFixed(digits) : String(v)) + (unit || "");
  }
  function fill(dl, rows) {
    dl.textContent = "";
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") { return; }
      dl.appendChild(el("dt", { text: r[0] }));
      var dd = el("dd");
      if (r[2]) { dd.appendChild(el("a", { href: r[2], text: String(r[1]) })); }
      else { dd.textContent = String(r[1]); }
      dl.appendChild(dd);
    });
  }
  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { window.location = "/login?next=/map"; throw new Error("login"); }
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.detail || ("HTTP " + r.status)); }
          return body;
        });
      });
  }
  function vesselLabel(v) { return v.name || v.registry_no || ("MMSI " + v.mmsi); }

  // --- base layers: coastline and zones ---------------------------------------------------
  var coastLayer = L.layerGroup().addTo(map);
  var jurisdictionLayer = L.layerGroup().addTo(map);
  var zoneLayer = L.layerGroup().addTo(map);
  var landingLayer = L.layerGroup();
  var vesselLayer = L.layerGroup().addTo(map);
  var trackLayer = L.layerGroup().addTo(map);

  getJSON("/api/map/coastline.geojson").then(function (g) {
    L.geoJSON(g, { interactive: false, style: {
      color: "#8a7650", weight: 1, fillColor: "#efe6cf", fillOpacity: tiles ? 0.0 : 1.0 } }).addTo(coastLayer);
  }).catch(function () {});

  var ZONE_STYLE = {
    jurisdiction: { color: "#1f4e8c", weight: 2, dashArray: "6 4", fill: false },
    port: { color: "#6a1b9a", weight: 1, fillOpacity: 0.08 },
    berth: { color: "#6a1b9a", weight: 1, fillOpacity: 0.2 },
    anchorage: { color: "#00838f", weight: 1, dashArray: "3 3", fillOpacity: 0.06 },
    international_anchorage: { color: "#00838f", weight: 1.5, dashArray: "3 3", fillOpacity: 0.06 },
    restricted: { color: "#c62828", weight: 1.5, fillColor: "#c62828", fillOpacity: 0.12 }
  };
  var places = window.JinghaiPlaces ? window.JinghaiPlaces.attach(map, "/api/map/places") : null;
  getJSON("/api/map/layers").then(function (data) {
    if (places) { places.addZones(data.zones); }
    L.geoJSON(data.zones, {
      style: function (f) { return ZONE_STYLE[f.properties.kind] || { color: "#555", weight: 1 }; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 4, color: "#4e342e", weight: 1, fillColor: "#ffcc80", fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        var text = p.name + (p.subtype ? "（" + p.subtype + "）" : "") + (p.responsible_person ? " · 责任人 " + p.responsible_person : "");
        layer.bindTooltip(el("span", { text: text }), { sticky: true });
        var target = p.kind === "jurisdiction" ? jurisdictionLayer
          : (p.kind === "landing_point" ? landingLayer : zoneLayer);
        target.addLayer(layer);
      }
    });
  }).catch(function () {});

  L.control.layers(null, {
    "海岸线": coastLayer, "辖区": jurisdictionLayer, "港区/锚地/禁航区": zoneLayer,
    "登陆点": landingLayer, "船舶": vesselLayer, "航迹": trackLayer
  }, { collapsed: true }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // --- vessels --------------------------------------------------------------------------------
  var markers = new Map();
  var vesselsByMmsi = new Map();
  var version = 0;
  var selected = null;
  var statusBox = document.getElementById("map-status");

  function moving(v) { return v.sog !== null && v.sog >= 0.5 && v.cog !== null; }
  function iconHtml(v) {
    if (moving(v)) {
      var deg = v.heading !== null && v.heading !== undefined ? v.heading : v.cog;
      return '<svg viewBox="-10 -10 20 20" aria-hidden="true"><path transform="rotate(' +
        Math.round(deg) + ')" d="M0,-9 L6,8 L0,4 L-6,8 Z"/></svg>';
    }
    return '<svg viewBox="-10 -10 20 20" aria-hidden="true"><circle r="5"/></svg>';
  }
  function makeIcon(v) {
    return L.divIcon({ className: "vessel-icon kind-" + v.kind + (selected === v.mmsi ? " selected" : ""),
                       html: iconHtml(v), iconSize: [18, 18], iconAnchor: [9, 9] });
  }
  function decorate(marker, v) {
    var node = marker.getElement();
    if (!node) { return; }
    node.dataset.mmsi = v.mmsi;
    node.dataset.kind = v.kind;
    node.dataset.lat = v.lat;
    node.dataset.lon = v.lon;
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", vesselLabel(v));
    node.setAttribute("title", vesselLabel(v));
  }
  function upsert(v) {
    vesselsByMmsi.set(v.mmsi, v);
    var m = markers.get(v.mmsi);
    if (!m) {
      m = L.marker([v.lat, v.lon], { icon: makeIcon(v), keyboard: true, riseOnHover: true });
      m.on("click", function () { openVessel(v.mmsi); });
      m.on("add", function () { decorate(m, vesselsByMmsi.get(v.mmsi)); });
      markers.set(v.mmsi, m);
      vesselLayer.addLayer(m);
    } else {
      m.setLatLng([v.lat, v.lon]);
      m.setIcon(makeIcon(v));
    }
    decorate(m, v);
    m.unbindTooltip();
    // Names come from the air (AIS 6-bit text has < and >): text nodes only, never HTML.
    m.bindTooltip(el("span", { text: vesselLabel(v) + " · " + fmt(v.sog, 1, " 节") }),
                  { direction: "top", offset: [0, -8] });
  }
  function drop(mmsi) {
    var m = markers.get(mmsi);
    if (m) { vesselLayer.removeLayer(m); markers.delete(mmsi); }
    vesselsByMmsi.delete(mmsi);
  }
  function poll() {
    getJSON("/api/map/vessels?since=" + version).then(function (data) {
      if (data.full) {
        var keep = new Set(data.vessels.map(function (v) { return v.mmsi; }));
        Array.from(markers.keys()).forEach(function (k) { if (!keep.has(k)) { drop(k); } });
      }
      data.vessels.forEach(upsert);
      data.removed.forEach(drop);
      version = data.version;
      root.dataset.version = String(version);
      statusBox.textContent = "在图船舶 " + markers.size + " 艘 · 更新于 " +
        new Date().toLocaleTimeString("zh-CN", { timeZone: TZ, hour12: false });
      if (selected !== null && vesselsByMmsi.has(selected)) { showLast(vesselsByMmsi.get(selected)); }
    }).catch(function (err) {
      statusBox.textContent = "船位更新失败，稍后重试（" + err.message + "）";
    }).then(function () { window.setTimeout(poll, POLL_MS); });
  }
  poll();

  // --- side panel -----------------------------------------------------------------------------
  var panel = document.getElementById("vessel-panel");
  var NAV = { 0: "在航（机动）", 1: "锚泊", 2: "失控", 3: "操纵受限", 4: "吃水受限", 5: "系泊",
              6: "搁浅", 7: "捕捞作业", 8: "在航（帆动）", 15: "未说明" };

  function showLast(v) {
    fill(document.getElementById("vp-last"), [
      ["时间", localTime(v.ts)],
      ["位置", v.lat.toFixed(5) + "°N, " + v.lon.toFixed(5) + "°E"],
      ["航速", fmt(v.sog, 1, " 节")],
      ["航向", fmt(v.cog, 1, "°")],
      ["艏向", v.heading === null ? "—" : v.heading + "°"],
      ["航行状态", NAV[v.nav_status] || ""],
      ["接收站", v.receivers || ""]
    ]);
  }

  function select(mmsi) {
    var prev = selected;
    selected = mmsi;
    [prev, mmsi].forEach(function (k) {
      if (k !== null && markers.has(k)) { markers.get(k).setIcon(makeIcon(vesselsByMmsi.get(k))); decorate(markers.get(k), vesselsByMmsi.get(k)); }
    });
  }

  function openVessel(mmsi) {
    select(mmsi);
    clearTrack();
    return getJSON("/api/map/vessels/" + mmsi).then(function (d) {
      panel.hidden = false;
      panel.dataset.mmsi = mmsi;
      document.getElementById("vp-title").textContent = d.name || (d.registry && d.registry.name) || ("MMSI " + mmsi);
      var kind = document.getElementById("vp-kind");
      kind.textContent = "";
      if (d.kind) {
        kind.appendChild(el("span", { "class": "swatch kind-" + d.kind }));
        kind.appendChild(el("span", { text: d.kind_label }));
      }
      var s = d.static || {};
      fill(document.getElementById("vp-identity"), [
        ["MMSI", String(mmsi)], ["船名", s.name], ["呼号", s.callsign], ["IMO", s.imo || ""],
        ["船型", s.ship_type_label], ["尺寸", s.length ? s.length + " × " + (s.beam || "?") + " 米" : ""],
        ["目的地", s.destination]
      ]);
      var regBox = document.getElementById("vp-registry-box");
      if (d.registry) {
        var r = d.registry;
        regBox.hidden = false;
        fill(document.getElementById("vp-registry"), [
          ["船籍号", r.registry_no, r.url], ["船名", r.name], ["船籍港", r.home_port],
          ["状态", r.status_label], ["北斗终端", r.beidou_no], ["船东", r.owner ? r.owner + "（" + r.owner_kind + "）" : ""]
        ]);
        document.getElementById("vp-qr").src = r.qr_svg;
        document.getElementById("vp-qr-link").href = r.card_url;
      } else {
        regBox.hidden = true;
      }
      if (d.last) { showLast(d.last); } else { fill(document.getElementById("vp-last"), [["", "近期未收到报文"]]); }
      if (d.last) { map.panTo([d.last.lat, d.last.lon]); }
      return d;
    }).catch(function (err) {
      panel.hidden = false;
      document.getElementById("vp-title").textContent = "无法打开：" + err.message;
    });
  }
  document.getElementById("vp-close").addEventListener("click", function () {
    panel.hidden = true; select(null); clearTrack();
  });

  // --- track and playback ----------------------------------------------------------------------
  var periodSel = document.getElementById("track-period");
  var custom = document.getElementById("track-custom");
  var slider = document.getElementById("track-slider");
  var playBtn = document.getElementById("track-play");
  var trackBox = document.getElementById("track-box");
  var points = [];
  var cursor = null;
  var timer = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localInput(d) {  // a Date as the value of a datetime-local input in Beijing time
    var p = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hour12: false }).formatToParts(d);
    var g = {}; p.forEach(function (x) { g[x.type] = x.value; });
    return g.year + "-" + g.month + "-" + g.day + "T" + pad(+g.hour % 24) + ":" + g.minute;
  }
  periodSel.addEventListener("change", function () {
    custom.hidden = periodSel.value !== "custom";
    if (!custom.hidden && !document.getElementById("track-start").value) {
      var now = new Date();
      document.getElementById("track-end").value = localInput(now);
      document.getElementById("track-start").value = localInput(new Date(now - 24 * 3600e3));
    }
  });

  function clearTrack() {
    trackLayer.clearLayers();
    points = [];
    cursor = null;
    stop();
    trackBox.hidden = true;
  }
  function stop() {
    if (timer) { window.clearInterval(timer); timer = null; }
    playBtn.textContent = "▶ 回放";
  }
  function showAt(i) {
    var p = points[i];
    if (!p) { return; }
    if (!cursor) {
      cursor = L.circleMarker([p[2], p[1]], { radius: 7, color: "#000", weight: 2, fillColor: "#ffeb3b", fillOpacity: 1 }).addTo(trackLayer);
    }
    cursor.setLatLng([p[2], p[1]]);
    document.getElementById("track-at").textContent = localTime(p[0]) + " · " + fmt(p[3], 1, " 节") + " · 航向 " + fmt(p[4], 0, "°");
  }
  slider.addEventListener("input", function () { showAt(+slider.value); });
  playBtn.addEventListener("click", function () {
    if (timer) { stop(); return; }
    if (!points.length) { return; }
    if (+slider.value >= points.length - 1) { slider.value = 0; }
    playBtn.textContent = "⏸ 暂停";
    var step = Math.max(1, Math.round(points.length / 300));
    timer = window.setInterval(function () {
      var i = Math.min(points.length - 1, +slider.value + step);
      slider.value = i; showAt(i);
      if (i >= points.length - 1) { stop(); }
    }, 50);
  });

  document.getElementById("track-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var mmsi = panel.dataset.mmsi;
    if (!mmsi) { return; }
    var qs;
    if (periodSel.value === "custom") {
      qs = "start=" + encodeURIComponent(document.getElementById("track-start").value) +
           "&end=" + encodeURIComponent(document.getElementById("track-end").value);
    } else {
      var end = new Date();
      var start = new Date(end - (+periodSel.value) * 3600e3);
      qs = "start=" + encodeURIComponent(start.toISOString()) + "&end=" + encodeURIComponent(end.toISOString());
    }
    clearTrack();
    var summary = document.getElementById("track-summary");
    trackBox.hidden = false;
    summary.textContent = "正在查询航迹……";
    getJSON("/api/map/track/" + mmsi + "?" + qs).then(function (t) {
      points = t.points;
      if (!points.length) { summary.textContent = "该时段内没有船位记录"; return; }
      var line = L.polyline(points.map(function (p) { return [p[2], p[1]]; }),
                            { color: "#d81b60", weight: 3, opacity: 0.85 }).addTo(trackLayer);
      map.fitBounds(line.getBounds(), { padding: [40, 40], maxZoom: 14 });
      summary.textContent = "航迹 " + t.count + " 个船位（" + localTime(points[0][0]) + " 至 " +
        localTime(points[points.length - 1][0]) + "）" + (t.count > points.length ? "，已抽稀显示 " + points.length + " 个" : "");
      slider.max = String(points.length - 1);
      slider.value = "0";
      showAt(0);
    }).catch(function (err) { summary.textContent = "航迹查询失败：" + err.message; });
  });

  // --- search -----------------------------------------------------------------------------------
  var results = document.getElementById("search-results");
  document.getElementById("map-search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("map-q").value.trim();
    results.textContent = "";
    if (!q) { return; }
    getJSON("/api/map/search?q=" + encodeURIComponent(q)).then(function (data) {
      if (!data.results.length) { results.appendChild(el("li", { text: "没有找到匹配的船舶" })); return; }
      data.results.forEach(function (r) {
        var sub = (r.registry_no && r.registry_no !== r.name ? r.registry_no + " · " : "") +
                  (r.mmsi ? "MMSI " + r.mmsi : "无MMSI") + (r.live ? "" : " · 不在图上");
        var btn = el("button", { type: "button" }, [
          el("span", { "class": "swatch kind-" + r.kind }), el("span", { text: vesselLabel(r) }),
          el("span", { "class": "sub", text: sub })]);
        btn.addEventListener("click", function () {
          if (r.live && r.lat !== undefined) { map.setView([r.lat, r.lon], Math.max(map.getZoom(), 13)); }
          if (r.mmsi) { openVessel(r.mmsi); }
          else if (r.vessel_id) { window.location = "/vessels/" + r.vessel_id; }
        });
        results.appendChild(el("li", {}, [btn]));
      });
    }).catch(function (err) { results.appendChild(el("li", { text: "搜索失败：" + err.message })); });
  });
})();
