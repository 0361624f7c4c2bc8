// Region page: map of the children (desa where outlines exist, else kecamatan) and a bar chart.
(function () {
  const PALETTE = ["#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"];
  function colour(value, max) {
    if (!max || value == null) return "#dddddd";
    return PALETTE[Math.min(PALETTE.length - 1, Math.floor((value / max) * PALETTE.length))];
  }
  async function draw() {
    const el = document.getElementById("map");
    if (!el || el.dataset.drawn) return;
    el.dataset.drawn = "1";
    const code = el.dataset.region, measure = el.dataset.measure;
    const lang = document.documentElement.lang;
    const [geo, region] = await Promise.all([
      fetch("/api/v1/boundaries").then(r => r.json()),
      fetch("/api/v1/regions/" + code).then(r => r.json()),
    ]);
    const counts = {}; region.children.forEach(c => counts[c.code] = c);
    const childDepth = code.split(".").length + 1;
    let features = geo.features.filter(f => f.properties.code.startsWith(code + ".") && f.properties.code.split(".").length === childDepth);
    const max = Math.max(0, ...region.children.map(c => c.counts[measure] || 0));
    const map = L.map(el, { attributionControl: true, zoomSnap: 0.25 });
    map.attributionControl.setPrefix("Batas: cahyadsn/wilayah_boundaries (MIT)");
    const layer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: f => ({ color: "#35524a", weight: 1, fillOpacity: 0.85,
                     fillColor: colour((counts[f.properties.code] || {}).counts?.[measure], max) }),
      onEachFeature: (f, l) => {
        const c = counts[f.properties.code];
        const v = c ? (c.counts[measure] || 0).toLocaleString(lang === "id" ? "id-ID" : "en-US") : "—";
        l.bindTooltip(`<b>${f.properties.name}</b><br>${v}`);
        if (childDepth === 3) l.on("click", () => { window.location = "/struktur?wilayah=" + f.properties.code; });
      },
    }).addTo(map);
    if (features.length) map.fitBounds(layer.getBounds()); else map.setView([-2.5, 118], 4);
    const chartEl = document.getElementById("chart");
    if (chartEl && window.echarts) {
      const rows = region.children.slice().sort((a, b) => (a.counts[measure] || 0) - (b.counts[measure] || 0));
      const chart = echarts.init(chartEl);
      chart.setOption({
        grid: { left: 130, right: 20, top: 10, bottom: 30 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: rows.map(r => r.name), axisLabel: { fontSize: 11 } },
        series: [{ type: "bar", data: rows.map(r => r.counts[measure] || 0), itemStyle: { color: "#0b6e4f" } }],
      });
      window.addEventListener("resize", () => chart.resize());
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
