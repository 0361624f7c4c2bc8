"""The analytical warehouse: one DuckDB file, queried through Ibis.

Sources are loaded as whole tables named after their contract (the ingest
issue grows this into batches with lineage and quarantine). Analytics are
Ibis expressions, so the same code runs on Spark later.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import polars as pl

from madangan.contracts import DUCKDB_TYPES, Contract
from madangan.regions import RegionIndex

SUMMARY_TABLE = "ringkasan_desa"
REGION_TABLE = "wilayah"


def connect(path: Path, read_only: bool = False):
    """An Ibis connection to the warehouse file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(str(path), read_only=read_only)


def load_source(con, contract: Contract, path: Path) -> int:
    """Replace the source's table with the file's rows, in one transaction; returns the row count."""
    raw: duckdb.DuckDBPyConnection = con.con
    relation = _read(raw, contract, path)
    columns = ", ".join(
        f'CAST("{c.header}" AS {DUCKDB_TYPES[c.type]}) AS {c.name}' for c in contract.columns
    )
    raw.execute("BEGIN")
    try:
        raw.register("incoming", relation)
        raw.execute(f"CREATE OR REPLACE TABLE {contract.name} AS SELECT {columns} FROM incoming")
        raw.unregister("incoming")
        raw.execute("COMMIT")
    except Exception:
        raw.execute("ROLLBACK")
        raise
    return raw.execute(f"SELECT count(*) FROM {contract.name}").fetchone()[0]


def _read(raw: duckdb.DuckDBPyConnection, contract: Contract, path: Path):
    if path.suffix.lower() == ".xlsx":
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
        return frame.to_arrow()
    types = {c.header: "VARCHAR" for c in contract.columns}
    return raw.read_csv(str(path), header=True, dtype=types)


def write_regions(con, index: RegionIndex, regency_code: str) -> None:
    """The deployment's region tree (kabupaten, kecamatan, desa) as a table."""
    codes = [regency_code, *index.children_of[regency_code], *(r.code for r in index.desa_of(regency_code))]
    rows = [index.region(c) for c in codes]
    frame = pl.DataFrame(
        {
            "code": [r.code for r in rows],
            "name": [r.name for r in rows],
            "level": [r.level for r in rows],
            "parent_code": [r.parent_code for r in rows],
        }
    )
    con.create_table(REGION_TABLE, frame, overwrite=True)


def build_summary(con, counts) -> list[str]:
    """Long table (desa_code, key, value) of every registered DesaCount whose sources are loaded."""
    present = set(con.list_tables())
    tables = {name: con.table(name) for name in present}
    parts = [
        c.compute(tables).select("desa_code", key=ibis.literal(c.key), value=ibis._.value.cast("int64"))
        for c in counts
        if set(c.sources) <= present
    ]
    if not parts:
        return []
    con.create_table(SUMMARY_TABLE, ibis.union(*parts), overwrite=True)
    return [c.key for c in counts if set(c.sources) <= present]


def table_counts(con) -> dict[str, int]:
    return {name: con.table(name).count().execute() for name in con.list_tables()}
