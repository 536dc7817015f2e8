/* The bar chart of an indicator's children with the threshold line, fed by /indicators/<code>/chart.json.
   Units without data are left out of the bars and named under the chart (no data is never drawn as 0). */
(function () {
  "use strict";
  var OK = "#1d4f91", BAD = "#b42318", LINE = "#d97706";

  function draw(el) {
    if (el.dataset.drawn || typeof window.echarts === "undefined") return;
    el.dataset.drawn = "1";
    fetch(el.dataset.indicatorSrc, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var labels = [], values = [], missing = [];
        data.values.forEach(function (v, i) {
          if (v === null) { missing.push(data.labels[i]); return; }
          labels.push(data.labels[i]);
          values.push({ value: v, itemStyle: { color: data.met[i] === false ? BAD : OK } });
        });
        var note = document.getElementById(el.dataset.missingTarget || "");
        if (note && missing.length) note.textContent = (el.dataset.missingLabel || "") + missing.join("、");
        if (!values.length) {
          el.innerHTML = "";
          var p = document.createElement("div");
          p.className = "chart-empty";
          p.textContent = el.dataset.empty || "—";
          el.appendChild(p);
          return;
        }
        var series = { name: data.name, type: "bar", data: values, label: { show: true, position: "top" } };
        if (data.threshold !== null) {
          series.markLine = { symbol: "none", lineStyle: { color: LINE, type: "dashed" },
                              label: { formatter: (el.dataset.thresholdLabel || "") + data.threshold },
                              data: [{ yAxis: data.threshold }] };
        }
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
          xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
          yAxis: { type: "value", name: data.unit || "" },
          series: [series]
        });
        window.addEventListener("resize", function () { chart.resize(); });
      })
      .catch(function () { el.textContent = el.dataset.empty || "—"; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-indicator-src]").forEach(draw);
  });
})();
