"""The catalog of replicable applications ("ATP: Amati, Tiru, Plek"), as data (data/katalog.toml)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from madangan.sectors.spbe.instrument import load


class Application(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    region: str  # Kemendagri code of the region that built it; "" for shared/open projects
    indicators: tuple[str, ...]
    owner: str = ""
    description: str = ""
    technology: str = ""
    license: str = ""
    source_code: str = ""
    contact: str = ""
    sources: str = ""


@cache
def applications() -> tuple[Application, ...]:
    raw = tomllib.loads((resources.files("madangan.sectors.spbe") / "data" / "katalog.toml").read_text(encoding="utf-8"))
    apps = tuple(Application.model_validate(a) for a in raw["applications"])
    instrument = load()
    for app in apps:
        for indicator in app.indicators:
            instrument.indicator(indicator)  # an unknown indicator is a broken catalog
    return apps


def search(indicator: str | None = None, text: str | None = None) -> list[Application]:
    """Applications serving `indicator`, and/or whose name or description contains `text`."""
    found = list(applications())
    if indicator:
        found = [a for a in found if indicator in a.indicators]
    if text:
        needle = text.lower()
        found = [a for a in found if needle in a.name.lower() or needle in a.description.lower()]
    return found
