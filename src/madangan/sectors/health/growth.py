"""WHO 2006 Child Growth Standards: z-scores and values for length/height- and weight-for-age.

Vectorised over NumPy arrays; used both to synthesise posyandu measurements and to score
them (stunting = HAZ < -2, implausible = outside WHO's flag limits).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).parent / "data"

#: Age (days) from which the standard is standing height instead of recumbent length.
HEIGHT_FROM_DAYS = 731
#: Lying length exceeds standing height by this much (WHO Anthro's correction).
LYING_MINUS_STANDING_CM = 0.7
MAX_AGE_DAYS = 1826

#: WHO flag limits for biologically implausible values (WHO Anthro).
HAZ_FLAG = (-6.0, 6.0)
WAZ_FLAG = (-6.0, 5.0)


@cache
def _table(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L, M, S arrays shaped (2, ages): row 0 boys, row 1 girls."""
    t = pl.read_csv(DATA / name, separator="\t").filter(pl.col("age") <= MAX_AGE_DAYS).sort("sex", "age")
    n = MAX_AGE_DAYS + 1
    return tuple(t[c].to_numpy().astype(np.float64).reshape(2, n) for c in ("l", "m", "s"))  # type: ignore[return-value]


def _lms(name: str, female: np.ndarray, age_days: np.ndarray):
    l, m, s = _table(name)
    sex = np.asarray(female, dtype=np.int64)
    age = np.clip(np.asarray(age_days, dtype=np.int64), 0, MAX_AGE_DAYS)
    return l[sex, age], m[sex, age], s[sex, age]


def _value(l, m, s, z):
    small = np.abs(l) < 1e-9
    with np.errstate(invalid="ignore", divide="ignore"):
        v = m * np.power(1 + l * s * z, 1 / np.where(small, 1.0, l))
    return np.where(small, m * np.exp(s * z), v)


def _z(l, m, s, y):
    small = np.abs(l) < 1e-9
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (np.power(y / m, np.where(small, 1.0, l)) - 1) / (s * np.where(small, 1.0, l))
    return np.where(small, np.log(y / m) / s, z)


def length_at(female, age_days, z) -> np.ndarray:
    """The WHO length (< 731 days) or height (≥ 731 days) in cm at z-score `z`."""
    return _value(*_lms("lenanthro.txt", female, age_days), np.asarray(z, dtype=np.float64))


def weight_at(female, age_days, z) -> np.ndarray:
    """The weight in kg at weight-for-age z `z` (inverse of WHO's restricted formula beyond ±3)."""
    l, m, s = _lms("weianthro.txt", female, age_days)
    z = np.asarray(z, dtype=np.float64)
    sd2p, sd3p = _value(l, m, s, 2.0), _value(l, m, s, 3.0)
    sd2n, sd3n = _value(l, m, s, -2.0), _value(l, m, s, -3.0)
    inner = _value(l, m, s, np.clip(z, -3, 3))
    return np.select([z > 3, z < -3], [sd3p + (z - 3) * (sd3p - sd2p), sd3n + (z + 3) * (sd2n - sd3n)], inner)


def haz(female, age_days, height_cm, lying) -> np.ndarray:
    """Length/height-for-age z, correcting a measurement taken the other way (lying vs standing)."""
    age = np.asarray(age_days)
    lying = np.asarray(lying, dtype=bool)
    y = np.asarray(height_cm, dtype=np.float64)
    y = y + np.where((age < HEIGHT_FROM_DAYS) & ~lying, LYING_MINUS_STANDING_CM, 0.0)
    y = y - np.where((age >= HEIGHT_FROM_DAYS) & lying, LYING_MINUS_STANDING_CM, 0.0)
    return _z(*_lms("lenanthro.txt", female, age), y)


def waz(female, age_days, weight_kg) -> np.ndarray:
    """Weight-for-age z with WHO's restricted formula beyond ±3 SD."""
    l, m, s = _lms("weianthro.txt", female, age_days)
    y = np.asarray(weight_kg, dtype=np.float64)
    z = _z(l, m, s, y)
    sd2p, sd3p = _value(l, m, s, 2.0), _value(l, m, s, 3.0)
    sd2n, sd3n = _value(l, m, s, -2.0), _value(l, m, s, -3.0)
    return np.select([z > 3, z < -3], [3 + (y - sd3p) / (sd3p - sd2p), -3 + (y - sd3n) / (sd2n - sd3n)], z)


def implausible(female, age_days, height_cm, lying, weight_kg) -> np.ndarray:
    """WHO flags: HAZ outside ±6 or WAZ outside [-6, 5]."""
    h = haz(female, age_days, height_cm, lying)
    w = waz(female, age_days, weight_kg)
    return (h < HAZ_FLAG[0]) | (h > HAZ_FLAG[1]) | (w < WAZ_FLAG[0]) | (w > WAZ_FLAG[1])
