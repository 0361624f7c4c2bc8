"""Synthetic health data built on the population registry.

- `balita`: the living residents under 60 months, with their mother (a woman of the same
  family card) and birth length/weight.
- `posyandu`: 12 monthly measurements up to the reference date (~85% attendance). Each child
  keeps a length-for-age z (desa effect + own effect + small drift) and a correlated
  weight-for-age z; values come from the WHO LMS tables, so stunting is ~15–20% overall and
  varies by desa.
- `kehamilan`: ~17 pregnancies per 1,000 residents a year; the mothers of the youngest children
  carry the pregnancy that bore them, the rest are ongoing. KSPR factors follow the data
  (age, parity, spacing, height) where the data can tell.
- `anc`: K1..K6 visits up to delivery or the reference date.

Natural data never produces an injected error's signature, so each error can be recounted
from the data exactly. Everything is vectorised: no per-row Python.
"""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import polars as pl

from madangan.sectors.health import KSPR_CATEGORIES, KSPR_FACTORS, KSPR_START
from madangan.sectors.health.growth import (
    HEIGHT_FROM_DAYS,
    LYING_MINUS_STANDING_CM,
    haz,
    length_at,
    weight_at,
    zscores,
)
from madangan.synth.context import SynthContext

MONTHS = 12
#: Regency-wide mean length-for-age z from 24 months on (calibrated to ~17% stunting).
HAZ_MEAN = -1.15
#: SD of the desa random effect on HAZ: desa prevalence spreads ~5–30%.
HAZ_DESA_SD = 0.25
#: Infants have not yet faltered: HAZ is this much higher at birth, fading by 24 months.
HAZ_INFANT_BONUS = 0.5
PREGNANCIES_PER_1000 = 17.0
FLOWERS = (
    "Mawar", "Melati", "Anggrek", "Dahlia", "Kenanga", "Cempaka", "Flamboyan", "Teratai", "Seruni",
    "Kemuning", "Bougenville", "Asoka", "Nusa Indah", "Sedap Malam", "Tulip", "Lili", "Kamboja", "Matahari",
)
#: Share of pregnancies by mother's 5-year age group from 15: SDKI 2017 age-specific fertility rates
#: (36, 143, 146, 111, 66, 23, 5 per 1,000) as shares.
MOTHER_AGE_SHARE = np.array([36, 143, 146, 111, 66, 23, 5]) / 530
BIRTH_PLACES = ("RUMAH SAKIT", "PUSKESMAS", "PRAKTIK MANDIRI BIDAN", "RUMAH")
BIRTH_PLACE_P = (  # by KSPR category KRR, KRT, KRST: higher risk → hospital
    [0.10, 0.32, 0.50, 0.08],
    [0.38, 0.40, 0.19, 0.03],
    [0.85, 0.12, 0.02, 0.01],
)
FACILITIES = ("PUSKESMAS", "PRAKTIK MANDIRI BIDAN", "POSKESDES/POLINDES", "KLINIK", "RUMAH SAKIT")
FACILITY_P = np.array([0.45, 0.30, 0.12, 0.08, 0.05])
#: Share of short (< 2 years) and long (≥ 10 years) birth intervals the family cards show that the midwife
#: records on the KSPR card: the synthetic registry's children are closer spaced than Indonesian births
#: (~10% of intervals under 24 months, SDKI 2017), so the card keeps about one in seven.
SPACING_RECORDED = 0.15
#: KSPR factors that appear during the pregnancy: gestational day from which a visit can find them.
LATE_FACTORS = {
    "BENGKAK PADA MUKA/TUNGKAI DAN TEKANAN DARAH TINGGI": 140, "HIDRAMNION": 140,
    "BAYI MATI DALAM KANDUNGAN": 140, "PREEKLAMPSIA BERAT/KEJANG-KEJANG": 140,
    "LETAK SUNGSANG": 196, "LETAK LINTANG": 196,
}
#: Chance of each ANC visit K1..K6 happening once the pregnancy is far enough along.
ANC_ATTEND = np.array([1.0, 0.95, 0.93, 0.92, 0.88, 0.83])


def synthesize(ctx: SynthContext) -> None:
    people = ctx.frames["penduduk"]
    flawed = ctx.tainted_keys("penduduk")
    kids = _balita(ctx, people, flawed)
    posyandu = _posyandu(ctx, kids)
    kehamilan, anc = _pregnancies(ctx, people, kids, flawed)
    ctx.frames["balita"] = kids.select(
        "nik_anak", "nama_anak", "jenis_kelamin", "tanggal_lahir", "nik_ibu", "nama_ibu", "kode_desa", "posyandu",
        "berat_lahir_kg", "panjang_lahir_cm",
    )
    ctx.frames["posyandu"] = posyandu
    ctx.frames["kehamilan"] = kehamilan
    ctx.frames["anc"] = anc
    ctx.frames["telemetri"] = _telemetry(ctx, kehamilan)


#: SINURMI-style watches: very-high-risk (KRST) ongoing pregnancies, a reading every 4 hours for 3 days.
TELEMETRY_HOURS, TELEMETRY_DAYS = 4, 3


def _telemetry(ctx: SynthContext, kehamilan: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng("health-telemetry")
    worn = kehamilan.filter((pl.col("kategori_kspr") == "KRST") & pl.col("tanggal_persalinan").is_null())
    per_device = TELEMETRY_DAYS * 24 // TELEMETRY_HOURS
    n = len(worn) * per_device
    end = datetime.combine(ctx.reference_date, time(23, 0))
    offsets = np.tile(np.arange(per_device) * TELEMETRY_HOURS, len(worn))
    # most readings normal; a few women drift high (pre-eclampsia) or desaturate — what alerts will watch
    risky = np.repeat(rng.random(len(worn)) < 0.05, per_device)
    systolic = np.round(rng.normal(118, 9, n) + risky * rng.uniform(25, 45, n)).astype(np.int64)
    return pl.DataFrame({
        "id_perangkat": np.repeat([f"SW-{i:06d}" for i in range(1, len(worn) + 1)], per_device),
        "waktu": (np.datetime64(end, "h") - offsets.astype("timedelta64[h]")).astype("datetime64[us]"),
        "nik_ibu": np.repeat(worn["nik_ibu"].to_numpy(), per_device),
        "kode_desa": np.repeat(worn["kode_desa"].to_numpy(), per_device),
        "detak_jantung": np.round(rng.normal(84, 8, n) + risky * rng.uniform(0, 25, n)).astype(np.int64),
        "sistolik": systolic,
        "diastolik": np.round(systolic * 0.64 + rng.normal(0, 4, n)).astype(np.int64),
        "spo2": np.clip(np.round(rng.normal(98, 1, n) - risky * rng.uniform(0, 6, n)), 80, 100).astype(np.int64),
    }).with_columns(pl.col("waktu").cast(pl.Datetime("us"))).sort("id_perangkat", "waktu")


# ---------------------------------------------------------------- helpers


def _days(col: pl.Series) -> np.ndarray:
    """Dates as days since 1970-01-01 (int64), the unit all date arithmetic here uses."""
    return col.cast(pl.Int32).to_numpy().astype(np.int64)


def _day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)


def _labels(vocabulary, index) -> pl.Series:
    """Strings by index into a small vocabulary (gather is far cheaper than NumPy strings)."""
    return pl.Series(list(vocabulary), dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def _completed_months(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    b, d = birth.astype("datetime64[D]"), on.astype("datetime64[D]")
    bm, dm = b.astype("datetime64[M]"), d.astype("datetime64[M]")
    bday = (b - bm.astype("datetime64[D]")).astype(np.int64)
    dday = (d - dm.astype("datetime64[D]")).astype(np.int64)
    return (dm - bm).astype(np.int64) - (dday < bday)


def _completed_years(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    return _completed_months(birth, on) // 12


# ---------------------------------------------------------------- balita


def _balita(ctx: SynthContext, people: pl.DataFrame, flawed: pl.Series) -> pl.DataFrame:
    rng = ctx.rng("health.balita")
    ref = ctx.reference_date
    cutoff = date(ref.year - 5, ref.month, min(ref.day, 28 if ref.month == 2 else ref.day))
    # Lazy with a narrow projection: the registry is >1M rows and wide.
    kids = (
        people.lazy()
        .select("nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_kk", "kode_desa", "rw", "status_hidup")
        .filter(
            (pl.col("status_hidup") == "HIDUP")
            & (pl.col("tanggal_lahir") > cutoff)
            & (pl.col("tanggal_lahir") <= ref)
            & ~pl.col("nik").is_in(flawed.implode())
        )
        .collect()
    )
    mothers = (
        people.lazy()
        .select("nik", "nama", "no_kk", "jenis_kelamin", "status_hubungan")
        .filter(
            (pl.col("jenis_kelamin") == "P")
            & pl.col("status_hubungan").is_in(["ISTRI", "KEPALA KELUARGA"])
            & ~pl.col("nik").is_in(flawed.implode())
        )
        .unique("no_kk", keep="first", maintain_order=True)  # registry order: deterministic, no costly sort
        .select("no_kk", nik_ibu="nik", nama_ibu="nama")
        .collect()
    )
    desa = ctx.desa().with_row_index("desa_idx").select(pl.col("desa_idx").cast(pl.Int64), kode_desa="desa_code")
    kids = (
        kids.join(mothers, on="no_kk", how="left", maintain_order="left")
        .join(desa, on="kode_desa", how="inner", maintain_order="left")
        .select(
            nik_anak="nik", nama_anak="nama", jenis_kelamin="jenis_kelamin", tanggal_lahir="tanggal_lahir",
            nik_ibu="nik_ibu", nama_ibu="nama_ibu", kode_desa="kode_desa", desa_idx="desa_idx", rw="rw",
        )
    )
    n, n_desa = len(kids), len(desa)
    desa_idx = kids["desa_idx"].to_numpy()
    female = (kids["jenis_kelamin"] == "P").to_numpy()

    # Growth: a desa effect (sanitation, poverty) plus the child's own, persistent z.
    desa_effect = np.clip(rng.normal(0.0, HAZ_DESA_SD, n_desa), -2 * HAZ_DESA_SD, 2 * HAZ_DESA_SD)
    own = rng.normal(0.0, 1.0, n)
    haz_base = np.clip(HAZ_MEAN + desa_effect[desa_idx] + own, -4.5, 3.5)
    # Weight-for-age follows length-for-age (r ≈ 0.6), Indonesian mean around -0.9.
    waz_base = np.clip(0.6 * haz_base + rng.normal(-0.35, 0.8, n), -4.2, 3.8)

    # Birth size: shorter children were more often born short and light.
    z_len0 = np.clip(0.4 * own - 0.3 + rng.normal(0.0, 0.9, n), -4.0, 3.0)
    z_wt0 = np.clip(0.5 * z_len0 - 0.2 + rng.normal(0.0, 0.85, n), -4.0, 3.0)
    zero = np.zeros(n, dtype=np.int64)
    birth_len = np.round(length_at(female, zero, z_len0) * 2) / 2
    birth_wt = np.round(weight_at(female, zero, z_wt0) / 0.05) * 0.05

    # Posyandu: about one per 75 children, serving the desa's RWs; meets on a fixed day each month.
    per_desa = np.bincount(desa_idx, minlength=n_desa)
    n_pos = np.clip(np.round(per_desa / 75), 1, 10).astype(np.int64)
    pos_idx = (kids["rw"].to_numpy() - 1) % n_pos[desa_idx]
    theme = rng.integers(0, len(FLOWERS), n_desa)[desa_idx]  # one flower per desa: "Mawar 1", "Mawar 2", …
    pos_name = "Posyandu " + _labels(FLOWERS, theme) + " " + pl.Series(pos_idx + 1).cast(pl.String)
    meeting_day = rng.integers(3, 26, n_desa * 10)[desa_idx * 10 + pos_idx]

    return kids.with_columns(
        posyandu=pos_name,
        berat_lahir_kg=pl.Series(np.round(birth_wt, 2)),
        panjang_lahir_cm=pl.Series(birth_len),
        haz_base=pl.Series(haz_base),
        waz_base=pl.Series(waz_base),
        meeting_day=pl.Series(meeting_day),
    )


# ---------------------------------------------------------------- posyandu


def _posyandu(ctx: SynthContext, kids: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng("health.posyandu")
    n = len(kids)
    ref_day = _day(ctx.reference_date)
    first_month = np.datetime64(ctx.reference_date, "M") - (MONTHS - 1)
    months = first_month + np.arange(MONTHS)
    month_start = months.astype("datetime64[D]").astype(np.int64)
    calendar_month = months.astype(np.int64) % 12 + 1

    birth = _days(kids["tanggal_lahir"])
    female = np.broadcast_to((kids["jenis_kelamin"] == "P").to_numpy()[:, None], (n, MONTHS))
    when = np.minimum(month_start[None, :] + kids["meeting_day"].to_numpy()[:, None] - 1, ref_day)
    age = when - birth[:, None]
    born = age >= 3  # a newborn first comes a few days after birth

    # Attendance: each child has a habit (mean ~0.87); August is Bulan Penimbangan Balita.
    habit = rng.beta(6.0, 0.9, n)
    p = np.where(calendar_month[None, :] == 8, 1 - (1 - habit[:, None]) * 0.2, habit[:, None])
    p = p * np.where(age > 36 * 30.4, 0.93, 1.0)  # older children drop out a little
    measured = born & (rng.random((n, MONTHS)) < p)

    # Length/height: persistent z + infant bonus + small drift, via the WHO LMS.
    drift = np.cumsum(rng.normal(0.0, 0.03, (n, MONTHS)), axis=1)
    bonus = HAZ_INFANT_BONUS * np.clip(1 - age / HEIGHT_FROM_DAYS, 0, 1)
    z_h = np.clip(kids["haz_base"].to_numpy()[:, None] + bonus + drift, -4.8, 3.8)
    standard = length_at(female, age, z_h)
    infant = age < HEIGHT_FROM_DAYS
    lying = np.where(infant, rng.random((n, MONTHS)) < 0.95, rng.random((n, MONTHS)) < 0.04)
    # A child measured the "wrong" way reads 0.7 cm shorter (standing) or longer (lying).
    shift = np.select([infant & ~lying, ~infant & lying], [-LYING_MINUS_STANDING_CM, LYING_MINUS_STANDING_CM], 0.0)
    height = np.round(standard + shift + rng.uniform(-0.2, 0.2, (n, MONTHS)), 1)
    # Children do not shrink: a reading below the last one is written down as the last one.
    height = np.maximum.accumulate(np.where(measured, height, -np.inf), axis=1)

    # Weight: z wanders around the child's own level (AR(1)), plus scale/clothing noise.
    step = rng.normal(0.0, 0.15, (n, MONTHS))
    wander = np.empty((n, MONTHS))
    wander[:, 0] = step[:, 0] / np.sqrt(1 - 0.8**2)
    for m in range(1, MONTHS):
        wander[:, m] = 0.8 * wander[:, m - 1] + step[:, m]
    z_w = np.clip(kids["waz_base"].to_numpy()[:, None] + wander, -4.5, 4.0)
    weight = np.maximum(np.round(weight_at(female, age, z_w) + rng.normal(0.0, 0.08, (n, MONTHS)), 1), 1.0)
    weight = _monthly_gains(rng, weight, measured, _completed_months(np.broadcast_to(birth[:, None], when.shape), when))
    edema = (z_w < -3) & (rng.random((n, MONTHS)) < 0.02)

    # Flatten measured cells, child by child and month by month (the order verval reads them in).
    child, month = np.nonzero(measured)
    height, weight = height[child, month], weight[child, month]
    day = when[child, month]
    row_lying = lying[child, month]
    height, weight, injected = _posyandu_errors(
        ctx, child, height, weight, female[child, month], age[child, month], row_lying
    )

    labels = pl.Series(np.datetime_as_string(months, unit="M")).str.replace("-", "")
    serial = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(7)
    frame = pl.DataFrame(
        {
            # Stable key without personal data: month + the child's place in the register.
            "id_pengukuran": "UKR-" + labels.gather(month) + "-" + serial.gather(child),
            "nik_anak": kids["nik_anak"].gather(child),
            "tanggal_ukur": _dates(day),
            "umur_bulan": _completed_months(birth[child], day),
            "berat_kg": weight,
            "tinggi_cm": height,
            "cara_ukur": _labels(("BERDIRI", "TERLENTANG"), row_lying),
            "edema": _labels(("TIDAK", "YA"), edema[child, month]),
            "posyandu": kids["posyandu"].gather(child),
            "kode_desa": kids["kode_desa"].gather(child),
        }
    )
    ids, niks = frame["id_pengukuran"], frame["nik_anak"]
    drop_rows, bad_rows = injected
    ctx.inject("tinggi_menurun", "posyandu", ids.gather(drop_rows), ids.gather(drop_rows - 1))
    ctx.inject("pengukuran_tidak_wajar", "posyandu", ids.gather(bad_rows), niks.gather(bad_rows))
    # Natural readings WHO flags too (a newborn light for its length: WHZ/BAZ beyond ±5) are real
    # implausible rows the check must find, so they belong in the ground truth as well.
    z = zscores(np.where(female[child, month], 2, 1), day - birth[child], weight, height, row_lying,
                edema[child, month])
    natural = np.flatnonzero(z.flagged)
    natural = np.setdiff1d(natural, bad_rows)
    ctx.inject("pengukuran_tidak_wajar", "posyandu", ids.gather(natural))  # no related key: not injected
    return frame


#: KBM by completed months (Permenkes 155/2010), grams; as `indicators.KBM_GRAMS`.
_KBM = np.array([800, 800, 900, 800, 600, 500, 400, 400, 300, 300, 300] + [200] * 50)


def _monthly_gains(rng, weight: np.ndarray, measured: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Most children weighed two months running gain at least the KBM, as posyandu reports show (N/D ~70–80%).

    The WHO curves alone give a median gain near the KBM, so half the children would be "T" every month. Each
    child has a thriving propensity; a shortfall below the KBM is made up with that probability (the growth a
    fed, healthy child shows), the rest stay T (and 2T when it repeats). The lifts are removed again as one
    constant per child (their mean over the child's weighings), so gains change but the child's weight level
    over the year does not drift (the WAZ baseline is set a little lower for the later months' rise).
    """
    n, months_n = weight.shape
    thriving = rng.beta(4.0, 1.6, n)
    offset = np.zeros((n, months_n))
    lift_u = rng.random((n, months_n))
    extra = rng.choice([0.0, 0.1, 0.2], (n, months_n), p=[0.5, 0.35, 0.15])
    kbm = _KBM[np.clip(months, 0, len(_KBM) - 1)] / 1000.0
    for m in range(1, months_n):
        offset[:, m] = offset[:, m - 1]
        previous = weight[:, m - 1] + offset[:, m - 1]
        gain = weight[:, m] + offset[:, m] - previous
        lift = measured[:, m] & measured[:, m - 1] & (gain < kbm[:, m] - 1e-9) & (lift_u[:, m] < thriving)
        offset[:, m] = np.where(lift, previous + kbm[:, m] + extra[:, m] - weight[:, m], offset[:, m])
    counted = np.maximum(measured.sum(axis=1), 1)
    centre = np.round((offset * measured).sum(axis=1) / counted, 1)
    return np.maximum(np.round(weight + offset - centre[:, None], 1), 1.0)


def _posyandu_errors(ctx: SynthContext, child, height, weight, female, age, lying):
    """Inject `tinggi_menurun` and `pengukuran_tidak_wajar`, at most one error per child.

    Rows are ordered by child then date. A drop lands on a child's non-first row, 2.5–4 cm below
    the previous reading, only where the result stays plausible (HAZ > -5), so the two errors
    never overlap. An implausible height lands on a child's last row (too tall), so it is never
    the "previous" reading a later row is compared with; implausible weights leave heights alone.
    """
    rng = ctx.rng("health.errors.posyandu")
    rows = len(child)
    height, weight = height.copy(), weight.copy()
    first = np.r_[True, child[1:] != child[:-1]]
    starts = np.flatnonzero(first)
    counts = np.diff(np.r_[starts, rows])

    # One candidate drop per child with two or more readings.
    pick = starts + np.where(counts >= 2, rng.integers(1, np.maximum(counts, 2)), 0)
    lowered = np.round(height[pick - 1] - rng.uniform(2.5, 4.0, len(pick)), 1)
    plausible = haz(female[pick], age[pick], lowered, lying[pick]) > -5
    order = rng.permutation(len(starts))
    can_drop = (counts[order] >= 2) & plausible[order]
    k_drop = min(ctx.count("tinggi_menurun", rows), int(can_drop.sum()))
    drop_runs = order[can_drop][:k_drop]
    rest = np.setdiff1d(order, drop_runs, assume_unique=True)
    rest = rest[rng.permutation(len(rest))]
    k_bad = min(ctx.count("pengukuran_tidak_wajar", rows), len(rest))
    bad_runs = rest[:k_bad]

    drop_rows = pick[drop_runs]
    height[drop_rows] = lowered[drop_runs]

    variant = rng.integers(0, 4, k_bad)
    last = starts[bad_runs] + counts[bad_runs] - 1
    anywhere = starts[bad_runs] + rng.integers(0, counts[bad_runs])
    bad_rows = np.where(variant < 2, last, anywhere)
    r = bad_rows
    # typed nonsense, or the decimal point slipped
    nonsense_height, nonsense_weight = np.round(rng.uniform(180, 260, k_bad), 1), np.round(rng.uniform(0.1, 0.4, k_bad), 1)
    height[r] = np.select([variant == 0, variant == 1], [nonsense_height, np.round(height[r] * 10, 1)], height[r])
    weight[r] = np.select([variant == 2, variant == 3], [nonsense_weight, np.round(weight[r] * 10, 1)], weight[r])
    order_rows = np.argsort(drop_rows), np.argsort(bad_rows)
    return height, weight, (drop_rows[order_rows[0]], bad_rows[order_rows[1]])


# ---------------------------------------------------------------- kehamilan, anc


def _pregnancies(ctx: SynthContext, people: pl.DataFrame, kids: pl.DataFrame, flawed: pl.Series):
    rng = ctx.rng("health.kehamilan")
    ref_day = _day(ctx.reference_date)
    # Registered pregnancies of one year: HPHT between 13 and 1 months before the reference date.
    lo, hi = ref_day - 395, ref_day - 35
    target = round(PREGNANCIES_PER_1000 * ctx.population / 1000)

    women = (
        people.lazy()
        .filter(
            (pl.col("jenis_kelamin") == "P") & (pl.col("status_hidup") == "HIDUP") & ~pl.col("nik").is_in(flawed.implode())
        )
        .select("nik", "nama", "tanggal_lahir", "kode_desa", "no_kk", "status_hubungan", "status_kawin")
        .collect()
    )
    children = (
        people.lazy()
        .filter(pl.col("status_hubungan") == "ANAK")
        .select("no_kk", birth=pl.col("tanggal_lahir").cast(pl.Int32))
        .collect()
    )
    last_birth_in_kk = children.group_by("no_kk").agg(last=pl.col("birth").max())

    # Delivered: the pregnancy that bore each of the youngest children (one per mother).
    born = kids.filter(pl.col("nik_ibu").is_not_null()).select("nik_ibu", birth=pl.col("tanggal_lahir").cast(pl.Int32))
    gest = np.clip(np.round(rng.normal(276, 9, len(born))), 238, 300).astype(np.int64)
    linked = (
        born.with_columns(hpht=pl.col("birth").cast(pl.Int64) - pl.Series(gest), delivered=pl.col("birth").cast(pl.Int64))
        .filter(pl.col("hpht").is_between(lo, hi))
        .sort("delivered", "nik_ibu", descending=[True, False])
        .unique("nik_ibu", keep="first", maintain_order=True)
        .join(women, left_on="nik_ibu", right_on="nik", how="inner")
    )
    # Not every birth was in the register: thin age groups the registry over-represents
    # (e.g. very young wives) so mothers' ages look like Indonesian births.
    age_l = _completed_years(_days(linked["tanggal_lahir"]), linked["hpht"].to_numpy())
    in_range = (age_l >= 16) & (age_l <= 45)
    group_l = np.clip((age_l - 15) // 5, 0, 6)
    seen = np.bincount(group_l[in_range], minlength=7) / max(1, int(in_range.sum()))
    keep = np.minimum(1.0, MOTHER_AGE_SHARE / np.maximum(seen, 1e-9))[group_l]
    linked = linked.filter(pl.Series(in_range & (rng.random(len(linked)) < keep))).select("nik_ibu", "hpht", "delivered")

    # Ongoing: other women 16–45 (mostly married, not just after a birth), HPHT within the last 9 months.
    pool = women.filter(~pl.col("nik").is_in(linked["nik_ibu"].implode())).join(last_birth_in_kk, on="no_kk", how="left")
    hpht_c = rng.integers(ref_day - 279, hi + 1, len(pool))
    age_c = _completed_years(_days(pool["tanggal_lahir"]), hpht_c)
    mother_role = pool["status_hubungan"].is_in(["ISTRI", "KEPALA KELUARGA"]).to_numpy()
    last = pool["last"].fill_null(-(10**6)).to_numpy()
    postpartum = mother_role & (hpht_c - last < 180)
    married = (pool["status_kawin"] == "KAWIN").to_numpy()
    # Weights that give the mothers a realistic age mix whatever the registry's age pyramid.
    group = np.clip((age_c - 15) // 5, 0, 6)
    w = np.where((age_c >= 16) & (age_c <= 45) & ~postpartum, np.where(married, 1.0, 0.04), 0.0)
    w = w * (MOTHER_AGE_SHARE / np.maximum(np.bincount(group, weights=w, minlength=7), 1e-9))[group]
    k = int(min(max(0, target - len(linked)), np.count_nonzero(w)))
    keys = np.where(w > 0, np.log(rng.random(len(pool))) / np.where(w > 0, w, 1.0), -np.inf)
    # Weighted sampling without replacement (Efraimidis–Spirakis): the k largest log(u)/w.
    chosen = np.sort(np.argpartition(-keys, k - 1)[:k]) if k > 0 else np.array([], dtype=np.int64)
    ongoing = pl.DataFrame(
        {"nik_ibu": pool["nik"].gather(chosen), "hpht": hpht_c[chosen], "delivered": pl.Series([None] * k, dtype=pl.Int64)}
    )

    preg = (
        pl.concat([linked, ongoing])
        .join(women, left_on="nik_ibu", right_on="nik", how="inner")
        .sort("hpht", "nik_ibu")
        .with_row_index("p")
    )
    n = len(preg)
    hpht = preg["hpht"].to_numpy()
    is_delivered = preg["delivered"].is_not_null().to_numpy()
    end = np.where(is_delivered, preg["delivered"].fill_null(0).to_numpy(), ref_day)
    ga_end = end - hpht  # gestational age (days) reached by delivery or the reference date
    age = _completed_years(_days(preg["tanggal_lahir"]), hpht)
    married = (preg["status_kawin"] == "KAWIN").to_numpy()

    # Obstetric history: parity and spacing from the mother's children in her family card.
    mother_role = preg["status_hubungan"].is_in(["ISTRI", "KEPALA KELUARGA"])
    history = (
        preg.filter(mother_role)
        .select("p", "no_kk", "hpht")
        .join(children, on="no_kk", how="inner")
        .filter(pl.col("birth") < pl.col("hpht"))
        .group_by("p")
        .agg(paritas=pl.len(), last=pl.col("birth").max())
    )
    hist = preg.select("p").join(history, on="p", how="left").sort("p")
    paritas = hist["paritas"].fill_null(0).to_numpy().astype(np.int64)
    since_last = hpht - hist["last"].fill_null(0).to_numpy().astype(np.int64)
    abortus = rng.choice(3, n, p=[0.97, 0.027, 0.003])
    gravida = paritas + abortus + 1
    height = np.round(np.clip(rng.normal(153.5, 4.5, n), 135, 175), 1)

    u = lambda: rng.random(n)  # noqa: E731 - one fresh uniform draw per factor
    multi = paritas >= 1
    late = ga_end >= 140  # from 20 weeks
    third = ga_end >= 196  # from 28 weeks
    flags = {
        "TERLALU MUDA HAMIL I (<=16 TH)": (gravida == 1) & (age <= 16),
        "TERLALU LAMBAT HAMIL I (KAWIN >=4 TH)": (gravida == 1) & (age >= 20) & married & (u() < 0.04),
        "TERLALU TUA HAMIL I (>=35 TH)": (gravida == 1) & (age >= 35),
        "TERLALU CEPAT HAMIL LAGI (<2 TH)": multi & (since_last < 730) & (u() < SPACING_RECORDED),
        "TERLALU LAMA HAMIL LAGI (>=10 TH)": multi & (since_last >= 3653) & (u() < SPACING_RECORDED),
        "TERLALU BANYAK ANAK (>=4)": paritas >= 4,
        "TERLALU TUA (>=35 TH)": age >= 35,
        "TERLALU PENDEK (<=145 CM)": height <= 145,
        "PERNAH GAGAL KEHAMILAN": abortus >= 1,
        "PERNAH MELAHIRKAN DENGAN TARIKAN TANG/VAKUM": multi & (u() < 0.015),
        "PERNAH MELAHIRKAN DENGAN URI DIROGOH": multi & (u() < 0.01),
        "PERNAH MELAHIRKAN DENGAN INFUS/TRANSFUSI": multi & (u() < 0.015),
        "PERNAH OPERASI SESAR": multi & (u() < 0.04),
        "KURANG DARAH": u() < 0.02,
        "MALARIA": u() < 0.001,
        "TBC PARU": u() < 0.003,
        "PAYAH JANTUNG": u() < 0.003,
        "KENCING MANIS (DIABETES)": u() < 0.01,
        "PENYAKIT MENULAR SEKSUAL": u() < 0.003,
        "BENGKAK PADA MUKA/TUNGKAI DAN TEKANAN DARAH TINGGI": late & (u() < 0.03),
        "HAMIL KEMBAR": u() < 0.012,
        "HIDRAMNION": late & (u() < 0.005),
        "BAYI MATI DALAM KANDUNGAN": late & ~is_delivered & (u() < 0.004),
        "KEHAMILAN LEBIH BULAN": is_delivered & (ga_end > 294),
        "LETAK SUNGSANG": third & (u() < 0.03),
        "LETAK LINTANG": third & (u() < 0.005),
        "PERDARAHAN DALAM KEHAMILAN INI": u() < 0.01,
        "PREEKLAMPSIA BERAT/KEJANG-KEJANG": late & (u() < 0.012),
    }
    assert list(flags) == list(KSPR_FACTORS)
    # K1 mostly in the first trimester, some late; never after delivery or the reference date.
    k1 = np.where(u() < 0.9, rng.integers(35, 99, n), rng.integers(99, 181, n))
    k1 = np.minimum(k1, ga_end)
    ids = "HML-" + pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(7)
    anc = _anc(ctx, ids, hpht, k1, ga_end, flags)  # drops late factors no visit found
    score = KSPR_START + sum(KSPR_FACTORS[f] * v.astype(np.int64) for f, v in flags.items())
    category = np.where(score <= 2, 0, np.where(score < 12, 1, 2))
    plan = np.empty(n, dtype=np.int64)
    for c, probs in enumerate(BIRTH_PLACE_P):
        where = category == c
        plan[where] = rng.choice(len(BIRTH_PLACES), int(where.sum()), p=probs)

    flag_frame = pl.DataFrame({f: v for f, v in flags.items()})
    factors = flag_frame.select(
        faktor_risiko=pl.concat_str(
            [pl.when(pl.col(f)).then(pl.lit(f)) for f in flags], separator="; ", ignore_nulls=True
        )
    )["faktor_risiko"]
    hpl = hpht + 280
    kehamilan = pl.DataFrame(
        {
            "id_kehamilan": ids,
            "nik_ibu": preg["nik_ibu"],
            "nama_ibu": preg["nama"],
            "tanggal_lahir_ibu": preg["tanggal_lahir"],
            "kode_desa": preg["kode_desa"],
            "hpht": _dates(hpht),
            "hpl": _dates(_hpl_errors(ctx, hpl, ids)),
            "tanggal_daftar": _dates(hpht + k1),
            "gravida": gravida,
            "paritas": paritas,
            "abortus": abortus.astype(np.int64),
            "tinggi_badan_cm": height,
            "faktor_risiko": factors.replace("", None),
            "skor_kspr": score.astype(np.int64),
            "kategori_kspr": _labels(KSPR_CATEGORIES, category),
            "rencana_persalinan": _labels(BIRTH_PLACES, plan),
            "tanggal_persalinan": _dates(np.where(is_delivered, end, 0)).set(pl.Series(~is_delivered), None),
        }
    )
    return kehamilan.with_columns(posyandu=_mothers_posyandu(kehamilan, kids)), anc


def _mothers_posyandu(kehamilan: pl.DataFrame, kids: pl.DataFrame) -> pl.Series:
    """The posyandu that follows each pregnancy: one of her desa's (the cadres' list), spread by row, no random
    draw (the other columns keep their values); none where the desa has no posyandu."""
    per_desa = kids.select("kode_desa", "posyandu").unique().sort("kode_desa", "posyandu").group_by(
        "kode_desa", maintain_order=True).agg(pl.col("posyandu").alias("_pos"))
    rows = kehamilan.select("kode_desa").with_row_index("_i").join(per_desa, on="kode_desa", how="left")
    rows = rows.sort("_i").with_columns(_n=pl.col("_pos").list.len())
    return rows.select(pl.col("_pos").list.get(pl.col("_i") % pl.col("_n").clip(lower_bound=1), null_on_oob=True))[
        "_pos"].rename("posyandu")


def _hpl_errors(ctx: SynthContext, hpl: np.ndarray, ids: pl.Series) -> np.ndarray:
    """`hpl_tidak_konsisten`: due date off HPHT + 280 by 7–60 days (wrong rule, typo)."""
    rng = ctx.rng("health.errors.kehamilan")
    k = ctx.count("hpl_tidak_konsisten", len(hpl))
    rows = np.sort(rng.choice(len(hpl), k, replace=False))
    hpl = hpl.copy()
    hpl[rows] += rng.integers(7, 61, k) * rng.choice([-1, 1], k)
    ctx.inject("hpl_tidak_konsisten", "kehamilan", ids.gather(rows))
    return hpl


def _anc(ctx: SynthContext, ids: pl.Series, hpht, k1, ga_end, flags) -> pl.DataFrame:
    """K1..K6 (2 in trimester I, 1 in II, 3 in III, Permenkes 21/2021), while still pregnant."""
    rng = ctx.rng("health.anc")
    n = len(ids)
    v = np.empty((n, 6), dtype=np.int64)
    v[:, 0] = k1
    v[:, 1] = v[:, 0] + rng.integers(21, 43, n)
    v[:, 2] = np.maximum(v[:, 1] + 21, rng.integers(150, 191, n))
    v[:, 3] = np.maximum(v[:, 2] + 21, rng.integers(200, 226, n))
    v[:, 4] = np.maximum(v[:, 3] + 14, rng.integers(230, 251, n))
    v[:, 5] = np.maximum(v[:, 4] + 10, rng.integers(255, 273, n))
    came = (v <= ga_end[:, None]) & (rng.random((n, 6)) < ANC_ATTEND[None, :])
    came[:, 0] = True  # K1 registers the pregnancy
    ordinal = np.cumsum(came, axis=1)

    # Factors that show later in the pregnancy are found at the first visit from the day they can be seen
    # and written on the card then (the KSPR score is recomputed from that visit on); one no visit could
    # find is not on the card (flags are updated in place).
    found = np.full((n, 6), "", dtype=object)
    for factor, from_day in LATE_FACTORS.items():
        seen = came & (v >= from_day)
        first = np.argmax(seen, axis=1)
        has = flags[factor] & seen.any(axis=1)
        flags[factor] = has
        rows = np.flatnonzero(has)
        cells = found[rows, first[rows]]
        found[rows, first[rows]] = np.where(cells == "", factor, cells + "; " + factor)

    hypertensive = flags["BENGKAK PADA MUKA/TUNGKAI DAN TEKANAN DARAH TINGGI"][:, None] & (v >= 140)
    severe = flags["PREEKLAMPSIA BERAT/KEJANG-KEJANG"][:, None] & (v >= 140)
    sys_ = rng.normal(110, 9, n)[:, None] + rng.normal(0, 5, (n, 6))
    dia = rng.normal(70, 7, n)[:, None] + rng.normal(0, 4, (n, 6))
    sys_ += np.where(severe, rng.normal(55, 6, (n, 6)), np.where(hypertensive, rng.normal(33, 5, (n, 6)), 0))
    dia += np.where(severe, rng.normal(40, 4, (n, 6)), np.where(hypertensive, rng.normal(22, 4, (n, 6)), 0))
    sys_ = np.clip(np.round(sys_), 85, 210).astype(np.int64)
    dia = np.minimum(np.clip(np.round(dia), 50, 130), sys_ - 20).astype(np.int64)
    # Weight: pre-pregnancy ~54 kg, ~0.45 kg a week after the first trimester.
    before = np.clip(np.exp(rng.normal(np.log(54), 0.16, n)), 38, 110)
    weight = np.round(before[:, None] + np.maximum(0, v - 91) / 7 * 0.45 + rng.normal(0, 0.4, (n, 6)), 1)
    # Hb: "KURANG DARAH" on the card ⇔ Hb < 11 g/dL at the visits.
    anaemic = flags["KURANG DARAH"][:, None]
    hb = np.where(
        anaemic,
        np.clip(np.round(rng.normal(10.1, 0.5, (n, 6)), 1), 7.5, 10.9),
        np.clip(np.round(rng.normal(12.1, 0.6, (n, 6)), 1), 11.0, 15.0),
    )
    main = rng.choice(len(FACILITIES), n, p=FACILITY_P)
    other = rng.choice(len(FACILITIES), (n, 6), p=FACILITY_P)
    facility = np.where(rng.random((n, 6)) < 0.8, main[:, None], other)

    p, j = np.nonzero(came)
    visit = "K" + pl.Series(ordinal[p, j]).cast(pl.String)
    pid = ids.gather(p)
    return pl.DataFrame(
        {
            "id_kunjungan": pid + "-" + visit,
            "id_kehamilan": pid,
            "tanggal_kunjungan": _dates(hpht[p] + v[p, j]),
            "kunjungan_ke": visit,
            "tekanan_darah_sistolik": sys_[p, j],
            "tekanan_darah_diastolik": dia[p, j],
            "berat_kg": weight[p, j],
            "hb": hb[p, j],
            "faktor_risiko_baru": pl.Series(found[p, j], dtype=pl.String).replace("", None),
            "fasilitas": _labels(FACILITIES, facility[p, j]),
        }
    )
