"""The budget sector's open data: the APBD as regencies publish it."""

from __future__ import annotations

import polars as pl

from madangan.access.disclosure import suppress
from madangan.opendata.catalog import Dataset, empty_frame, has_tables, plain_numbers


def budget(con) -> dict[str, pl.DataFrame]:
    """Spending per OPD × program (allocation, cash plan and realization to date), the monthly curve, revenue."""
    out: dict[str, pl.DataFrame] = {}
    if has_tables(con, "anggaran", "realisasi"):
        out["belanja_per_program"] = con.con.execute("""
            WITH r AS (SELECT kode_unit, kode_sub_kegiatan, sum(rencana) FILTER (WHERE realisasi IS NOT NULL) AS rencana,
                              sum(realisasi) AS realisasi FROM realisasi GROUP BY ALL)
            SELECT a.opd, a.program, sum(a.pagu) AS pagu, coalesce(sum(r.rencana), 0) AS rencana_kas_sd_bulan_ini,
                   coalesce(sum(r.realisasi), 0) AS realisasi, bool_or(a.tagging_stunting) AS tagging_stunting
            FROM anggaran a LEFT JOIN r USING (kode_unit, kode_sub_kegiatan)
            GROUP BY ALL ORDER BY a.opd, a.program""").pl().pipe(plain_numbers).with_columns(
            persen_realisasi=(100 * pl.col("realisasi") / pl.col("pagu")).round(2))
        out["belanja_bulanan"] = con.con.execute("""
            SELECT bulan, sum(rencana) AS rencana_kas, sum(realisasi) AS realisasi,
                   sum(sum(rencana)) OVER (ORDER BY bulan) AS rencana_kas_kumulatif,
                   CASE WHEN count(realisasi) > 0 THEN sum(sum(realisasi)) OVER (ORDER BY bulan) END AS realisasi_kumulatif
            FROM realisasi GROUP BY bulan ORDER BY bulan""").pl().pipe(plain_numbers)
    else:
        out["belanja_per_program"] = empty_frame(opd=pl.String, program=pl.String, pagu=pl.Int64,
                                            rencana_kas_sd_bulan_ini=pl.Int64, realisasi=pl.Int64,
                                            tagging_stunting=pl.Boolean, persen_realisasi=pl.Float64)
        out["belanja_bulanan"] = empty_frame(bulan=pl.Int64, rencana_kas=pl.Int64, realisasi=pl.Int64,
                                        rencana_kas_kumulatif=pl.Int64, realisasi_kumulatif=pl.Int64)
    if has_tables(con, "pendapatan"):
        out["pendapatan"] = con.con.execute("""
            SELECT kelompok, uraian, opd, sum(target) AS target, sum(realisasi) AS realisasi,
                   round(100 * sum(realisasi) / nullif(sum(target), 0), 2) AS persen_realisasi
            FROM pendapatan GROUP BY ALL ORDER BY kelompok, uraian""").pl().pipe(plain_numbers)
    else:
        out["pendapatan"] = empty_frame(kelompok=pl.String, uraian=pl.String, opd=pl.String, target=pl.Int64,
                                   realisasi=pl.Int64, persen_realisasi=pl.Float64)
    return {k: suppress(v, "none", derived=()) for k, v in out.items()}


DATASETS = (
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
)
