// Public portal: the budget treemap (agency → program) and the cumulative realization curve.
(function () {
  function data() {
    const el = document.getElementById("portal-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function money(value) {
    const text = (value / 1e9).toFixed(1);
    return document.documentElement.lang === "id" ? "Rp " + text.replace(".", ",") + " M" : "Rp " + text + " bn";
  }
  function chart(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts || el.dataset.drawn) return null;
    el.dataset.drawn = "1";
    const c = echarts.init(el);
    window.addEventListener("resize", () => c.resize());
    return c;
  }
  function draw() {
    const d = data();
    if (!d) return;
    const tree = chart("budget-treemap");
    if (tree) {
      tree.setOption({
        animation: false,
        tooltip: { formatter: p => p.name + ": " + money(p.value) },
        series: [{ type: "treemap", data: d.treemap, leafDepth: 1, roam: false, breadcrumb: { show: true },
                   label: { show: true, formatter: "{b}" }, upperLabel: { show: true, height: 22 },
                   levels: [{ itemStyle: { borderColor: "#fff", borderWidth: 2, gapWidth: 2 } },
                            { itemStyle: { borderColor: "#e6ecef", borderWidth: 1, gapWidth: 1 } }] }],
      });
    }
    const curve = chart("budget-curve");
    if (curve) {
      curve.setOption({
        animation: false,
        color: ["#7a8b91", "#0b6e4f", "#f2a93b"],
        tooltip: { trigger: "axis", valueFormatter: v => (v == null ? "—" : money(v)) },
        legend: { bottom: 0 },
        grid: { left: 70, right: 20, top: 20, bottom: 50 },
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", axisLabel: { formatter: v => money(v) } },
        series: [
          { name: d.labels.linear, type: "line", data: d.linear, lineStyle: { type: "dashed" }, symbol: "none" },
          { name: d.labels.realized, type: "line", data: d.realized, connectNulls: false },
          { name: d.labels.plan, type: "line", data: d.plan },
        ],
      });
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
