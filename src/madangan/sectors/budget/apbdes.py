"""APBDes: the village budget (Anggaran Pendapatan dan Belanja Desa), per desa, as Siskeudes/SIPADES export it.

One row per desa, fiscal year and budget line: revenue by source (Permendagri 20/2018: Pendapatan Asli Desa,
Dana Desa, Alokasi Dana Desa, bagi hasil pajak dan retribusi, bantuan keuangan provinsi/kabupaten, lain-lain)
and spending by bidang (the five fields of village spending), with the allocation (anggaran) and the realization
up to the report date (tanggal_laporan). Kelurahan have no APBDes: they are units of their kecamatan.

Each quarterly report replaces the realization of the same line (ingest keeps the earlier version in its
history); the public sees each quarter through the publications (`madangan publish`), which stay as published.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from madangan.contracts import Column, Contract, Processing

JENIS = ("PENDAPATAN", "BELANJA")
#: (code, name) — revenue sources and spending fields (bidang) of Permendagri 20/2018.
PENDAPATAN = (
    ("4.1", "Pendapatan Asli Desa"),
    ("4.2.1", "Dana Desa"),
    ("4.2.2", "Bagi Hasil Pajak dan Retribusi"),
    ("4.2.3", "Alokasi Dana Desa"),
    ("4.2.4", "Bantuan Keuangan Provinsi"),
    ("4.2.5", "Bantuan Keuangan Kabupaten/Kota"),
    ("4.3", "Pendapatan Lain-lain"),
)
BIDANG = (
    ("5.1", "Penyelenggaraan Pemerintahan Desa"),
    ("5.2", "Pelaksanaan Pembangunan Desa"),
    ("5.3", "Pembinaan Kemasyarakatan Desa"),
    ("5.4", "Pemberdayaan Masyarakat Desa"),
    ("5.5", "Penanggulangan Bencana, Keadaan Darurat dan Mendesak Desa"),
)
URAIAN = {code: name for code, name in (*PENDAPATAN, *BIDANG)}

APBDES = Contract(
    name="apbdes",
    sector="budget",
    title={"id": "APBDes: anggaran dan realisasi desa", "en": "Village budgets (APBDes): allocation and realization"},
    owner="DPMD",
    columns=(
        Column("tahun", "Tahun Anggaran", "int", description="Tahun anggaran, mis. 2026"),
        Column("kode_desa", "Kode Desa"),
        Column("jenis", "Jenis", allowed=JENIS, synonyms={"BELANJA DESA": "BELANJA", "PENDAPATAN DESA": "PENDAPATAN"}),
        Column("kode_rekening", "Kode Rekening", allowed=tuple(URAIAN),
               description="Pendapatan 4.x per sumber; belanja 5.1–5.5 per bidang (Permendagri 20/2018)"),
        Column("uraian", "Uraian"),
        Column("anggaran", "Anggaran (Rp)", "int"),
        Column("realisasi", "Realisasi s.d. Tanggal Laporan (Rp)", "int"),
        Column("tanggal_laporan", "Tanggal Laporan", "date", description="Realisasi dihitung sampai tanggal ini"),
    ),
    processing=Processing("Transparansi keuangan desa", "UU 6/2014 tentang Desa; Permendagri 20/2018"),
    key=("tahun", "kode_desa", "kode_rekening"),
    region_column="kode_desa",
    export_format="xlsx",
    aliases={"Tahun": "tahun", "Kode Rek": "kode_rekening", "Pagu": "anggaran", "Anggaran": "anggaran",
             "Realisasi": "realisasi", "Bidang": "uraian", "Sumber Dana": "uraian"},
)

#: Typical Rp per desa and year (Jawa Barat, 2020s): Dana Desa ~1 billion, ADD ~0.6 billion …
_REVENUE = {"4.1": 60e6, "4.2.1": 1.0e9, "4.2.2": 90e6, "4.2.3": 620e6, "4.2.4": 130e6, "4.2.5": 100e6, "4.3": 15e6}
_SPENDING_SHARE = {"5.1": 0.36, "5.2": 0.38, "5.3": 0.07, "5.4": 0.15, "5.5": 0.04}


def synthesize(ctx) -> None:
    """Every desa (not kelurahan) of the regency: revenue by source, spending by bidang, realization to the
    reference date — slow in the first quarter, Dana Desa in stages, a few villages far behind."""
    rng = ctx.rng("budget-apbdes")
    desa = ctx.desa().filter(~pl.col("kelurahan"))["desa_code"].to_list()
    n = len(desa)
    if not n:
        return
    year, report = ctx.reference_date.year, ctx.reference_date
    elapsed = report.timetuple().tm_yday / (366 if year % 4 == 0 else 365)
    size = rng.lognormal(0, 0.15, n)  # bigger and smaller villages
    pace = np.where(rng.random(n) < 0.1, rng.uniform(0.3, 0.6, n), rng.uniform(0.85, 1.05, n))  # a tenth lag
    rows = []
    for i, code in enumerate(desa):
        revenue = {k: int(round(v * size[i] * rng.lognormal(0, 0.2) / 1000) * 1000) for k, v in _REVENUE.items()}
        total = sum(revenue.values())
        for k, amount in revenue.items():
            share = min(1.0, elapsed * pace[i] * (1.1 if k in ("4.2.1", "4.2.3") else 1.0))
            rows.append((code, "PENDAPATAN", k, amount, int(amount * share / 1000) * 1000))
        weights = np.array(list(_SPENDING_SHARE.values())) * rng.lognormal(0, 0.15, len(_SPENDING_SHARE))
        weights /= weights.sum()
        spend = (np.floor(total * weights / 1000) * 1000).astype(np.int64)
        spend[0] += total - spend.sum()
        for (k, _), amount in zip(BIDANG, spend):
            # first quarter: salaries only; building works later in the year
            lag = 0.6 if k == "5.2" else 1.0
            share = min(1.0, max(0.0, elapsed - 0.15) / 0.85 * pace[i] * lag + (0.08 if k == "5.1" else 0))
            rows.append((code, "BELANJA", k, int(amount), int(amount * share / 1000) * 1000))
    frame = pl.DataFrame(rows, schema=["kode_desa", "jenis", "kode_rekening", "anggaran", "realisasi"], orient="row")
    ctx.frames["apbdes"] = frame.with_columns(
        tahun=pl.lit(year, pl.Int64), uraian=pl.col("kode_rekening").replace_strict(URAIAN),
        tanggal_laporan=pl.lit(report)).select(APBDES.column_names)
