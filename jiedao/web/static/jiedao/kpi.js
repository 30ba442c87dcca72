// The KPI page's bar chart: <div data-kpi-chart=... data-chart-source=ID> + a JSON script with
// {series, labels, values} (composite scores in percent, in ranking order).
(function () {
  "use strict";
  function composite(el, data) {
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      legend: { data: [data.series] },
      grid: { left: 48, right: 24, bottom: 80, top: 40 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ name: data.series, type: "bar", data: data.values, barMaxWidth: 48, itemStyle: { color: "#3b82f6" },
                 label: { show: true, position: "top", formatter: "{c}%" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var renderers = { composite: composite };
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-kpi-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart-source"));
      var render = renderers[el.getAttribute("data-kpi-chart")];
      if (source && render) { render(el, JSON.parse(source.textContent)); el.setAttribute("data-rendered", "1"); }
    });
  });
})();
