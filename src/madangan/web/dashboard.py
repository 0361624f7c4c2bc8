"""The command center's pages: overview (Ringkasan), drill-down to kecamatan and desa, thematic pages,
desa kiosk, wall mode, and the exports of every table.

    /                          overview of the caller's region (the regency for regency-wide roles)
    /wilayah/{code}            a kecamatan's dashboard, or a desa's profile
    /tema/{slug}               a thematic page declared by a sector (`Sector.pages`); kualitas-data is the platform's
    /kios/{code}               one region's figures for the monitor in its office (refreshes itself)
    /layar                     wall mode: full screen, rotating through the overview and every theme
    /fragmen/peta              the map panel (htmx swaps it when the indicator or level changes)
    /fragmen/layar             one wall-mode slide
    /ekspor/{tabel}            any table of these pages as CSV or XLSX (formula injection neutralised)
    /struktur                  the regency's structure (kecamatan → desa, residents, families, …)

Every state is in the URL (wilayah, indikator, tingkat), so a link shows what its sender saw. Pages
read facts and scores the pipeline stored (madangan.web.readmodel); they compute none of their own.
Aggregates only: a role sees the regions inside its own scope.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections import OrderedDict
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from madangan.access import Permission, Principal
from madangan.access.web import principal, require
from madangan.exports import neutralise
from madangan.i18n import add_messages
from madangan.indicators import Indicator
from madangan.indicators import engine as indicator_engine
from madangan.verval import worklist
from madangan.verval.store import FindingFilter, summary_by
from madangan.web import readmodel as rm
from madangan.web.deps import lang_of, region_structure, render, source_rows

router = APIRouter(include_in_schema=False, dependencies=[require(Permission.AGGREGATES)])
WALL_SECONDS = 20  # default time per wall-mode slide
KIOSK_REFRESH = 300  # seconds between kiosk reloads

add_messages({f"dash.{key}": {"id": id_text, "en": en_text} for key, (id_text, en_text) in {
    "overview": ("Ringkasan", "Overview"),
    "structure": ("Struktur wilayah", "Region structure"),
    "wall": ("Mode layar", "Wall mode"),
    "kiosk": ("Tampilan kios", "Kiosk view"),
    "themes": ("Tema", "Themes"),
    "quality": ("Kualitas Data", "Data Quality"),
    "quality_lead": ("Skor kualitas per sumber (validitas, kelengkapan, ketepatan waktu) dan kemutakhiran setiap sumber.",
                     "Quality score per source (validity, completeness, timeliness) and how fresh each source is."),
    "quality_score": ("Skor kualitas data", "Data quality score"),
    "quality_note": ("Skor wilayah = rata-rata skor sumber × desa tersimpan, ditimbang jumlah record.",
                     "A region's score = the stored source × desa scores, weighted by record count."),
    "map": ("Peta", "Map"),
    "map_of": ("Peta menurut indikator", "Map by indicator"),
    "indicator": ("Indikator", "Indicator"),
    "level": ("Tingkat", "Level"),
    "kecamatan": ("Kecamatan", "Kecamatan (districts)"),
    "desa": ("Desa/kelurahan", "Villages (desa/kelurahan)"),
    "show": ("Tampilkan", "Show"),
    "ranking": ("Peringkat", "Ranking"),
    "ranking_lead": ("terburuk di atas", "worst first"),
    "trend": ("Perkembangan bulanan", "Month by month"),
    "table_behind": ("Tabel di balik grafik", "The table behind the chart"),
    "no_desa_shapes": ("Batas desa untuk wilayah ini belum tersedia; peta menampilkan kecamatan. Impor batas resmi dengan "
                       "'madangan boundaries import'.",
                       "No village outlines for this region yet; the map shows kecamatan. Import official outlines with "
                       "'madangan boundaries import'."),
    "regency_only": ("Data ini dicatat untuk seluruh kabupaten (per OPD), tidak per kecamatan atau desa, jadi tidak "
                     "ada peta atau peringkat wilayah.",
                     "This is kept for the whole regency (per agency), not per kecamatan or village, so there is no "
                     "map or regional ranking."),
    "no_data": ("belum ada data", "no data yet"),
    "no_value": ("tanpa data", "no data"),
    "alerts": ("Peringatan dini", "Early warning"),
    "alerts_waiting": ("Umpan peringatan akan tampil di sini begitu modul peringatan dini aktif.",
                       "The alert feed appears here once the early-warning module is active."),
    "sources_panel": ("Kualitas & kemutakhiran data", "Data quality & freshness"),
    "late": ("terlambat", "late"),
    "on_time": ("tepat waktu", "on time"),
    "not_loaded": ("belum dimuat", "not loaded"),
    "target": ("Target", "Target"),
    "persons_behind": ("Lihat nama di balik angka ini", "See the names behind this figure"),
    "breakdowns": ("Rincian (CSV)", "Breakdowns (CSV)"),
    "as_of": ("Data per", "Data as of"),
    "worklist": ("Daftar kerja temuan desa ini", "This village's worklist of findings"),
    "findings_active": ("temuan aktif", "active findings"),
    "all_indicators": ("Semua indikator", "All indicators"),
    "desa_profile": ("Profil desa", "Village profile"),
    "export": ("Unduh", "Download"),
    "no_ranking": ("Desa tidak punya wilayah di bawahnya untuk diperingkat; pilih kecamatan atau kabupaten.",
                   "A village has no regions below it to rank; choose a kecamatan or the regency."),
    "n_title": ("pembilang / penyebut", "numerator / denominator"),
    "definition": ("Definisi", "Definition"),
    "formula": ("Rumus", "Formula"),
    "source": ("Sumber", "Source"),
    "frequency": ("Frekuensi", "Frequency"),
    "higher_better": ("makin tinggi makin baik", "higher is better"),
    "lower_better": ("makin rendah makin baik", "lower is better"),
    "updated": ("Diperbarui", "Updated"),
    "next_slide": ("berikutnya dalam", "next in"),
    "refreshes": ("Halaman ini memuat ulang sendiri setiap 5 menit.", "This page reloads itself every 5 minutes."),
    "out_of_scope": ("Wilayah {code} di luar wilayah akun Anda ({scope}).", "Region {code} is outside your scope ({scope})."),
    "unknown_region": ("Wilayah {code} tidak ada di deployment ini.", "Region {code} is not part of this deployment."),
    "unknown_indicator": ("Indikator '{id}' tidak dikenal.", "Unknown indicator '{id}'."),
    "unknown_theme": ("Tema '{slug}' tidak ada.", "No theme '{slug}'."),
    "bad_level": ("Tingkat '{level}' tidak dikenal: pilih kecamatan atau desa.", "Unknown level '{level}': choose kecamatan or desa."),
    "bad_table": ("Tabel '{name}' tidak ada: pilih tren, peringkat, rincian, profil atau kualitas.",
                  "No table '{name}': choose tren, peringkat, rincian, profil or kualitas."),
    "bad_breakdown": ("Rincian '{name}' tidak ada untuk indikator ini.", "No breakdown '{name}' for this indicator."),
    "breakdown": ("Rincian menurut", "Broken down by"),
    "breakdown_note": ("Setiap kategori dihitung dari data yang sama; jumlah kategori = total wilayah.",
                       "Each category is counted from the same records; the categories add up to the region's total."),
    "no_breakdown": ("Belum ada data rincian untuk bulan ini.", "No breakdown for this month yet."),
    "survey_vs_census": ("Survei dan sensus", "Survey and census"),
    "census": ("Sensus/administratif (semua balita diukur)", "Census/administrative (every child measured)"),
    "survey": ("Survei nasional (sampel)", "National survey (sample)"),
    "survey_note": ("Survei memakai sampel dan metode sendiri; angkanya tidak dicampur ke angka sensus, hanya "
                    "ditampilkan berdampingan.",
                    "A survey uses a sample and methods of its own; its figure is never mixed into the census figure, "
                    "only shown beside it."),
    "n_unknown": ("n tidak disebut sumber", "n not given by the source"),
    "n_not_given": ("n tidak disebut", "n not given"),
    "tile_survey": ("Survei: {survey} {year} {value} ({n})", "Survey: {survey} {year} {value} ({n})"),
    "sample": ("sampel", "sample"),
    "bad_format": ("Format '{fmt}' tidak dikenal: pilih csv atau xlsx.", "Unknown format '{fmt}': choose csv or xlsx."),
}.items()})


# --- parameters -----------------------------------------------------------------------------------------


def _t(request: Request, key: str, **kw) -> str:
    from madangan.i18n import t

    return t(f"dash.{key}", lang_of(request), **kw)


def _region(request: Request, reader: rm.Reader, who: Principal, code: str | None) -> rm.Region:
    """The region asked for (default: the caller's own), inside the deployment and the caller's scope."""
    code = (code or who.region_code).strip()
    if code not in reader.regions:
        raise HTTPException(404, _t(request, "unknown_region", code=code[:40]))
    if not who.in_scope(code):
        raise HTTPException(403, _t(request, "out_of_scope", code=code, scope=who.region_code))
    return reader.regions[code]


def _indicator(request: Request, indicator_id: str | None, default: str) -> Indicator:
    found = indicator_engine.indicators().get(indicator_id or default)
    if found is None:
        raise HTTPException(404, _t(request, "unknown_indicator", id=(indicator_id or default)[:60]))
    return found


def _depth(request: Request, region: rm.Region, tingkat: str | None) -> int:
    """The depth of the regions a map or ranking shows under `region` (2 kecamatan, 3 desa)."""
    if tingkat and tingkat not in ("kecamatan", "desa"):
        raise HTTPException(400, _t(request, "bad_level", level=tingkat[:40]))
    if region.depth >= 2 or tingkat == "desa":
        return 3
    return 2


def _reader(request: Request) -> rm.Reader:
    return rm.Reader(request.app.state.settings)


def _link(path: str, **params) -> str:
    kept = {k: v for k, v in params.items() if v}
    return path + ("?" + urlencode(kept) if kept else "")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- fragment cache ---------------------------------------------------------------------------------------

_fragments: OrderedDict[tuple, tuple[bytes, dict]] = OrderedDict()
_fragments_lock = threading.Lock()
FRAGMENT_CACHE_SIZE = 512


def _cached(request: Request, who: Principal, build) -> Response:
    """A fragment as rendered for the same warehouse state, question, language and scope, or built now.

    Open dashboards and wall screens ask for the same fragments again and again; the answer changes only
    when the warehouse does (the snapshot's stamp is part of the key), so it is rendered once per change."""
    stamp = rm.snapshot(request.app.state.settings.warehouse).stamp
    key = (str(request.app.state.settings.warehouse), stamp, date.today(), request.url.path,
           tuple(sorted(request.query_params.multi_items())), lang_of(request), who.role, who.region_code)
    with _fragments_lock:
        hit = _fragments.get(key)
        if hit is not None:
            _fragments.move_to_end(key)
    if hit is not None:
        return HTMLResponse(hit[0], headers=hit[1])
    response = build()
    kept = {k: v for k, v in response.headers.items() if k.lower() == "hx-push-url"}
    with _fragments_lock:
        _fragments[key] = (bytes(response.body), kept)
        while len(_fragments) > FRAGMENT_CACHE_SIZE:
            _fragments.popitem(last=False)
    return response


# --- building blocks --------------------------------------------------------------------------------------


def _tile(f: rm.Figure, lang: str, href: str) -> dict:
    i, p = f.indicator, f.latest
    return {"id": i.id, "title": i.title[lang], "value": rm.value_text(p.value if p else None, i.unit, lang),
            "status": f.status, "status_label": rm.STATUS_LABELS.get(f.status, rm.STATUS_LABELS[None])[lang],
            "month": rm.month_label(p.month if p else None, lang), "href": href,
            "target": rm.value_text(i.target, i.unit, lang) if i.target is not None else None,
            "direction": "higher" if i.higher_is_better else "lower",
            "n": f"{rm.compact(p.numerator, lang)} / {rm.compact(p.denominator, lang)}" if p and i.unit in ("%", "per 1000") else None,
            "spark": _json({"type": "spark", "data": f.spark(), "status": f.status})}


def _survey_line(indicator: Indicator, code: str, lang: str) -> str | None:
    """The newest national survey's estimate for region `code`, one line for under a tile's value (or None)."""
    found = rm.surveys(indicator, code)
    if not found:
        return None
    s = found[0]
    from madangan.i18n import t

    n = t("dash.n_not_given", lang) if s.n is None else f"n = {rm.count_text(s.n, lang)}"
    return t("dash.tile_survey", lang, survey=s.survey, year=s.year, value=rm.value_text(s.value, indicator.unit, lang),
             n=n)


def _quality_tile(reader: rm.Reader, region: rm.Region, lang: str, href: str) -> dict:
    trend = rm.quality_overall(reader, region.code)
    value = trend[-1][1] if trend else None
    status = rm.quality_status(value)
    return {"id": "kualitas_data", "title": rm.L["score"][lang], "value": rm.value_text(value, "skor", lang),
            "status": status, "n": None,
            "status_label": rm.STATUS_LABELS.get(status, rm.STATUS_LABELS[None])[lang],
            "month": trend[-1][0] if trend else "—", "href": href, "target": None, "direction": "higher",
            "spark": _json({"type": "spark", "data": trend, "status": status})}


def _legend(indicator_unit: str, thresholds, higher: bool, values: list[float], lang: str) -> tuple[list, list]:
    """Legend entries [class, label] and, without thresholds, the class bounds (five equal steps)."""
    none = ["none", "tanpa data" if lang == "id" else "no data"]
    if thresholds:
        green, red = thresholds
        fmt = lambda v: rm.value_text(v, indicator_unit, lang)  # noqa: E731
        if higher:
            entries = [["hijau", f"≥ {fmt(green)}"], ["kuning", f"{fmt(red)} – {fmt(green)}"], ["merah", f"≤ {fmt(red)}"]]
        else:
            entries = [["hijau", f"≤ {fmt(green)}"], ["kuning", f"{fmt(green)} – {fmt(red)}"], ["merah", f"≥ {fmt(red)}"]]
        return entries + [none], []
    if not values:
        return [none], []
    lo, hi = min(values), max(values)
    step = (hi - lo) / 5 or 1
    bounds = [lo + step * k for k in range(1, 5)]
    edges = [lo, *bounds, hi]
    entries = [[f"q{k}", f"{rm.value_text(edges[k], indicator_unit, lang)} – {rm.value_text(edges[k + 1], indicator_unit, lang)}"]
               for k in range(5)]
    return entries + [none], bounds


def _map_spec(rows: list[rm.RankRow], parent: str, depth: int, unit: str, thresholds,
              higher: bool, lang: str, title: str, link_base: str, link_params: dict, highlight: str | None = None) -> dict:
    values = [r.value for r in rows if r.value is not None]
    legend, bounds = _legend(unit, thresholds, higher, values, lang)
    return {
        "parent": parent, "depth": depth, "highlight": highlight, "title": title, "lang": lang,
        "legend": legend, "bounds": bounds, "higher": higher,
        "link": {"base": link_base, "params": {k: v for k, v in link_params.items() if v}},
        "values": {r.region.code: [r.value, r.status, rm.value_text(r.value, unit, lang), r.region.name] for r in rows},
    }


def _rank_chart(rows: list[rm.RankRow], unit: str, title: str, target: float | None, lang: str) -> str:
    shown = [r for r in rows if r.value is not None]
    return _json({"type": "rank", "title": title, "unit": unit, "target": target, "lang": lang,
                  "names": [r.region.name for r in shown][::-1], "values": [round(r.value, 2) for r in shown][::-1],
                  "status": [r.status for r in shown][::-1]})


def _trend_chart(f: rm.Figure, title: str, lang: str) -> str:
    i = f.indicator
    return _json({"type": "trend", "title": title, "unit": i.unit, "target": i.target, "lang": lang,
                  "thresholds": list(i.thresholds) if i.thresholds else None, "higher": i.higher_is_better,
                  "months": [rm.month_label(p.month, lang) for p in f.series],
                  "values": [None if p.value is None else round(p.value, 2) for p in f.series]})


def map_panel(request: Request, reader: rm.Reader, region: rm.Region, indicator: Indicator, tingkat: str | None,
              page_path: str, choices: list[Indicator], extra: dict | None = None) -> dict:
    """The map, its indicator picker and the ranking beside it, for `region`'s children."""
    lang = lang_of(request)
    settings = request.app.state.settings
    depth = _depth(request, region, tingkat)
    parent, highlight, note = region.code, None, None
    if depth == 3 and not rm.has_desa_shapes(settings.data_dir, request.app.state.deployment.region_code):
        note = _t(request, "no_desa_shapes")
        depth = 2
        if region.depth >= 2:  # a kecamatan without desa outlines: its place among the regency's kecamatan
            parent, highlight = region.code.rsplit(".", 1)[0], region.code
    sub = rm.has_sub_regions(reader, indicator)
    figure = rm.figures(reader, parent, [indicator.id])[indicator.id]
    month = figure.latest.month if figure.latest else None
    rows = rm.ranking(reader, indicator, parent, depth, month) if sub else []
    level = "desa" if depth == 3 else "kecamatan"
    params = {"indikator": indicator.id, **(extra or {})}
    if region.depth == 1:
        params["tingkat"] = level if level == "desa" else None
    spec = _map_spec(rows, parent, depth, indicator.unit, indicator.thresholds, indicator.higher_is_better,
                     lang, indicator.title[lang], page_path, params, highlight)
    table = rm.ranking_table(indicator, reader.regions[parent], depth, month, rows, lang)
    _relink(table, page_path, params)
    return {"region": region, "indicator": indicator, "choices": choices, "level": level, "depth": depth,
            "can_desa": region.depth == 1, "note": note, "sub": sub, "month": rm.month_label(month, lang),
            "spec": _json(spec), "table": table, "rows": rows, "page_path": page_path, "extra": extra or {},
            "regency_only": None if sub else _t(request, "regency_only"),
            "export": _export_links(table)}


def _relink(table: rm.Table, page_path: str, params: dict) -> None:
    """Ranking rows link to the same page one level down (theme pages stay on their theme)."""
    for row in table.rows:
        if page_path.startswith("/tema/"):
            row["_href"] = _link(page_path, wilayah=row["kode"],
                                 **{k: v for k, v in params.items() if k not in ("tingkat", "wilayah")})
        else:
            row["_href"] = _link(f"/wilayah/{row['kode']}", indikator=params.get("indikator"))


def _export_links(table: rm.Table) -> dict:
    return {fmt: _link(f"/ekspor/{table.name}", format=fmt, **table.params) for fmt in ("csv", "xlsx")}


def _crumbs(reader: rm.Reader, region: rm.Region, who: Principal, path_of) -> list[dict]:
    return [{"name": r.name, "level": r.level, "href": path_of(r) if who.in_scope(r.code) else None}
            for r in reader.trail(region.code)]


_counts: OrderedDict[tuple, list[dict]] = OrderedDict()
_counts_lock = threading.Lock()


def _finding_counts(request: Request, who: Principal, desa: str | None, by: tuple[str, ...]) -> list[dict]:
    """summary_by, kept until the findings change. At full size the app database holds ~200k findings and a
    grouped count scans them (~0.3 s of every overview); findings change only through a verval run (a new
    verval_run row) or a status change (a new finding_event row), so the two largest ids tell whether a count
    can be reused — both are primary-key lookups."""
    engine = request.app.state.engine
    with engine.connect() as conn:
        version = tuple(conn.exec_driver_sql(
            "SELECT (SELECT max(id) FROM verval_run), (SELECT max(id) FROM finding_event)").one())
    sources = worklist.visible_sources(who)
    posyandu = worklist.visible_posyandu(who)
    key = (str(engine.url), version, desa, who.region_code, None if sources is None else tuple(sorted(sources)),
           posyandu, by)
    with _counts_lock:
        hit = _counts.get(key)
    if hit is None:
        hit = summary_by(engine, FindingFilter(desa=desa), scope_code=who.region_code, sources=sources, by=by,
                         posyandu=posyandu)
        with _counts_lock:
            _counts[key] = hit
            while len(_counts) > 256:
                _counts.popitem(last=False)
    return hit


def _findings_count(request: Request, who: Principal, code: str) -> int | None:
    if not who.can(Permission.PERSONS):
        return None
    return sum(r["jumlah"] for r in _finding_counts(request, who, code, ("status",)))


def _sources_panel(request: Request, reader: rm.Reader, region: rm.Region, who: Principal) -> dict:
    lang = lang_of(request)
    rows, month = rm.quality(reader, region.code)
    if who.can(Permission.PERSONS):
        counts = {r["source"]: r["jumlah"] for r in _finding_counts(
            request, who, region.code if region.depth > 1 else None, ("source",))}
        for q in rows:
            q.findings = counts.get(q.name, 0)
    table = rm.quality_table(rows, region, lang)
    return {"table": table, "month": rm.month_label(month, lang), "export": _export_links(table),
            "chart": _json({"type": "bars", "lang": lang, "title": _t(request, "quality_score"),
                            "names": [q.title[lang] for q in rows if q.score is not None][::-1],
                            "values": [round(q.score, 1) for q in rows if q.score is not None][::-1],
                            "status": [rm.quality_status(q.score) for q in rows if q.score is not None][::-1]})}


# --- pages ----------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, indikator: str | None = None, tingkat: str | None = None,
             who: Principal = Depends(principal)):
    with _reader(request) as reader:
        region = _region(request, reader, who, None)
        if region.depth == 3:
            return _desa_page(request, reader, region, who)
        return _dashboard(request, reader, region, who, indikator, tingkat)


@router.get("/wilayah/{code}", response_class=HTMLResponse)
def region_page(request: Request, code: str, indikator: str | None = None, tingkat: str | None = None,
                who: Principal = Depends(principal)):
    if code == request.app.state.deployment.region_code:
        return RedirectResponse(_link("/", indikator=indikator, tingkat=tingkat), status_code=303)
    with _reader(request) as reader:
        region = _region(request, reader, who, code)
        if region.depth == 3:
            return _desa_page(request, reader, region, who)
        return _dashboard(request, reader, region, who, indikator, tingkat)


def _page_path(region: rm.Region) -> str:
    return "/" if region.depth == 1 else f"/wilayah/{region.code}"


def _dashboard(request: Request, reader: rm.Reader, region: rm.Region, who: Principal, indikator: str | None,
               tingkat: str | None) -> HTMLResponse:
    lang = lang_of(request)
    pages = rm.themes()
    headline = rm.headline_ids()
    figs = rm.figures(reader, region.code, headline)
    theme_of = {i: p.slug for p in pages for i in p.headline}
    tiles = [{**_tile(figs[i], lang, _link(f"/tema/{theme_of[i]}", indikator=i,
                                           wilayah=region.code if region.depth > 1 else None)),
              "survey": _survey_line(figs[i].indicator, region.code, lang)}
             for i in headline if i in figs and (figs[i].series or region.depth == 1)]  # regency-only figures stay up top
    tiles.append(_quality_tile(reader, region, lang, _link(f"/tema/{rm.QUALITY_SLUG}",
                                                           wilayah=region.code if region.depth > 1 else None)))
    choices = [indicator_engine.indicators()[i] for i in rm.map_indicator_ids()]
    choices = [c for c in choices if rm.has_sub_regions(reader, c)]
    indicator = _indicator(request, indikator, headline[0] if headline else choices[0].id)
    panel = map_panel(request, reader, region, indicator, tingkat, _page_path(region), choices)
    return render(request, "dashboard.html", region=region, tiles=tiles, panel=panel,
                  crumbs=_crumbs(reader, region, who, lambda r: _link(_page_path(r), indikator=indicator.id)),
                  sources=_sources_panel(request, reader, region, who), themes=pages,
                  kiosk=f"/kios/{region.code}")


def _profile_figs(reader: rm.Reader, region: rm.Region, figs: dict[str, rm.Figure]) -> dict[str, rm.Figure]:
    """Below the regency, leave out figures kept for the whole regency only (the budget)."""
    if region.depth == 1:
        return figs
    return {k: f for k, f in figs.items() if f.series or rm.has_sub_regions(reader, f.indicator)}


def _desa_page(request: Request, reader: rm.Reader, region: rm.Region, who: Principal) -> HTMLResponse:
    lang = lang_of(request)
    pages = rm.themes()
    ids = [i for p in pages for i in p.indicators]
    figs = rm.figures(reader, region.code, ids)
    sections = []
    for p in pages:
        rows = []
        for i in p.indicators:
            f = figs[i]
            if not f.series and not rm.has_sub_regions(reader, f.indicator):
                continue  # kept for the whole regency only (the budget): nothing to show for one desa
            tile = _tile(f, lang, _link(f"/tema/{p.slug}", indikator=i, wilayah=region.code))
            tile["definition"] = f.indicator.metadata.get("definisi" if lang == "id" else "definisi_en") or ""
            rows.append(tile)
        if rows:
            sections.append({"page": p, "rows": rows})
    table = rm.profile_table(region, _profile_figs(reader, region, figs), lang)
    count = _findings_count(request, who, region.code)
    return render(request, "desa.html", region=region, sections=sections, table=table, export=_export_links(table),
                  crumbs=_crumbs(reader, region, who, lambda r: _page_path(r)), findings=count,
                  worklist=_link("/temuan", desa=region.code) if count is not None else None,
                  kiosk=f"/kios/{region.code}", themes=pages,
                  sources=_sources_panel(request, reader, region, who))


@router.get("/fragmen/peta", response_class=HTMLResponse)
def map_fragment(request: Request, wilayah: str | None = None, indikator: str | None = None, tingkat: str | None = None,
                 tema: str | None = None, who: Principal = Depends(principal)):
    """The map panel alone: htmx swaps it in when the indicator or level changes; the address bar follows."""
    return _cached(request, who, lambda: _map_fragment(request, wilayah, indikator, tingkat, tema, who))


def _map_fragment(request: Request, wilayah: str | None, indikator: str | None, tingkat: str | None, tema: str | None,
                  who: Principal) -> HTMLResponse:
    with _reader(request) as reader:
        region = _region(request, reader, who, wilayah)
        if tema:
            page = rm.theme(tema)
            if page is None:
                raise HTTPException(404, _t(request, "unknown_theme", slug=tema[:40]))
            known = indicator_engine.indicators()
            choices = [known[i] for i in page.indicators]
            path, extra = f"/tema/{page.slug}", {"wilayah": region.code if region.depth > 1 else None}
        else:
            known = indicator_engine.indicators()
            choices = [c for c in (known[i] for i in rm.map_indicator_ids()) if rm.has_sub_regions(reader, c)]
            path, extra = _page_path(region), None
        indicator = _indicator(request, indikator, choices[0].id if choices else "")
        panel = map_panel(request, reader, region, indicator, tingkat, path, choices, extra)
    response = render(request, "_map_panel.html", panel=panel)
    push = _link(path, indikator=indicator.id, tingkat="desa" if region.depth == 1 and tingkat == "desa" else None,
                 **(extra or {}))
    response.headers["HX-Push-Url"] = push
    return response


@router.get("/tema/{slug}", response_class=HTMLResponse)
def theme_page(request: Request, slug: str, wilayah: str | None = None, indikator: str | None = None,
               tingkat: str | None = None, who: Principal = Depends(principal)):
    if slug == rm.QUALITY_SLUG:
        return _quality_page(request, wilayah, tingkat, who)
    page = rm.theme(slug)
    if page is None:
        raise HTTPException(404, _t(request, "unknown_theme", slug=slug[:40]))
    lang = lang_of(request)
    with _reader(request) as reader:
        region = _region(request, reader, who, wilayah)
        known = indicator_engine.indicators()
        indicator = _indicator(request, indikator, page.indicators[0])
        if indicator.id not in page.indicators:
            raise HTTPException(404, _t(request, "unknown_indicator", id=indicator.id))
        figs = rm.figures(reader, region.code, list(page.indicators))
        f = figs[indicator.id]
        tabs = [{"id": i, "title": known[i].title[lang], "status": figs[i].status,
                 "value": rm.value_text(figs[i].latest.value if figs[i].latest else None, known[i].unit, lang),
                 "href": _link(f"/tema/{slug}", indikator=i, wilayah=region.code if region.depth > 1 else None,
                               tingkat=tingkat)} for i in page.indicators]
        trend = rm.trend_table(indicator, region, f, lang)
        panel = None
        if region.depth < 3:
            panel = map_panel(request, reader, region, indicator, tingkat, f"/tema/{slug}",
                              [known[i] for i in page.indicators],
                              {"wilayah": region.code if region.depth > 1 else None})
        crumbs = _crumbs(reader, region, who, lambda r: _link(f"/tema/{slug}", indikator=indicator.id,
                                                               wilayah=r.code if r.depth > 1 else None))
        parts = []
        for b in rm.breakdowns(reader, indicator, region.code, f.latest.month if f.latest else None):
            table = rm.breakdown_table(indicator, region, b, lang)
            title = f"{indicator.title[lang]} · {b.label[lang]}"
            parts.append({"column": b.column, "label": b.label[lang], "month": rm.month_label(b.month, lang),
                          "table": table, "export": _export_links(table),
                          "chart": _rank_chart(b.rows, indicator.unit, title, indicator.target, lang) if b.rows else None})
        survey = None
        if indicator.surveys:
            p = f.latest
            survey = {"census": {"value": rm.value_text(p.value if p else None, indicator.unit, lang),
                                 "n": rm.count_text(p.denominator if p else None, lang),
                                 "month": rm.month_label(p.month if p else None, lang)},
                      "rows": [{"survey": s.survey, "year": s.year, "value": rm.value_text(s.value, indicator.unit, lang),
                                "n": None if s.n is None else rm.count_text(s.n, lang), "source": s.source}
                               for s in rm.surveys(indicator, region.code)]}
            if not survey["rows"]:
                survey = None
        return render(request, "theme.html", page=page, region=region, indicator=indicator, figure=f,
                      breakdowns=parts, survey=survey,
                      tile=_tile(f, lang, ""), tabs=tabs, trend=trend, trend_export=_export_links(trend),
                      trend_chart=_trend_chart(f, indicator.title[lang], lang), panel=panel, crumbs=crumbs,
                      rank_chart=_rank_chart(panel["rows"], indicator.unit, indicator.title[lang], indicator.target, lang)
                      if panel and panel["sub"] else None,
                      themes=rm.themes(), meta=indicator.metadata,
                      region_link=_page_path(region))


def _quality_page(request: Request, wilayah: str | None, tingkat: str | None, who: Principal) -> HTMLResponse:
    lang = lang_of(request)
    with _reader(request) as reader:
        region = _region(request, reader, who, wilayah)
        tile = _quality_tile(reader, region, lang, "")
        depth = _depth(request, region, tingkat) if region.depth < 3 else None
        map_spec = rank = table = None
        note = None
        if depth:
            parent, highlight = region.code, None
            if depth == 3 and not rm.has_desa_shapes(request.app.state.settings.data_dir,
                                                      request.app.state.deployment.region_code):
                note, depth = _t(request, "no_desa_shapes"), 2
                if region.depth >= 2:
                    parent, highlight = region.code.rsplit(".", 1)[0], region.code
            rows, month = rm.quality_ranking(reader, parent, depth)
            map_spec = _json(_map_spec(rows, parent, depth, "", rm.QUALITY_THRESHOLDS, True, lang,
                                       _t(request, "quality_score"), f"/tema/{rm.QUALITY_SLUG}", {}, highlight))
            rank = _json({"type": "rank", "title": _t(request, "quality_score"), "unit": "", "target": None,
                          "lang": lang, "names": [r.region.name for r in rows if r.value is not None][::-1],
                          "values": [round(r.value, 1) for r in rows if r.value is not None][::-1],
                          "status": [r.status for r in rows if r.value is not None][::-1]})
            table = {"rows": rows, "month": rm.month_label(month, lang)}
        crumbs = _crumbs(reader, region, who, lambda r: _link(f"/tema/{rm.QUALITY_SLUG}",
                                                               wilayah=r.code if r.depth > 1 else None))
        return render(request, "quality.html", region=region, tile=tile, sources=_sources_panel(request, reader, region, who),
                      map_spec=map_spec, rank=rank, ranking=table, note=note, crumbs=crumbs, themes=rm.themes(),
                      level="desa" if depth == 3 else "kecamatan", can_desa=region.depth == 1,
                      worklist=_link("/temuan", desa=region.code if region.depth > 1 else None)
                      if who.can(Permission.PERSONS) else None)


@router.get("/kios/{code}", response_class=HTMLResponse)
def kiosk(request: Request, code: str, who: Principal = Depends(principal)):
    """One region's figures, large, for the monitor in its office; reloads itself every five minutes."""
    lang = lang_of(request)
    with _reader(request) as reader:
        region = _region(request, reader, who, code)
        pages = rm.themes()
        ids = [i for p in pages for i in (p.headline or p.indicators[:1])]
        extra = [i for p in pages for i in p.indicators if i not in ids][:6]
        figs = _profile_figs(reader, region, rm.figures(reader, region.code, ids + extra))
        tiles = [_tile(figs[i], lang, "") for i in ids + extra if i in figs]
        tiles.append(_quality_tile(reader, region, lang, ""))
        trail = reader.trail(region.code)
    return render(request, "kiosk.html", region=region, tiles=tiles, trail=trail, refresh=KIOSK_REFRESH,
                  now=date.today())


def _slides() -> list[str]:
    return ["", *(p.slug for p in rm.themes())]


@router.get("/layar", response_class=HTMLResponse)
def wall(request: Request, detik: int = WALL_SECONDS, who: Principal = Depends(principal)):
    """Wall mode: the overview and each theme in turn, each slide fetched fresh (so it refreshes itself)."""
    seconds = max(5, min(detik, 600))
    with _reader(request) as reader:
        region = _region(request, reader, who, None)
    slides = [_link("/fragmen/layar", tema=s) for s in _slides()]
    return render(request, "wall.html", region=region, seconds=seconds, slides=_json(slides),
                  first=_wall_context(request, who, ""))


@router.get("/fragmen/layar", response_class=HTMLResponse)
def wall_slide(request: Request, tema: str = "", who: Principal = Depends(principal)):
    if tema and rm.theme(tema) is None:
        raise HTTPException(404, _t(request, "unknown_theme", slug=tema[:40]))
    return _cached(request, who, lambda: render(request, "_wall_slide.html", **_wall_context(request, who, tema)))


def _wall_context(request: Request, who: Principal, slug: str) -> dict:
    lang = lang_of(request)
    with _reader(request) as reader:
        region = _region(request, reader, who, None)
        if not slug:
            headline = rm.headline_ids()
            figs = rm.figures(reader, region.code, headline)
            tiles = [_tile(figs[i], lang, "") for i in headline]
            tiles.append(_quality_tile(reader, region, lang, ""))
            title = _t(request, "overview")
            focus = headline[0] if headline else None
        else:
            page = rm.theme(slug)
            ids = list(page.indicators[:6])
            figs = rm.figures(reader, region.code, ids)
            tiles = [_tile(figs[i], lang, "") for i in ids]
            title = page.title[lang]
            focus = (page.headline or page.indicators)[0]
        slide = {"title": title, "tiles": tiles, "region": region, "map": None, "rank": None, "slug": slug}
        indicator = indicator_engine.indicators().get(focus) if focus else None
        if indicator and region.depth < 3 and rm.has_sub_regions(reader, indicator):
            figure = rm.figures(reader, region.code, [indicator.id])[indicator.id]
            month = figure.latest.month if figure.latest else None
            depth = region.depth + 1
            rows = rm.ranking(reader, indicator, region.code, depth, month)
            slide["map"] = _json(_map_spec(rows, region.code, depth, indicator.unit, indicator.thresholds,
                                           indicator.higher_is_better, lang, indicator.title[lang], "", {}) | {"wall": True})
            slide["rank"] = _rank_chart(rows[:10], indicator.unit, indicator.title[lang], indicator.target, lang)
            slide["focus"] = indicator.title[lang] + " · " + rm.month_label(month, lang)
        return {"slide": slide}


@router.get("/struktur", response_class=HTMLResponse)
def structure_page(request: Request, wilayah: str | None = None, who: Principal = Depends(principal)):
    """The regency's structure (kecamatan → desa and their residents, families, …), as before the overview."""
    code = wilayah or who.region_code
    if not who.in_scope(code):
        raise HTTPException(403, _t(request, "out_of_scope", code=code, scope=who.region_code))
    if code.count(".") > 2:
        code = code.rsplit(".", 1)[0] if who.in_scope(code.rsplit(".", 1)[0]) else code
    s = region_structure(request, code)
    top = code == request.app.state.deployment.region_code
    return render(request, "region.html", s=s, sources=source_rows(request) if top else None)


# --- exports --------------------------------------------------------------------------------------------


@router.get("/ekspor/{tabel}")
def export(request: Request, tabel: str, format: str = "csv", wilayah: str | None = None,
           indikator: str | None = None, tingkat: str | None = None, rincian: str | None = None,
           who: Principal = Depends(principal)):
    """A page's table as CSV or XLSX; the same rows the page shows, text cells neutralised against formulas."""
    if format not in ("csv", "xlsx"):
        raise HTTPException(400, _t(request, "bad_format", fmt=format[:20]))
    lang = lang_of(request)
    with _reader(request) as reader:
        region = _region(request, reader, who, wilayah)
        if tabel == "tren":
            indicator = _indicator(request, indikator, rm.headline_ids()[0])
            table = rm.trend_table(indicator, region, rm.figures(reader, region.code, [indicator.id])[indicator.id], lang)
        elif tabel == "peringkat":
            indicator = _indicator(request, indikator, rm.headline_ids()[0])
            if region.depth == 3:
                raise HTTPException(400, _t(request, "no_ranking"))
            depth = _depth(request, region, tingkat)
            parent = region.code
            f = rm.figures(reader, parent, [indicator.id])[indicator.id]
            month = f.latest.month if f.latest else None
            table = rm.ranking_table(indicator, reader.regions[parent], depth, month,
                                     rm.ranking(reader, indicator, parent, depth, month), lang)
        elif tabel == "rincian":
            indicator = _indicator(request, indikator, rm.headline_ids()[0])
            if rincian not in indicator.disaggregations:
                raise HTTPException(404, _t(request, "bad_breakdown", name=(rincian or "")[:40]))
            f = rm.figures(reader, region.code, [indicator.id])[indicator.id]
            found = rm.breakdowns(reader, indicator, region.code, f.latest.month if f.latest else None)
            table = rm.breakdown_table(indicator, region, next(b for b in found if b.column == rincian), lang)
        elif tabel == "profil":
            ids = [i for p in rm.themes() for i in p.indicators]
            table = rm.profile_table(region, _profile_figs(reader, region, rm.figures(reader, region.code, ids)), lang)
        elif tabel == "kualitas":
            table = _sources_panel(request, reader, region, who)["table"]
        else:
            raise HTTPException(404, _t(request, "bad_table", name=tabel[:40]))
    name = f"{table.name}-{'-'.join(v for v in table.params.values() if v)}".replace(".", "")
    headers = [c.label[lang] for c in table.columns]
    rows = [[table.export_value(r, c, lang) for c in table.columns] for r in table.rows]
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([table.title])
        writer.writerow(headers)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(_xlsx(table.title, headers, rows), headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Data")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, neutralise(title), bold)
    for col, text in enumerate(headers):
        sheet.write_string(1, col, text, bold)
        sheet.set_column(col, col, max(12, min(40, len(text) + 4)))
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            if isinstance(value, (int, float)):
                sheet.write_number(r, col, value)
            elif value is not None:
                sheet.write_string(r, col, str(neutralise(value)))
    sheet.freeze_panes(2, 0)
    book.close()
    return out.getvalue()
