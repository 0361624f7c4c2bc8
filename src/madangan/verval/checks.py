"""What a verval check is: a declared rule that finds records with one problem.

Sectors register checks in `Sector.checks`; the engine (madangan.verval.engine)
runs them over the warehouse and turns their rows into findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

Severity = Literal["error", "warning", "info"]
Tables = dict[str, "ir.Table"]


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides the warehouse tables."""

    region_code: str  # the deployment's regency, e.g. "32.11"
    desa_codes: frozenset[str]  # every desa/kelurahan code of the regency
    kecamatan_prefixes: frozenset[str]  # every kecamatan of the country as 6 digits (a NIK's first part)
    today: date
    #: Tunable thresholds by name (e.g. "desil_maks_penerima": 4), from the deployment's settings.
    params: dict[str, object] = field(default_factory=dict)

    def param(self, name: str, default):
        return self.params.get(name, default)


@dataclass(frozen=True)
class Check:
    rule: str  # stable id, e.g. "nik_struktur"; part of every finding id
    source: str  # the source whose records the findings are about
    severity: Severity
    title: dict[str, str]  # {"id": ..., "en": ...}, short
    #: What is wrong and what to do, {"id": ..., "en": ...}; str.format placeholders name evidence columns.
    message: dict[str, str]
    #: Given the tables (name → Ibis table of current rows) and the context, one row per finding with
    #: columns record_key (str, the source's key), kode_desa (str or null) and any evidence columns.
    find: Callable[[Tables, CheckContext], "ir.Table"]
    #: Other sources the check reads; the check is skipped while one of them is not loaded.
    needs: tuple[str, ...] = ()
    #: The agency that must act; default: the owner of `source`.
    agency: str | None = None
    #: High-risk processing (UU 27/2022 Pasal 34: "linkage", "scoring", …) that needs a current impact
    #: assessment for `source` before the check may run (`madangan pdp dpia add`).
    dpia: str | None = None
    #: A record's findings depend on that record alone (and on the other sources in `needs`): after a batch
    #: of `source`, only the records the batch touched are checked again (the rest cannot have changed).
    row_local: bool = False
    #: A record's findings depend on the other records of the same unit (a child's previous height): after a
    #: batch of `source`, the check runs again on every record of the units the batch touched (this column).
    entity: str = ""
    #: False when `find` reads rows while building its query (z-scores computed in Python): its SQL then holds
    #: this batch's rows and is built afresh for every batch instead of compiled once.
    sql_reusable: bool = True

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source, *self.needs)
