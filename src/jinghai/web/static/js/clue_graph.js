// Draws the clue graph from the JSON embedded in the page (no inline script: CSP).
(function () {
  var el = document.getElementById("graph");
  var src = document.getElementById("graph-data");
  if (!el || !src || typeof echarts === "undefined") return;
  var data = JSON.parse(src.textContent);
  var colours = ["#1f5fa8", "#c0392b", "#e67e22", "#16a085", "#8e44ad", "#7f8c8d", "#2c3e50"];
  var nodes = data.nodes.map(function (n) {
    return { id: n.id, name: n.name, category: n.category, clue_id: n.clue_id,
             symbolSize: n.category === 0 ? 26 : (n.focus ? 30 : 16),
             itemStyle: n.focus ? { borderColor: "#000", borderWidth: 3 } : undefined,
             label: { show: true } };
  });
  var edges = data.edges.map(function (e) {
    return { source: e.source, target: e.target,
             lineStyle: e.kind === "link" ? { width: 3, color: "#c0392b" } : { type: "dashed" },
             label: e.kind === "link" ? { show: true, formatter: "串并 " + (e.value || "") } : undefined };
  });
  var labels = { clue: "线索", person: "人员", phone: "电话", vessel: "船舶", vehicle: "车辆",
                 organisation: "单位", place: "地点" };
  var chart = echarts.init(el);
  chart.setOption({
    color: colours,
    tooltip: {},
    legend: [{ data: data.categories.map(function (c) { return labels[c.name] || c.name; }) }],
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true,
      force: { repulsion: 220, edgeLength: [60, 140] },
      categories: data.categories.map(function (c) { return { name: labels[c.name] || c.name }; }),
      data: nodes, links: edges
    }]
  });
  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.clue_id) { window.location.href = "/clues/" + p.data.clue_id; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
})();
