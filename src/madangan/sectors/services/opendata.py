"""The public services sector's open data: performance per OPD and service, complaint handling."""

from __future__ import annotations

import polars as pl

from madangan.access.disclosure import suppress
from madangan.opendata.catalog import Dataset, empty_frame, has_tables
from madangan.sectors.services.indicators import COMPLAINT_DAYS, ikm_category, working_day_calendar


def services(con) -> dict[str, pl.DataFrame]:
    """Per OPD × service: requests, finished, finished within the standard, median and 90th-percentile working
    days (nearest rank, as the indicators), still open, satisfaction (IKM) with its PermenPANRB 14/2017 grade."""
    if not has_tables(con, "layanan"):
        return {"kinerja_layanan": suppress(empty_frame(
            opd=pl.String, layanan=pl.String, standar_hari=pl.Int64, permohonan=pl.Int64, selesai=pl.Int64,
            selesai_sesuai_standar=pl.Int64, median_hari=pl.Int64, p90_hari=pl.Int64, masih_diproses=pl.Int64,
            responden_survei=pl.Int64, ikm=pl.Float64, persen_sesuai_standar=pl.Float64, mutu_ikm=pl.String,
            kinerja_ikm=pl.String))}
    con.con.register("_kalender_kerja", working_day_calendar().to_arrow())
    try:
        frame = con.con.execute("""
            WITH per AS (
            SELECT l.opd, l.layanan, max(l.standar_hari) AS standar_hari, count(*) AS permohonan,
                   count(*) FILTER (WHERE l.status = 'SELESAI') AS selesai,
                   count(*) FILTER (WHERE l.status = 'SELESAI' AND b.n - a.n <= l.standar_hari) AS selesai_sesuai_standar,
                   count(*) FILTER (WHERE l.status = 'DIPROSES') AS masih_diproses,
                   count(l.nilai_kepuasan) AS responden_survei,
                   round(sum(l.nilai_kepuasan * 25) / nullif(count(l.nilai_kepuasan), 0), 2) AS ikm,
                   list_sort(list(b.n - a.n) FILTER (WHERE l.status = 'SELESAI' AND b.n IS NOT NULL)) AS hari
            FROM layanan l LEFT JOIN _kalender_kerja a ON a.tanggal = l.tanggal_diajukan
                           LEFT JOIN _kalender_kerja b ON b.tanggal = l.tanggal_selesai
            GROUP BY ALL)
            SELECT * EXCLUDE (hari),
                   hari[greatest(1, ceil(0.5 * len(hari)))::INTEGER] AS median_hari,
                   hari[greatest(1, ceil(0.9 * len(hari)))::INTEGER] AS p90_hari
            FROM per ORDER BY opd, layanan""").pl()
    finally:
        con.con.unregister("_kalender_kerja")
    frame = frame.with_columns(
        persen_sesuai_standar=(100 * pl.col("selesai_sesuai_standar") / pl.col("selesai")).round(2))
    # requests count people, but finishing late (or being still open) is the service's trait, not the
    # applicant's: only small numbers of requests are hidden, not small numbers of late or open ones
    frame = suppress(frame, "denominator", numerator="selesai_sesuai_standar", denominator="selesai",
                     derived=("persen_sesuai_standar", "median_hari", "p90_hari"), counts=("permohonan",))
    frame = suppress(frame, "denominator", numerator="", denominator="responden_survei", derived=("ikm",))
    grades = [ikm_category(v) for v in frame["ikm"].to_list()]
    return {"kinerja_layanan": frame.with_columns(
        mutu_ikm=pl.Series([g[0] if g else None for g in grades], dtype=pl.String),
        kinerja_ikm=pl.Series([g[1] if g else None for g in grades], dtype=pl.String))}


def complaints(con) -> dict[str, pl.DataFrame]:
    """Per OPD: complaints received, followed up, settled; and, as the indicator pengaduan_melewati_batas counts
    them for the latest month (Perpres 76/2013), those still open on the latest date in the data (`posisi`) and
    those among them received more than COMPLAINT_DAYS days before."""
    if not has_tables(con, "pengaduan"):
        return {"pengaduan_per_opd": suppress(empty_frame(opd_tujuan=pl.String, pengaduan_masuk=pl.Int64,
                                                     ditindaklanjuti=pl.Int64, selesai=pl.Int64, posisi=pl.Date,
                                                     terbuka=pl.Int64, melewati_batas=pl.Int64,
                                                     persen_ditindaklanjuti=pl.Float64,
                                                     persen_melewati_batas=pl.Float64))}
    # open as in complaints_overdue: not settled by that date, or not marked SELESAI
    frame = con.con.execute(f"""
        WITH akhir AS (SELECT greatest(max(tanggal_masuk), coalesce(max(tanggal_selesai), max(tanggal_masuk))) AS d
                       FROM pengaduan),
        p AS (SELECT pengaduan.*, akhir.d AS posisi,
                     (tanggal_masuk <= akhir.d AND (tanggal_selesai IS NULL OR tanggal_selesai > akhir.d
                                                   OR status <> 'SELESAI')) AS terbuka_
              FROM pengaduan, akhir)
        SELECT opd_tujuan, count(*) AS pengaduan_masuk,
               count(*) FILTER (WHERE status <> 'BELUM DITINDAKLANJUTI') AS ditindaklanjuti,
               count(*) FILTER (WHERE status = 'SELESAI') AS selesai,
               max(posisi) AS posisi,
               count(*) FILTER (WHERE terbuka_) AS terbuka,
               count(*) FILTER (WHERE terbuka_ AND posisi - tanggal_masuk > {COMPLAINT_DAYS}) AS melewati_batas
        FROM p GROUP BY opd_tujuan ORDER BY opd_tujuan""").pl().with_columns(
        persen_ditindaklanjuti=(100 * pl.col("ditindaklanjuti") / pl.col("pengaduan_masuk")).round(2),
        persen_melewati_batas=(100 * pl.col("melewati_batas") / pl.col("terbuka")).round(2))
    return {"pengaduan_per_opd": suppress(frame, "denominator", numerator="ditindaklanjuti", denominator="pengaduan_masuk",
                                          derived=("persen_ditindaklanjuti", "terbuka", "melewati_batas",
                                                   "persen_melewati_batas"))}


DATASETS = (
    Dataset("kinerja-layanan-publik", {"id": "Kinerja layanan publik per OPD dan jenis layanan",
                                      "en": "Public-service performance per agency and service"},
            "Bagian Organisasi Setda", ("layanan-publik", "ikm", "sla"),
            {"definisi": "Permohonan, penyelesaian sesuai standar waktu (hari kerja) dan Indeks Kepuasan Masyarakat per "
                         "OPD dan jenis layanan.",
             "rumus": "persen sesuai standar = selesai ≤ standar hari kerja ÷ selesai × 100; median/p90 hari = peringkat "
                      "terdekat hari kerja pengajuan → selesai; IKM = Σ(nilai × 25) ÷ responden, mutu A ≥ 88,31, "
                      "B ≥ 76,61, C ≥ 65,00, D < 65,00 (PermenPANRB 14/2017)",
             "sumber": "Bagian Organisasi Setda: SIPP, MPP, SIAK", "frekuensi": "Bulanan", "satuan": "permohonan, %, indeks"},
            services, {"kinerja_layanan": "Per OPD × layanan; sel < 5 disensor"}),
    Dataset("pengaduan-masyarakat", {"id": "Penanganan pengaduan masyarakat per OPD",
                                    "en": "Complaint handling per agency"},
            "Diskominfosanditik", ("pengaduan", "sp4n-lapor", "layanan-publik"),
            {"definisi": "Pengaduan masuk (SP4N-LAPOR!, WhatsApp, langsung), yang ditindaklanjuti dan selesai per OPD tujuan.",
             "rumus": "persen ditindaklanjuti = pengaduan DIPROSES atau SELESAI ÷ pengaduan masuk × 100; melewati "
                      "batas = pengaduan yang masih terbuka pada tanggal posisi (tanggal data terakhir) dan sudah "
                      "lebih dari 60 hari sejak diterima (Perpres 76/2013), seperti indikator pengaduan_melewati_batas; "
                      "persen melewati batas = melewati batas ÷ terbuka × 100",
             "sumber": "Diskominfosanditik: SP4N-LAPOR!", "frekuensi": "Bulanan", "satuan": "pengaduan, %"},
            complaints, {"pengaduan_per_opd": "Per OPD tujuan; sel < 5 disensor"}),
)
