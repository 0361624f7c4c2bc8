"""Is this month unusual? The figure against the same month (± 1) of earlier years, judged robustly.

Plain mean ± k·SD misfires on skewed and seasonal health data (one outbreak year inflates the SD
and hides the next). Here, as in DHIS2's predictors but robust:

- counts of at least `small_counts` on median: z = (x − median) / (1.4826 · MAD), an anomaly when z > `ambang_z`
  (the MAD is floored at √median so a flat history does not make every wobble an anomaly);
- small counts: a Poisson model with mean = the baseline median (floored at 0.5): an anomaly when
  P(X ≥ x) < `alfa` — a jump from 0–1 cases to 4 is then judged by how unlikely it is, not by a
  division by a MAD of zero.

Either way, fewer than `minimal` cases never alert, and at least two baseline values are needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Judgement:
    anomaly: bool
    median: float
    score: float  # robust z, or −log10 of the Poisson tail probability
    method: str  # "mad" or "poisson"
    baseline_n: int


def judge(current: float, history: list[float], *, z: float = 3.0, alpha: float = 0.01, small_counts: float = 10.0,
          minimum: float = 3.0) -> Judgement | None:
    """None when the history is too short to judge."""
    values = np.asarray([h for h in history if h is not None and not np.isnan(h)], dtype=float)
    if len(values) < 2 or current is None or np.isnan(current):
        return None
    median = float(np.median(values))
    if median < small_counts:
        mean = max(median, 0.5)
        tail = float(poisson.sf(current - 1, mean))  # P(X ≥ current)
        score = float(-np.log10(max(tail, 1e-300)))
        return Judgement(current >= minimum and tail < alpha, median, score, "poisson", len(values))
    mad = float(np.median(np.abs(values - median)))
    spread = max(MAD_TO_SD * mad, np.sqrt(median))
    score = (current - median) / spread
    return Judgement(current >= minimum and score > z, median, float(score), "mad", len(values))
