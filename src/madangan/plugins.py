"""The plugin manager: built-in sectors plus any installed `madangan` entry points."""

from __future__ import annotations

from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

import pluggy

from madangan import hookspecs
from madangan.contracts import Contract
from madangan.sector import Sector

DEFAULT_PLUGINS = (
    "madangan.sectors.population",
    "madangan.sectors.civil_service",
    "madangan.sectors.welfare",
    "madangan.sectors.health",
    "madangan.sectors.services",
    "madangan.sectors.budget",
    "madangan.sectors.spbe",
)
#: Platform parts that listen on hooks exactly as an outside plugin would (Datasette's default_* modules).
PLATFORM_PLUGINS = ("madangan.indicators.engine", "madangan.verval.continuous", "madangan.alerts.default_rules",
                    "madangan.alerts.continuous")


@cache
def plugin_manager() -> pluggy.PluginManager:
    import importlib

    pm = pluggy.PluginManager("madangan")
    pm.add_hookspecs(hookspecs)
    for module in (*DEFAULT_PLUGINS, *PLATFORM_PLUGINS):
        pm.register(importlib.import_module(module), name=module)
    pm.load_setuptools_entrypoints("madangan")
    return pm


@cache
def sectors() -> tuple[Sector, ...]:
    """All registered sectors, each after the sectors it requires."""
    found = {s.name: s for batch in plugin_manager().hook.madangan_sectors() for s in batch}
    order = TopologicalSorter({name: set(s.requires) for name, s in found.items()}).static_order()
    return tuple(found[name] for name in order)


@cache
def template_dirs() -> tuple[Path, ...]:
    """The `templates/` directory beside each module that registers sectors (e.g. sectors/welfare/templates),
    for the platform's Jinja environment: a sector's pages extend the platform's base.html like any other."""
    found = []
    for impl in plugin_manager().hook.madangan_sectors.get_hookimpls():
        origin = getattr(impl.plugin, "__file__", None)
        folder = Path(origin).parent / "templates" if origin else None
        if folder is not None and folder.is_dir() and folder not in found:
            found.append(folder)
    return tuple(found)


def nav_links() -> list:
    """Every sector's top-navigation links (madangan.sector.NavLink), by their order."""
    return sorted((link for s in sectors() for link in s.nav), key=lambda link: (link.order, link.href))


def contracts() -> dict[str, Contract]:
    """Every source contract, by source name."""
    return {c.name: c for s in sectors() for c in s.contracts}
