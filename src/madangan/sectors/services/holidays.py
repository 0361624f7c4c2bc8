"""Working-day calendar for service standards (standar pelayanan counts hari kerja).

Offices are closed on Saturdays, Sundays, national holidays and cuti bersama.
The dates follow the SKB 3 Menteri pattern; Islamic dates are the usual
astronomical estimates, so check the year's decree before relying on a single day.
"""

from __future__ import annotations

from datetime import date

import numpy as np

#: National holidays and cuti bersama covering the synthetic period (Nov 2025 – Dec 2026).
HARI_LIBUR: tuple[date, ...] = tuple(
    date.fromisoformat(d)
    for d in (
        "2025-12-25", "2025-12-26",
        "2026-01-01", "2026-01-16", "2026-02-16", "2026-02-17",
        "2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24",  # Nyepi, Idul Fitri + cuti bersama
        "2026-04-03", "2026-05-01", "2026-05-14", "2026-05-15", "2026-05-27", "2026-06-01",
        "2026-06-16", "2026-08-17", "2026-08-25", "2026-12-24", "2026-12-25",
    )
)

#: Ramadan 1447 H (estimate): counters run shorter hours, so fewer requests.
RAMADAN = (date(2026, 2, 18), date(2026, 3, 19))

_HOLIDAYS = np.array(HARI_LIBUR, dtype="datetime64[D]")


def add_working_days(start: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The date `days` working days after `start` (a weekend/holiday start counts from the next working day)."""
    return np.busday_offset(start.astype("datetime64[D]"), days, roll="forward", holidays=_HOLIDAYS)


def working_days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from `start` to `end` (0 when finished on the day of submission)."""
    return np.busday_count(start.astype("datetime64[D]"), end.astype("datetime64[D]"), holidays=_HOLIDAYS)


def is_working_day(days: np.ndarray) -> np.ndarray:
    return np.is_busday(days.astype("datetime64[D]"), holidays=_HOLIDAYS)
