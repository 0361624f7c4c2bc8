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
#: Requests break down by the agency, the service and the channel (each request has one of each).
BY_SERVICE = {"opd": {"id": "OPD", "en": "Agency"}, "layanan": {"id": "Jenis layanan", "en": "Service"}, **BY_CHANNEL}
BY_AGENCY = {"opd_tujuan": {"id": "OPD tujuan", "en": "Agency"}, **BY_CHANNEL}
#: A complaint must be settled within 60 days of its receipt (Perpres 76/2013 on complaint handling).
COMPLAINT_DAYS = 60

#: IKM (PermenPANRB 14/2017): the mean unit score (1–4) × 25 = the converted index (25–100), and its
#: quality (mutu pelayanan) and performance (kinerja unit pelayanan) categories, from the lowest bound.
IKM_CATEGORIES = (
    (88.31, "A", {"id": "Sangat Baik", "en": "Very good"}),
    (76.61, "B", {"id": "Baik", "en": "Good"}),
    (65.00, "C", {"id": "Kurang Baik", "en": "Poor"}),
    (25.00, "D", {"id": "Tidak Baik", "en": "Very poor"}),
)
#: The survey scales accepted (`skala_kepuasan`, the highest score): the national 1–4 (the default when the
#: column is empty or absent) and 1–5, which is converted to 1–4 before × 25.
IKM_SCALES = (4, 5)
SCALE_COLUMN = "skala_kepuasan"


def ikm_unit_on_national_scale(score: float, scale: int = 4) -> float:
    """A score (or mean score) on a 1–`scale` survey as a value on the national 1–4 basis of PermenPANRB
    14/2017. The national method is defined on 1–4 only; a 1–5 score is mapped linearly so both ends stay
    ends: 1 → 1, 5 → 4, i.e. 1 + (score − 1) × 3/4 (3 → 2,5; 4 → 3,25). Multiplying a 1–5 score by 20
    instead would put the floor at 20, below the national 25, and shift every grade boundary."""
    if scale not in IKM_SCALES:
        raise ValueError(f"{SCALE_COLUMN} harus 4 (skala nasional 1–4) atau 5 (skala 1–5), bukan {scale}")
    if not 1 <= score <= scale:
        raise ValueError(f"nilai IKM unit harus 1–{scale} pada skala 1–{scale}, bukan {score}"
                         + ("; bila survei memakai skala 1–5, isi kolom skala_kepuasan = 5" if scale == 4 else ""))
    return 1 + (score - 1) * 3 / (scale - 1)


def ikm_converted(unit_value: float, scale: int = 4) -> float:
    """The converted IKM (25–100) of a unit value: × 25 on the national 1–4 basis, as PermenPANRB 14/2017
    converts it; a 1–5 unit value is first brought to 1–4 (ikm_unit_on_national_scale)."""
    return ikm_unit_on_national_scale(unit_value, scale) * 25


def ikm_category(converted: float | None, lang: str = "id") -> tuple[str, str] | None:
    """(mutu, kinerja) of a converted IKM, e.g. 88.31 → ("A", "Sangat Baik"); None without a value.

    The bounds are PermenPANRB 14/2017's: 25,00–64,99 D; 65,00–76,60 C; 76,61–88,30 B; 88,31–100 A.
    A value between two printed bounds (76,605) falls in the lower category: it does not reach 76,61."""
    if converted is None:
        return None
    for lower, grade, label in IKM_CATEGORIES:
        if converted >= lower - 1e-9:
            return grade, label.get(lang, label["id"])
    return "D", IKM_CATEGORIES[-1][2].get(lang, IKM_CATEGORIES[-1][2]["id"])


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
    return timed.group_by(kode_desa=timed.kode_desa, bulan=timed.tanggal_selesai.truncate("M"), kanal=timed.kanal,
                          opd=timed.opd, layanan=timed.layanan).agg(
        numerator=within.fill_null(False).sum(), denominator=timed.count())


def _timed(tables):
    """Finished requests with their completion time in working days (0: finished on the day of submission)."""
    done = tables["layanan"].filter(_.status == "SELESAI", _.tanggal_selesai.notnull())
    calendar = ibis.memtable(working_day_calendar())
    start = calendar.select(tanggal_diajukan=_.tanggal, n_start=_.n)
    end = calendar.select(tanggal_selesai=_.tanggal, n_end=_.n)
    timed = done.left_join(start, "tanggal_diajukan").left_join(end, "tanggal_selesai")
    return timed.mutate(hari=timed.n_end - timed.n_start)


def completion_days(tables):
    """One row per finished request: its completion time in working days, in its desa and month of completion."""
    t = _timed(tables)
    return t.select(kode_desa=t.kode_desa, bulan=t.tanggal_selesai.truncate("M"), value=t.hari,
                    opd=t.opd, layanan=t.layanan, kanal=t.kanal)


def _months(first, last):
    """First days of the months from `first` to `last` (scalars) as a one-column table `bulan`."""
    days = np.arange(CALENDAR_FROM, CALENDAR_TO, dtype="datetime64[M]").astype("datetime64[D]")
    months = ibis.memtable(pl.DataFrame({"bulan": days}))
    return months.filter((months.bulan >= first.truncate("M")) & (months.bulan <= last))


def request_months(t):
    """Every month (`bulan`, its last day `akhir`) from the first request submitted to the latest date in the
    requests, gaps included: the months over which a backlog is counted."""
    bounds = t.aggregate(first=t.tanggal_diajukan.min(),
                         last=ibis.greatest(t.tanggal_diajukan.max(), t.tanggal_selesai.max().fill_null(t.tanggal_diajukan.max())))
    months = _months(bounds.first.as_scalar(), bounds.last.as_scalar())
    return months.mutate(akhir=(months.bulan + ibis.interval(months=1)).cast("date") - ibis.interval(days=1))


def backlog(tables):
    """Per desa and month: requests still open at the end of the month (submitted by then, not finished or
    rejected by then). The month holding the latest date in the data counts what is open on that date."""
    t = tables["layanan"]
    months = request_months(t)
    j = t.inner_join(months, t.tanggal_diajukan <= months.akhir)
    j = j.filter(j.tanggal_selesai.isnull() | (j.tanggal_selesai > j.akhir))
    return j.group_by(kode_desa=j.kode_desa, bulan=j.bulan, opd=j.opd, layanan=j.layanan, kanal=j.kanal).agg(
        numerator=j.count(), denominator=j.count())


def complaints_overdue(tables):
    """Per desa named and month: complaints still open at the end of the month (the latest month: on the latest
    date in the data), and those among them received more than COMPLAINT_DAYS days before — the overdue backlog."""
    t = tables["pengaduan"]
    bounds = t.aggregate(first=t.tanggal_masuk.min(),
                         last=ibis.greatest(t.tanggal_masuk.max(), t.tanggal_selesai.max().fill_null(t.tanggal_masuk.max())))
    last = bounds.last.as_scalar()
    months = _months(bounds.first.as_scalar(), last)
    month_end = (months.bulan + ibis.interval(months=1)).cast("date") - ibis.interval(days=1)
    months = months.mutate(akhir=ibis.least(month_end.cast("date"), last))
    j = t.inner_join(months, t.tanggal_masuk <= months.akhir)
    j = j.filter(j.tanggal_selesai.isnull() | (j.tanggal_selesai > j.akhir) | (j.status != "SELESAI"))
    late = j.akhir.delta(j.tanggal_masuk, unit="day") > COMPLAINT_DAYS
    return j.group_by(kode_desa=j.kode_desa, bulan=j.bulan, kanal=j.kanal, opd_tujuan=j.opd_tujuan).agg(
        numerator=late.sum(), denominator=j.count())


def complaints_followed_up(tables):
    """Per desa named (none: regency only) and month received: complaints, and those followed up."""
    t = tables["pengaduan"]
    return t.group_by(kode_desa=t.kode_desa, bulan=t.tanggal_masuk.truncate("M"), kanal=t.kanal,
                      opd_tujuan=t.opd_tujuan).agg(
        numerator=(t.status != "BELUM DITINDAKLANJUTI").sum(), denominator=t.count())


def declared_scale(t):
    """Each request's survey scale (`skala_kepuasan`): 4, the national scale, where empty or where an older
    export has no such column."""
    if SCALE_COLUMN in t.columns:
        return t[SCALE_COLUMN].fill_null(4)
    return ibis.literal(4, type="int64")


def satisfaction(tables):
    """IKM (PermenPANRB 14/2017) as a sum ratio: Σ (score on the 1–4 basis × 25) ÷ answers, per desa and month of
    completion. A 1–5 score is converted first (ikm_unit_on_national_scale: 25 + (score − 1) × 18,75); a score
    above its declared scale (a 5 where the scale is empty or 4) is left out: verval flags it as
    `nilai_kepuasan_di_luar_skala`, naming skala_kepuasan."""
    t = tables["layanan"].filter(_.nilai_kepuasan.notnull(), _.tanggal_selesai.notnull())
    t = t.mutate(_skala=declared_scale(t))
    t = t.filter((t.nilai_kepuasan >= 1) & (t.nilai_kepuasan <= t._skala))
    national = 1 + (t.nilai_kepuasan - 1) * 3 / (t._skala - 1)
    return t.group_by(kode_desa=t.kode_desa, bulan=t.tanggal_selesai.truncate("M"), kanal=t.kanal,
                      opd=t.opd, layanan=t.layanan).agg(
        numerator=(national * 25).sum(), denominator=t.count())


def _completion_quantile(id_: str, quantile: float, title: dict[str, str], definisi: str, rumus: str,
                         en: str) -> Indicator:
    """A quantile of the working days finished requests took (median, 90th percentile), by service."""
    return Indicator(
        id=id_, public=True, disclosure="denominator", sector="services", title=title, compute=completion_days,
        sources=("layanan",), unit="hari kerja", statistic="quantile", quantile=quantile, higher_is_better=False,
        period_from="layanan.tanggal_selesai", disaggregations=BY_SERVICE,
        metadata={"definisi": definisi, "rumus": rumus,
                  "sumber": "Bagian Organisasi Setda: sistem informasi pelayanan (SIPP, MPP, SIAK)",
                  "frekuensi": "Bulanan (bulan selesai)", "definition_en": en},
    )


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
        disaggregations=BY_SERVICE,
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
        disaggregations=BY_AGENCY,
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
        disaggregations=BY_SERVICE,
        metadata={
            "definisi": "Rata-rata nilai survei kepuasan (1–4) dikali 25, skala 25–100; mutu A (Sangat Baik) ≥ 88,31, "
                        "B (Baik) 76,61–88,30, C (Kurang Baik) 65,00–76,60, D (Tidak Baik) < 65,00 "
                        "(PermenPANRB 14/2017). Metode nasional memakai skala 1–4; layanan yang surveinya 1–5 "
                        "(skala_kepuasan = 5) dikonversi linear ke 1–4 lebih dulu: 1 + (nilai − 1) × 3/4, "
                        "sehingga 1 → 25 dan 5 → 100. Nilai di atas skala yang dinyatakan tidak dihitung.",
            "rumus": "Σ (nilai kepuasan pada skala 1–4 × 25) ÷ jumlah responden; nilai skala 1–5 → 1 + (nilai − 1) × 3/4",
            "sumber": "Bagian Organisasi Setda: survei kepuasan pada permohonan layanan",
            "frekuensi": "Bulanan (bulan selesai)",
            "definition_en": "Mean satisfaction score (1–4) × 25 on a 25–100 scale (PermenPANRB 14/2017); "
                             "1–5 surveys are first mapped linearly onto 1–4: 1 + (score − 1) × 3/4.",
        },
    ),
    _completion_quantile(
        "median_hari_penyelesaian", 0.5, {"id": "Median lama penyelesaian layanan", "en": "Median service completion time"},
        "Median lama penyelesaian permohonan yang SELESAI, dalam hari kerja sejak pengajuan "
        "(0 = selesai pada hari pengajuan), per bulan selesai.",
        "Nilai tengah (peringkat terdekat) hari kerja dari tanggal pengajuan ke tanggal selesai",
        "Median working days from submission to completion of finished requests."),
    _completion_quantile(
        "p90_hari_penyelesaian", 0.9,
        {"id": "Persentil ke-90 lama penyelesaian layanan", "en": "90th percentile of service completion time"},
        "Lama penyelesaian (hari kerja) yang tidak dilampaui 90 % permohonan SELESAI: "
        "berapa lama pemohon yang paling lama menunggu.",
        "Persentil ke-90 (peringkat terdekat) hari kerja dari tanggal pengajuan ke tanggal selesai",
        "Working days within which 90 % of finished requests were completed."),
    Indicator(
        id="tunggakan_layanan",
        public=True,
        disclosure="counts",
        sector="services",
        title={"id": "Tunggakan permohonan layanan (belum selesai di akhir bulan)",
               "en": "Service backlog (requests open at month end)"},
        compute=backlog,
        sources=("layanan",),
        unit="permohonan",
        statistic="sum",
        higher_is_better=False,
        incremental=False,  # a request open for three months counts in each of them
        period_from="layanan.tanggal_diajukan",
        disaggregations=BY_SERVICE,
        metadata={
            "definisi": "Jumlah permohonan yang sudah diajukan tetapi belum selesai atau ditolak pada akhir bulan "
                        "(bulan berjalan: pada tanggal data terakhir).",
            "rumus": "Σ permohonan dengan tanggal pengajuan ≤ akhir bulan dan tanggal selesai kosong atau > akhir bulan",
            "sumber": "Bagian Organisasi Setda: sistem informasi pelayanan (SIPP, MPP, SIAK)",
            "frekuensi": "Bulanan (posisi akhir bulan)",
            "definition_en": "Requests submitted but not finished or rejected at the end of the month.",
        },
    ),
    Indicator(
        id="pengaduan_melewati_batas",
        public=True,
        disclosure="denominator",
        sector="services",
        title={"id": "Tunggakan pengaduan melewati batas waktu", "en": "Open complaints past their deadline"},
        compute=complaints_overdue,
        sources=("pengaduan",),
        unit="%",
        higher_is_better=False,
        target=5.0,
        thresholds=(5.0, 15.0),
        incremental=False,  # a complaint open for months counts in each of them
        period_from="pengaduan.tanggal_masuk",
        disaggregations=BY_AGENCY,
        metadata={
            "definisi": "Dari pengaduan yang masih terbuka pada akhir bulan (bulan berjalan: pada tanggal data "
                        f"terakhir), persentase yang sudah lebih dari {COMPLAINT_DAYS} hari sejak diterima "
                        "(Perpres 76/2013).",
            "rumus": f"Pengaduan terbuka berumur > {COMPLAINT_DAYS} hari ÷ seluruh pengaduan terbuka pada akhir bulan × 100",
            "sumber": "Diskominfosanditik: SP4N-LAPOR!, WhatsApp, pengaduan langsung",
            "frekuensi": "Bulanan (posisi akhir bulan)",
            "definition_en": f"Of the complaints open at month end, the share received more than {COMPLAINT_DAYS} days before.",
        },
    ),
)
