"""What a sector brings to the platform, and the hook through which it registers.

The platform knows sectors only through `Sector` objects returned by the
`madangan_sectors` hook (see hookspecs.py). Built-in sectors register exactly
the way a regency's own sector (education, agriculture) would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from madangan.contracts import Contract

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from madangan.synth.context import SynthContext


@dataclass(frozen=True)
class DesaCount:
    """A count per desa shown on the regency structure page (e.g. residents)."""

    key: str
    label: dict[str, str]
    #: Given the warehouse tables (name → Ibis table), a table with columns desa_code, value.
    compute: Callable[[dict[str, "ir.Table"]], "ir.Table"]
    sources: tuple[str, ...]  # the sources it needs; skipped while one is missing


def rows_per_desa(source: str, desa_column: str = "kode_desa"):
    """A DesaCount `compute` that counts a source's current rows per desa."""

    def compute(tables):
        table = tables[source]
        return table.group_by(desa_code=table[desa_column]).agg(value=table.count())

    return compute


@dataclass(frozen=True)
class NavLink:
    """A link a sector adds to the top navigation, e.g. NavLink("/penargetan", {"id": "Penargetan", "en": "Targeting"}).

    Shown only to a signed-in role that holds `permission` (a madangan.access.Permission value): the
    same permission the linked page requires, so nobody is shown a link that answers 403."""

    href: str
    label: dict[str, str]
    permission: str = "aggregates"
    order: int = 100


@dataclass(frozen=True)
class Sector:
    name: str
    title: dict[str, str]
    contracts: tuple[Contract, ...] = ()
    #: Adds this sector's sources to the synthetic regency (see synth/context.py).
    synthesize: Callable[["SynthContext"], None] | None = None
    #: Sectors whose synthetic data this one builds on (e.g. health needs population).
    requires: tuple[str, ...] = ()
    desa_counts: tuple[DesaCount, ...] = field(default=())
    #: Verval checks (madangan.verval.Check) over this sector's sources.
    checks: tuple = ()
    #: Indicators this sector owns (declared once, computed per region × month).
    indicators: tuple = ()
    #: Thematic pages (madangan.indicators.ThemePage) showing this sector's indicators.
    pages: tuple = ()
    #: Early-warning rules (madangan.alerts.AlertRule) over this sector's records, places and trends.
    alert_rules: tuple = ()
    #: Links to this sector's own pages in the top navigation (shown to the roles allowed to open them).
    nav: tuple[NavLink, ...] = ()
    #: Open-data datasets (madangan.opendata.catalog.Dataset) of this sector's public aggregates, beyond one
    #: dataset per public indicator (which the catalog makes by itself): published, served over CKAN and DCAT.
    datasets: tuple = ()
