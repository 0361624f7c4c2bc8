"""The open-data catalog: which datasets the regency publishes, with Satu Data metadata, and their rows.

Datasets come from three places, all registered, none hand-listed here:

- every indicator a sector declares `public=True` (one dataset each: the facts per kabupaten, kecamatan
  and desa × month, from the indicator engine's `fakta_indikator`);
- the aggregate datasets a sector registers in `Sector.datasets` (the budget sector's APBD per OPD and
  program, the services sector's performance per OPD and service …);
- the platform's own (`AGGREGATES`): the data-quality score per desa (villages compete on it).

Every resource passes `madangan.access.disclosure.suppress` before it leaves: no person appears, and
cells of fewer than five people are blank with `disensor = true`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from madangan import warehouse
from madangan.access.disclosure import suppress
from madangan.indicators import Indicator
from madangan.indicators.engine import FACT_TABLE, indicators
from madangan.plugins import contracts

LICENSE = ("CC-BY-4.0", "Creative Commons Attribution 4.0")
WALIDATA = "Dinas Komunikasi dan Informatika (Walidata)"


def slug(text: str) -> str:
    """CKAN dataset/organisation names: lowercase letters, digits, '-' and '_'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Dataset:
    name: str  # CKAN name, e.g. "prevalensi-stunting"
    title: dict[str, str]
    organization: str  # produsen data (the owning agency), as its title, e.g. "Dinas Kesehatan"
    tags: tuple[str, ...]
    metadata: dict[str, str]  # definisi, rumus, sumber, frekuensi, satuan, kode_referensi …
    #: con → resource name → rows (already suppressed)
    build: Callable[[object], dict[str, pl.DataFrame]] = field(compare=False, repr=False)
    descriptions: dict[str, str] = field(default_factory=dict)  # resource name → description


# ----------------------------------------------------------------------------------- indicator datasets


def _owner(indicator: Indicator) -> str:
    registry = contracts()
    owners = [registry[s].owner for s in indicator.sources if s in registry]
    return owners[0] if owners else indicator.sector


def _indicator_rows(con, indicator: Indicator) -> pl.DataFrame:
    if FACT_TABLE not in con.list_tables():
        frame = pl.DataFrame(schema={"tingkat": pl.String, "kode_wilayah": pl.String, "nama_wilayah": pl.String,
                                     "bulan": pl.String, "pembilang": pl.Float64, "penyebut": pl.Float64,
                                     "nilai": pl.Float64})
    else:
        frame = con.con.execute(
            f"""SELECT f.level AS tingkat, f.kode_wilayah, w.name AS nama_wilayah, strftime(f.bulan, '%Y-%m') AS bulan,
                       f.numerator AS pembilang, f.denominator AS penyebut, round(f.value, 2) AS nilai
                FROM {FACT_TABLE} f LEFT JOIN {warehouse.REGION_TABLE} w ON w.code = f.kode_wilayah
                WHERE f.indicator = ? AND f.dimensi = ''
                ORDER BY CASE f.level WHEN 'kabupaten' THEN 0 WHEN 'kecamatan' THEN 1 ELSE 2 END,
                         f.kode_wilayah, f.bulan""", [indicator.id]).pl()
    frame = frame.with_columns(satuan=pl.lit(indicator.unit))
    return suppress(frame, indicator.disclosure, numerator="pembilang", denominator="penyebut", derived=("nilai",))


def indicator_dataset(indicator: Indicator) -> Dataset:
    meta = dict(indicator.metadata)
    meta.setdefault("frekuensi", "Bulanan")
    meta["satuan"] = indicator.unit
    meta["indikator"] = indicator.id
    meta["arah"] = "makin tinggi makin baik" if indicator.higher_is_better else "makin rendah makin baik"
    if indicator.target is not None:
        meta["target"] = f"{indicator.target:g}"
    return Dataset(
        name=slug(indicator.id), title=indicator.title, organization=_owner(indicator),
        tags=("indikator", indicator.sector, *(("kecamatan", "desa") if indicator.disclosure != "none" else ())),
        metadata=meta,
        build=lambda con: {"data": _indicator_rows(con, indicator)},
        descriptions={"data": "Nilai per kabupaten, kecamatan dan desa per bulan; sel < 5 orang disensor."},
    )


# ----------------------------------------------------------------------------------- aggregate datasets


def has_tables(con, *tables: str) -> bool:
    return set(tables) <= set(con.list_tables())


def empty_frame(**schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB's sums of integers arrive as decimals: whole ones become Int64, the rest Float64."""
    return frame.with_columns([
        pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64)
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)])


def data_quality(con) -> dict[str, pl.DataFrame]:
    """The verval quality score per desa and month (records-weighted over sources), ranked within the month."""
    from madangan.verval.quality import TABLE

    if not has_tables(con, TABLE):
        return {"skor_per_desa": suppress(empty_frame(kode_desa=pl.String, nama_desa=pl.String, bulan=pl.String,
                                                 jumlah_record=pl.Int64, skor=pl.Float64, peringkat=pl.Int64))}
    frame = con.con.execute(f"""
        SELECT q.kode_desa, w.name AS nama_desa, strftime(q.bulan, '%Y-%m') AS bulan,
               sum(q.jumlah_record) AS jumlah_record, round(sum(q.skor * q.jumlah_record) / sum(q.jumlah_record), 1) AS skor
        FROM {TABLE} q LEFT JOIN {warehouse.REGION_TABLE} w ON w.code = q.kode_desa
        WHERE q.kode_desa IS NOT NULL AND w.name IS NOT NULL GROUP BY ALL ORDER BY bulan, skor DESC, q.kode_desa""").pl().pipe(plain_numbers)
    frame = suppress(frame, "counts", numerator="", denominator="", derived=("skor",), counts=("jumlah_record",))
    # ranked after suppression: a hidden village neither shows a rank nor takes one
    return {"skor_per_desa": frame.with_columns(
        peringkat=pl.col("skor").rank("min", descending=True).over("bulan").cast(pl.Int64))}


AGGREGATES = (
    Dataset("skor-kualitas-data-desa", {"id": "Skor kualitas data per desa", "en": "Data-quality score per village"},
            "Diskominfosanditik", ("kualitas-data", "verval", "desa"),
            {"definisi": "Skor kualitas data hasil verifikasi dan validasi (verval) per desa: 60% validitas, 25% "
                         "kelengkapan, 15% ketepatan waktu; rata-rata tertimbang jumlah record semua sumber.",
             "rumus": "skor = 100 × (0,60 × validitas + 0,25 × kelengkapan + 0,15 × ketepatan waktu)",
             "sumber": "Madangan verval", "frekuensi": "Bulanan", "satuan": "skor 0–100"},
            data_quality, {"skor_per_desa": "Skor dan peringkat per desa per bulan"}),
)


def datasets() -> list[Dataset]:
    """Every public dataset: one per public indicator, then the sectors' aggregates, then the platform's."""
    from madangan.plugins import sectors

    return ([indicator_dataset(i) for i in indicators().values() if i.public]
            + [d for s in sectors() for d in s.datasets] + list(AGGREGATES))
