// Living Lab: radar of aspect indices, ranking bars, per-indicator bars, and the live index on the form.
(function () {
  const COLOURS = ["#0b6e4f", "#f2a93b", "#7a8b91", "#3c78d8"];
  function data() {
    const el = document.getElementById("spbe-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function number(value) {
    const text = value.toFixed(2);
    return document.documentElement.lang === "id" ? text.replace(".", ",") : text;
  }
  function short(name) {
    const text = name.replace(" Berbasis Elektronik", "").replace("Teknologi Informasi dan Komunikasi", "TIK");
    return text.length > 26 ? text.slice(0, 25) + "…" : text;
  }
  function chart(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts || el.dataset.drawn) return null;
    el.dataset.drawn = "1";
    const c = echarts.init(el);
    c.setOption({ animation: false });
    window.addEventListener("resize", () => c.resize());
    return c;
  }
  function draw() {
    const d = data();
    if (!d) return;
    const radar = d.series && d.series.length ? chart("spbe-radar") : null;
    if (radar) {
      radar.setOption({
        color: COLOURS,
        tooltip: {},
        legend: { bottom: 0 },
        radar: { radius: "58%", indicator: d.aspects.map(a => ({ name: a.id + " " + short(a.name), max: 5 })),
                 axisName: { color: "#1d2a30", fontSize: 11 } },
        series: [{ type: "radar", data: d.series.map(s => ({ name: s.name, value: s.values, areaStyle: { opacity: 0.12 } })) }],
      });
    }
    const rank = d.ranking && d.ranking.length ? chart("spbe-rank") : null;
    if (rank) {
      rank.setOption({
        grid: { left: 170, right: 30, top: 10, bottom: 25 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value", min: 0, max: 5 },
        yAxis: { type: "category", data: d.ranking.map(r => r.name), axisLabel: { fontSize: 11 } },
        series: [{ type: "bar", label: { show: true, position: "right", formatter: p => number(p.value) },
                   data: d.ranking.map(r => ({ value: r.index, itemStyle: { color: r.own ? "#f2a93b" : "#0b6e4f" } })) }],
      });
    }
    const bars = d.levels && d.levels.length ? chart("spbe-bars") : null;
    if (bars) {
      bars.setOption({
        color: COLOURS, tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        grid: { left: 30, right: 10, top: 10, bottom: 50 },
        xAxis: { type: "category", data: d.indicators, axisLabel: { fontSize: 10, interval: 0 } },
        yAxis: { type: "value", min: 0, max: 5, interval: 1 },
        series: d.levels.map(s => ({ type: "bar", name: s.name, data: s.values })),
      });
    }
  }
  function live() {
    const box = document.getElementById("spbe-live");
    const form = document.getElementById("spbe-form");
    if (!box || !form || form.dataset.live) return;
    form.dataset.live = "1";
    let latest = 0;  // answers may come back out of order: only the last change's answer is shown
    form.addEventListener("change", async (event) => {
      if (!event.target.classList.contains("spbe-level")) return;
      const asked = ++latest;
      const levels = {};
      form.querySelectorAll("select.spbe-level").forEach(s => { if (s.value) levels[s.dataset.indicator] = Number(s.value); });
      const response = await fetch("/api/v1/spbe/score", {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": box.dataset.csrf },
        body: JSON.stringify({ levels }),
      });
      if (!response.ok || asked !== latest) return;
      const score = await response.json();
      if (asked !== latest) return;
      document.getElementById("live-index").textContent = number(score.index);
      document.getElementById("live-predicate").textContent = score.predicate;
      document.getElementById("live-missing").textContent = score.missing.length ? score.missing.length + " …" : "";
    });
  }
  function start() { draw(); live(); }
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
})();
