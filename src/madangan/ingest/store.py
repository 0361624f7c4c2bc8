"""Where batches land in the warehouse: history with validity, lineage, quarantine.

Per source, `<source>__history` keeps every version of every record
(`_valid_from`/`_valid_to`, the batch that wrote it and the one that closed
it); the view `<source>` shows the current version, which is what analytics
read. `_batch` lists batches; `_quarantine_problem` and `_quarantine_row`
keep what was refused, whole, so it can be corrected and re-sent.
A batch is written in one transaction: all of it or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from madangan.contracts import DUCKDB_TYPES, Contract

META_COLUMNS = ("_key", "_hash", "_batch", "_valid_from", "_valid_to", "_closed_by")
KEY_SEPARATOR = "|"


@dataclass
class BatchCounts:
    rows_read: int = 0
    accepted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0


def history_table(contract: Contract) -> str:
    return f"{contract.name}__history"


def ensure_schema(raw: duckdb.DuckDBPyConnection, contract: Contract | None = None) -> None:
    raw.execute("CREATE SEQUENCE IF NOT EXISTS _batch_id START 1")
    raw.execute(
        """CREATE TABLE IF NOT EXISTS _batch (
            id BIGINT PRIMARY KEY, source VARCHAR NOT NULL, file_name VARCHAR, sha256 VARCHAR,
            channel VARCHAR, submitted_by VARCHAR, started_at TIMESTAMP, committed_at TIMESTAMP,
            status VARCHAR NOT NULL, rows_read BIGINT, accepted BIGINT, inserted BIGINT, updated BIGINT,
            unchanged BIGINT, quarantined BIGINT, reverted_at TIMESTAMP, reverted_by VARCHAR)"""
    )
    raw.execute(
        """CREATE TABLE IF NOT EXISTS _quarantine_problem (
            batch BIGINT, source VARCHAR, row_number BIGINT, sheet VARCHAR, column_name VARCHAR,
            value VARCHAR, code VARCHAR, message VARCHAR, message_en VARCHAR)"""
    )
    raw.execute(
        "CREATE TABLE IF NOT EXISTS _quarantine_row (batch BIGINT, source VARCHAR, row_number BIGINT, sheet VARCHAR, raw JSON)"
    )
    if contract is not None:
        columns = ", ".join(f"{c.name} {DUCKDB_TYPES[c.type]}" for c in contract.columns)
        raw.execute(
            f"""CREATE TABLE IF NOT EXISTS {history_table(contract)} ({columns}, _key VARCHAR NOT NULL,
                _hash VARCHAR NOT NULL, _batch BIGINT NOT NULL, _valid_from TIMESTAMP NOT NULL,
                _valid_to TIMESTAMP, _closed_by BIGINT)"""
        )
        names = ", ".join(contract.column_names)
        raw.execute(
            f"CREATE OR REPLACE VIEW {contract.name} AS SELECT {names}, _batch "
            f"FROM {history_table(contract)} WHERE _valid_to IS NULL"
        )


def _key_expr(contract: Contract) -> str:
    parts = [f"coalesce(CAST({k} AS VARCHAR), '')" for k in contract.key]
    return parts[0] if len(parts) == 1 else f"concat_ws('{KEY_SEPARATOR}', {', '.join(parts)})"


def _hash_expr(contract: Contract) -> str:
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\\N')" for c in contract.column_names)
    return f"md5(concat_ws(chr(31), {parts}))"


def known_file(raw: duckdb.DuckDBPyConnection, source: str, sha256: str) -> int | None:
    """The committed batch that already brought this exact file, if any."""
    row = raw.execute(
        "SELECT id FROM _batch WHERE source = ? AND sha256 = ? AND status = 'committed' ORDER BY id DESC LIMIT 1",
        [source, sha256],
    ).fetchone()
    return row[0] if row else None


def write_batch(
    raw: duckdb.DuckDBPyConnection,
    contract: Contract,
    accepted: pl.DataFrame,
    problems: pl.DataFrame,
    rejected_rows: pl.DataFrame,
    *,
    file_name: str | None,
    sha256: str | None,
    channel: str,
    submitted_by: str | None,
    started_at: datetime,
    rows_read: int,
    before_commit=None,
) -> tuple[int, BatchCounts]:
    """Store one batch atomically; returns its id and counts."""
    ensure_schema(raw, contract)
    history = history_table(contract)
    names = ", ".join(contract.column_names)
    raw.register("_incoming", accepted.select(contract.column_names).to_arrow())
    raw.execute("BEGIN TRANSACTION")
    try:
        batch = raw.execute("SELECT nextval('_batch_id')").fetchone()[0]
        raw.execute(
            f"""CREATE OR REPLACE TEMP TABLE _inc AS
                SELECT {names}, {_key_expr(contract)} AS _key, {_hash_expr(contract)} AS _hash FROM _incoming"""
        )
        raw.execute(
            f"""CREATE OR REPLACE TEMP TABLE _cmp AS
                SELECT i._key, i._hash, h._hash AS _old FROM _inc i
                LEFT JOIN {history} h ON h._key = i._key AND h._valid_to IS NULL"""
        )
        inserted, updated, unchanged = raw.execute(
            """SELECT count(*) FILTER (WHERE _old IS NULL), count(*) FILTER (WHERE _old IS NOT NULL AND _old <> _hash),
                      count(*) FILTER (WHERE _old = _hash) FROM _cmp"""
        ).fetchone()
        raw.execute(
            f"""UPDATE {history} SET _valid_to = now(), _closed_by = ?
                WHERE _valid_to IS NULL AND _key IN (SELECT _key FROM _cmp WHERE _old IS NOT NULL AND _old <> _hash)""",
            [batch],
        )
        raw.execute(
            f"""INSERT INTO {history}
                SELECT {names}, i._key, i._hash, ?, now(), NULL, NULL FROM _inc i
                JOIN _cmp c ON c._key = i._key WHERE c._old IS NULL OR c._old <> c._hash""",
            [batch],
        )
        _store_quarantine(raw, batch, contract.name, problems, rejected_rows)
        counts = BatchCounts(rows_read, len(accepted), inserted, updated, unchanged, len(rejected_rows))
        raw.execute(
            """INSERT INTO _batch VALUES (?, ?, ?, ?, ?, ?, ?, now(), 'committed', ?, ?, ?, ?, ?, ?, NULL, NULL)""",
            [batch, contract.name, file_name, sha256, channel, submitted_by, started_at, counts.rows_read,
             counts.accepted, counts.inserted, counts.updated, counts.unchanged, counts.quarantined],
        )
        if before_commit is not None:
            before_commit()
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    finally:
        raw.unregister("_incoming")
    return batch, counts


def _store_quarantine(raw, batch: int, source: str, problems: pl.DataFrame, rejected_rows: pl.DataFrame) -> None:
    if rejected_rows.is_empty():
        return
    sheets = rejected_rows.select("_row", pl.col("_sheet") if "_sheet" in rejected_rows.columns else pl.lit(None, pl.String).alias("_sheet"))
    problem_rows = problems.join(sheets, on="_row", how="left").select(
        pl.lit(batch).alias("batch"), pl.lit(source).alias("source"), pl.col("_row").alias("row_number"),
        pl.col("_sheet").alias("sheet"), pl.col("column").alias("column_name"), "value", "code", "message", "message_en",
    )
    raw.register("_problems", problem_rows.to_arrow())
    raw.execute("INSERT INTO _quarantine_problem SELECT * FROM _problems")
    raw.unregister("_problems")
    data_columns = [c for c in rejected_rows.columns if c not in ("_row", "_sheet")]
    rows = rejected_rows.select(
        pl.lit(batch).alias("batch"), pl.lit(source).alias("source"), pl.col("_row").alias("row_number"),
        sheets["_sheet"].alias("sheet"),
        pl.struct(data_columns).struct.json_encode().alias("raw"),
    )
    raw.register("_rows", rows.to_arrow())
    raw.execute("INSERT INTO _quarantine_row SELECT batch, source, row_number, sheet, CAST(raw AS JSON) FROM _rows")
    raw.unregister("_rows")


class RevertRefused(Exception):
    pass


def revert_batch(raw: duckdb.DuckDBPyConnection, contract: Contract, batch: int, by: str | None) -> int:
    """Take a batch back out: its rows go, the versions it closed come back. Returns rows removed."""
    history = history_table(contract)
    later = raw.execute(
        f"""SELECT DISTINCT n._closed_by FROM {history} n WHERE n._batch = ? AND n._closed_by IS NOT NULL""",
        [batch],
    ).fetchall()
    if later:
        raise RevertRefused(", ".join(str(b[0]) for b in later))
    raw.execute("BEGIN TRANSACTION")
    try:
        removed = raw.execute(f"SELECT count(*) FROM {history} WHERE _batch = ?", [batch]).fetchone()[0]
        raw.execute(f"DELETE FROM {history} WHERE _batch = ?", [batch])
        raw.execute(f"UPDATE {history} SET _valid_to = NULL, _closed_by = NULL WHERE _closed_by = ?", [batch])
        raw.execute("UPDATE _batch SET status = 'reverted', reverted_at = now(), reverted_by = ? WHERE id = ?", [by, batch])
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    return removed


BATCH_COLUMNS = ("id", "source", "file_name", "sha256", "channel", "submitted_by", "started_at", "committed_at",
                 "status", "rows_read", "accepted", "inserted", "updated", "unchanged", "quarantined",
                 "reverted_at", "reverted_by")


def list_batches(raw: duckdb.DuckDBPyConnection, source: str | None = None, limit: int = 50) -> list[dict]:
    ensure_schema(raw)
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    rows = raw.execute(f"SELECT * FROM _batch {where} ORDER BY id DESC LIMIT {int(limit)}", params).fetchall()
    return [dict(zip(BATCH_COLUMNS, row)) for row in rows]


def get_batch(raw: duckdb.DuckDBPyConnection, batch: int) -> dict | None:
    ensure_schema(raw)
    row = raw.execute("SELECT * FROM _batch WHERE id = ?", [batch]).fetchone()
    return dict(zip(BATCH_COLUMNS, row)) if row else None


def batch_reasons(raw: duckdb.DuckDBPyConnection, batch: int) -> list[tuple[str, int, str]]:
    """(code, rows, one example message) per reason of a batch's quarantine."""
    return raw.execute(
        """SELECT code, count(DISTINCT row_number), any_value(message) FROM _quarantine_problem
           WHERE batch = ? GROUP BY code ORDER BY 2 DESC""",
        [batch],
    ).fetchall()


def freshness(raw: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per source: the last committed batch (when, file, rows) — what 'is this source up to date' reads."""
    ensure_schema(raw)
    rows = raw.execute(
        """SELECT source, arg_max(id, committed_at), max(committed_at), arg_max(file_name, committed_at)
           FROM _batch WHERE status = 'committed' GROUP BY source"""
    ).fetchall()
    return {s: {"batch": b, "committed_at": at, "file_name": f} for s, b, at, f in rows}


def current_rows(raw: duckdb.DuckDBPyConnection, contract: Contract) -> int | None:
    exists = raw.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [history_table(contract)]
    ).fetchone()[0]
    if not exists:
        return None
    return raw.execute(f"SELECT count(*) FROM {history_table(contract)} WHERE _valid_to IS NULL").fetchone()[0]
