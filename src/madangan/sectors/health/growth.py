"""WHO 2006 Child Growth Standards: HAZ, WAZ, WHZ and BAZ exactly as WHO's `anthro` R package.

Vectorised over NumPy arrays (no per-row Python), so a regency's ~1 M posyandu rows score in
well under a second. The rules follow anthro (R/z-score*.R):

- age in days is rounded half up to a whole day; z-scores only below 60 months
  (age / 30.4375 < 60) and from day 0;
- length (lying) below 731 days, height (standing) from 731; a child under 731 days
  measured standing gets +0.7 cm, one from 731 days measured lying −0.7 cm; "standing"
  before 9 months is implausible, so the position counts as unknown (no correction);
- LMS by sex and day; weight-for-length (45–110 cm, < 731 days) or weight-for-height
  (65–120 cm, ≥ 731 days) with L, M, S interpolated between the 0.1 cm rows;
- weight-based indicators (WAZ, WHZ, BAZ) use the restricted application beyond ±3 SD and
  are not computed with oedema; nothing is computed for a non-positive measure;
- z-scores are rounded to 2 decimals, and WHO's plausibility flags apply to the rounded
  value: HAZ |z| > 6, WAZ < −6 or > 5, WHZ |z| > 5, BAZ |z| > 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).parent / "data"

#: Age (days) from which the standard is standing height instead of recumbent length.
HEIGHT_FROM_DAYS = 731
#: Lying length exceeds standing height by this much (WHO Anthro's correction).
LYING_MINUS_STANDING_CM = 0.7
#: Last day in WHO's age tables; z-scores stop earlier, at 60 months.
MAX_AGE_DAYS = 1826
DAYS_PER_MONTH = 30.4375
#: WHO's flag limits for biologically implausible z-scores, (low, high).
FLAGS = {"haz": (-6.0, 6.0), "waz": (-6.0, 5.0), "whz": (-5.0, 5.0), "baz": (-5.0, 5.0)}
#: Weight-for-length and weight-for-height tables: first row (cm), last row (cm).
WFL_RANGE, WFH_RANGE = (45.0, 110.0), (65.0, 120.0)


@cache
def _table(name: str) -> np.ndarray:
    """LMS as one (3, rows + 1) array (l, m, s): boys then girls by index column, then a NaN column
    that rows without a z-score point to."""
    t = pl.read_csv(DATA / name, separator="\t").sort(pl.nth(0), pl.nth(1))
    lms = t.select("l", "m", "s").to_numpy().astype(np.float64).T
    return np.ascontiguousarray(np.hstack([lms, np.full((3, 1), np.nan)]))


def _gather(name: str, sex: np.ndarray, index: np.ndarray, ok: np.ndarray):
    """L, M, S for rows where `ok` (sex 1/2, index within the table); NaN elsewhere."""
    table = _table(name)
    per_sex = (table.shape[1] - 1) // 2
    l, m, s = table[:, np.where(ok, (sex - 1) * per_sex + index, 2 * per_sex)]
    return l, m, s


def _sd(l, m, s, z):
    """The measure at z-score z: M·(1 + L·S·z)^(1/L)."""
    return m * np.power(1 + l * s * z, 1 / l)


def _z(y, l, m, s, restricted: bool) -> np.ndarray:
    """LMS z-score; with `restricted`, WHO's linear extension beyond ±3 SD (weight-based)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = y / m
        if np.all((l == 1) | np.isnan(l)):  # length/height-for-age: L = 1 throughout, power is a no-op
            z = (ratio - 1) / s
        else:
            z = (np.power(ratio, l) - 1) / (s * l)
        if restricted:
            above, below = np.flatnonzero(z > 3), np.flatnonzero(z < -3)
            if above.size:
                lms = l[above], m[above], s[above]
                sd3 = _sd(*lms, 3.0)
                z[above] = 3 + (y[above] - sd3) / (sd3 - _sd(*lms, 2.0))
            if below.size:
                lms = l[below], m[below], s[below]
                sd3 = _sd(*lms, -3.0)
                z[below] = -3 + (y[below] - sd3) / (_sd(*lms, -2.0) - sd3)
    return z


@dataclass(frozen=True)
class ZScores:
    """Per-row results, NumPy arrays of the input length; NaN where WHO computes no z-score."""

    clenhei: np.ndarray  # length/height after the lying/standing correction (cm)
    bmi: np.ndarray  # weight / (clenhei in m)²
    haz: np.ndarray
    waz: np.ndarray
    whz: np.ndarray
    baz: np.ndarray

    def flag(self, indicator: str) -> np.ndarray:
        """WHO's plausibility flag for "haz", "waz", "whz" or "baz" (False where no z-score)."""
        z = getattr(self, indicator)
        low, high = FLAGS[indicator]
        return (z < low) | (z > high)

    @property
    def flagged(self) -> np.ndarray:
        """True where any of the four z-scores is flagged as implausible."""
        return self.flag("haz") | self.flag("waz") | self.flag("whz") | self.flag("baz")


def _as(x, n: int, dtype) -> np.ndarray:
    return np.broadcast_to(np.asarray(x, dtype=dtype), (n,))


def zscores(sex, age_days, weight_kg=np.nan, lenhei_cm=np.nan, lying=None, oedema=False) -> ZScores:
    """HAZ, WAZ, WHZ and BAZ for each child, as WHO's anthro computes them.

    sex: 1 = male, 2 = female (anything else: no z-score). age_days: age in days (may be
    fractional). lying: True = recumbent length, False = standing height, None or NaN in a
    float array = not recorded (no correction). oedema: bilateral pitting oedema (True/False).
    Scalars broadcast against arrays.
    """
    n = max(np.size(a) for a in (sex, age_days, weight_kg, lenhei_cm, oedema, 1 if lying is None else lying))
    sex = _as(sex, n, np.float64)
    age = _as(age_days, n, np.float64)
    weight = _as(weight_kg, n, np.float64)
    lenhei = _as(lenhei_cm, n, np.float64)
    oedema = _as(oedema, n, bool)
    position = np.full(n, np.nan) if lying is None else _as(lying, n, np.float64)  # 1 lying, 0 standing

    sex_ok = (sex == 1) | (sex == 2)
    sex_i = np.where(sex_ok, sex, 1).astype(np.int64)
    with np.errstate(invalid="ignore"):
        day = np.floor(age + 0.5)  # anthro rounds age half up
        age_ok = (age >= 0) & (age / DAYS_PER_MONTH < 60) & (day <= MAX_AGE_DAYS) & sex_ok
        day_i = np.where(age_ok, day, 0).astype(np.int64)
        weight = np.where(weight > 0, weight, np.nan)
        lenhei = np.where(lenhei > 0, lenhei, np.nan)
        standing_too_young = (position == 0) & (age / DAYS_PER_MONTH < 9)
        infant = day < HEIGHT_FROM_DAYS
        shift = np.where(infant & (position == 0) & ~standing_too_young, LYING_MINUS_STANDING_CM, 0.0)
        shift -= np.where(~infant & (position == 1), LYING_MINUS_STANDING_CM, 0.0)
    clenhei = lenhei + shift
    bmi = weight / (clenhei / 100) ** 2

    haz = _z(clenhei, *_gather("lenanthro.txt", sex_i, day_i, age_ok), restricted=False)
    weight_ok = age_ok & ~oedema
    waz = _z(weight, *_gather("weianthro.txt", sex_i, day_i, weight_ok), restricted=True)
    baz = _z(bmi, *_gather("bmianthro.txt", sex_i, day_i, weight_ok), restricted=True)
    whz = _whz(weight, clenhei, sex_i, infant, weight_ok)
    return ZScores(clenhei, bmi, *(np.round(z, 2) for z in (haz, waz, whz, baz)))


@cache
def _wflh() -> np.ndarray:
    """Weight-for-length rows (boys, girls) then weight-for-height rows (boys, girls), then NaN."""
    return np.ascontiguousarray(np.hstack([_table("wflanthro.txt")[:, :-1], _table("wfhanthro.txt")]))


def _whz(weight, clenhei, sex, infant, ok) -> np.ndarray:
    """Weight-for-length (< 731 days) or -height, L/M/S interpolated between 0.1 cm rows."""
    table = _wflh()
    wfl_rows = _table("wflanthro.txt").shape[1] - 1
    wfh_rows = table.shape[1] - 1 - wfl_rows
    with np.errstate(invalid="ignore"):
        tenths = np.trunc(clenhei * 10)
        frac = (clenhei - tenths / 10) / 0.1  # anthro's arithmetic, kept for identical results
        first = np.where(infant, WFL_RANGE[0], WFH_RANGE[0])
        ok = ok & (clenhei >= first) & (clenhei <= np.where(infant, WFL_RANGE[1], WFH_RANGE[1]))
        row = np.where(infant, (sex - 1) * (wfl_rows // 2), wfl_rows + (sex - 1) * (wfh_rows // 2))
        lo = np.where(ok, row + tenths - first * 10, table.shape[1] - 1).astype(np.int64)
    hi = lo + (ok & (frac > 0))  # on a table row exactly (or at its last row) nothing is interpolated
    low, high = table[:, lo], table[:, hi]
    l, m, s = low + frac * (high - low)
    return _z(weight, l, m, s, restricted=True)


# ---------------------------------------------------------------- for the synthetic generator


def _lms_by_age(name: str, female, age_days):
    female = np.asarray(female, dtype=bool)
    age = np.clip(np.asarray(age_days, dtype=np.int64), 0, MAX_AGE_DAYS)
    shape = np.broadcast_shapes(female.shape, age.shape)
    sex = np.broadcast_to(np.where(female, 2, 1), shape).ravel()
    l, m, s = _gather(name, sex, np.broadcast_to(age, shape).ravel(), np.ones(sex.size, dtype=bool))
    return l.reshape(shape), m.reshape(shape), s.reshape(shape)


def length_at(female, age_days, z) -> np.ndarray:
    """The WHO length (< 731 days) or height (≥ 731 days) in cm at z-score `z`."""
    return _sd(*_lms_by_age("lenanthro.txt", female, age_days), np.asarray(z, dtype=np.float64))


def weight_at(female, age_days, z) -> np.ndarray:
    """The weight in kg at weight-for-age z `z` (inverse of WHO's restricted formula beyond ±3)."""
    l, m, s = _lms_by_age("weianthro.txt", female, age_days)
    z = np.asarray(z, dtype=np.float64)
    sd2p, sd3p = _sd(l, m, s, 2.0), _sd(l, m, s, 3.0)
    sd2n, sd3n = _sd(l, m, s, -2.0), _sd(l, m, s, -3.0)
    inner = _sd(l, m, s, np.clip(z, -3, 3))
    return np.select([z > 3, z < -3], [sd3p + (z - 3) * (sd3p - sd2p), sd3n + (z + 3) * (sd2n - sd3n)], inner)


def _sex(female) -> np.ndarray:
    return np.where(np.asarray(female, dtype=bool), 2, 1)


def haz(female, age_days, height_cm, lying) -> np.ndarray:
    """Length/height-for-age z (rounded, WHO rules), correcting a measurement taken the other way."""
    return zscores(_sex(female).ravel(), np.ravel(age_days), lenhei_cm=np.ravel(height_cm),
                   lying=np.ravel(lying)).haz.reshape(np.shape(height_cm))


def waz(female, age_days, weight_kg) -> np.ndarray:
    """Weight-for-age z with WHO's restricted formula beyond ±3 SD (rounded)."""
    return zscores(_sex(female).ravel(), np.ravel(age_days), weight_kg=np.ravel(weight_kg)).waz.reshape(
        np.shape(weight_kg))


# ---------------------------------------------------------------- Permenkes 2/2020 categories

#: Categories of Permenkes 2/2020 (Standar Antropometri Anak): (upper bound inclusive or None, label).
#: A z-score falls in the first category whose bound it does not exceed; bounds "< −3" are exclusive.
CATEGORIES = {
    "haz": (("sangat pendek", -3), ("pendek", -2), ("normal", 3), ("tinggi", None)),
    "waz": (("berat badan sangat kurang", -3), ("berat badan kurang", -2), ("berat badan normal", 1),
            ("risiko berat badan lebih", None)),
    "whz": (("gizi buruk", -3), ("gizi kurang", -2), ("gizi baik", 1), ("berisiko gizi lebih", 2),
            ("gizi lebih", 3), ("obesitas", None)),
}
CATEGORIES["baz"] = CATEGORIES["whz"]


def category(indicator: str, z) -> np.ndarray:
    """Permenkes 2/2020 category of each z-score ("" where there is no z-score).

    Below −3 and −2 are strict (−3.00 is "pendek", −2.00 "normal"); the upper cut-offs
    (+1, +2, +3) belong to the lower category (+3.00 is still "normal").
    """
    z = np.asarray(z, dtype=np.float64)
    labels = CATEGORIES[indicator]
    conditions, choices = [], []
    for label, bound in labels:
        if bound is None:
            conditions.append(~np.isnan(z))
        else:
            conditions.append(z < bound if bound < 0 else z <= bound)
        choices.append(label)
    return np.select(conditions, choices, "")
