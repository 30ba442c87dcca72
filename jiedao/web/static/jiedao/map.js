// The grid map: communities and grids as polygons on a blank base (tiles only when configured).
(function () {
  "use strict";
  var COLOURS = {
    community: "#2563eb", village: "#16a34a", comprehensive: "#f59e0b", dedicated: "#db2777"
  };
  function style(feature) {
    var p = feature.properties;
    var isGrid = p.level === "grid";
    return {
      color: COLOURS[p.kind] || "#64748b",
      weight: isGrid ? 1 : 3,
      fillOpacity: isGrid ? 0.25 : 0.05,
      fillColor: COLOURS[p.kind] || "#64748b"
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    var config = JSON.parse(document.getElementById("map-config").textContent);
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!config.tileUrl });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
    }
    var panel = document.getElementById("place-panel");
    var gridLabels = [];
    fetch(config.layerUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // Communities underneath, grids on top so their clicks win.
        data.features.sort(function (a, b) { return (a.properties.level === "grid") - (b.properties.level === "grid"); });
        var layer = L.geoJSON(data, {
          style: style,
          onEachFeature: function (feature, lyr) {
            var p = feature.properties;
            var label = L.tooltip({ permanent: true, direction: "center", className: "map-label " + p.level })
              .setContent(p.name);
            lyr.bindTooltip(label);
            if (p.level === "grid") { gridLabels.push(lyr); }
            lyr.on("click", function (ev) {
              L.DomEvent.stopPropagation(ev);
              htmx.ajax("GET", config.cardUrl.replace("{id}", p.id), { target: panel, swap: "innerHTML" });
            });
          }
        }).addTo(map);
        el.setAttribute("data-features", String(data.features.length));
        if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        else { map.setView([30, 120], 4); }
        var toggleLabels = function () {
          var show = map.getZoom() >= 15 || gridLabels.length <= 12;
          gridLabels.forEach(function (lyr) { if (show) { lyr.openTooltip(); } else { lyr.closeTooltip(); } });
        };
        map.on("zoomend", toggleLabels);
        toggleLabels();
      });
  });
})();
