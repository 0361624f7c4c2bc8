"""The analytical warehouse: one DuckDB file, queried through Ibis.

Sources are loaded as whole tables named after their contract (the ingest
issue grows this into batches with lineage and quarantine). Analytics are
Ibis expressions, so the same code runs on Spark later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

import duckdb
import ibis
import polars as pl

from madangan.errors import UserError
from madangan.i18n import t
from madangan.regions import RegionIndex

SUMMARY_TABLE = "ringkasan_desa"
REGION_TABLE = "wilayah"


LOCK_WAIT_SECONDS = 60.0

T = TypeVar("T")
_memo: ContextVar[dict | None] = ContextVar("warehouse_memo", default=None)


@contextmanager
def unchanging() -> Iterator[None]:
    """A stretch in which the warehouse's sources do not change (one refresh or verval run, which writes only
    facts and findings): what a computation read may be kept and reused under its query's SQL (`memo`), e.g. the
    five growth prevalences score the same measurements. Nested calls share the outer stretch."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def kept(expr: ibis.Table) -> ibis.Table:
    """`expr` computed once per `unchanging()` stretch and handed back as an in-memory table (a count two
    indicators share, e.g. the children under five of the register); outside a stretch, `expr` itself."""
    if _memo.get() is None:
        return expr
    backend = expr._find_backend()
    return memo(f"kept:{id(backend)}:{backend.compile(expr)}", lambda: ibis.memtable(backend.to_pyarrow(expr)))


def memo(key: str, make: Callable[[], T]) -> T:
    """`make()`, kept under `key` for the rest of the enclosing `unchanging()` stretch (computed afresh outside one)."""
    kept = _memo.get()
    if kept is None:
        return make()
    if key not in kept:
        kept[key] = make()
    return kept[key]


def connect(path: Path, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS):
    """An Ibis connection to the warehouse file.

    DuckDB lets one process write the file at a time; another process waits
    here (up to `wait` seconds) instead of failing at once. Within one process
    every connection must use the same mode, so the server opens read-write
    connections, short-lived, per request.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            return ibis.duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.BinderException) as exc:
            # another process holds the file ("lock"), or another thread of this one is attaching or closing it
            # at this very moment ("Unique file handle conflict", seen with 50 concurrent API clients): wait
            text = str(exc).lower()
            if "lock" not in text and "file handle conflict" not in text:
                raise
            if time.monotonic() > deadline:
                raise UserError(t("warehouse.locked", path=path)) from None
            time.sleep(0.2 if "lock" in text else 0.005)


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
