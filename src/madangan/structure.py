"""The regency's structure as people read it: regions with their per-desa counts summed up.

Reads what the pipeline stored (the region table and the per-desa summary);
computes nothing a sector owns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from madangan import warehouse
from madangan.plugins import sectors


@dataclass
class RegionRow:
    code: str
    name: str
    level: str
    counts: dict[str, int] = field(default_factory=dict)
    children: int = 0


@dataclass
class Structure:
    region: RegionRow
    rows: list[RegionRow]  # the region's children
    measures: list[tuple[str, dict[str, str]]]  # (key, label) in sector order
    unknown_desa: int = 0  # rows whose desa code is not in the region table


def measures(con) -> list[tuple[str, dict[str, str]]]:
    present = set(con.list_tables())
    return [(c.key, c.label) for s in sectors() for c in s.desa_counts if set(c.sources) <= present]


def structure(con, code: str) -> Structure | None:
    """The region `code` (regency or kecamatan of the deployment) with its children's counts."""
    regions = con.table(warehouse.REGION_TABLE).to_polars()
    own = regions.filter(regions["code"] == code)
    if own.is_empty():
        return None
    summary, unknown = _known_summary(con, regions, code)
    children = regions.filter(regions["parent_code"] == code).sort("code")
    rows = []
    for child in children.iter_rows(named=True):
        n_children = regions.filter(regions["parent_code"] == child["code"]).height
        rows.append(RegionRow(child["code"], child["name"], child["level"], _sum_under(summary, child["code"]), n_children))
    head = own.row(0, named=True)
    total = _sum_under(summary, code)
    return Structure(RegionRow(head["code"], head["name"], head["level"], total, len(rows)), rows, measures(con), unknown)


def _known_summary(con, regions: pl.DataFrame, code: str) -> tuple[pl.DataFrame, int]:
    """The summary rows of known desa under `code`, and the count of rows under unknown desa codes."""
    if warehouse.SUMMARY_TABLE not in con.list_tables():
        return pl.DataFrame(schema={"desa_code": pl.String, "key": pl.String, "value": pl.Int64}), 0
    summary = con.table(warehouse.SUMMARY_TABLE).to_polars()
    known = summary["desa_code"].is_in(regions["code"].implode())
    under = summary["desa_code"].str.starts_with(code + ".")
    stray = summary.filter(~known & under)
    return summary.filter(known), int(stray["value"].sum() or 0)


def _sum_under(summary: pl.DataFrame, code: str) -> dict[str, int]:
    part = summary.filter(summary["desa_code"].str.starts_with(code + ".") | (summary["desa_code"] == code))
    return {k: int(v) for k, v in part.group_by("key").agg(pl.col("value").sum()).iter_rows()}
