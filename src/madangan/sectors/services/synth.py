"""Synthetic public-service requests and complaints for the 12 months up to the reference date.

Volumes scale with the population; timing follows the office calendar
(weekends, holidays, Ramadan, the school-registration season, moving after
Lebaran); completion times are lognormal per service, tuned so each agency
meets its service standard for its own share of requests (85–95 %).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import polars as pl

from madangan.sectors.services.holidays import (
    HARI_LIBUR,
    RAMADAN,
    add_working_days,
    is_working_day,
    working_days_between,
)
from madangan.synth.context import SynthContext

# (service, agency, standard in working days, requests per resident-year, spread of
#  completion time (lognormal sigma), share rejected, channel shares (LOKET, ONLINE, MPP),
#  season, who applies)
SERVICES = (
    ("KTP-el", "Disdukcapil", 1, 0.030, 0.7, 0.01, (0.45, 0.25, 0.30), "umum", "dewasa"),
    ("Kartu Keluarga", "Disdukcapil", 1, 0.045, 0.7, 0.02, (0.40, 0.35, 0.25), "sekolah+mudik", "dewasa"),
    ("Akta Kelahiran", "Disdukcapil", 3, 0.020, 0.6, 0.02, (0.40, 0.40, 0.20), "sekolah", "orang_tua"),
    ("Akta Kematian", "Disdukcapil", 3, 0.005, 0.6, 0.01, (0.55, 0.30, 0.15), "umum", "dewasa"),
    ("Kartu Identitas Anak (KIA)", "Disdukcapil", 3, 0.012, 0.6, 0.01, (0.40, 0.40, 0.20), "sekolah", "orang_tua"),
    ("Surat Keterangan Pindah", "Disdukcapil", 1, 0.010, 0.7, 0.02, (0.45, 0.35, 0.20), "mudik", "dewasa"),
    ("Izin Usaha (NIB/OSS)", "DPMPTSP", 3, 0.006, 0.8, 0.04, (0.10, 0.80, 0.10), "umum", "dewasa"),
    ("Persetujuan Bangunan Gedung (PBG)", "DPMPTSP", 28, 0.0008, 0.5, 0.08, (0.10, 0.70, 0.20), "umum", "dewasa"),
    ("Surat Izin Praktik Tenaga Kesehatan", "DPMPTSP", 5, 0.0008, 0.6, 0.03, (0.10, 0.80, 0.10), "umum", "muda"),
    ("Rekomendasi PBI-JK", "Dinsos", 3, 0.006, 0.7, 0.15, (0.85, 0.15, 0.0), "umum", "dewasa"),
    ("Surat Keterangan Terdaftar DTSEN", "Dinsos", 2, 0.006, 0.7, 0.10, (0.80, 0.20, 0.0), "sekolah", "dewasa"),
    ("Rujukan BPJS", "Dinkes", 1, 0.015, 0.5, 0.02, (1.0, 0.0, 0.0), "umum", "semua"),
    ("Surat Keterangan Sehat", "Dinkes", 1, 0.010, 0.5, 0.01, (1.0, 0.0, 0.0), "sekolah", "muda"),
    ("Surat Keterangan Tidak Mampu (SKTM)", "Kecamatan", 1, 0.012, 0.6, 0.05, (1.0, 0.0, 0.0), "sekolah", "dewasa"),
    ("Surat Keterangan Ahli Waris", "Kecamatan", 7, 0.002, 0.6, 0.05, (1.0, 0.0, 0.0), "umum", "dewasa"),
    ("Kartu Pencari Kerja (AK/I)", "Disnakertrans", 1, 0.008, 0.6, 0.02, (0.40, 0.60, 0.0), "kerja", "muda"),
)
KANAL = np.array(["LOKET", "ONLINE", "MPP"])

#: Share of each agency's requests finished within the standard (SLA compliance).
SLA_TARGET = {"Disdukcapil": 0.93, "DPMPTSP": 0.87, "Dinsos": 0.86, "Dinkes": 0.95, "Kecamatan": 0.90,
              "Disnakertrans": 0.91}
REGISTRATION_PREFIX = {"Disdukcapil": "DUK", "DPMPTSP": "PTSP", "Dinsos": "SOS", "Dinkes": "KES",
                       "Kecamatan": "KEC", "Disnakertrans": "NAKER"}

#: Office load by calendar month: Ramadan/Lebaran in March, school registration in June–July, year-end leave.
MONTH_LOAD = np.array([1.05, 0.95, 0.80, 1.15, 1.05, 1.20, 1.15, 0.95, 0.95, 1.00, 0.95, 0.85])

# (category, agency, share, season, median working days to resolve, spread, share never acted on, tied to a desa)
COMPLAINTS = (
    ("Jalan dan Jembatan", "DPUPR", 0.20, "hujan", 15, 0.9, 0.10, True),
    ("Bantuan Sosial", "Dinsos", 0.16, "bansos", 8, 0.8, 0.06, True),
    ("Administrasi Kependudukan", "Disdukcapil", 0.12, "umum", 3, 0.7, 0.02, True),
    ("Pelayanan Kesehatan", "Dinkes", 0.09, "umum", 5, 0.8, 0.04, True),
    ("Pendidikan", "Disdik", 0.09, "sekolah", 8, 0.8, 0.05, True),
    ("Perizinan", "DPMPTSP", 0.05, "umum", 10, 0.8, 0.05, True),
    ("Sampah dan Lingkungan", "DLHK", 0.08, "umum", 7, 0.8, 0.06, True),
    ("Penerangan Jalan Umum", "Dishub", 0.05, "umum", 6, 0.8, 0.05, True),
    ("Ketertiban Umum", "Satpol PP", 0.05, "umum", 4, 0.8, 0.03, True),
    ("Kepegawaian", "BKPSDM", 0.04, "umum", 10, 0.8, 0.04, False),
    ("Bencana", "BPBD", 0.03, "hujan", 2, 0.8, 0.02, True),
    ("Pupuk dan Pertanian", "Distan", 0.04, "tanam", 12, 0.8, 0.08, True),
)
COMPLAINTS_PER_RESIDENT_YEAR = 0.0025
COMPLAINT_CHANNELS = np.array(["LAPOR!", "WA", "LANGSUNG"])


def synthesize(ctx: SynthContext) -> None:
    days = _calendar(ctx)
    residents = _residents(ctx)
    layanan = _requests(ctx, days, residents)
    ctx.frames["layanan"] = _inject_errors(ctx, layanan)
    ctx.frames["pengaduan"] = _complaints(ctx, days, residents)


def _calendar(ctx: SynthContext) -> pl.DataFrame:
    """The 365 days up to the reference date with what drives office traffic on each."""
    end = np.datetime64(ctx.reference_date, "D")
    day = end - np.arange(364, -1, -1).astype("timedelta64[D]")
    frame = pl.DataFrame({"day": day}).with_columns(pl.col("day").cast(pl.Date))
    month = frame["day"].dt.month().to_numpy()
    day_of_month = frame["day"].dt.day().to_numpy()
    work = is_working_day(day)
    saturday = frame["day"].dt.weekday().to_numpy() == 6
    ramadan = (day >= np.datetime64(RAMADAN[0])) & (day <= np.datetime64(RAMADAN[1]))
    lebaran_end = np.datetime64(RAMADAN[1]) + 1
    return frame.with_columns(
        month=pl.Series(month, dtype=pl.Int64),
        load=pl.Series(MONTH_LOAD[month - 1]),
        work=pl.Series(work),
        saturday=pl.Series(saturday & ~np.isin(day, np.array(HARI_LIBUR, dtype="datetime64[D]"))),
        ramadan=pl.Series(ramadan),
        # people who moved or married around Lebaran update KK and move papers in the weeks after
        mudik=pl.Series((day > lebaran_end + 3) & (day <= lebaran_end + 28)),
        # SPMB (school registration) needs KK, birth certificate, KIA, SKTM for the affirmative path
        sekolah=pl.Series(((month == 5) & (day_of_month >= 15)) | (month == 6) | ((month == 7) & (day_of_month <= 15))),
    )


def _season(days: pl.DataFrame, season: str) -> np.ndarray:
    month = days["month"].to_numpy()
    factor = np.ones(len(days))
    if "sekolah" in season:
        factor *= np.where(days["sekolah"].to_numpy(), 1.8, 1.0)
    if "mudik" in season:
        factor *= np.where(days["mudik"].to_numpy(), 1.5, 1.0)
    if season == "kerja":  # new graduates look for work June–August
        factor *= np.where(np.isin(month, [6, 7, 8]), 1.8, 1.0)
    if season == "hujan":  # rainy season: potholes, floods, landslides
        factor *= np.where(np.isin(month, [11, 12, 1, 2, 3, 4]), 1.6, 1.0)
    if season == "bansos":  # quarterly disbursement months
        factor *= np.where(np.isin(month, [1, 4, 7, 10]), 1.5, 1.0)
    if season == "tanam":  # fertiliser shortages at planting
        factor *= np.where(np.isin(month, [10, 11, 12]), 1.6, 1.0)
    return factor


def _channel_factor(days: pl.DataFrame, channel: str) -> np.ndarray:
    work = days["work"].to_numpy()
    ramadan = np.where(days["ramadan"].to_numpy(), 0.85, 1.0)
    if channel == "LOKET":
        return work * ramadan
    if channel == "MPP":  # the public-service mall also opens on Saturday mornings
        return (work + 0.4 * days["saturday"].to_numpy()) * ramadan
    return np.where(work, 1.0, 0.4) * np.where(days["ramadan"].to_numpy(), 0.95, 1.0)


def _residents(ctx: SynthContext) -> pl.DataFrame:
    """Living residents with a valid desa and no injected registry error (their requests stay clean)."""
    truth = ctx.ground_truth().filter(pl.col("source") == "penduduk")
    flawed = pl.concat([truth["record_key"], truth["related_key"].drop_nulls()])
    desa = ctx.desa()["desa_code"]
    ref = ctx.reference_date
    return (
        ctx.frames["penduduk"]
        .filter(
            (pl.col("status_hidup") == "HIDUP")
            & pl.col("kode_desa").is_in(desa.implode())
            & ~pl.col("nik").is_in(flawed.implode())
        )
        .select(
            "nik", "kode_desa",
            age=(pl.lit(ref) - pl.col("tanggal_lahir")).dt.total_days() / 365.25,
        )
    )


def _pools(residents: pl.DataFrame) -> dict[str, np.ndarray]:
    age = residents["age"].to_numpy()
    return {
        "semua": np.arange(len(age)),
        "dewasa": np.flatnonzero(age >= 17),
        "orang_tua": np.flatnonzero((age >= 20) & (age < 50)),
        "muda": np.flatnonzero((age >= 17) & (age < 31)),
    }


def _requests(ctx: SynthContext, days: pl.DataFrame, residents: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng("services-layanan")
    pools = _pools(residents)
    parts_service, parts_channel, parts_day, parts_person = [], [], [], []
    load = days["load"].to_numpy()
    for s, (_, _, _, rate, _, _, channels, season, pool) in enumerate(SERVICES):
        n = rng.poisson(rate * ctx.population)
        per_channel = rng.multinomial(n, np.array(channels) / sum(channels))
        base = load * _season(days, season)
        for c, k in enumerate(per_channel):
            if k == 0:
                continue
            w = base * _channel_factor(days, KANAL[c])
            parts_day.append(rng.choice(len(days), size=k, p=w / w.sum()))
            parts_service.append(np.full(k, s))
            parts_channel.append(np.full(k, c))
        members = pools[pool]
        parts_person.append(members[rng.integers(0, len(members), n)])
    service = np.concatenate(parts_service)
    channel = np.concatenate(parts_channel)
    day_index = np.concatenate(parts_day)
    person = np.concatenate(parts_person)  # same service order as above, so rows line up
    n = len(service)

    agency = np.array([s[1] for s in SERVICES])[service]
    standard = np.array([s[2] for s in SERVICES])[service]
    sigma = np.array([s[4] for s in SERVICES])[service]
    reject_p = np.array([s[5] for s in SERVICES])[service]
    # lognormal working days, placed so P(days <= standard) is the agency's target:
    # floor(X) <= S  <=>  X < S + 1
    z = np.array([NormalDist().inv_cdf(SLA_TARGET[a]) for a in agency])
    mu = np.log(standard + 1) - sigma * z
    busy = 0.35 * (load[day_index] - 1.0)  # busy months run a little slower
    work_days = np.floor(np.exp(mu + busy + sigma * rng.standard_normal(n))).astype(np.int64)
    rejected = rng.random(n) < reject_p
    work_days = np.where(rejected, np.floor(work_days * 0.7).astype(np.int64), work_days)

    submitted = days["day"].to_numpy().astype("datetime64[D]")[day_index]
    finished = add_working_days(submitted, work_days)
    ref = np.datetime64(ctx.reference_date, "D")
    open_ = finished > ref
    status = np.where(open_, "DIPROSES", np.where(rejected, "DITOLAK", "SELESAI"))

    # SKM survey: about 4 in 10 answer; late or refused service scores lower
    late = work_days > standard
    score_p = np.where(rejected[:, None], [[0.20, 0.35, 0.35, 0.10]],
                       np.where(late[:, None], [[0.08, 0.25, 0.50, 0.17]], [[0.02, 0.08, 0.55, 0.35]]))
    score = (rng.random(n)[:, None] > np.cumsum(score_p, axis=1)).sum(axis=1) + 1
    answered = ~open_ & (rng.random(n) < np.where(channel == 1, 0.5, 0.4))

    frame = pl.DataFrame(
        {
            "layanan": np.array([s[0] for s in SERVICES])[service],
            "opd": agency,
            "kode_desa": residents["kode_desa"].to_numpy()[person],
            "nik_pemohon": residents["nik"].to_numpy()[person],
            "tanggal_diajukan": submitted,
            "tanggal_selesai": np.where(open_, np.datetime64("NaT"), finished),
            "status": status,
            "standar_hari": standard.astype(np.int64),
            "kanal": KANAL[channel],
            "nilai_kepuasan": score.astype(np.int64),
            "_answered": answered,
            "_order": rng.random(n),
        }
    ).with_columns(
        pl.col("tanggal_diajukan", "tanggal_selesai").cast(pl.Date),
        nilai_kepuasan=pl.when("_answered").then("nilai_kepuasan"),
        skala_kepuasan=pl.lit(None, pl.Int64),  # every synthetic survey uses the national 1–4 (undeclared)
    )
    prefix = pl.col("opd").replace_strict(REGISTRATION_PREFIX) + "-" + pl.col("tanggal_diajukan").dt.strftime("%Y%m")
    return (
        frame.sort("tanggal_diajukan", "_order")
        .with_columns(no_registrasi=prefix + "-" + (pl.int_range(pl.len()).over(prefix) + 1).cast(pl.String).str.zfill(6))
        .select("no_registrasi", *[c for c in frame.columns if not c.startswith("_")])
    )


def _inject_errors(ctx: SynthContext, layanan: pl.DataFrame) -> pl.DataFrame:
    """selesai_sebelum_diajukan: a finished request whose finish date precedes its submission (a typing slip)."""
    rng = ctx.rng("services-errors")
    done = np.flatnonzero(layanan["status"].to_numpy() == "SELESAI")
    k = min(ctx.count("selesai_sebelum_diajukan", len(layanan)), len(done))
    rows = np.sort(rng.choice(done, size=k, replace=False))
    keys = layanan["no_registrasi"].gather(rows)
    shift = pl.Series(rng.integers(1, 31, k), dtype=pl.Int64)
    wrong = layanan[rows].select("no_registrasi", new=pl.col("tanggal_diajukan") - pl.duration(days=shift))
    ctx.inject("selesai_sebelum_diajukan", "layanan", keys)
    return layanan.with_columns(
        tanggal_selesai=pl.col("no_registrasi").replace_strict(
            wrong["no_registrasi"], wrong["new"], default=pl.col("tanggal_selesai")
        )
    )


def _complaints(ctx: SynthContext, days: pl.DataFrame, residents: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng("services-pengaduan")
    n = rng.poisson(COMPLAINTS_PER_RESIDENT_YEAR * ctx.population)
    shares = np.array([c[2] for c in COMPLAINTS])
    category = np.sort(rng.choice(len(COMPLAINTS), size=n, p=shares / shares.sum()))
    counts = np.bincount(category, minlength=len(COMPLAINTS))
    # complaints arrive any day (online), fewer on weekends; offices answer on working days
    base = np.where(days["work"].to_numpy(), 1.0, 0.5) * np.where(days["ramadan"].to_numpy(), 0.8, 1.0)
    day_index = np.concatenate(
        [rng.choice(len(days), size=k, p=(w := base * _season(days, c[3])) / w.sum()) for c, k in zip(COMPLAINTS, counts)]
    )
    received = days["day"].to_numpy().astype("datetime64[D]")[day_index]
    work = days["work"].to_numpy()[day_index]
    channel = np.where(work, rng.choice(3, n, p=[0.45, 0.35, 0.20]), rng.choice(2, n, p=[0.55, 0.45]))

    median = np.array([c[4] for c in COMPLAINTS])[category]
    sigma = np.array([c[5] for c in COMPLAINTS])[category]
    neglect = rng.random(n) < np.array([c[6] for c in COMPLAINTS])[category]
    work_days = np.floor(median * np.exp(sigma * rng.standard_normal(n))).astype(np.int64)
    finished = add_working_days(received, work_days)
    ref = np.datetime64(ctx.reference_date, "D")
    waiting = working_days_between(received, np.full(n, ref)) < 3  # not yet picked up by the agency
    done = ~neglect & (finished <= ref)
    status = np.where(done, "SELESAI", np.where(neglect | waiting, "BELUM DITINDAKLANJUTI", "DIPROSES"))

    # the place complained about: weighted by where people live
    per_desa = residents.group_by("kode_desa").len().sort("kode_desa")
    weights = per_desa["len"].to_numpy().astype(float)
    desa = per_desa["kode_desa"].to_numpy()[rng.choice(len(per_desa), size=n, p=weights / weights.sum())]
    located = np.array([c[7] for c in COMPLAINTS])[category] & (rng.random(n) > 0.05)

    frame = pl.DataFrame(
        {
            "tanggal_masuk": received,
            "kanal": COMPLAINT_CHANNELS[channel],
            "opd_tujuan": np.array([c[1] for c in COMPLAINTS])[category],
            "kategori": np.array([c[0] for c in COMPLAINTS])[category],
            "kode_desa": desa,
            "status": status,
            "tanggal_selesai": np.where(done, finished, np.datetime64("NaT")),
            "_order": rng.random(n),
        }
    ).with_columns(
        pl.col("tanggal_masuk", "tanggal_selesai").cast(pl.Date),
        kode_desa=pl.when(pl.Series(located)).then("kode_desa"),
    )
    month = pl.col("tanggal_masuk").dt.strftime("%Y%m")
    return (
        frame.sort("tanggal_masuk", "_order")
        .with_columns(id_pengaduan="ADU-" + month + "-" + (pl.int_range(pl.len()).over(month) + 1).cast(pl.String).str.zfill(5))
        .select("id_pengaduan", *[c for c in frame.columns if not c.startswith("_")])
    )

