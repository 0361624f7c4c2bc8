"""Public-service indicators: service standards met, complaints followed up, satisfaction (IKM).

Each row counts toward its own desa and month, so a batch recomputes only what it touched.
"""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import polars as pl
from ibis import _

from madangan.indicators import Indicator
from madangan.sectors.services.holidays import _HOLIDAYS

CALENDAR_FROM, CALENDAR_TO = date(2020, 1, 1), date(2031, 1, 1)
BY_CHANNEL = {"kanal": {"id": "Kanal", "en": "Channel"}}


def working_day_calendar() -> pl.DataFrame:
    """tanggal → working days before it since CALENDAR_FROM, so working days from a to b = n[b] − n[a]
    (numpy.busday_count's meaning: 0 when finished on the day of submission)."""
    days = np.arange(CALENDAR_FROM, CALENDAR_TO, dtype="datetime64[D]")
    open_ = np.is_busday(days, holidays=_HOLIDAYS).astype(np.int64)
    before = np.concatenate([[0], np.cumsum(open_)[:-1]])
    return pl.DataFrame({"tanggal": days, "n": before})


def sla(tables):
    """Per desa of the applicant and month of completion: requests finished, and those within the standard."""
    done = tables["layanan"].filter(_.status == "SELESAI", _.tanggal_selesai.notnull())
    calendar = ibis.memtable(working_day_calendar())
    start = calendar.select(tanggal_diajukan=_.tanggal, n_start=_.n)
    end = calendar.select(tanggal_selesai=_.tanggal, n_end=_.n)
    timed = done.left_join(start, "tanggal_diajukan").left_join(end, "tanggal_selesai")
    within = (timed.n_end - timed.n_start) <= timed.standar_hari
    return timed.group_by(kode_desa=timed.kode_desa, bulan=timed.tanggal_selesai.truncate("M"), kanal=timed.kanal).agg(
        numerator=within.fill_null(False).sum(), denominator=timed.count())


def complaints_followed_up(tables):
    """Per desa named (none: regency only) and month received: complaints, and those followed up."""
    t = tables["pengaduan"]
    return t.group_by(kode_desa=t.kode_desa, bulan=t.tanggal_masuk.truncate("M"), kanal=t.kanal).agg(
        numerator=(t.status != "BELUM DITINDAKLANJUTI").sum(), denominator=t.count())


def satisfaction(tables):
    """IKM (PermenPANRB 14/2017) as a sum ratio: Σ (score × 25) ÷ answers, per desa and month of completion."""
    t = tables["layanan"].filter(_.nilai_kepuasan.notnull(), _.tanggal_selesai.notnull())
    return t.group_by(kode_desa=t.kode_desa, bulan=t.tanggal_selesai.truncate("M"), kanal=t.kanal).agg(
        numerator=(t.nilai_kepuasan * 25).sum(), denominator=t.count())


INDICATORS = (
    Indicator(
        id="kepatuhan_standar_layanan",
        public=True,
        disclosure="denominator",  # lateness is the service's trait; only few requests are hidden
        sector="services",
        title={"id": "Layanan selesai sesuai standar waktu", "en": "Services completed within the service standard"},
        compute=sla,
        sources=("layanan",),
        unit="%",
        higher_is_better=True,
        target=90.0,
        thresholds=(90.0, 80.0),
        period_from="layanan.tanggal_selesai",
        disaggregations=BY_CHANNEL,
        metadata={
            "definisi": "Persentase permohonan layanan yang selesai dalam jangka waktu standar pelayanan (hari kerja).",
            "rumus": "Permohonan SELESAI dalam ≤ standar hari kerja ÷ seluruh permohonan SELESAI × 100",
            "sumber": "Bagian Organisasi Setda: sistem informasi pelayanan (SIPP, MPP, SIAK)",
            "frekuensi": "Bulanan (bulan selesai)",
            "definition_en": "Share of completed service requests finished within the service standard (working days).",
        },
    ),
    Indicator(
        id="pengaduan_ditindaklanjuti",
        public=True,
        disclosure="denominator",
        sector="services",
        title={"id": "Pengaduan yang ditindaklanjuti", "en": "Complaints followed up"},
        compute=complaints_followed_up,
        sources=("pengaduan",),
        unit="%",
        higher_is_better=True,
        target=95.0,
        thresholds=(90.0, 75.0),
        period_from="pengaduan.tanggal_masuk",
        disaggregations=BY_CHANNEL,
        metadata={
            "definisi": "Persentase pengaduan masyarakat yang sudah diproses atau selesai (bukan BELUM DITINDAKLANJUTI). "
                        "Pengaduan tanpa desa dihitung di tingkat kabupaten saja.",
            "rumus": "Pengaduan berstatus DIPROSES atau SELESAI ÷ seluruh pengaduan masuk × 100",
            "sumber": "Diskominfosanditik: SP4N-LAPOR!, WhatsApp, pengaduan langsung",
            "frekuensi": "Bulanan (bulan masuk)",
            "definition_en": "Share of public complaints being handled or closed; complaints naming no village count at regency level only.",
        },
    ),
    Indicator(
        id="indeks_kepuasan_masyarakat",
        public=True,
        disclosure="denominator",
        sector="services",
        title={"id": "Indeks Kepuasan Masyarakat (IKM)", "en": "Community Satisfaction Index (IKM)"},
        compute=satisfaction,
        sources=("layanan",),
        unit="indeks",
        higher_is_better=True,
        target=88.31,
        thresholds=(88.31, 76.61),
        period_from="layanan.tanggal_selesai",
        disaggregations=BY_CHANNEL,
        metadata={
            "definisi": "Rata-rata nilai survei kepuasan (1–4) dikali 25, skala 25–100; mutu A ≥ 88,31, C < 76,61 "
                        "(PermenPANRB 14/2017).",
            "rumus": "Σ (nilai kepuasan × 25) ÷ jumlah responden",
            "sumber": "Bagian Organisasi Setda: survei kepuasan pada permohonan layanan",
            "frekuensi": "Bulanan (bulan selesai)",
            "definition_en": "Mean satisfaction score (1–4) × 25 on a 25–100 scale (PermenPANRB 14/2017).",
        },
    ),
)
