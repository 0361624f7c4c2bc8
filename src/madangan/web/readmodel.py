"""What the command-center pages read: indicator facts, quality scores, source freshness and finding counts.

Nothing here computes what the pipeline owns. Indicator values, statuses and roll-ups come from the
facts table (`fakta_indikator`, written by the indicator engine); quality scores from `kualitas_data`
(written by verval). The only arithmetic is for display: picking the latest month, and the
records-weighted mean of the stored quality scores of a region (stated on the page).

Tables are built once here (`Table`) and used both by the pages and by the CSV/XLSX exports, so an
exported file holds exactly what the page showed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from madangan import warehouse
from madangan.indicators import Indicator, ThemePage
from madangan.indicators import engine as indicator_engine
from madangan.plugins import contracts, sectors
from madangan.verval.quality import TABLE as QUALITY_TABLE

FACTS = indicator_engine.FACT_TABLE
#: The overall data-quality score gets the same colours as an indicator: green from 90, red at 75 or below.
QUALITY_THRESHOLDS = (90.0, 75.0)
QUALITY_SLUG = "kualitas-data"
MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
STATUS_LABELS = {
    "hijau": {"id": "baik", "en": "good"},
    "kuning": {"id": "perlu perhatian", "en": "needs attention"},
    "merah": {"id": "buruk", "en": "poor"},
    None: {"id": "tanpa ambang", "en": "no threshold"},
}


# --- declarations ------------------------------------------------------------------------------------


def themes() -> list[ThemePage]:
    """Every sector's thematic pages, in their declared order (only indicators that are registered)."""
    known = indicator_engine.indicators()
    found = []
    for s in sectors():
        for page in s.pages:
            ids = tuple(i for i in page.indicators if i in known)
            if ids:
                found.append(ThemePage(page.slug, page.title, ids, tuple(i for i in page.headline if i in known),
                                       page.order, page.lead))
    return sorted(found, key=lambda p: (p.order, p.slug))


def theme(slug: str) -> ThemePage | None:
    return next((p for p in themes() if p.slug == slug), None)


def headline_ids() -> list[str]:
    return [i for p in themes() for i in p.headline]


def map_indicator_ids() -> list[str]:
    """Indicators the map can show: those of the thematic pages, in page order."""
    return list(dict.fromkeys(i for p in themes() for i in p.indicators))


# --- formatting ------------------------------------------------------------------------------------


def month_label(month: date | None, lang: str) -> str:
    return f"{MONTHS[lang][month.month - 1]} {month.year}" if month else "—"


def number(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def value_text(value: float | None, unit: str, lang: str) -> str:
    if value is None:
        return "—"
    if unit == "Rp":
        return "Rp " + number(value, lang, 0)
    if unit in WHOLE_UNITS:  # counts and whole days: no decimals, the unit named
        return number(value, lang, 0) + " " + WHOLE_UNITS[unit].get(lang, unit)
    digits = 2 if unit in ("indeks", "") else 1
    suffix = {"%": " %", "per 1000": " ‰", "hari": " hari" if lang == "id" else " days"}.get(unit, "")
    return number(value, lang, digits) + suffix


#: Units whose values are whole numbers (a count, a number of working days), with their words.
WHOLE_UNITS = {"hari kerja": {"id": "hari kerja", "en": "working days"},
               "permohonan": {"id": "permohonan", "en": "requests"}}


def count_text(value: float | None, lang: str) -> str:
    return number(value, lang, 0)


def compact(value: float | None, lang: str) -> str:
    """12.345.678.901 → '12,3 M' (miliar) / '12.3 bn': for a tile's n, where a long figure would not fit."""
    if value is None:
        return "—"
    for size, short in ((1e12, {"id": "T", "en": "tn"}), (1e9, {"id": "M", "en": "bn"}), (1e6, {"id": "jt", "en": "m"})):
        if abs(value) >= size:
            return f"{number(value / size, lang, 1)} {short[lang]}"
    return count_text(value, lang)


# --- the warehouse -----------------------------------------------------------------------------------


@dataclass
class Region:
    code: str
    name: str
    level: str  # kabupaten/kota, kecamatan, desa/kelurahan
    parent: str | None

    @property
    def depth(self) -> int:  # 1 regency, 2 kecamatan, 3 desa
        return self.code.count(".")


@dataclass
class Snapshot:
    """What the pages read, as stored when the warehouse file last changed (indicator totals, quality
    scores, batch freshness, the region tree). Built from the warehouse, never computed here."""

    stamp: tuple
    regions: dict[str, Region]
    #: (region code, indicator) → its monthly figures, oldest first
    series: dict[tuple[str, str], list[tuple]]
    #: (indicator, level, month) → {region code: (numerator, denominator, value)}
    by_month: dict[tuple[str, str, date], dict[str, tuple]]
    with_sub_regions: set[str]  # indicators with facts below the regency
    quality: list[tuple]  # kualitas_data rows: (sumber, kode_desa, bulan, jumlah_record, record_bermasalah,
    #                        validitas, kelengkapan, ketepatan_waktu, skor)
    fresh: dict[str, datetime]  # source → last committed batch
    #: (indicator, level, dimensi) → its facts with breakdowns (the indicator API's answers; engine.load_facts)
    facts: dict = field(default_factory=dict)


_snapshots: dict[str, Snapshot] = {}
_loading = threading.Lock()


def _stamp(path: Path) -> tuple:
    """The warehouse file and its write-ahead log as they are now: any commit changes one of them."""
    out = []
    for p in (path, Path(str(path) + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def _load(path: Path, stamp: tuple) -> Snapshot:
    con = warehouse.connect(path)
    try:
        raw = con.con
        tables = set(con.list_tables())
        regions = {c: Region(c, n, lv, p) for c, n, lv, p in raw.execute(
            f"SELECT code, name, level, parent_code FROM {warehouse.REGION_TABLE}").fetchall()}
        series: dict[tuple[str, str], list[tuple]] = {}
        by_month: dict[tuple[str, str, date], dict[str, tuple]] = {}
        if FACTS in tables:
            for indicator, level, code, month, num, den, value in raw.execute(
                f"""SELECT indicator, level, kode_wilayah, bulan, numerator, denominator, value FROM {FACTS}
                    WHERE dimensi = '' ORDER BY kode_wilayah, indicator, bulan""").fetchall():
                series.setdefault((code, indicator), []).append((month, num or 0.0, den or 0.0, value))
                by_month.setdefault((indicator, level, month), {})[code] = (num, den, value)
        quality = raw.execute(f"""SELECT sumber, kode_desa, bulan, jumlah_record, record_bermasalah, validitas,
                                         kelengkapan, ketepatan_waktu, skor FROM {QUALITY_TABLE}""").fetchall() \
            if QUALITY_TABLE in tables else []
        fresh = dict(raw.execute("SELECT source, max(committed_at) FROM _batch WHERE status = 'committed' GROUP BY source")
                     .fetchall()) if "_batch" in tables else {}
        facts = indicator_engine.load_facts(con) if FACTS in tables else {}
    finally:
        con.disconnect()
    with_sub = {i for (i, level, _m) in by_month if level == "kecamatan"}
    return Snapshot(stamp, regions, series, by_month, with_sub, quality, fresh, facts)


def snapshot(path: Path) -> Snapshot:
    """The current snapshot of the warehouse at `path`; reloaded when the file has changed since the last one.

    Opening a DuckDB file costs tens of milliseconds; a page needs a few lookups. So the server reads the
    facts once per change of the file (an ingest batch, `madangan refresh`, a verval run) and answers every
    request from memory until the next change — figures on screen are as fresh as the warehouse itself."""
    path = Path(path)
    stamp = _stamp(path)
    found = _snapshots.get(str(path))
    if found is not None and found.stamp == stamp:
        return found
    with _loading:
        found = _snapshots.get(str(path))
        stamp = _stamp(path)
        if found is None or found.stamp != stamp:
            found = _load(path, stamp)
            _snapshots[str(path)] = found
    return found


class Reader:
    """What one request reads: the current snapshot of the deployment's warehouse."""

    def __init__(self, settings):
        self.settings = settings
        self.snap = snapshot(settings.warehouse)
        self.regions = self.snap.regions

    def close(self) -> None:
        pass

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def children(self, code: str) -> list[Region]:
        return sorted((r for r in self.regions.values() if r.parent == code), key=lambda r: r.code)

    def under(self, code: str, depth: int) -> list[Region]:
        return sorted((r for r in self.regions.values() if r.depth == depth and r.code.startswith(code + ".")),
                      key=lambda r: r.code)

    def trail(self, code: str) -> list[Region]:
        """The region and its parents, regency first (the breadcrumbs)."""
        out = []
        while code in self.regions:
            out.append(self.regions[code])
            code = self.regions[code].parent
        return out[::-1]


# --- indicator figures ---------------------------------------------------------------------------------


@dataclass
class Point:
    month: date
    numerator: float
    denominator: float
    value: float | None


@dataclass
class Figure:
    """One indicator for one region: its months up to now, latest last."""

    indicator: Indicator
    series: list[Point] = field(default_factory=list)

    @property
    def latest(self) -> Point | None:
        return self.series[-1] if self.series else None

    @property
    def status(self) -> str | None:
        return self.indicator.status(self.latest.value) if self.latest else None

    def spark(self, months: int = 12) -> list[list]:
        return [[p.month.strftime("%Y-%m"), None if p.value is None else round(p.value, 2)] for p in self.series[-months:]]


def this_month() -> date:
    return date.today().replace(day=1)


def figures(reader: Reader, code: str, ids: list[str]) -> dict[str, Figure]:
    """Each indicator's monthly series for region `code` (total, not breakdowns), months up to this one.

    Some indicators date their facts ahead (ANC coverage counts pregnancies by due month); the pages
    show what is known up to now."""
    known = indicator_engine.indicators()
    now = this_month()
    found = {}
    for i in ids:
        if i in known:
            rows = reader.snap.series.get((code, i), ())
            found[i] = Figure(known[i], [Point(*row) for row in rows if row[0] <= now])
    return found


@dataclass
class RankRow:
    region: Region
    numerator: float | None
    denominator: float | None
    value: float | None
    status: str | None


def ranking(reader: Reader, indicator: Indicator, parent: str, depth: int, month: date | None) -> list[RankRow]:
    """Every region of `depth` under `parent` with its figure in `month` (None: no data), worst first."""
    regions = reader.under(parent, depth)
    values: dict[str, tuple] = {}
    if month is not None:
        values = reader.snap.by_month.get((indicator.id, indicator_engine.LEVELS[depth - 1], month), {})
    rows = [RankRow(r, *values.get(r.code, (None, None, None)), None) for r in regions]
    for row in rows:
        row.status = indicator.status(row.value)
    with_value = [r for r in rows if r.value is not None]
    with_value.sort(key=lambda r: r.value, reverse=not indicator.higher_is_better)
    return with_value + [r for r in rows if r.value is None]


@dataclass
class Breakdown:
    """One of an indicator's disaggregations for a region and month: each category's counts and value."""

    column: str  # the breakdown column, e.g. kanal
    label: dict[str, str]
    month: date | None
    rows: list[RankRow]  # region = the category (code = category, name = category)


def breakdowns(reader: Reader, indicator: Indicator, code: str, month: date | None) -> list[Breakdown]:
    """Each declared disaggregation of `indicator` for region `code` in `month`, categories largest first.

    Read from the stored facts (the engine computes every breakdown beside the total); categories sum to it."""
    out = []
    level = indicator_engine.level_of(code)
    for column, label in indicator.disaggregations.items():
        rows: list[RankRow] = []
        part = reader.snap.facts.get((indicator.id, level, column))
        if part is not None and month is not None:
            for r in part.filter((part["kode_wilayah"] == code) & (part["bulan"] == month)).iter_rows(named=True):
                name = _category_name(reader, r["kategori"], code) if column in indicator.local_breakdowns \
                    else r["kategori"]
                rows.append(RankRow(Region(r["kategori"], name, column, code), r["numerator"],
                                    r["denominator"], r["value"], indicator.status(r["value"])))
        rows.sort(key=lambda r: -(r.denominator or 0))
        out.append(Breakdown(column, label, month, rows))
    return out


def _category_name(reader: Reader, category: str, code: str) -> str:
    """A category named within a desa ("32.11.22.2001 Posyandu Mawar"): its name, with the desa's name when the
    region shown is above that desa."""
    desa, _, name = category.partition(" ")
    if desa == code or desa not in reader.snap.regions:
        return name or category
    return f"{name} · {reader.snap.regions[desa].name}"


def breakdown_table(indicator: Indicator, region: Region, b: Breakdown, lang: str) -> Table:
    return Table("rincian", f"{indicator.title[lang]} · {b.label[lang]} · {region.name} · {month_label(b.month, lang)}",
                 [Column("kategori", b.label), Column("numerator", L["numerator"], "count"),
                  Column("denominator", L["denominator"], "count"), Column("value", L["value"], "number"),
                  Column("status", L["status"], "status")],
                 [{"kategori": r.region.name, "numerator": r.numerator, "denominator": r.denominator, "value": r.value,
                   "status": r.status, "_unit": indicator.unit} for r in b.rows],
                 {"indikator": indicator.id, "wilayah": region.code, "rincian": b.column})


def surveys(indicator: Indicator, code: str) -> list:
    """The national surveys' estimates of `indicator` for region `code` (madangan.indicators.SurveyValue), newest first."""
    return sorted((s for s in indicator.surveys if s.region == code), key=lambda s: -s.year)


def has_sub_regions(reader: Reader, indicator: Indicator) -> bool:
    """False for figures kept only for the whole regency (the budget is kept per agency, not per village)."""
    return indicator.id in reader.snap.with_sub_regions


# --- map ---------------------------------------------------------------------------------------------

_shapes_cache: dict[str, tuple[float, bool]] = {}


def has_desa_shapes(data_dir: Path, regency: str) -> bool:
    """True when the deployment's outlines include desa polygons (cached per file version)."""
    from madangan import boundaries

    path = Path(data_dir) / boundaries.FILE_NAME
    if not path.exists():
        return False
    stamp = path.stat().st_mtime
    cached = _shapes_cache.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    found = any(f["properties"]["code"].count(".") == 3 for f in json.loads(path.read_text())["features"])
    _shapes_cache[str(path)] = (stamp, found)
    return found


# --- tables (pages and exports) ------------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: dict[str, str]
    kind: str = "text"  # text, code, number, count, status, link


@dataclass
class Table:
    name: str  # export name: tren, peringkat, profil, kualitas
    title: str
    columns: list[Column]
    rows: list[dict]  # key → raw value (numbers stay numbers for XLSX); "_href" for a link column
    params: dict[str, str] = field(default_factory=dict)  # query to rebuild it at /ekspor/{name}

    def cell(self, row: dict, column: Column, lang: str) -> str:
        value = row.get(column.key)
        if column.kind == "number":
            return value_text(value, row.get("_unit", ""), lang)
        if column.kind == "count":
            return count_text(value, lang)
        if column.kind == "status":
            return STATUS_LABELS.get(value, STATUS_LABELS[None])[lang] if value else "—"
        return "—" if value is None else str(value)

    def export_value(self, row: dict, column: Column, lang: str):
        value = row.get(column.key)
        if column.kind == "status":
            return STATUS_LABELS.get(value, STATUS_LABELS[None])[lang] if value else None
        if column.kind in ("number", "count"):
            return None if value is None else round(float(value), 4)
        return value


L = {
    "month": {"id": "Bulan", "en": "Month"},
    "code": {"id": "Kode", "en": "Code"},
    "region": {"id": "Wilayah", "en": "Region"},
    "numerator": {"id": "Pembilang", "en": "Numerator"},
    "denominator": {"id": "Penyebut", "en": "Denominator"},
    "value": {"id": "Nilai", "en": "Value"},
    "status": {"id": "Status", "en": "Status"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "target": {"id": "Target", "en": "Target"},
    "source": {"id": "Sumber", "en": "Source"},
    "owner": {"id": "OPD pemilik", "en": "Owning agency"},
    "rows": {"id": "Baris", "en": "Rows"},
    "loaded": {"id": "Dimuat", "en": "Loaded"},
    "score": {"id": "Skor kualitas", "en": "Quality score"},
    "validity": {"id": "Validitas %", "en": "Validity %"},
    "completeness": {"id": "Kelengkapan %", "en": "Completeness %"},
    "timeliness": {"id": "Ketepatan waktu %", "en": "Timeliness %"},
    "findings": {"id": "Temuan aktif", "en": "Active findings"},
    "fresh": {"id": "Kemutakhiran", "en": "Freshness"},
}


def trend_table(indicator: Indicator, region: Region, figure: Figure, lang: str) -> Table:
    rows = [{"bulan": p.month.strftime("%Y-%m"), "numerator": p.numerator, "denominator": p.denominator,
             "value": p.value, "status": indicator.status(p.value), "_unit": indicator.unit}
            for p in reversed(figure.series)]
    return Table("tren", f"{indicator.title[lang]} · {region.name}",
                 [Column("bulan", L["month"], "code"), Column("numerator", L["numerator"], "count"),
                  Column("denominator", L["denominator"], "count"), Column("value", L["value"], "number"),
                  Column("status", L["status"], "status")],
                 rows, {"indikator": indicator.id, "wilayah": region.code})


def ranking_table(indicator: Indicator, parent: Region, depth: int, month: date | None, rows: list[RankRow],
                  lang: str) -> Table:
    level = "kecamatan" if depth == 2 else "desa"
    return Table("peringkat", f"{indicator.title[lang]} · {month_label(month, lang)}",
                 [Column("kode", L["code"], "code"), Column("wilayah", L["region"], "link"),
                  Column("numerator", L["numerator"], "count"), Column("denominator", L["denominator"], "count"),
                  Column("value", L["value"], "number"), Column("status", L["status"], "status")],
                 [{"kode": r.region.code, "wilayah": r.region.name, "_href": f"/wilayah/{r.region.code}",
                   "numerator": r.numerator, "denominator": r.denominator, "value": r.value, "status": r.status,
                   "_unit": indicator.unit} for r in rows],
                 {"indikator": indicator.id, "wilayah": parent.code, "tingkat": level})


def profile_table(region: Region, figs: dict[str, Figure], lang: str) -> Table:
    rows = []
    for f in figs.values():
        i, p = f.indicator, f.latest
        rows.append({"indikator": i.title[lang], "bulan": p.month.strftime("%Y-%m") if p else None,
                     "numerator": p.numerator if p else None, "denominator": p.denominator if p else None,
                     "value": p.value if p else None, "target": i.target, "status": f.status, "_unit": i.unit,
                     "_id": i.id})
    return Table("profil", region.name,
                 [Column("indikator", L["indicator"]), Column("bulan", L["month"], "code"),
                  Column("numerator", L["numerator"], "count"), Column("denominator", L["denominator"], "count"),
                  Column("value", L["value"], "number"), Column("target", L["target"], "number"),
                  Column("status", L["status"], "status")],
                 rows, {"wilayah": region.code})


# --- data quality --------------------------------------------------------------------------------------


@dataclass
class SourceQuality:
    name: str
    title: dict[str, str]
    owner: str
    rows: int | None  # records scored in the region
    loaded_at: datetime | None
    late: bool  # older than the source's update interval
    score: float | None
    validity: float | None
    completeness: float | None
    timeliness: float | None
    problems: int | None  # records with an open error finding (from the score table)
    findings: int | None = None  # active findings (app DB), filled by the caller when it may count them


def _in(code: str, regency: bool):
    """Rows of a region: a desa code under it (the regency also counts rows kept without a desa)."""
    if regency:
        return lambda desa: True
    return lambda desa: desa is not None and (desa == code or desa.startswith(code + "."))


def _weighted(rows: list[tuple], column: int) -> float | None:
    n = sum(r[3] or 0 for r in rows)
    return sum((r[column] or 0) * (r[3] or 0) for r in rows) / n if n else None


def quality(reader: Reader, code: str) -> tuple[list[SourceQuality], date | None]:
    """Per source: freshness (last committed batch) and this month's stored score for the region."""
    inside = _in(code, reader.regions[code].depth == 1)
    rows = reader.snap.quality
    month = max((r[2] for r in rows), default=None)
    by_source: dict[str, list[tuple]] = {}
    for r in rows:
        if r[2] == month and inside(r[1]):
            by_source.setdefault(r[0], []).append(r)
    now = datetime.now()
    out = []
    for name, contract in contracts().items():
        loaded = reader.snap.fresh.get(name)
        part = by_source.get(name)
        interval = getattr(contract, "update_every_days", None)
        late = bool(loaded and interval and (now - loaded).days > interval)
        if part:
            validity, completeness = _weighted(part, 5), _weighted(part, 6)
            timeliness = max(r[7] for r in part)
            out.append(SourceQuality(name, contract.title, contract.owner, sum(r[3] for r in part), loaded, late,
                                     _weighted(part, 8), None if validity is None else 100 * validity,
                                     None if completeness is None else 100 * completeness, 100 * timeliness,
                                     sum(r[4] or 0 for r in part)))
        else:
            out.append(SourceQuality(name, contract.title, contract.owner, None, loaded, late, None, None, None, None, None))
    return out, month


def quality_overall(reader: Reader, code: str) -> list[list]:
    """[month, records-weighted mean score] per month for the region (the stored scores' trend)."""
    inside = _in(code, reader.regions[code].depth == 1)
    by_month: dict[date, list[tuple]] = {}
    for r in reader.snap.quality:
        if inside(r[1]):
            by_month.setdefault(r[2], []).append(r)
    out = []
    for month in sorted(by_month):
        value = _weighted(by_month[month], 8)
        if value is not None:
            out.append([month.strftime("%Y-%m"), round(value, 1)])
    return out


def quality_ranking(reader: Reader, parent: str, depth: int) -> tuple[list[RankRow], date | None]:
    """Records-weighted mean quality score of each region of `depth` under `parent`, this month, worst first."""
    regions = reader.under(parent, depth)
    rows = reader.snap.quality
    month = max((r[2] for r in rows), default=None)
    groups: dict[str, list[tuple]] = {}
    for r in rows:
        if r[2] == month and r[1] and r[1].startswith(parent + "."):
            key = r[1] if depth == 3 else r[1].rsplit(".", 1)[0]
            groups.setdefault(key, []).append(r)
    out = []
    for region in regions:
        part = groups.get(region.code)
        value = _weighted(part, 8) if part else None
        out.append(RankRow(region, None, sum(r[3] for r in part) if part else None, value, quality_status(value)))
    with_value = sorted((r for r in out if r.value is not None), key=lambda r: r.value)
    return with_value + [r for r in out if r.value is None], month


def quality_status(value: float | None) -> str | None:
    if value is None:
        return None
    green, red = QUALITY_THRESHOLDS
    return "hijau" if value >= green else ("merah" if value <= red else "kuning")


def quality_table(rows: list[SourceQuality], region: Region, lang: str) -> Table:
    return Table("kualitas", region.name,
                 [Column("sumber", L["source"]), Column("opd", L["owner"]), Column("dimuat", L["loaded"], "code"),
                  Column("kemutakhiran", L["fresh"]), Column("baris", L["rows"], "count"),
                  Column("skor", L["score"], "number"), Column("validitas", L["validity"], "number"),
                  Column("kelengkapan", L["completeness"], "number"), Column("ketepatan", L["timeliness"], "number"),
                  Column("temuan", L["findings"], "count")],
                 [{"sumber": q.title[lang], "opd": q.owner,
                   "dimuat": q.loaded_at.strftime("%Y-%m-%d %H:%M") if q.loaded_at else None,
                   "kemutakhiran": (("terlambat" if lang == "id" else "late") if q.late else
                                    ("tepat waktu" if lang == "id" else "on time")) if q.loaded_at else
                                   ("belum dimuat" if lang == "id" else "not loaded"),
                   "baris": q.rows, "skor": q.score, "validitas": q.validity, "kelengkapan": q.completeness,
                   "ketepatan": q.timeliness, "temuan": q.findings, "_unit": "skor", "_late": q.late,
                   "_status": quality_status(q.score)} for q in rows],
                 {"wilayah": region.code})
