// Renders the charts declared in the page: <div data-chart=... data-chart-source=ID> + a JSON script.
(function () {
  "use strict";
  function householdsByChild(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [data.seriesHouseholds, data.seriesGrids] },
      grid: { left: 48, right: 48, bottom: 80, top: 40 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40, interval: 0 } },
      yAxis: [{ type: "value", name: data.seriesHouseholds }, { type: "value", name: data.seriesGrids }],
      series: [
        { name: data.seriesHouseholds, type: "bar", data: data.households, itemStyle: { color: "#3b82f6" } },
        { name: data.seriesGrids, type: "line", yAxisIndex: 1, data: data.grids, itemStyle: { color: "#f59e0b" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var renderers = { "households-by-child": householdsByChild };
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart-source"));
      var render = renderers[el.getAttribute("data-chart")];
      if (source && render) { render(el, JSON.parse(source.textContent)); el.setAttribute("data-rendered", "1"); }
    });
  });
})();
