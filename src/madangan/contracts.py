"""Source contracts: what each agency dataset looks like.

A contract names a source's columns (as the warehouse calls them and as the
agency's export heads them), their types, the record key, allowed values and
which columns carry a NIK, a family card (KK) number or the desa code. Sectors
declare their contracts; the platform reads only this shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

ColumnType = Literal["str", "int", "float", "date", "datetime", "bool"]

POLARS_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),  # UTC, naive
    "bool": pl.Boolean(),
}

DUCKDB_TYPES = {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP",
                "bool": "BOOLEAN"}


@dataclass(frozen=True)
class Column:
    name: str  # warehouse name, snake_case Indonesian
    header: str  # the header agencies put in their exports
    type: ColumnType = "str"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    #: Smallest and largest value of an int/float column (inclusive), e.g. (1, 10) for a welfare decile.
    value_range: tuple[float, float] | None = None
    personal: bool = False  # personal data under UU 27/2022
    description: str = ""
    #: Other spellings agencies use for an allowed value, e.g. {"LAKI-LAKI": "L"}.
    synonyms: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Processing:
    """The register entry UU 27/2022 asks for: why this source is processed, on what basis, for how long."""

    purpose: str
    legal_basis: str
    retention_years: int | None = None  # None: kept while the record is current
    retention_column: str | None = None  # the date a record's retention runs from
    specific: bool = False  # data pribadi spesifik (health, children): UU 27/2022 Pasal 4


@dataclass(frozen=True)
class Contract:
    name: str  # source id used on the CLI and in the API: `madangan ingest posyandu`
    sector: str
    title: dict[str, str]  # {"id": ..., "en": ...}
    owner: str  # the agency (OPD) that produces it
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    nik_column: str | None = None
    kk_column: str | None = None
    region_column: str | None = None  # the desa code
    export_format: Literal["csv", "xlsx"] = "csv"
    aliases: dict[str, str] = field(default_factory=dict)  # other headers seen in the wild → name
    processing: Processing | None = None  # None: no personal data
    #: The authoritative register of residents (Dukcapil): other sources' NIKs are checked against it.
    person_registry: bool = False
    #: How often the agency is expected to send it; verval flags a source older than this.
    update_every_days: int | None = 31

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        retention = self.processing.retention_column if self.processing else None
        for ref in (*self.key, self.nik_column, self.kk_column, self.region_column, retention):
            if ref is not None and ref not in names:
                raise ValueError(f"contract {self.name}: {ref!r} is not one of its columns")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def headers(self) -> dict[str, str]:
        """Warehouse name → export header."""
        return {c.name: c.header for c in self.columns}

    @property
    def personal_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: POLARS_TYPES[c.type] for c in self.columns}

    def file_name(self) -> str:
        return f"{self.name}.{self.export_format}"
