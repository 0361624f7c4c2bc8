// Public portal: the budget treemap (agency → program) and the cumulative realization curve.
(function () {
  function data() {
    const el = document.getElementById("portal-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function money(value) {
    const id = document.documentElement.lang === "id";
    const big = Math.abs(value) >= 1e9 || value === 0;
    const text = (value / (big ? 1e9 : 1e6)).toFixed(big ? 1 : 0);
    const unit = big ? (id ? " M" : " bn") : (id ? " jt" : " mn");
    return "Rp " + (id ? text.replace(".", ",") : text) + unit;
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
  function pct(v) {
    return v == null ? "—" : (document.documentElement.lang === "id" ? v.toFixed(1).replace(".", ",") : v.toFixed(1)) + " %";
  }
  function drawAbsorption() {
    const d = data();
    const select = document.getElementById("absorption-opd");
    const el = document.getElementById("budget-absorption");
    if (!d || !d.absorption || !select || !el || !window.echarts) return;
    const c = echarts.getInstanceByDom(el) || echarts.init(el);
    const s = d.absorption[select.value];
    if (!s) return;
    const months = s.plan.map((_, i) => i + 1);
    c.setOption({
      animation: false,
      color: ["#7a8b91", "#0b6e4f", "#f2a93b"],
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { bottom: 0 },
      grid: { left: 50, right: 20, top: 20, bottom: 50 },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value} %" } },
      series: [
        { name: d.labels.linear, type: "line", data: months.map(m => Math.round(10000 * m / 12) / 100), lineStyle: { type: "dashed" }, symbol: "none" },
        { name: d.labels.realized, type: "line", data: s.realized, connectNulls: false },
        { name: d.labels.plan, type: "line", data: s.plan },
      ],
    }, true);
    if (!select.dataset.bound) {
      select.dataset.bound = "1";
      select.addEventListener("change", drawAbsorption);
      window.addEventListener("resize", () => c.resize());
    }
  }
  function drawStunting() {
    const d = data();
    if (!d || !d.kecamatan) return;
    const c = chart("budget-stunting");
    if (!c) return;
    c.setOption({
      animation: false,
      color: ["#0b6e4f", "#c0392b"],
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 70, right: 50, top: 20, bottom: 110 },
      xAxis: { type: "category", data: d.kecamatan.names, axisLabel: { rotate: 60, fontSize: 10 } },
      yAxis: [{ type: "value", axisLabel: { formatter: v => money(v) } },
              { type: "value", axisLabel: { formatter: "{value} %" } }],
      series: [
        { name: d.labels.stunting, type: "bar", data: d.kecamatan.spent, tooltip: { valueFormatter: v => (v == null ? "—" : money(v)) } },
        { name: d.labels.stunting_rate, type: "line", yAxisIndex: 1, data: d.kecamatan.rate, tooltip: { valueFormatter: pct } },
      ],
    });
  }
  function drawVillage() {
    const el = document.getElementById("village-data");
    if (!el) return;
    const d = JSON.parse(el.textContent);
    const c = chart("village-chart");
    if (!c) return;
    c.setOption({
      animation: false,
      color: ["#9fb8ad", "#0b6e4f"],
      tooltip: { trigger: "axis", valueFormatter: v => (v == null ? "—" : money(v)) },
      legend: { bottom: 0 },
      grid: { left: 10, right: 20, top: 10, bottom: 40, containLabel: true },
      xAxis: { type: "value", splitNumber: 3, axisLabel: { formatter: v => money(v), hideOverlap: true } },
      yAxis: { type: "category", data: d.names, axisLabel: { fontSize: 11 } },
      series: [{ name: d.labels.budget, type: "bar", data: d.budget }, { name: d.labels.spent, type: "bar", data: d.spent }],
    });
  }
  function drawMore() { drawAbsorption(); drawStunting(); drawVillage(); }
  document.addEventListener("DOMContentLoaded", drawMore);
  document.addEventListener("htmx:afterSettle", drawMore);
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
