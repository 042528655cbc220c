// Patrol maps: a mission's track and check-ins, and the coverage map (effort per cell,
// AIS density, landing points by days since their last check-in). No base tiles needed:
// the coastline comes from the server.
(function () {
  "use strict";
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); });
  }
  function base(id) {
    var map = L.map(id).setView([29.9, 121.95], 10);
    getJSON("/api/map/coastline.geojson").then(function (g) {
      L.geoJSON(g, { interactive: false, style: { color: "#8a7650", weight: 1, fillColor: "#efe6cf", fillOpacity: 1 } }).addTo(map);
    });
    return map;
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    var pm = document.getElementById("patrolmap");
    if (pm) {
      var map = base("patrolmap");
      getJSON(pm.dataset.geojson).then(function (fc) {
        var layer = L.geoJSON(fc, {
          style: function (f) { return f.properties.kind === "planned" ? { color: "#888", dashArray: "4", weight: 1, fillOpacity: 0.05 } : { color: "#1565c0", weight: 3 }; },
          pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 7, color: "#ef6c00", fillOpacity: 0.9, className: "checkin-marker" }); },
          onEachFeature: function (f, l) { if (f.properties.kind === "checkin") l.bindPopup("打卡 " + new Date(f.properties.at).toLocaleString("zh-CN")); }
        }).addTo(map);
        var b = layer.getBounds();
        if (b.isValid()) map.fitBounds(b.pad(0.3));
        pm.dataset.features = String(fc.features.length);
      });
    }
    var cm = document.getElementById("covermap");
    if (cm) {
      var cmap = base("covermap");
      getJSON(cm.dataset.api).then(function (d) {
        var cell = d.cell_deg;
        var dens = L.layerGroup(), effort = L.layerGroup(), lps = L.layerGroup();
        var maxD = Math.max.apply(null, [1].concat(d.density.map(function (c) { return c.positions; })));
        d.density.forEach(function (c) {
          L.rectangle([[c.lat, c.lon], [c.lat + cell, c.lon + cell]], { stroke: false, fillColor: "#555", fillOpacity: 0.1 + 0.5 * c.positions / maxD })
            .bindTooltip("AIS 船位 " + c.positions).addTo(dens);
        });
        var maxH = Math.max.apply(null, [0.1].concat(d.effort.map(function (c) { return c.hours; })));
        d.effort.forEach(function (c) {
          L.rectangle([[c.lat, c.lon], [c.lat + cell, c.lon + cell]], { stroke: false, fillColor: "#1565c0", fillOpacity: 0.15 + 0.6 * c.hours / maxH })
            .bindTooltip("巡航 " + c.hours + " 小时").addTo(effort);
        });
        d.landing_points.forEach(function (p) {
          L.circleMarker([p.lat, p.lon], { radius: 7, color: p.overdue ? "#c62828" : "#2e7d32", fillOpacity: 0.9 })
            .bindPopup(p.name + "（" + p.subtype + "）<br>" + (p.unit || p.sub_district) + (p.responsible_person ? " · " + p.responsible_person : "") +
              "<br>" + (p.days_since === null ? "从未打卡" : "距上次打卡 " + p.days_since + " 天") + "，要求 " + p.required_days + " 天")
            .addTo(lps);
        });
        var gaps = L.layerGroup();
        (d.blind_spots || []).forEach(function (c) {
          L.rectangle([[c.lat, c.lon], [c.lat + cell, c.lon + cell]], { color: "#c62828", weight: 2, fill: false, dashArray: "4", className: "blind-spot" })
            .bindTooltip("盲区：AIS 船位 " + c.positions + "，期间无巡航").addTo(gaps);
        });
        var list = document.getElementById("blind-spots");
        if (list) {
          list.innerHTML = "";
          (d.blind_spots || []).forEach(function (c) {
            var li = document.createElement("li");
            li.textContent = (c.lat + cell / 2).toFixed(3) + "N " + (c.lon + cell / 2).toFixed(3) + "E：AIS 船位 " + c.positions + " 个，期间无巡航";
            list.appendChild(li);
          });
          if (!d.blind_spots || !d.blind_spots.length) list.innerHTML = "<li>没有发现：船舶交通较多的网格都有巡航</li>";
        }
        dens.addTo(cmap); effort.addTo(cmap); lps.addTo(cmap); gaps.addTo(cmap);
        L.control.layers(null, { "船舶交通密度（AIS）": dens, "巡航力量（小时）": effort, "登陆点": lps, "盲区": gaps }).addTo(cmap);
      });
    }
  });
})();
