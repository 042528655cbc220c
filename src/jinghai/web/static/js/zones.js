// Zones page: every zone on a Leaflet map, coloured by kind (no base tiles needed offline).
(function () {
  "use strict";
  var COLOURS = { jurisdiction: "#90a4ae", port: "#1565c0", berth: "#0d47a1", anchorage: "#00897b",
    international_anchorage: "#00695c", restricted: "#c62828", landing_point: "#ef6c00" };
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("zonemap") || typeof L === "undefined") return;
    var map = L.map("zonemap").setView([29.9, 121.95], 10);
    fetch("/api/zones?all=1", { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (fc) {
        var layer = L.geoJSON(fc, {
          style: function (f) { var c = COLOURS[f.properties.kind] || "#78909c";
            return { color: c, weight: 1, fillOpacity: f.properties.kind.indexOf("layer_") === 0 ? 0.03 : 0.2 }; },
          pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 5, color: COLOURS.landing_point }); },
          onEachFeature: function (f, l) {
            var p = f.properties;
            // Text nodes only: a zone's name or person is data, never markup.
            var box = document.createElement("div");
            box.appendChild(document.createTextNode(p.name + "（" + p.kind_label + "）"));
            box.appendChild(document.createElement("br"));
            box.appendChild(document.createTextNode((p.sub_district || "") + " " + (p.responsible_person || "")));
            l.bindPopup(box);
          }
        }).addTo(map);
        if (fc.features.length) map.fitBounds(layer.getBounds());
      });
    drawing(map);
  });

  // Drawing a new zone: click vertices (polygon) or one point (landing point); the shape
  // goes into the form as GeoJSON (lon, lat), where the server checks it like an import.
  function drawing(map) {
    var field = document.getElementById("draw-geometry");
    if (!field) return;
    var status = document.getElementById("draw-status");
    var mode = null, points = [], shape = null;
    function redraw() {
      if (shape) { map.removeLayer(shape); shape = null; }
      if (!points.length) { field.value = ""; status.textContent = mode ? "请在地图上点击" : ""; return; }
      if (mode === "point") {
        shape = L.circleMarker(points[0], { radius: 7, color: "#ef6c00" }).addTo(map);
        field.value = JSON.stringify({ type: "Point", coordinates: [points[0].lng, points[0].lat] });
        status.textContent = "已放置登陆点";
        return;
      }
      shape = (points.length > 2 ? L.polygon(points, { color: "#c62828", weight: 2 })
                                 : L.polyline(points, { color: "#c62828", dashArray: "4 4" })).addTo(map);
      if (points.length > 2) {
        var ring = points.map(function (p) { return [p.lng, p.lat]; });
        ring.push(ring[0]);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else { field.value = ""; }
      status.textContent = "已画 " + points.length + " 个顶点" + (points.length < 3 ? "（至少三个）" : "");
    }
    function start(m) { mode = m; points = []; redraw(); map.getContainer().style.cursor = "crosshair"; }
    document.getElementById("draw-polygon").addEventListener("click", function () { start("polygon"); });
    document.getElementById("draw-point").addEventListener("click", function () {
      start("point"); document.getElementById("draw-kind").value = "landing_point"; });
    document.getElementById("draw-undo").addEventListener("click", function () { points.pop(); redraw(); });
    document.getElementById("draw-clear").addEventListener("click", function () { start(null); map.getContainer().style.cursor = ""; });
    map.on("click", function (e) {
      if (!mode) return;
      if (mode === "point") points = [e.latlng]; else points.push(e.latlng);
      redraw();
    });
  }
})();
