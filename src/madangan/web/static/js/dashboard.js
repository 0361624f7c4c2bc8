// Command-center pages: sparklines and charts (ECharts), choropleth maps (Leaflet, outlines only — no tiles),
// wall-mode rotation and clocks. Every figure comes from the page (data-chart / data-map JSON written by
// the server from the stored facts); the only thing fetched is the deployment's outlines.
(function () {
  "use strict";
  if (window.__madanganDashboard) return;  // boosted navigation runs page scripts again
  window.__madanganDashboard = true;
  const STATUS = { hijau: "#1a7f4b", kuning: "#e0a800", merah: "#c0392b", none: "#c5cfd3" };
  const CLASSES = ["#e5e0f0", "#bcb3da", "#9385c0", "#6a56a5", "#44297f"];
  const lang = document.documentElement.lang === "en" ? "en" : "id";
  const locale = lang === "id" ? "id-ID" : "en-US";
  const num = (v, d = 1) => v == null ? "—" : v.toLocaleString(locale, { maximumFractionDigits: d, minimumFractionDigits: 0 });
  const unitText = (v, unit) => {
    if (v == null) return "—";
    if (unit === "Rp") return "Rp " + num(v, 0);
    if (unit === "%") return num(v) + " %";
    if (unit === "per 1000") return num(v) + " ‰";
    return num(v, 2);
  };
  const isWall = () => document.body.classList.contains("wall");

  // --- charts -----------------------------------------------------------------------------------------
  function toolbox(title) {
    return { right: 8, top: 0, feature: { saveAsImage: { name: (title || "grafik").replace(/[^\w-]+/g, "_"),
      title: lang === "id" ? "Simpan PNG" : "Save PNG", pixelRatio: 2, backgroundColor: "#fff" } } };
  }

  function sparkOption(spec) {
    const colour = STATUS[spec.status || "none"];
    return {
      animation: false, grid: { left: 2, right: 2, top: 4, bottom: 2 },
      xAxis: { type: "category", show: false, data: spec.data.map(d => d[0]) },
      yAxis: { type: "value", show: false, scale: true },
      tooltip: { trigger: "axis", confine: true, formatter: p => `${p[0].name}: ${num(p[0].value)}` },
      series: [{ type: "line", data: spec.data.map(d => d[1]), symbol: spec.data.length > 1 ? "none" : "circle",
                 symbolSize: 6, lineStyle: { width: 2, color: colour }, itemStyle: { color: colour },
                 areaStyle: { color: colour, opacity: 0.15 } }],
    };
  }

  function trendOption(spec) {
    const big = isWall();
    const series = { type: "line", data: spec.values, name: spec.title, connectNulls: false, symbolSize: 7,
                     lineStyle: { width: 3, color: "#0b6e4f" }, itemStyle: { color: "#0b6e4f" },
                     label: { show: spec.values.length <= 14, position: "top", formatter: p => num(p.value) } };
    const lines = [];
    if (spec.target != null) lines.push({ yAxis: spec.target, name: "target", label: { formatter: (lang === "id" ? "target " : "target ") + num(spec.target) } });
    if (lines.length) series.markLine = { symbol: "none", lineStyle: { type: "dashed", color: "#34495e" }, data: lines };
    if (spec.thresholds) {
      const [g, r] = spec.thresholds;
      const low = Math.min(g, r), high = Math.max(g, r);
      const good = spec.higher ? "hijau" : "hijau", bad = "merah";
      series.markArea = { silent: true, data: spec.higher
        ? [[{ yAxis: high, itemStyle: { color: STATUS[good], opacity: 0.08 } }, { yAxis: "max" }],
           [{ yAxis: "min", itemStyle: { color: STATUS[bad], opacity: 0.08 } }, { yAxis: low }]]
        : [[{ yAxis: "min", itemStyle: { color: STATUS[good], opacity: 0.08 } }, { yAxis: low }],
           [{ yAxis: high, itemStyle: { color: STATUS[bad], opacity: 0.08 } }, { yAxis: "max" }]] };
    }
    return {
      textStyle: { fontSize: big ? 18 : 12 },
      toolbox: toolbox(spec.title), grid: { left: 56, right: 24, top: 36, bottom: 36 },
      tooltip: { trigger: "axis", valueFormatter: v => unitText(v, spec.unit) },
      xAxis: { type: "category", data: spec.months, axisLabel: { hideOverlap: true } },
      // rates start at zero, so a small wobble does not look like a collapse
      yAxis: { type: "value", min: spec.unit === "%" || spec.unit === "per 1000" ? 0 : null, scale: spec.unit !== "%",
               max: spec.unit === "%" ? (v => Math.min(100, Math.ceil(Math.max(v.max, spec.target || 0) * 1.15 / 5) * 5)) : null,
               axisLabel: { formatter: v => num(v) } },
      series: [series],
    };
  }

  function rankOption(spec) {
    const big = isWall();
    return {
      textStyle: { fontSize: big ? 18 : 12 },
      toolbox: big ? undefined : toolbox(spec.title),
      grid: { left: big ? 200 : 150, right: 64, top: 28, bottom: 24 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: v => unitText(v, spec.unit) },
      xAxis: { type: "value", axisLabel: { formatter: v => num(v), fontSize: big ? 16 : 11 } },
      yAxis: { type: "category", data: spec.names, axisLabel: { fontSize: big ? 20 : 11, width: big ? 190 : 140, overflow: "truncate" } },
      series: [{ type: "bar", data: spec.values.map((v, k) => ({ value: v, itemStyle: { color: STATUS[spec.status[k] || "none"] } })),
                 label: { show: true, position: "right", formatter: p => num(p.value), fontSize: big ? 18 : 11 },
                 markLine: spec.target != null ? { symbol: "none", lineStyle: { type: "dashed", color: "#34495e" },
                   data: [{ xAxis: spec.target }], label: { formatter: "target " + num(spec.target) } } : undefined }],
    };
  }

  function drawChart(el) {
    if (el.dataset.drawn || !window.echarts) return;
    const spec = JSON.parse(el.dataset.chart);
    el.dataset.drawn = "1";
    if ((spec.type === "rank" || spec.type === "bars") && !el.classList.contains("wall-chart")) {
      el.style.height = Math.max(260, 40 + spec.names.length * (spec.names.length > 40 ? 16 : 22)) + "px";
    }
    const chart = echarts.init(el, null, { renderer: spec.type === "spark" ? "svg" : "canvas" });
    const option = spec.type === "spark" ? sparkOption(spec) : spec.type === "trend" ? trendOption(spec) : rankOption(spec);
    chart.setOption(option);
  }

  // --- maps -------------------------------------------------------------------------------------------
  let outlines;
  function geo() {
    outlines = outlines || fetch("/api/v1/boundaries", { credentials: "same-origin" }).then(r => r.json());
    return outlines;
  }

  function classOf(spec, value, status) {
    if (value == null) return "none";
    if (status) return status;
    if (!spec.bounds || !spec.bounds.length) return "q2";
    let k = 0;
    while (k < spec.bounds.length && value > spec.bounds[k]) k++;
    return "q" + k;
  }
  const fill = c => STATUS[c] || CLASSES[+c.slice(1)] || STATUS.none;

  function linkFor(spec, code) {
    const base = spec.link && spec.link.base;
    if (!base) return null;
    const params = new URLSearchParams(spec.link.params || {});
    if (base.startsWith("/tema/")) { params.set("wilayah", code); params.delete("tingkat"); return base + "?" + params; }
    params.delete("tingkat");
    const q = params.toString();
    return "/wilayah/" + code + (q ? "?" + q : "");
  }

  async function drawMap(el) {
    if (el.dataset.drawn || !window.L) return;
    el.dataset.drawn = "1";
    const spec = JSON.parse(el.dataset.map);
    const g = await geo();
    const depth = spec.depth + 1;
    const features = g.features.filter(f => f.properties.code.startsWith(spec.parent + ".") && f.properties.code.split(".").length === depth);
    const map = L.map(el, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true, zoomControl: !isWall() });
    el._map = map;
    map.attributionControl.setPrefix(lang === "id" ? "Batas: cahyadsn/wilayah_boundaries (MIT) · bukan batas resmi BIG"
                                                   : "Outlines: cahyadsn/wilayah_boundaries (MIT) · not official BIG boundaries");
    const labels = features.length <= 40;
    const layer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: f => {
        const v = spec.values[f.properties.code] || [null, null];
        const hl = spec.highlight === f.properties.code;
        return { color: hl ? "#111" : "#36454f", weight: hl ? 3.5 : (isWall() ? 1.5 : 1), fillOpacity: 0.88,
                 fillColor: fill(classOf(spec, v[0], v[1])) };
      },
      onEachFeature: (f, l) => {
        const v = spec.values[f.properties.code];
        const name = v ? v[3] : f.properties.name;
        l.bindTooltip(`<b>${escapeHtml(name)}</b><br>${escapeHtml(spec.title)}: <b>${v ? escapeHtml(v[2]) : "—"}</b>`, { sticky: true });
        const href = linkFor(spec, f.properties.code);
        if (href) l.on("click", () => { window.location.href = href; });
      },
    });
    // the view first: Leaflet draws a layer's paths only once the map has a view
    if (features.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] }); else map.setView([-2.5, 118], 4);
    layer.addTo(map);
    layer.eachLayer(l => {
      const path = l.getElement && l.getElement();
      if (path) { path.setAttribute("data-code", l.feature.properties.code); if (spec.link && spec.link.base) path.style.cursor = "pointer"; }
      if (labels) {
        const p = l.feature.properties;
        const at = p.label_lat != null ? [p.label_lat, p.label_lng] : l.getBounds().getCenter();
        L.tooltip({ permanent: true, direction: "center", className: "map-label", interactive: false })
          .setLatLng(at).setContent(escapeHtml(p.name)).addTo(map);
      }
    });
    // the legend sits under the map, never over the polygons
    const box = el.parentNode.querySelector(`[data-legend-for="${el.id}"]`);
    if (box) {
      box.innerHTML = `<b>${escapeHtml(spec.title)}</b>` + spec.legend.map(([c, label]) =>
        `<span><i style="background:${fill(c)}"></i>${escapeHtml(label)}</span>`).join("");
    }
    el.dataset.ready = "1";
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // --- wall mode and clocks ----------------------------------------------------------------------------
  function startWall(el) {
    if (el.dataset.started) return;
    el.dataset.started = "1";
    const cfg = JSON.parse(el.dataset.wall);
    let index = 0, left = cfg.seconds;
    const countdown = document.querySelector("[data-countdown]");
    setInterval(() => {
      left -= 1;
      if (countdown) countdown.textContent = Math.max(left, 0);
      if (left > 0) return;
      left = cfg.seconds;
      index = (index + 1) % cfg.slides.length;
      htmx.ajax("GET", cfg.slides[index], { target: "#wall", swap: "innerHTML" });
    }, 1000);
  }

  function tick() {
    const now = new Date();
    document.querySelectorAll("[data-clock]").forEach(el => {
      el.textContent = now.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    });
  }

  function init(root) {
    root = root || document;
    root.querySelectorAll("[data-chart]").forEach(drawChart);
    const maps = [...root.querySelectorAll("[data-map]")].map(el => drawMap(el).catch(e => console.error(e)));
    // everything on screen is drawn: a mark the render-time benchmark (benchmarks/bench_pages.py) reads
    Promise.all(maps).then(() => { if (!performance.getEntriesByName("madangan-ready").length) performance.mark("madangan-ready"); });
    const wall = document.getElementById("wall");
    if (wall && wall.dataset.wall) startWall(wall);
    const slide = root.querySelector && root.querySelector(".wall-slide");
    const title = document.getElementById("wall-title");
    if (slide && title) title.textContent = slide.dataset.title;
  }

  function dispose(root) {
    root.querySelectorAll("[data-chart]").forEach(el => { const c = window.echarts && echarts.getInstanceByDom(el); if (c) c.dispose(); });
    root.querySelectorAll("[data-map]").forEach(el => { if (el._map) el._map.remove(); });
  }

  const start = () => { init(document); tick(); setInterval(tick, 15000); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  document.addEventListener("htmx:beforeSwap", e => { if (e.detail.target) dispose(e.detail.target); });
  document.addEventListener("htmx:afterSettle", () => init(document));
  window.addEventListener("resize", () => {
    document.querySelectorAll("[data-chart]").forEach(el => { const c = window.echarts && echarts.getInstanceByDom(el); if (c) c.resize(); });
  });
})();
