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
            l.bindPopup(p.name + "（" + p.kind_label + "）<br>" + (p.sub_district || "") + " " + (p.responsible_person || ""));
          }
        }).addTo(map);
        if (fc.features.length) map.fitBounds(layer.getBounds());
      });
  });
})();
