/* Place names on a Leaflet map: islands, ports, waters from the shipped gazetteer and the
   names of zones, each shown from its own zoom level on. Names are data: set as text,
   never as HTML. Used by the live map, the alert replay and the public tip-off page. */
(function () {
  "use strict";
  //: the least zoom at which a zone of each kind is named (zones carry no min_zoom)
  var ZONE_ZOOM = { port: 11, anchorage: 11, international_anchorage: 10, restricted: 12,
                    landing_point: 13, berth: 14 };

  function labelMarker(name, kind, latlng) {
    var span = document.createElement("span");
    span.textContent = name;
    var icon = L.divIcon({ className: "place-label place-" + String(kind).replace(/[^a-z_]/g, ""),
                           html: span, iconSize: null });
    return L.marker(latlng, { icon: icon, interactive: false, keyboard: false });
  }

  function Labels(map) {
    this.map = map;
    this.items = [];
    this.layer = L.layerGroup().addTo(map);
    var self = this;
    map.on("zoomend load", function () { self.refresh(); });
  }
  Labels.prototype.add = function (name, kind, latlng, minZoom) {
    if (!name) { return; }
    this.items.push({ marker: labelMarker(name, kind, latlng), minZoom: minZoom || 0 });
    this.refresh();
  };
  Labels.prototype.addGazetteer = function (fc) {
    var self = this;
    (fc.features || []).forEach(function (f) {
      var c = f.geometry.coordinates, p = f.properties;
      self.add(p.name, p.kind, [c[1], c[0]], p.min_zoom);
    });
  };
  Labels.prototype.addZones = function (fc) {
    var self = this;
    L.geoJSON(fc).eachLayer(function (layer) {
      var p = layer.feature.properties, zoom = ZONE_ZOOM[p.kind];
      if (zoom === undefined) { return; }
      var at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
      self.add(p.name, p.kind, at, zoom);
    });
  };
  Labels.prototype.refresh = function () {
    var z = this.map.getZoom(), layer = this.layer;
    if (z === undefined || isNaN(z)) { return; }  // no view yet: "load" calls again
    this.items.forEach(function (it) {
      var shown = layer.hasLayer(it.marker);
      if (z >= it.minZoom && !shown) { layer.addLayer(it.marker); }
      if (z < it.minZoom && shown) { layer.removeLayer(it.marker); }
    });
  };

  window.JinghaiPlaces = {
    attach: function (map, gazetteerUrl) {
      var labels = new Labels(map);
      fetch(gazetteerUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(function (fc) { labels.addGazetteer(fc); })
        .catch(function () {});
      return labels;
    }
  };
})();
