"""The budget sector's open data: the APBD as regencies publish it."""

from __future__ import annotations

import polars as pl

from madangan.access.disclosure import suppress
from madangan.opendata.catalog import Dataset, empty_frame, has_tables, plain_numbers


#: The fiscal year a publication shows: the latest one loaded.
_YEAR = "(SELECT max(tahun) FROM anggaran)"


def budget(con) -> dict[str, pl.DataFrame]:
    """The latest fiscal year: spending per OPD × program (allocation, cash plan and realization to date), the
    monthly curve, each OPD's absorption month by month against its cash plan and the linear path, spending
    located in each kecamatan per resident beside the stunting programme and the stunting rate, revenue."""
    out: dict[str, pl.DataFrame] = {}
    if has_tables(con, "anggaran", "realisasi"):
        out["belanja_per_program"] = con.con.execute(f"""
            WITH r AS (SELECT tahun, kode_unit, kode_sub_kegiatan,
                              sum(rencana) FILTER (WHERE realisasi IS NOT NULL) AS rencana,
                              sum(realisasi) AS realisasi FROM realisasi GROUP BY ALL)
            SELECT a.tahun, a.opd, a.program, sum(a.pagu) AS pagu, coalesce(sum(r.rencana), 0) AS rencana_kas_sd_bulan_ini,
                   coalesce(sum(r.realisasi), 0) AS realisasi, bool_or(a.tagging_stunting) AS tagging_stunting
            FROM anggaran a LEFT JOIN r USING (tahun, kode_unit, kode_sub_kegiatan)
            WHERE a.tahun = {_YEAR}
            GROUP BY ALL ORDER BY a.opd, a.program""").pl().pipe(plain_numbers).with_columns(
            persen_realisasi=(100 * pl.col("realisasi") / pl.col("pagu")).round(2))
        out["belanja_bulanan"] = con.con.execute(f"""
            SELECT tahun, bulan, sum(rencana) AS rencana_kas, sum(realisasi) AS realisasi,
                   sum(sum(rencana)) OVER (ORDER BY bulan) AS rencana_kas_kumulatif,
                   CASE WHEN count(realisasi) > 0 THEN sum(sum(realisasi)) OVER (ORDER BY bulan) END AS realisasi_kumulatif
            FROM realisasi WHERE tahun = {_YEAR} GROUP BY tahun, bulan ORDER BY bulan""").pl().pipe(plain_numbers)
        out["serapan_opd_bulanan"] = absorption_by_agency(con)
        out["belanja_per_kecamatan"] = spending_by_kecamatan(con)
    else:
        out["belanja_per_program"] = empty_frame(tahun=pl.Int64, opd=pl.String, program=pl.String, pagu=pl.Int64,
                                                 rencana_kas_sd_bulan_ini=pl.Int64, realisasi=pl.Int64,
                                                 tagging_stunting=pl.Boolean, persen_realisasi=pl.Float64)
        out["belanja_bulanan"] = empty_frame(tahun=pl.Int64, bulan=pl.Int64, rencana_kas=pl.Int64, realisasi=pl.Int64,
                                             rencana_kas_kumulatif=pl.Int64, realisasi_kumulatif=pl.Int64)
        out["serapan_opd_bulanan"] = empty_frame(
            tahun=pl.Int64, opd=pl.String, bulan=pl.Int64, pagu=pl.Int64, rencana_kas_kumulatif=pl.Int64,
            realisasi_kumulatif=pl.Int64, persen_linear=pl.Float64, persen_rencana=pl.Float64,
            persen_realisasi=pl.Float64, selisih_rencana_poin=pl.Float64)
        out["belanja_per_kecamatan"] = empty_frame(
            tahun=pl.Int64, kode_kecamatan=pl.String, nama_kecamatan=pl.String, penduduk=pl.Int64, pagu=pl.Int64,
            realisasi=pl.Int64, realisasi_per_kapita=pl.Float64, pagu_stunting=pl.Int64, realisasi_stunting=pl.Int64,
            bulan_stunting=pl.String, balita_diukur=pl.Int64, balita_stunting=pl.Int64, prevalensi_stunting=pl.Float64)
    if has_tables(con, "pendapatan"):
        out["pendapatan"] = con.con.execute("""
            SELECT tahun, kelompok, uraian, opd, sum(target) AS target, sum(realisasi) AS realisasi,
                   round(100 * sum(realisasi) / nullif(sum(target), 0), 2) AS persen_realisasi
            FROM pendapatan WHERE tahun = (SELECT max(tahun) FROM pendapatan)
            GROUP BY ALL ORDER BY kelompok, uraian""").pl().pipe(plain_numbers)
    else:
        out["pendapatan"] = empty_frame(tahun=pl.Int64, kelompok=pl.String, uraian=pl.String, opd=pl.String,
                                        target=pl.Int64, realisasi=pl.Int64, persen_realisasi=pl.Float64)
    people = {"belanja_per_kecamatan"}  # its stunting counts are children; money is never blanked
    return {k: suppress(v, "none", derived=()) if k not in people else v for k, v in out.items()}


def absorption_by_agency(con) -> pl.DataFrame:
    """Per OPD and month 1–12 of the latest year: cumulative cash plan and realization against the OPD's
    allocation, beside the linear path (month ÷ 12); realization stays empty after the last reported month."""
    return con.con.execute(f"""
        WITH units AS (SELECT tahun, kode_unit, kode_sub_kegiatan, opd, pagu FROM anggaran WHERE tahun = {_YEAR}),
             pagu AS (SELECT opd, sum(pagu) AS pagu FROM units GROUP BY opd),
             last AS (SELECT max(bulan) AS m FROM realisasi WHERE tahun = {_YEAR} AND realisasi IS NOT NULL),
             m AS (SELECT u.tahun, u.opd, r.bulan, sum(r.rencana) AS rencana, sum(coalesce(r.realisasi, 0)) AS realisasi
                   FROM realisasi r JOIN units u USING (tahun, kode_unit, kode_sub_kegiatan) GROUP BY ALL),
             k AS (SELECT tahun, opd, bulan,
                          sum(rencana) OVER (PARTITION BY opd ORDER BY bulan) AS rencana_kas_kumulatif,
                          sum(realisasi) OVER (PARTITION BY opd ORDER BY bulan) AS realisasi_kumulatif FROM m)
        SELECT k.tahun, k.opd, k.bulan, p.pagu, k.rencana_kas_kumulatif,
               CASE WHEN k.bulan <= last.m THEN k.realisasi_kumulatif END AS realisasi_kumulatif,
               round(100.0 * k.bulan / 12, 2) AS persen_linear,
               round(100.0 * k.rencana_kas_kumulatif / nullif(p.pagu, 0), 2) AS persen_rencana,
               CASE WHEN k.bulan <= last.m THEN round(100.0 * k.realisasi_kumulatif / nullif(p.pagu, 0), 2) END
                   AS persen_realisasi
        FROM k JOIN pagu p USING (opd), last ORDER BY k.opd, k.bulan""").pl().pipe(plain_numbers).with_columns(
        selisih_rencana_poin=(pl.col("persen_realisasi") - pl.col("persen_rencana")).round(2))


def spending_by_kecamatan(con) -> pl.DataFrame:
    """Per kecamatan: spending located there (lokasi_kecamatan) in the latest year, per resident, the part tagged
    for stunting, and the stunting rate of its latest month — read from the indicator engine's facts (the health
    sector's `prevalensi_stunting`) and the registered desa counts (`penduduk`), never from another sector's code.
    Small cells of children are blanked."""
    from madangan import warehouse
    from madangan.indicators.engine import FACT_TABLE

    tables = set(con.list_tables())
    people = (f"""SELECT regexp_extract(desa_code, '^(.+)\\.[^.]+$', 1) AS kode, sum(value) AS penduduk
                  FROM {warehouse.SUMMARY_TABLE} WHERE key = 'penduduk' GROUP BY 1"""
              if warehouse.SUMMARY_TABLE in tables else "SELECT NULL::VARCHAR AS kode, NULL::BIGINT AS penduduk")
    stunting = (f"""SELECT kode_wilayah AS kode, strftime(bulan, '%Y-%m') AS bulan_stunting,
                           denominator::BIGINT AS balita_diukur, numerator::BIGINT AS balita_stunting,
                           round(value, 2) AS prevalensi_stunting
                    FROM {FACT_TABLE} WHERE indicator = 'prevalensi_stunting' AND level = 'kecamatan' AND dimensi = ''
                    QUALIFY bulan = max(bulan) OVER (PARTITION BY kode_wilayah)"""
                if FACT_TABLE in tables else
                "SELECT NULL::VARCHAR AS kode, NULL AS bulan_stunting, NULL::BIGINT AS balita_diukur, "
                "NULL::BIGINT AS balita_stunting, NULL::DOUBLE AS prevalensi_stunting")
    frame = con.con.execute(f"""
        WITH spent AS (SELECT a.tahun, a.lokasi_kecamatan AS kode, sum(a.pagu) AS pagu,
                              sum(a.pagu) FILTER (WHERE a.tagging_stunting) AS pagu_stunting
                       FROM anggaran a WHERE a.tahun = {_YEAR} AND a.lokasi_kecamatan IS NOT NULL GROUP BY ALL),
             paid AS (SELECT a.lokasi_kecamatan AS kode, sum(r.realisasi) AS realisasi,
                             sum(r.realisasi) FILTER (WHERE a.tagging_stunting) AS realisasi_stunting
                      FROM anggaran a JOIN realisasi r USING (tahun, kode_unit, kode_sub_kegiatan)
                      WHERE a.tahun = {_YEAR} AND a.lokasi_kecamatan IS NOT NULL GROUP BY 1),
             people AS ({people}), stunting AS ({stunting})
        SELECT w.code AS kode_kecamatan, w.name AS nama_kecamatan, s.tahun, people.penduduk,
               coalesce(s.pagu, 0) AS pagu, coalesce(paid.realisasi, 0) AS realisasi,
               round(coalesce(paid.realisasi, 0) / nullif(people.penduduk, 0), 0) AS realisasi_per_kapita,
               coalesce(s.pagu_stunting, 0) AS pagu_stunting, coalesce(paid.realisasi_stunting, 0) AS realisasi_stunting,
               stunting.bulan_stunting, stunting.balita_diukur, stunting.balita_stunting, stunting.prevalensi_stunting
        FROM {warehouse.REGION_TABLE} w LEFT JOIN spent s ON s.kode = w.code LEFT JOIN paid ON paid.kode = w.code
             LEFT JOIN people ON people.kode = w.code LEFT JOIN stunting ON stunting.kode = w.code
        WHERE w.level = 'kecamatan' ORDER BY w.code""").pl().pipe(plain_numbers)
    frame = frame.with_columns(pl.col("tahun").fill_null(strategy="max"))
    return suppress(frame, "counts", numerator="balita_stunting", denominator="balita_diukur",
                    derived=("prevalensi_stunting",))


def village_budgets(con) -> dict[str, pl.DataFrame]:
    """APBDes of the latest year per desa: each line (revenue by source, spending by bidang), and per desa the
    totals; with the desa's and kecamatan's names and the report date. Money: nothing is blanked."""
    from madangan import warehouse

    if not has_tables(con, "apbdes"):
        lines = empty_frame(tahun=pl.Int64, kode_kecamatan=pl.String, nama_kecamatan=pl.String, kode_desa=pl.String,
                            nama_desa=pl.String, jenis=pl.String, kode_rekening=pl.String, uraian=pl.String,
                            anggaran=pl.Int64, realisasi=pl.Int64, persen_realisasi=pl.Float64,
                            tanggal_laporan=pl.Date)
    else:
        lines = con.con.execute(f"""
            SELECT a.tahun, k.code AS kode_kecamatan, k.name AS nama_kecamatan, a.kode_desa, d.name AS nama_desa,
                   a.jenis, a.kode_rekening, a.uraian, a.anggaran, a.realisasi,
                   round(100 * a.realisasi / nullif(a.anggaran, 0), 2) AS persen_realisasi, a.tanggal_laporan
            FROM apbdes a JOIN {warehouse.REGION_TABLE} d ON d.code = a.kode_desa
                          LEFT JOIN {warehouse.REGION_TABLE} k ON k.code = d.parent_code
            WHERE a.tahun = (SELECT max(tahun) FROM apbdes)
            ORDER BY a.kode_desa, a.jenis DESC, a.kode_rekening""").pl().pipe(plain_numbers)
    totals = (lines.group_by("tahun", "kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa", maintain_order=True)
              .agg(pendapatan_anggaran=pl.col("anggaran").filter(pl.col("jenis") == "PENDAPATAN").sum(),
                   pendapatan_realisasi=pl.col("realisasi").filter(pl.col("jenis") == "PENDAPATAN").sum(),
                   belanja_anggaran=pl.col("anggaran").filter(pl.col("jenis") == "BELANJA").sum(),
                   belanja_realisasi=pl.col("realisasi").filter(pl.col("jenis") == "BELANJA").sum(),
                   dana_desa=pl.col("anggaran").filter(pl.col("kode_rekening") == "4.2.1").sum(),
                   tanggal_laporan=pl.col("tanggal_laporan").max())
              .with_columns(persen_belanja=(100 * pl.col("belanja_realisasi") / pl.col("belanja_anggaran")).round(2)))
    return {"apbdes_per_desa": suppress(totals, "none", derived=()),
            "apbdes_rincian": suppress(lines, "none", derived=())}


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
             "serapan_opd_bulanan": "Per OPD × bulan: rencana kas dan realisasi kumulatif terhadap pagu, dan garis linear",
             "belanja_per_kecamatan": "Belanja berlokasi di kecamatan per penduduk, belanja bertanda stunting, dan "
                                      "prevalensi stunting kecamatan (sel < 5 balita disensor)",
             "belanja_bulanan": "Anggaran kas dan realisasi per bulan (1–12), dan kumulatifnya",
             "pendapatan": "Target dan realisasi pendapatan per kelompok dan uraian"}),
    Dataset("apbdes-desa", {"id": "APBDes: anggaran dan realisasi keuangan desa",
                            "en": "Village budgets (APBDes): allocation and realization per village"},
            "DPMD", ("apbdes", "desa", "keuangan-desa", "dana-desa"),
            {"definisi": "Anggaran pendapatan desa per sumber (PADes, Dana Desa, ADD, bagi hasil, bantuan keuangan) dan "
                         "belanja desa per bidang (Permendagri 20/2018), dengan realisasi sampai tanggal laporan.",
             "rumus": "persen realisasi = realisasi s.d. tanggal laporan ÷ anggaran × 100",
             "sumber": "DPMD: Siskeudes desa", "frekuensi": "Triwulanan", "satuan": "Rp"},
            village_budgets,
            {"apbdes_per_desa": "Per desa: pendapatan dan belanja (anggaran, realisasi), Dana Desa",
             "apbdes_rincian": "Per desa × sumber pendapatan / bidang belanja"}),
)
