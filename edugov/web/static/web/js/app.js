/* Small enhancements on top of server-rendered pages: auto-submitting selects and ECharts charts fed by the
   JSON endpoints. Every page works without this file, except that charts are not drawn. */
(function () {
  "use strict";

  function autosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.bound) return;
      select.dataset.bound = "1";
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  var WARN = "#d97706", DANGER = "#b42318", BRAND = "#1d4f91", FEMALE = "#c2417a";

  function showEmpty(el) {
    el.innerHTML = "";
    var p = document.createElement("div");
    p.className = "chart-empty";
    p.textContent = el.dataset.empty || "—";
    el.appendChild(p);
  }

  function studentsOption(data) {
    var stacked = data.series.length > 1;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: stacked ? { top: 0 } : undefined,
      grid: { left: 8, right: 16, top: stacked ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "bar", stack: stacked ? "total" : undefined, data: s.data,
                 itemStyle: { color: i === 1 ? FEMALE : BRAND } };
      })
    };
  }

  function classSizesOption(data, el) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        name: el.dataset.series || "", type: "bar",
        data: data.counts.map(function (n, i) {
          var level = data.levels[i];
          var color = level === data.thresholds[1] ? DANGER : (level === data.thresholds[0] ? WARN : BRAND);
          return { value: n, itemStyle: { color: color } };
        }),
        label: { show: true, position: "top" }
      }]
    };
  }

  function drawCharts(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll(".chart[data-src]").forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      fetch(el.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          var total = el.dataset.chart === "class-sizes"
            ? data.counts.reduce(function (a, b) { return a + b; }, 0)
            : data.series.reduce(function (a, s) { return a + s.data.length; }, 0);
          if (!total) { showEmpty(el); return; }
          var chart = window.echarts.init(el);
          chart.setOption(el.dataset.chart === "class-sizes" ? classSizesOption(data, el) : studentsOption(data));
          window.addEventListener("resize", function () { chart.resize(); });
        })
        .catch(function () { showEmpty(el); });
    });
  }

  function enhance(root) { autosubmit(root); drawCharts(root); }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
