"""What-if and the cheapest plan to a target index.

The plan is an exact optimisation, not a greedy guess: a multiple-choice knapsack solved by
dynamic programming over the weighted level sum (weights are exact decimals, so the sum is an
integer in the right unit). For each indicator we choose how many levels to raise it; a step
costs its indicator's effort (1 by default: the fewest steps). best[t] is the least cost that
gains at least t units; the tests check it against brute force on small instruments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from madangan.errors import UserError
from madangan.sectors.spbe.instrument import Instrument, Score
from madangan.sectors.spbe.text import tr

HALF_CENT = Decimal("0.005")  # SPBE's published index is rounded half-up to 2 decimals


def _half_unit(instrument: Instrument) -> Decimal:
    """Half of the last published place: the rounded index reaches t when the exact one reaches t − this."""
    return Decimal(5).scaleb(-(instrument.decimals + 1))


def whatif(instrument: Instrument, levels: dict[str, int], raises: dict[str, int]) -> tuple[Score, Score]:
    """The score now and with the levels in `raises` (indicator → new level)."""
    for indicator_id, level in raises.items():
        instrument.indicator(indicator_id)
        instrument.check_level(indicator_id, level)
    before = instrument.score(levels, partial=True)
    after = instrument.score({**levels, **raises}, partial=True)
    return before, after


@dataclass(frozen=True)
class Step:
    indicator: str
    name: str
    from_level: int
    to_level: int
    cost: float
    index_after: Decimal


@dataclass(frozen=True)
class Plan:
    target: Decimal
    start: Score
    end: Score
    steps: tuple[Step, ...]
    cost: float

    def as_dict(self) -> dict:
        return {"target": float(self.target), "cost": self.cost,
                "start": self.start.as_dict(), "end": self.end.as_dict(),
                "steps": [{"indicator": s.indicator, "name": s.name, "from": s.from_level, "to": s.to_level,
                           "cost": s.cost, "index_after": float(s.index_after)} for s in self.steps]}


def _unit(weights: list[Decimal]) -> Decimal:
    """The largest decimal unit (10^-k times a whole number) that divides every weight."""
    scale = 0
    while any((w * 10**scale) % 1 for w in weights):
        scale += 1
    ints = [int(w * 10**scale) for w in weights]
    return Decimal(math.gcd(*ints)) / 10**scale


def cheapest_plan(instrument: Instrument, levels: dict[str, int], target: Decimal | float | str,
                  effort: dict[str, float] | None = None) -> Plan:
    """The least-effort set of level steps that lifts the published (rounded) index to `target`.

    `levels` may be partial (missing indicators count as 0 and may be raised to the scale's
    minimum first). `effort` gives the cost of one step per indicator (default 1 each).
    """
    target = Decimal(str(target))
    if not 0 <= target <= instrument.scale.max:
        raise UserError(tr(f"Target indeks {target} di luar 0–{instrument.scale.max}.",
                           f"Target index {target} is outside 0–{instrument.scale.max}."))
    effort = effort or {}
    for indicator_id, value in effort.items():
        instrument.indicator(indicator_id)
        if not value > 0:
            raise UserError(tr(f"Usaha per langkah untuk indikator {indicator_id} harus lebih dari 0 (diberikan: {value}).",
                               f"Effort per step for indicator {indicator_id} must be above 0 (given: {value})."))
    start = instrument.score(levels, partial=True)
    indicators = list(instrument.indicators)
    unit = _unit([i.weight for i in indicators])
    w = [int(i.weight / unit) for i in indicators]
    current = [levels.get(i.id, 0) for i in indicators]
    total_w = sum(w)
    have = sum(lv * wi for lv, wi in zip(current, w))
    # the rounded index reaches the target when the exact one reaches target − 0.005
    need = max(0, math.ceil((target - _half_unit(instrument)) * total_w) - have)
    room = [instrument.scale.max - lv for lv in current]  # every level at the top reaches any target ≤ max

    costs = [float(effort.get(i.id, 1.0)) for i in indicators]
    best = np.full(need + 1, np.inf)
    best[0] = 0.0
    best[1:] = np.inf
    positions = np.arange(need + 1)
    choices = []
    for wi, ci, ri in zip(w, costs, room):
        candidates = np.stack([best[np.maximum(0, positions - k * wi)] + k * ci for k in range(ri + 1)])
        choice = candidates.argmin(axis=0)
        best = candidates[choice, positions]
        choices.append(choice.astype(np.int8))
    chosen = [0] * len(indicators)
    t = need
    for n in range(len(indicators) - 1, -1, -1):
        chosen[n] = int(choices[n][t])
        t = max(0, t - chosen[n] * w[n])

    # one step at a time, the steps that add most per unit of effort first
    unit_steps = [(n, current[n] + s) for n in range(len(indicators)) for s in range(1, chosen[n] + 1)]
    unit_steps.sort(key=lambda step: (-w[step[0]] / costs[step[0]], step[1], step[0]))
    running = dict(levels)
    steps = []
    for n, to_level in unit_steps:
        indicator = indicators[n]
        running[indicator.id] = to_level
        after = instrument.score(running, partial=True)
        steps.append(Step(indicator.id, indicator.name, to_level - 1, to_level, costs[n], after.index))
    end = instrument.score(running, partial=True)
    return Plan(target, start, end, tuple(steps), float(sum(chosen[n] * costs[n] for n in range(len(indicators)))))


def plan_to_next_predicate(instrument: Instrument, levels: dict[str, int],
                           effort: dict[str, float] | None = None) -> Plan | None:
    """The cheapest plan to the next predicate up, or None at the top already."""
    start = instrument.score(levels, partial=True)
    nxt = instrument.next_predicate(start.index)
    return None if nxt is None else cheapest_plan(instrument, levels, nxt.min, effort)
