// Draws the trend chart from the JSON embedded in the page (no inline script: CSP).
(function () {
  var el = document.getElementById("chart");
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  if (!el || typeof echarts === "undefined") return;
  var chart = echarts.init(el);
  var series = [{ name: data.title, type: data.x.length > 40 ? "line" : "bar", data: data.y,
                  itemStyle: { color: "#1f5fa8" } }];
  if (data.cumulative && data.cumulative.length) {
    series.push({ name: "累计", type: "line", yAxisIndex: 1, data: data.cumulative,
                  itemStyle: { color: "#c0392b" }, smooth: true });
  }
  chart.setOption({
    title: { text: data.title, left: "center" },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 60, right: 60, bottom: 60 },
    xAxis: { type: "category", data: data.x },
    yAxis: [{ type: "value", name: data.unit }, { type: "value", name: "累计", show: series.length > 1 }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
})();
