"""What an indicator is: declared once by the sector that owns it, computed per region × month.

Sectors register indicators in `Sector.indicators`; the indicator engine computes
them for every desa and month and rolls them up to kecamatan and regency by
summing numerators and denominators (so every figure keeps its counts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

Tables = dict[str, "ir.Table"]


@dataclass(frozen=True)
class Indicator:
    id: str  # stable, snake_case, e.g. "prevalensi_stunting"
    sector: str
    title: dict[str, str]  # {"id": ..., "en": ...}
    #: Given the tables (name → Ibis table of current rows): one row per desa × month with columns
    #: kode_desa (str), bulan (date, first day of the month), numerator and denominator (numbers).
    compute: Callable[[Tables], "ir.Table"]
    sources: tuple[str, ...]  # the sources it needs; skipped while one is not loaded
    unit: str = "%"  # "%" → 100 × numerator / denominator; "per 1000"; "Rp"; "hari"; "" (plain ratio)
    higher_is_better: bool = True
    target: float | None = None  # in `unit`
    #: Status boundaries in `unit`: (green_from, red_from). With higher_is_better=False, values at or
    #: below green_from are green and at or above red_from red; the other way round otherwise.
    thresholds: tuple[float, float] | None = None
    #: Satu Data Indonesia metadata: definisi, rumus, sumber, frekuensi (Indonesian; "en" variants optional).
    metadata: dict[str, str] = field(default_factory=dict)
    #: The column of the source the period comes from (documentation; compute already applies it).
    period_from: str = ""
