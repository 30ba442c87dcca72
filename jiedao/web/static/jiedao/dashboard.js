// The leaders' dashboard: ECharts charts and the Leaflet heat map drawn from the page's JSON scripts, each bar,
// slice, point and grid a link to the cases behind it; the 大屏 mode (body.dash-screen) reloads itself.
(function () {
  "use strict";
  var SHADES = ["#f1f5f9", "#fde68a", "#f97316", "#b91c1c"];
  var dark = false;
  function data(el, attr) {
    var source = document.getElementById(el.getAttribute(attr || "data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }
  function textColor() { return dark ? "#cbd5e1" : "#334155"; }
  function follow(urls) {
    return function (params) { var url = urls && urls[params.dataIndex]; if (url) { window.location.href = url; } };
  }
  function draw(el, option, urls) {
    var chart = echarts.init(el, dark ? "dark" : null);
    option.backgroundColor = "transparent";
    option.animation = false;
    chart.setOption(option);
    if (urls) { chart.on("click", follow(urls)); }
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  var renderers = {
    volume: function (el, d) {
      draw(el, {
        tooltip: { trigger: "axis" },
        grid: { left: 48, right: 16, top: 24, bottom: 48 },
        xAxis: { type: "category", data: d.labels, axisLabel: { color: textColor() } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { color: textColor() } },
        series: [{ name: d.series, type: "bar", data: d.values, itemStyle: { color: "#3b82f6" }, barMaxWidth: 36 }]
      }, d.urls);
    },
    trend: function (el, d) {
      draw(el, {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
        legend: { top: 0, textStyle: { color: textColor() } },
        grid: { left: 48, right: 16, top: 40, bottom: 40 },
        xAxis: { type: "category", data: d.labels, axisLabel: { color: textColor() } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: textColor() } },
        series: d.series.map(function (s) {
          return { name: s.name, type: "line", data: s.values, connectNulls: true, symbolSize: 6 };
        })
      });
    },
    bars: function (el, d) {
      draw(el, {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1, axisLabel: { color: textColor() } },
        yAxis: { type: "category", inverse: true, data: d.labels, axisLabel: { color: textColor(), width: 110, overflow: "truncate" } },
        series: [{ type: "bar", data: d.values, itemStyle: { color: "#0ea5e9" }, barMaxWidth: 22,
                   label: { show: true, position: "right", color: textColor() } }]
      }, d.urls);
    },
    pie: function (el, d) {
      draw(el, {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0, textStyle: { color: textColor() } },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
                   label: { color: textColor(), formatter: "{b} {c}" },
                   data: d.labels.map(function (label, i) { return { name: label, value: d.values[i] }; }) }]
      }, d.urls);
    }
  };
  function shade(count, most) {
    if (!count) { return SHADES[0]; }
    var step = most <= 1 ? 3 : Math.min(3, 1 + Math.floor(2 * (count - 1) / (most - 1) + 0.0001));
    return SHADES[step];
  }
  function heatMap(el) {
    var layerData = data(el), config = data(el, "data-config") || {};
    if (!layerData || typeof L === "undefined") { return; }
    var most = 0;
    layerData.features.forEach(function (f) { most = Math.max(most, f.properties.count); });
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!config.tileUrl });
    if (config.tileUrl) { L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map); }
    var layer = L.geoJSON(layerData, {
      style: function (f) {
        return { color: dark ? "#334155" : "#64748b", weight: 1, fillOpacity: 0.8, fillColor: shade(f.properties.count, most) };
      },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(f.properties.name + "：" + f.properties.count);
        lyr.on("click", function () { if (f.properties.url) { window.location.href = f.properties.url; } });
      }
    }).addTo(map);
    el.setAttribute("data-features", String(layerData.features.length));
    if (layerData.features.length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); } else { map.setView([30, 120], 4); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    dark = document.body.classList.contains("dash-screen");
    if (typeof echarts !== "undefined") {
      document.querySelectorAll("[data-dash-chart]").forEach(function (el) {
        var render = renderers[el.getAttribute("data-dash-chart")], d = data(el);
        if (render && d) { render(el, d); el.setAttribute("data-rendered", "1"); }
      });
    }
    document.querySelectorAll("[data-dash-map]").forEach(function (el) { heatMap(el); el.setAttribute("data-rendered", "1"); });
    var refresh = parseInt(document.body.getAttribute("data-refresh-seconds") || "0", 10);
    if (dark && refresh > 0) { window.setTimeout(function () { window.location.reload(); }, refresh * 1000); }
  });
})();
