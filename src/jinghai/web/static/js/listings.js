// Listed places (挂牌整治) on the map of /supervision/listings, from /api/supervision/listings.
(function () {
  const el = document.getElementById("listingmap");
  if (!el || typeof L === "undefined") return;
  const map = L.map(el).setView([29.9, 121.95], 11);
  const tiles = el.dataset.tiles;
  if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(map);
  // the coastline from the sea picture, so the points have a place without tiles (offline)
  fetch("/api/map/coastline.geojson", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((g) => {
      if (g) L.geoJSON(g, { interactive: false, style: { color: "#8a7650", weight: 1,
        fillColor: "#efe6cf", fillOpacity: tiles ? 0 : 1 } }).addTo(map).bringToBack();
    })
    .catch(() => {});
  fetch(el.dataset.src, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((geo) => {
      const layer = L.geoJSON(geo, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 8, color: "#c62828", fillOpacity: 0.7 }),
        onEachFeature: (f, l) => {
          const p = f.properties;
          const a = document.createElement("a");
          a.href = p.link;
          a.textContent = p.name;
          const div = document.createElement("div");
          div.append(a, document.createElement("br"), `${p.unit} · 时限 ${p.deadline}`);
          l.bindPopup(div);
          l.bindTooltip(p.name);
        },
      }).addTo(map);
      if (geo.features.length) map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 13 });
      el.dataset.count = String(geo.features.length);
    });
})();
