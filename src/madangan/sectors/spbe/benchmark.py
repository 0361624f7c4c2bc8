"""Benchmarking across regions: ranking, peer groups, gaps per indicator and who to learn from.

Works on the assessments of one year. A region with levels for every indicator is ranked by the
index computed from them; a region known only by its published total is ranked by that total
(and has no indicator gaps).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from madangan.regions import regions
from madangan.sectors.spbe.instrument import Instrument
from madangan.sectors.spbe.store import AssessmentView
from madangan.sectors.spbe.text import tr

PEER_GROUPS = {
    "all": {"id": "Semua wilayah", "en": "All regions"},
    "province": {"id": "Satu provinsi", "en": "Same province"},
    "kind": {"id": "Sesama kabupaten atau sesama kota", "en": "Regencies with regencies, cities with cities"},
    "province_kind": {"id": "Satu provinsi, sesama kabupaten/kota", "en": "Same province, same kind (regency/city)"},
    "population": {"id": "Sekelas jumlah penduduk", "en": "Same population band"},
}
#: Population bands (lower bound, label): a region is compared with regions of its own size.
POPULATION_BANDS = (
    (0, {"id": "di bawah 250 ribu jiwa", "en": "under 250 thousand residents"}),
    (250_000, {"id": "250–500 ribu jiwa", "en": "250–500 thousand residents"}),
    (500_000, {"id": "500 ribu–1 juta jiwa", "en": "500 thousand–1 million residents"}),
    (1_000_000, {"id": "1–2 juta jiwa", "en": "1–2 million residents"}),
    (2_000_000, {"id": "2 juta jiwa atau lebih", "en": "2 million residents or more"}),
)


def population_band(population: int | None) -> int | None:
    """The band index of a population (None when unknown)."""
    if population is None:
        return None
    return max(n for n, (lower, _) in enumerate(POPULATION_BANDS) if population >= lower)


def band_label(population: int | None, lang: str = "id") -> str:
    band = population_band(population)
    return "—" if band is None else POPULATION_BANDS[band][1][lang]


@dataclass(frozen=True)
class Entry:
    region_code: str
    region_name: str
    index: Decimal
    predicate: str
    levels: dict[str, int]  # empty when only the published total is known
    origin: str
    status: str
    population: int | None = None


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: Entry


@dataclass(frozen=True)
class Gap:
    indicator: str
    name: str
    level: int | None
    best: int
    gap: int
    index_points: Decimal  # how much the index rises if the region reaches the best level
    learn_from: tuple[Entry, ...]  # peers at the best level, highest index first


def entries(instrument: Instrument, views: list[AssessmentView], published_only: bool = False) -> list[Entry]:
    """Rankable entries: complete levels (index computed) or a published total.

    Self-assessments count once verified or published unless `published_only` is False (the
    default shows drafts too, marked by status, so a region can see where it would stand).
    """
    found = []
    for v in views:
        if published_only and v.status not in ("verified", "published"):
            continue
        levels = v.levels()
        if len(levels) == len(instrument.indicators):
            score = instrument.score(levels)
            index = score.index
        elif v.published_index is not None:
            index, levels = v.published_index, {}
        else:
            continue
        found.append(Entry(v.region_code, v.region_name, index, instrument.predicate(index), levels, v.origin, v.status,
                           v.population))
    return found


def ranking(found: list[Entry]) -> list[Ranked]:
    """Highest index first; equal indices share a rank (1, 2, 2, 4)."""
    ordered = sorted(found, key=lambda e: (-e.index, e.region_code))
    ranked, previous, rank = [], None, 0
    for position, entry in enumerate(ordered, start=1):
        if entry.index != previous:
            rank, previous = position, entry.index
        ranked.append(Ranked(rank, entry))
    return ranked


def peers(region_code: str, found: list[Entry], group: str, population: int | None = None) -> list[Entry]:
    """The region's peer group (the region itself included).

    `population` is the region's own population for the "population" group when it has no entry
    carrying one (e.g. it has not assessed yet); regions of unknown population are left out of it.
    """
    from madangan.sectors.spbe.text import Refused

    if group not in PEER_GROUPS:
        raise Refused(tr(f"Kelompok pembanding '{group}' tidak dikenal; pilih {', '.join(PEER_GROUPS)}.",
                         f"Unknown peer group '{group}'; choose {', '.join(PEER_GROUPS)}."))
    if group == "all":
        return list(found)
    depth = region_code.count(".") + 1
    same_depth = [e for e in found if e.region_code.count(".") + 1 == depth]
    province = region_code.split(".")[0]
    kind = _kind(region_code)
    if group == "province":
        return [e for e in same_depth if e.region_code.split(".")[0] == province]
    if group == "kind":
        return [e for e in same_depth if _kind(e.region_code) == kind]
    if group == "province_kind":
        return [e for e in same_depth if e.region_code.split(".")[0] == province and _kind(e.region_code) == kind]
    own = next((e.population for e in found if e.region_code == region_code and e.population is not None), population)
    if own is None:
        raise Refused(tr(f"Jumlah penduduk {region_code} belum diketahui, jadi kelompok sekelas penduduk tidak bisa dibentuk; "
                         "isi 'Jumlah penduduk' di penilaian mandiri atau kolom 'Jumlah Penduduk' saat impor.",
                         f"{region_code}'s population is not known, so there is no population-band group; fill in "
                         "'Jumlah penduduk' on the self-assessment or the 'Jumlah Penduduk' column on import."), 409)
    band = population_band(own)
    return [e for e in same_depth if population_band(e.population) == band]


def _kind(code: str) -> str:
    index = regions()
    return index.region(code).level if code in index else "?"


def gaps(instrument: Instrument, own: Entry, peer_entries: list[Entry]) -> list[Gap]:
    """Per indicator: own level, the best level among peers with levels, and who reached it."""
    with_levels = [e for e in peer_entries if e.levels]
    result = []
    for ind in instrument.indicators:
        best = max((e.levels[ind.id] for e in with_levels), default=None)
        if best is None:
            continue
        level = own.levels.get(ind.id)
        gap = max(0, best - (level or 0))
        teachers = sorted((e for e in with_levels if e.levels[ind.id] == best and e.region_code != own.region_code),
                          key=lambda e: (-e.index, e.region_code))
        points = Decimal(gap) * ind.weight / 100
        result.append(Gap(ind.id, ind.name, level, best, gap, points, tuple(teachers)))
    return result


def aspect_profile(instrument: Instrument, levels: dict[str, int]) -> dict[str, float]:
    return {k: round(float(v), 2) for k, v in instrument.score(levels, partial=True).aspects.items()}


def summary(found: list[Entry]) -> dict:
    values = np.array([float(e.index) for e in found]) if found else np.array([])
    if not len(values):
        return {"regions": 0}
    return {"regions": int(len(values)), "mean": round(float(values.mean()), 2),
            "median": round(float(np.median(values)), 2), "max": round(float(values.max()), 2),
            "min": round(float(values.min()), 2)}
