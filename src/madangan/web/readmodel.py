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
    digits = 2 if unit in ("indeks", "") else 1
    suffix = {"%": " %", "per 1000": " ‰", "hari": " hari" if lang == "id" else " days"}.get(unit, "")
    return number(value, lang, digits) + suffix


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


class Reader:
    """One short-lived warehouse connection for a request."""

    def __init__(self, settings):
        self.settings = settings
        self.con = warehouse.connect(settings.warehouse)
        self.raw = self.con.con
        tables = set(self.con.list_tables())
        self.has_facts = FACTS in tables
        self.has_quality = QUALITY_TABLE in tables
        self.has_batches = "_batch" in tables
        rows = self.raw.execute(f"SELECT code, name, level, parent_code FROM {warehouse.REGION_TABLE}").fetchall()
        self.regions = {c: Region(c, n, lv, p) for c, n, lv, p in rows}

    def close(self) -> None:
        self.con.disconnect()

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
    found = {i: Figure(known[i]) for i in ids if i in known}
    if not reader.has_facts or not found:
        return found
    rows = reader.raw.execute(
        f"""SELECT indicator, bulan, numerator, denominator, value FROM {FACTS}
            WHERE kode_wilayah = ? AND dimensi = '' AND bulan <= ? AND list_contains(?, indicator)
            ORDER BY indicator, bulan""",
        [code, this_month(), list(found)],
    ).fetchall()
    for indicator, month, num, den, value in rows:
        found[indicator].series.append(Point(month, num or 0.0, den or 0.0, value))
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
    if reader.has_facts and month is not None:
        level = indicator_engine.LEVELS[depth - 1]
        values = {code: (num, den, value) for code, num, den, value in reader.raw.execute(
            f"""SELECT kode_wilayah, numerator, denominator, value FROM {FACTS}
                WHERE indicator = ? AND level = ? AND dimensi = '' AND bulan = ? AND starts_with(kode_wilayah, ?)""",
            [indicator.id, level, month, parent + "."]).fetchall()}
    rows = [RankRow(r, *values.get(r.code, (None, None, None)), None) for r in regions]
    for row in rows:
        row.status = indicator.status(row.value)
    with_value = [r for r in rows if r.value is not None]
    with_value.sort(key=lambda r: r.value, reverse=not indicator.higher_is_better)
    return with_value + [r for r in rows if r.value is None]


def has_sub_regions(reader: Reader, indicator: Indicator) -> bool:
    """False for figures kept only for the whole regency (the budget is kept per agency, not per village)."""
    if not reader.has_facts:
        return False
    return reader.raw.execute(f"SELECT count(*) FROM {FACTS} WHERE indicator = ? AND level <> 'kabupaten' LIMIT 1",
                              [indicator.id]).fetchone()[0] > 0


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


def _in_region(column: str, code: str, regency: bool) -> tuple[str, list]:
    if regency:  # the regency's own rows include those kept without a desa
        return "TRUE", []
    return f"({column} = ? OR starts_with({column}, ?))", [code, code + "."]


def quality(reader: Reader, code: str) -> tuple[list[SourceQuality], date | None]:
    """Per source: freshness (last committed batch) and this month's stored score for the region."""
    regency = reader.regions[code].depth == 1
    scores: dict[str, tuple] = {}
    month = None
    if reader.has_quality:
        month = reader.raw.execute(f"SELECT max(bulan) FROM {QUALITY_TABLE}").fetchone()[0]
        where, params = _in_region("kode_desa", code, regency)
        for row in reader.raw.execute(
            f"""SELECT sumber, sum(jumlah_record), sum(record_bermasalah),
                       sum(skor * jumlah_record) / nullif(sum(jumlah_record), 0),
                       sum(validitas * jumlah_record) / nullif(sum(jumlah_record), 0),
                       sum(kelengkapan * jumlah_record) / nullif(sum(jumlah_record), 0),
                       max(ketepatan_waktu)
                FROM {QUALITY_TABLE} WHERE bulan = ? AND {where} GROUP BY sumber""", [month, *params]).fetchall():
            scores[row[0]] = row[1:]
    fresh = {}
    if reader.has_batches:
        fresh = dict(reader.raw.execute(
            "SELECT source, max(committed_at) FROM _batch WHERE status = 'committed' GROUP BY source").fetchall())
    now = datetime.now()
    out = []
    for name, contract in contracts().items():
        loaded = fresh.get(name)
        s = scores.get(name)
        interval = getattr(contract, "update_every_days", None)
        late = bool(loaded and interval and (now - loaded).days > interval)
        out.append(SourceQuality(
            name, contract.title, contract.owner, int(s[0]) if s else None, loaded, late,
            s[2] if s else None, 100 * s[3] if s and s[3] is not None else None,
            100 * s[4] if s and s[4] is not None else None, 100 * s[5] if s and s[5] is not None else None,
            int(s[1]) if s else None))
    return out, month


def quality_overall(reader: Reader, code: str) -> list[list]:
    """[month, records-weighted mean score] per month for the region (the stored scores' trend)."""
    if not reader.has_quality:
        return []
    where, params = _in_region("kode_desa", code, reader.regions[code].depth == 1)
    return [[m.strftime("%Y-%m"), round(v, 1)] for m, v in reader.raw.execute(
        f"""SELECT bulan, sum(skor * jumlah_record) / nullif(sum(jumlah_record), 0) FROM {QUALITY_TABLE}
            WHERE {where} GROUP BY bulan HAVING sum(jumlah_record) > 0 ORDER BY bulan""", params).fetchall()]


def quality_ranking(reader: Reader, parent: str, depth: int) -> tuple[list[RankRow], date | None]:
    """Records-weighted mean quality score of each region of `depth` under `parent`, this month, worst first."""
    regions = reader.under(parent, depth)
    if not reader.has_quality:
        return [RankRow(r, None, None, None, None) for r in regions], None
    month = reader.raw.execute(f"SELECT max(bulan) FROM {QUALITY_TABLE}").fetchone()[0]
    key = "kode_desa" if depth == 3 else "regexp_extract(kode_desa, '^(.+)\\.[^.]+$', 1)"
    values = {c: (n, v) for c, n, v in reader.raw.execute(
        f"""SELECT {key} AS k, sum(jumlah_record), sum(skor * jumlah_record) / nullif(sum(jumlah_record), 0)
            FROM {QUALITY_TABLE} WHERE bulan = ? AND starts_with(kode_desa, ?) GROUP BY k""",
        [month, parent + "."]).fetchall()}
    rows = []
    for r in regions:
        n, v = values.get(r.code, (None, None))
        rows.append(RankRow(r, None, n, v, quality_status(v)))
    with_value = sorted((r for r in rows if r.value is not None), key=lambda r: r.value)
    return with_value + [r for r in rows if r.value is None], month


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
