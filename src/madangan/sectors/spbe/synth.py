"""A synthetic, seeded SPBE benchmark: every regency/city of the country list, one year.

Each region gets a latent maturity around the national average (≈ 2.4, domain.md §3) and its
own strengths per domain; indicator levels are that plus noise, on the 1–5 scale. The same seed
gives the same levels. These are marked origin='synthetic' and never pass for real results.
"""

from __future__ import annotations

import numpy as np

from madangan.regions import regions
from madangan.sectors.spbe.instrument import Instrument

NATIONAL_MEAN = 2.4


def regencies() -> list[str]:
    index = regions()
    return sorted(code for code in index.names if code.count(".") == 1)


def generate(instrument: Instrument, year: int, seed: int, codes: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Levels per indicator for each region code (default: all 514 regencies/cities)."""
    codes = codes or regencies()
    rng = np.random.default_rng([seed, year])
    domain_of = [instrument.domain_of(i).id for i in instrument.indicators]
    domains = sorted(set(domain_of))
    lo, hi = instrument.scale.min, instrument.scale.max
    # a year later, regions are a little more mature on average
    drift = 0.15 * (year - 2022)
    result = {}
    for code in codes:
        maturity = rng.normal(NATIONAL_MEAN + drift, 0.55)
        strength = dict(zip(domains, rng.normal(0, 0.35, len(domains))))
        raw = [maturity + strength[d] + rng.normal(0, 0.6) for d in domain_of]
        result[code] = {ind.id: int(np.clip(np.rint(value), lo, hi)) for ind, value in zip(instrument.indicators, raw)}
    return result


def populations(seed: int, codes: list[str] | None = None) -> dict[str, int]:
    """A synthetic population per region (for peer groups by population band), seeded; not real figures.

    Cities are smaller than regencies (medians ≈ 300 and 550 thousand), spread log-normally.
    """
    codes = codes or regencies()
    index = regions()
    rng = np.random.default_rng([seed, 62])
    result = {}
    for code in codes:
        median = 300_000 if index.region(code).level.lower().startswith("kota") else 550_000
        result[code] = int(np.clip(rng.lognormal(np.log(median), 0.6), 20_000, 6_000_000))
    return result
