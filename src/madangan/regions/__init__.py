"""Kemendagri region codes and names for the whole country.

Levels: provinsi `32` · kabupaten/kota `32.11` · kecamatan `32.11.01` ·
desa/kelurahan `32.11.01.2001` (serial 1xxx = kelurahan, 2xxx = desa).
Loaded once from the compressed files in `data/` (see its README for source
and license).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from madangan.errors import UserError
from madangan.i18n import t

_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_DIGITS = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$")

LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1

    @property
    def level(self) -> str:
        if self.depth == 2:
            return "kota" if self.name.startswith("Kota ") else "kabupaten"
        if self.depth == 4:
            return "kelurahan" if self.code[-4] == "1" else "desa"
        return {1: "provinsi", 3: "kecamatan"}[self.depth]

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if self.depth > 1 else None

    @property
    def digits(self) -> str:
        return self.code.replace(".", "")


class RegionIndex:
    """All regions of Indonesia, indexed by code and by parent."""

    def __init__(self, names: dict[str, str]):
        self.names = names
        self.children_of: dict[str, list[str]] = {}
        for code in sorted(names):
            parent = code.rsplit(".", 1)[0] if "." in code else ""
            self.children_of.setdefault(parent, []).append(code)

    def __contains__(self, code: str) -> bool:
        return code in self.names

    def __len__(self) -> int:
        return len(self.names)

    def region(self, code: str) -> Region:
        return Region(code, self.names[code])

    def children(self, code: str) -> list[Region]:
        return [self.region(c) for c in self.children_of.get(code, [])]

    def desa_of(self, code: str) -> list[Region]:
        """Every desa/kelurahan under a province, regency or kecamatan."""
        prefix = code + "."
        return [self.region(c) for c in self.names if c.startswith(prefix) and c.count(".") == 3]

    def path(self, code: str) -> str:
        """'Cimalaka, Kec. Cimalaka, Kabupaten Sumedang, Jawa Barat'."""
        parts, current = [], code
        while current:
            region = self.region(current)
            label = f"Kec. {region.name}" if region.depth == 3 and current != code else region.name
            parts.append(label)
            current = region.parent_code
        return ", ".join(parts)

    def get(self, code: str) -> Region:
        """The region with `code` (dotted or plain digits), or a UserError with the closest codes."""
        dotted = normalize_code(code)
        if dotted not in self.names:
            raise UserError(t("region.unknown", code=code, suggestions=self.suggest(dotted)))
        return self.region(dotted)

    def regency(self, code: str) -> Region:
        """A kabupaten/kota, the unit Madangan is deployed for."""
        region = self.get(code)
        if region.depth != 2:
            example = region.code[:5] if region.depth > 2 else self.children_of[region.code][0]
            raise UserError(t("region.not_regency", code=region.code, name=region.name, example=example))
        return region

    def suggest(self, dotted: str, limit: int = 5) -> str:
        """The closest known codes at the same level, with names."""
        depth = dotted.count(".") + 1
        parent = dotted.rsplit(".", 1)[0] if depth > 1 else ""
        pool = self.children_of.get(parent) or [c for c in self.names if c.count(".") == depth - 1]
        matches = process.extract(dotted, pool, scorer=fuzz.ratio, limit=limit)
        return ", ".join(f"{code} {self.names[code]}" for code, _, _ in matches)

    def search(self, query: str, limit: int = 20) -> list[Region]:
        """Regions whose name contains `query` (case-insensitive), best first; fuzzy when none do."""
        needle = query.strip().lower()
        if not needle:
            return []
        hits = [c for c, n in self.names.items() if needle in n.lower()]
        if hits:
            hits.sort(key=lambda c: (self.names[c].lower() != needle, c.count("."), c))
            return [self.region(c) for c in hits[:limit]]
        matches = process.extract(needle, self.names, scorer=fuzz.ratio, processor=str.lower, limit=limit, score_cutoff=75)
        return [self.region(code) for _, _, code in matches]


def normalize_code(code: str) -> str:
    """'3211', '32.11' → '32.11'; anything else raises a UserError."""
    raw = str(code).strip()
    if _DOTTED.match(raw):
        return raw
    if _DIGITS.match(raw):
        return ".".join(p for p in (raw[0:2], raw[2:4], raw[4:6], raw[6:10]) if p)
    raise UserError(t("region.malformed", code=code))


def _read(name: str) -> dict[str, str]:
    raw = resources.files("madangan.regions").joinpath("data", f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


@cache
def regions() -> RegionIndex:
    """The country's region index (loaded once per process, ~0.3 s)."""
    return RegionIndex({**_read("wilayah"), **_read("desa")})
