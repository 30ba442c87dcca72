// The hot-spot page: five-week sparklines (ECharts) and the office's grids coloured by the chosen hot spot's cases
// (Leaflet on a blank base). Data comes from data attributes and JSON scripts; htmx swaps re-run init on the new part.
(function () {
  "use strict";
  var SHADES = ["#f1f5f9", "#fecaca", "#f87171", "#b91c1c"];
  function shade(count, most) {
    if (!count) { return SHADES[0]; }
    var step = most <= 1 ? 3 : Math.min(3, 1 + Math.floor(2 * (count - 1) / (most - 1) + 0.0001));
    return SHADES[step];
  }
  function sparkline(el) {
    if (typeof echarts === "undefined") { return; }
    var values = (el.getAttribute("data-values") || "").split(",").map(Number);
    var weeks = (el.getAttribute("data-weeks") || "").split(",");
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 6, bottom: 2 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: weeks, show: false },
      yAxis: { type: "value", show: false, min: 0 },
      series: [{ type: "line", data: values, symbolSize: 4, lineStyle: { color: "#dc2626" }, itemStyle: { color: "#dc2626" },
                 areaStyle: { color: "rgba(220,38,38,0.12)" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function hotMap(el) {
    if (typeof L === "undefined") { return; }
    var source = document.getElementById(el.getAttribute("data-layer-source"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var most = 0;
    data.features.forEach(function (f) { most = Math.max(most, f.properties.count); });
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    var layer = L.geoJSON(data, {
      style: function (f) {
        return { color: "#64748b", weight: 1, fillOpacity: 0.75, fillColor: shade(f.properties.count, most) };
      },
      onEachFeature: function (f, lyr) { lyr.bindTooltip(f.properties.name + "：" + f.properties.count); }
    }).addTo(map);
    el.setAttribute("data-features", String(data.features.length));
    if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
    else { map.setView([30, 120], 4); }
  }
  function init(root) {
    root.querySelectorAll("[data-sparkline]:not([data-rendered])").forEach(function (el) {
      sparkline(el); el.setAttribute("data-rendered", "1");
    });
    root.querySelectorAll("[data-hotspot-map]:not([data-rendered])").forEach(function (el) {
      hotMap(el); el.setAttribute("data-rendered", "1");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.body.addEventListener("htmx:afterSettle", function (ev) {
      var chosen = ev.detail.elt.querySelector("[data-hotspot]");
      if (chosen) {
        document.querySelectorAll(".hot-cards .card").forEach(function (card) {
          card.classList.toggle("chosen", card.getAttribute("data-hotspot") === chosen.getAttribute("data-hotspot"));
        });
      }
      init(ev.detail.elt);
    });
  });
})();
