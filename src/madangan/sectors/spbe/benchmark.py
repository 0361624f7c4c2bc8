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
}


@dataclass(frozen=True)
class Entry:
    region_code: str
    region_name: str
    index: Decimal
    predicate: str
    levels: dict[str, int]  # empty when only the published total is known
    origin: str
    status: str


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
        found.append(Entry(v.region_code, v.region_name, index, instrument.predicate(index), levels, v.origin, v.status))
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


def peers(region_code: str, found: list[Entry], group: str) -> list[Entry]:
    """The region's peer group (the region itself included)."""
    if group not in PEER_GROUPS:
        from madangan.sectors.spbe.text import Refused

        raise Refused(tr(f"Kelompok pembanding '{group}' tidak dikenal; pilih {', '.join(PEER_GROUPS)}.",
                         f"Unknown peer group '{group}'; choose {', '.join(PEER_GROUPS)}."))
    if group == "all":
        return list(found)
    depth = region_code.count(".") + 1
    same_depth = [e for e in found if e.region_code.count(".") + 1 == depth]
    if group == "province":
        province = region_code.split(".")[0]
        return [e for e in same_depth if e.region_code.split(".")[0] == province]
    kind = _kind(region_code)
    return [e for e in same_depth if _kind(e.region_code) == kind]


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
