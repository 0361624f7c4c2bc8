"""The open-data catalog: which datasets the regency publishes, with Satu Data metadata, and their rows.

Datasets come from two places, both registered, none hand-listed here:

- every indicator a sector declares `public=True` (one dataset each: the facts per kabupaten, kecamatan
  and desa × month, from the indicator engine's `fakta_indikator`);
- the aggregate datasets below (`AGGREGATES`): the budget as regencies publish it (per OPD and program,
  the monthly curve, revenue), public-service performance per OPD and service, complaints per OPD,
  and the data-quality score per desa (villages compete on it).

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


def _has(con, *tables: str) -> bool:
    return set(tables) <= set(con.list_tables())


def _empty(**schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB's sums of integers arrive as decimals: whole ones become Int64, the rest Float64."""
    return frame.with_columns([
        pl.col(name).cast(pl.Int64 if dtype.scale == 0 else pl.Float64)
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)])


def budget(con) -> dict[str, pl.DataFrame]:
    """Spending per OPD × program (allocation, cash plan and realization to date), the monthly curve, revenue."""
    out: dict[str, pl.DataFrame] = {}
    if _has(con, "anggaran", "realisasi"):
        out["belanja_per_program"] = con.con.execute("""
            WITH r AS (SELECT kode_unit, kode_sub_kegiatan, sum(rencana) FILTER (WHERE realisasi IS NOT NULL) AS rencana,
                              sum(realisasi) AS realisasi FROM realisasi GROUP BY ALL)
            SELECT a.opd, a.program, sum(a.pagu) AS pagu, coalesce(sum(r.rencana), 0) AS rencana_kas_sd_bulan_ini,
                   coalesce(sum(r.realisasi), 0) AS realisasi, bool_or(a.tagging_stunting) AS tagging_stunting
            FROM anggaran a LEFT JOIN r USING (kode_unit, kode_sub_kegiatan)
            GROUP BY ALL ORDER BY a.opd, a.program""").pl().pipe(_plain).with_columns(
            persen_realisasi=(100 * pl.col("realisasi") / pl.col("pagu")).round(2))
        out["belanja_bulanan"] = con.con.execute("""
            SELECT bulan, sum(rencana) AS rencana_kas, sum(realisasi) AS realisasi,
                   sum(sum(rencana)) OVER (ORDER BY bulan) AS rencana_kas_kumulatif,
                   CASE WHEN count(realisasi) > 0 THEN sum(sum(realisasi)) OVER (ORDER BY bulan) END AS realisasi_kumulatif
            FROM realisasi GROUP BY bulan ORDER BY bulan""").pl().pipe(_plain)
    else:
        out["belanja_per_program"] = _empty(opd=pl.String, program=pl.String, pagu=pl.Int64,
                                            rencana_kas_sd_bulan_ini=pl.Int64, realisasi=pl.Int64,
                                            tagging_stunting=pl.Boolean, persen_realisasi=pl.Float64)
        out["belanja_bulanan"] = _empty(bulan=pl.Int64, rencana_kas=pl.Int64, realisasi=pl.Int64,
                                        rencana_kas_kumulatif=pl.Int64, realisasi_kumulatif=pl.Int64)
    if _has(con, "pendapatan"):
        out["pendapatan"] = con.con.execute("""
            SELECT kelompok, uraian, opd, sum(target) AS target, sum(realisasi) AS realisasi,
                   round(100 * sum(realisasi) / nullif(sum(target), 0), 2) AS persen_realisasi
            FROM pendapatan GROUP BY ALL ORDER BY kelompok, uraian""").pl().pipe(_plain)
    else:
        out["pendapatan"] = _empty(kelompok=pl.String, uraian=pl.String, opd=pl.String, target=pl.Int64,
                                   realisasi=pl.Int64, persen_realisasi=pl.Float64)
    return {k: suppress(v, "none", derived=()) for k, v in out.items()}


def services(con) -> dict[str, pl.DataFrame]:
    """Per OPD × service: requests, finished, finished within the standard, satisfaction (IKM)."""
    if not _has(con, "layanan"):
        return {"kinerja_layanan": suppress(_empty(
            opd=pl.String, layanan=pl.String, permohonan=pl.Int64, selesai=pl.Int64, selesai_sesuai_standar=pl.Int64,
            masih_diproses=pl.Int64, responden_survei=pl.Int64, ikm=pl.Float64, persen_sesuai_standar=pl.Float64))}
    from madangan.sectors.services.indicators import working_day_calendar

    con.con.register("_kalender_kerja", working_day_calendar().to_arrow())
    try:
        frame = con.con.execute("""
            SELECT l.opd, l.layanan, count(*) AS permohonan,
                   count(*) FILTER (WHERE l.status = 'SELESAI') AS selesai,
                   count(*) FILTER (WHERE l.status = 'SELESAI' AND b.n - a.n <= l.standar_hari) AS selesai_sesuai_standar,
                   count(*) FILTER (WHERE l.status = 'DIPROSES') AS masih_diproses,
                   count(l.nilai_kepuasan) AS responden_survei,
                   round(sum(l.nilai_kepuasan * 25) / nullif(count(l.nilai_kepuasan), 0), 2) AS ikm
            FROM layanan l LEFT JOIN _kalender_kerja a ON a.tanggal = l.tanggal_diajukan
                           LEFT JOIN _kalender_kerja b ON b.tanggal = l.tanggal_selesai
            GROUP BY ALL ORDER BY l.opd, l.layanan""").pl()
    finally:
        con.con.unregister("_kalender_kerja")
    frame = frame.with_columns(
        persen_sesuai_standar=(100 * pl.col("selesai_sesuai_standar") / pl.col("selesai")).round(2))
    # requests count people, but finishing late is the service's trait, not the applicant's: only small
    # numbers of requests are hidden, not small numbers of late ones
    frame = suppress(frame, "denominator", numerator="selesai_sesuai_standar", denominator="selesai",
                     derived=("persen_sesuai_standar",), counts=("permohonan",))
    return {"kinerja_layanan": suppress(frame, "denominator", numerator="", denominator="responden_survei",
                                        derived=("ikm",))}


def complaints(con) -> dict[str, pl.DataFrame]:
    if not _has(con, "pengaduan"):
        return {"pengaduan_per_opd": suppress(_empty(opd_tujuan=pl.String, pengaduan_masuk=pl.Int64,
                                                     ditindaklanjuti=pl.Int64, selesai=pl.Int64,
                                                     persen_ditindaklanjuti=pl.Float64))}
    frame = con.con.execute("""
        SELECT opd_tujuan, count(*) AS pengaduan_masuk,
               count(*) FILTER (WHERE status <> 'BELUM DITINDAKLANJUTI') AS ditindaklanjuti,
               count(*) FILTER (WHERE status = 'SELESAI') AS selesai
        FROM pengaduan GROUP BY ALL ORDER BY opd_tujuan""").pl().with_columns(
        persen_ditindaklanjuti=(100 * pl.col("ditindaklanjuti") / pl.col("pengaduan_masuk")).round(2))
    return {"pengaduan_per_opd": suppress(frame, "denominator", numerator="ditindaklanjuti", denominator="pengaduan_masuk",
                                          derived=("persen_ditindaklanjuti",))}


def data_quality(con) -> dict[str, pl.DataFrame]:
    """The verval quality score per desa and month (records-weighted over sources), ranked within the month."""
    from madangan.verval.quality import TABLE

    if not _has(con, TABLE):
        return {"skor_per_desa": suppress(_empty(kode_desa=pl.String, nama_desa=pl.String, bulan=pl.String,
                                                 jumlah_record=pl.Int64, skor=pl.Float64, peringkat=pl.Int64))}
    frame = con.con.execute(f"""
        SELECT q.kode_desa, w.name AS nama_desa, strftime(q.bulan, '%Y-%m') AS bulan,
               sum(q.jumlah_record) AS jumlah_record, round(sum(q.skor * q.jumlah_record) / sum(q.jumlah_record), 1) AS skor
        FROM {TABLE} q LEFT JOIN {warehouse.REGION_TABLE} w ON w.code = q.kode_desa
        WHERE q.kode_desa IS NOT NULL AND w.name IS NOT NULL GROUP BY ALL ORDER BY bulan, skor DESC, q.kode_desa""").pl().pipe(_plain)
    frame = suppress(frame, "counts", numerator="", denominator="", derived=("skor",), counts=("jumlah_record",))
    # ranked after suppression: a hidden village neither shows a rank nor takes one
    return {"skor_per_desa": frame.with_columns(
        peringkat=pl.col("skor").rank("min", descending=True).over("bulan").cast(pl.Int64))}


AGGREGATES = (
    Dataset("apbd-belanja-dan-pendapatan", {"id": "APBD: belanja per OPD dan program, realisasi, pendapatan",
                                           "en": "Regional budget: spending per agency and program, realization, revenue"},
            "BPKAD", ("anggaran", "apbd", "keuangan-daerah"),
            {"definisi": "Pagu belanja per perangkat daerah dan program, anggaran kas dan realisasi (SP2D) sampai bulan "
                         "laporan, kurva realisasi bulanan, serta target dan realisasi pendapatan daerah.",
             "rumus": "persen realisasi = realisasi ÷ pagu × 100", "sumber": "BPKAD dan Bapenda (SIPD-RI)",
             "frekuensi": "Bulanan; diterbitkan per triwulan", "satuan": "Rp"},
            budget,
            {"belanja_per_program": "Pagu, anggaran kas s.d. bulan laporan dan realisasi per OPD × program",
             "belanja_bulanan": "Anggaran kas dan realisasi per bulan (1–12), dan kumulatifnya",
             "pendapatan": "Target dan realisasi pendapatan per kelompok dan uraian"}),
    Dataset("kinerja-layanan-publik", {"id": "Kinerja layanan publik per OPD dan jenis layanan",
                                      "en": "Public-service performance per agency and service"},
            "Bagian Organisasi Setda", ("layanan-publik", "ikm", "sla"),
            {"definisi": "Permohonan, penyelesaian sesuai standar waktu (hari kerja) dan Indeks Kepuasan Masyarakat per "
                         "OPD dan jenis layanan.",
             "rumus": "persen sesuai standar = selesai ≤ standar hari kerja ÷ selesai × 100; IKM = Σ(nilai × 25) ÷ responden",
             "sumber": "Bagian Organisasi Setda: SIPP, MPP, SIAK", "frekuensi": "Bulanan", "satuan": "permohonan, %, indeks"},
            services, {"kinerja_layanan": "Per OPD × layanan; sel < 5 disensor"}),
    Dataset("pengaduan-masyarakat", {"id": "Penanganan pengaduan masyarakat per OPD",
                                    "en": "Complaint handling per agency"},
            "Diskominfosanditik", ("pengaduan", "sp4n-lapor", "layanan-publik"),
            {"definisi": "Pengaduan masuk (SP4N-LAPOR!, WhatsApp, langsung), yang ditindaklanjuti dan selesai per OPD tujuan.",
             "rumus": "persen ditindaklanjuti = pengaduan DIPROSES atau SELESAI ÷ pengaduan masuk × 100",
             "sumber": "Diskominfosanditik: SP4N-LAPOR!", "frekuensi": "Bulanan", "satuan": "pengaduan, %"},
            complaints, {"pengaduan_per_opd": "Per OPD tujuan; sel < 5 disensor"}),
    Dataset("skor-kualitas-data-desa", {"id": "Skor kualitas data per desa", "en": "Data-quality score per village"},
            "Diskominfosanditik", ("kualitas-data", "verval", "desa"),
            {"definisi": "Skor kualitas data hasil verifikasi dan validasi (verval) per desa: 60% validitas, 25% "
                         "kelengkapan, 15% ketepatan waktu; rata-rata tertimbang jumlah record semua sumber.",
             "rumus": "skor = 100 × (0,60 × validitas + 0,25 × kelengkapan + 0,15 × ketepatan waktu)",
             "sumber": "Madangan verval", "frekuensi": "Bulanan", "satuan": "skor 0–100"},
            data_quality, {"skor_per_desa": "Skor dan peringkat per desa per bulan"}),
)


def datasets() -> list[Dataset]:
    """Every public dataset: one per public indicator, then the aggregates."""
    return [indicator_dataset(i) for i in indicators().values() if i.public] + list(AGGREGATES)
