"""Where batches land in the warehouse: history with validity, lineage, quarantine.

Per source, `<source>__history` keeps every version of every record
(`_valid_from`/`_valid_to`, the batch that wrote it and the one that closed
it); the view `<source>` shows the current version, which is what analytics
read. `_batch` lists batches; `_quarantine_problem` and `_quarantine_row`
keep what was refused, whole, so it can be corrected and re-sent.
A batch is written in one transaction: all of it or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from madangan.contracts import DUCKDB_TYPES, Contract
from madangan.ingest import clean as cleaning

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


@dataclass(frozen=True)
class BatchChange:
    """What a batch changed, as the `madangan_batch_changed` hook hears it."""

    contract: Contract
    batch: int
    #: Ibis table (the contract's columns) of the versions the batch wrote and those it closed.
    rows: object
    reverted: bool = False


def changed_rows(con, contract: Contract, batch: int):
    """The versions `batch` wrote and the ones it closed, as an Ibis table of the contract's columns."""
    history = con.table(history_table(contract))
    return history.filter((history._batch == batch) | (history._closed_by == batch)).select(*contract.column_names)


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
        _add_new_columns(raw, contract)
        names = ", ".join(contract.column_names)
        # replaced only when its columns changed: replacing it on every batch is a catalog write, and two batches
        # of one source at once then fail ("Catalog write-write conflict on alter … View … telemetri")
        current = [r[0] for r in raw.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
            "ORDER BY ordinal_position", [contract.name]).fetchall()]
        if current != [*contract.column_names, "_batch"]:
            raw.execute(
                f"CREATE OR REPLACE VIEW {contract.name} AS SELECT {names}, _batch "
                f"FROM {history_table(contract)} WHERE _valid_to IS NULL"
            )


def _add_new_columns(raw: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """A contract that gained columns since its history table was made (a new release of a sector): the table gains
    them too, empty for the records already stored."""
    have = {r[0] for r in raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
        [history_table(contract)]).fetchall()}
    for c in contract.columns:
        if c.name not in have:
            raw.execute(f"ALTER TABLE {history_table(contract)} ADD COLUMN {c.name} {DUCKDB_TYPES[c.type]}")


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


class Staging:
    """One batch gathered chunk by chunk in connection-local temp tables, then written in one transaction.

    `add` stages a cleaned chunk: its accepted rows with their `_key`/`_hash`, its problems and its refused
    rows. Nothing in the warehouse is touched until `commit`, which writes the batch from the staged tables
    in a single transaction (history, quarantine, the `_batch` row), so a process killed at any point
    leaves the warehouse as it was; temp tables die with the connection. `quarantine` reads the staged
    refusals back for the report, in batches, in file order; `close` drops the temp tables.

    ``bounded`` (a file staged in chunks): DuckDB's memory limit is lowered to `staging_memory_limit`
    until `close`, so staged rows beyond it spill to disk (``<warehouse>.tmp``) and memory stays bounded
    whatever the file's size. The limit is the database's, shared by the process's connections to it:
    it is only ever lowered, and put back by the staging that lowered it.
    """

    def __init__(self, raw: duckdb.DuckDBPyConnection, contract: Contract, *, bounded: bool = False) -> None:
        ensure_schema(raw, contract)
        self.raw, self.contract = raw, contract
        self._memory_limit_before: str | None = None  # "" for DuckDB's default
        if bounded:
            before, threads = raw.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
            limit = staging_memory_limit(int(threads))
            if _bytes(before) > limit:
                raw.execute("RESET memory_limit")  # to tell the default, which RESET puts back exactly
                default = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
                raw.execute(f"SET memory_limit = '{limit}B'")
                self._memory_limit_before = "" if before == default else before
        self.accepted = self.quarantined = 0
        self.data_columns: list[str] = []  # the columns of the refused rows, as read
        self._seq = 0  # staging order of problems and refused rows
        empty = pl.DataFrame(schema={**contract.polars_schema, "_row": pl.Int64})
        with _registered(raw, "_chunk", empty):  # the staged columns get the types the accepted rows have
            raw.execute(f"CREATE OR REPLACE TEMP TABLE _stage_accepted AS {self._accepted_sql()}")
        raw.execute(
            """CREATE OR REPLACE TEMP TABLE _stage_problem (seq BIGINT, row_number BIGINT, sheet VARCHAR,
               column_name VARCHAR, value VARCHAR, code VARCHAR, message VARCHAR, message_en VARCHAR)"""
        )
        raw.execute("CREATE OR REPLACE TEMP TABLE _stage_row (seq BIGINT, row_number BIGINT, sheet VARCHAR, raw VARCHAR)")

    def _accepted_sql(self) -> str:
        names = ", ".join(self.contract.column_names)
        return f"SELECT {names}, _row, {_key_expr(self.contract)} AS _key, {_hash_expr(self.contract)} AS _hash FROM _chunk"

    def add(self, accepted: pl.DataFrame, problems: pl.DataFrame, rejected_rows: pl.DataFrame, *,
            read: pl.DataFrame | None = None) -> None:
        """Stage one cleaned chunk (`clean()`'s output; `problems` may carry `_sheet`).

        With `read` — the chunk as read, cleaned *without* the contract's key — the key is checked here
        against the rows already staged and the earlier rows of the chunk: a later row with the same key
        is refused as `kunci_ganda`, naming the row where the key first appears, exactly as `clean()`
        does within one table. Rows must come in file order (`_row` increasing), as CSV chunks do.
        """
        if read is not None:
            accepted, problems, rejected_rows = self._refuse_repeated_keys(accepted, problems, rejected_rows, read)
        with _registered(self.raw, "_chunk", accepted.select(*self.contract.column_names, "_row")):
            self.raw.execute(f"INSERT INTO _stage_accepted {self._accepted_sql()}")
        self.accepted += len(accepted)
        self._stage_quarantine(problems, rejected_rows)

    def _refuse_repeated_keys(self, accepted: pl.DataFrame, problems: pl.DataFrame, rejected_rows: pl.DataFrame,
                              read: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        key = list(self.contract.key)
        if not key:
            return accepted, problems, rejected_rows
        keyed = accepted.filter(pl.all_horizontal(pl.col(key).is_not_null())).select(*key, "_row")
        if keyed.is_empty():
            return accepted, problems, rejected_rows
        # staged rows hold each key once, so the first row of a key is the staged one, else the chunk's first
        on = " AND ".join(f"s.{k} = c.{k}" for k in key)
        partition = ", ".join(f"c.{k}" for k in key)
        with _registered(self.raw, "_chunk_keys", keyed):
            repeated = self.raw.execute(
                f"""SELECT _row, __first_row FROM (
                        SELECT c._row, coalesce(s._row, min(c._row) OVER (PARTITION BY {partition})) AS __first_row
                        FROM _chunk_keys c LEFT JOIN _stage_accepted s ON {on})
                    WHERE __first_row <> _row ORDER BY _row"""
            ).pl()
        if repeated.is_empty():
            return accepted, problems, rejected_rows
        refused = read.join(repeated, on="_row", how="inner", maintain_order="right")
        more = _duplicate_problems(refused, self.contract)
        if "_sheet" in problems.columns:
            more = more.join(refused.select("_row", "_sheet"), on="_row", how="left", maintain_order="left")
        return (
            accepted.join(repeated, on="_row", how="anti", maintain_order="left"),
            pl.concat([problems, more], how="vertical_relaxed"),
            pl.concat([rejected_rows, refused.drop("__first_row")], how="vertical_relaxed"),
        )

    def _stage_quarantine(self, problems: pl.DataFrame, rejected_rows: pl.DataFrame) -> None:
        if rejected_rows.is_empty():
            return
        data_columns = [c for c in rejected_rows.columns if c not in ("_row", "_sheet")]
        self.data_columns = self.data_columns or data_columns
        sheet = pl.col("_sheet") if "_sheet" in rejected_rows.columns else pl.lit(None, pl.String)
        rows = rejected_rows.select(
            (pl.int_range(pl.len(), dtype=pl.Int64) + self._seq).alias("seq"), pl.col("_row").alias("row_number"),
            sheet.alias("sheet"), pl.struct(data_columns).struct.json_encode().alias("raw"),
        )
        self._seq += len(rows)
        if "_sheet" not in problems.columns:
            # a problem names a row; in a workbook the same row number can stand in several sheets
            sheets = rows.select(pl.col("row_number").alias("_row"), pl.col("sheet").alias("_sheet"))
            problems = problems.join(sheets.unique("_row", keep="first", maintain_order=True), on="_row",
                                     how="left", maintain_order="left")
        problem_rows = problems.select(
            (pl.int_range(pl.len(), dtype=pl.Int64) + self._seq).alias("seq"), pl.col("_row").alias("row_number"),
            pl.col("_sheet").alias("sheet"), pl.col("column").alias("column_name"), "value", "code", "message",
            "message_en",
        )
        self._seq += len(problem_rows)
        with _registered(self.raw, "_chunk", problem_rows):
            self.raw.execute("INSERT INTO _stage_problem SELECT * FROM _chunk")
        with _registered(self.raw, "_chunk", rows):
            self.raw.execute("INSERT INTO _stage_row SELECT * FROM _chunk")
        self.quarantined += len(rows)

    def commit(self, *, file_name: str | None, sha256: str | None, channel: str, submitted_by: str | None,
               started_at: datetime, rows_read: int, before_commit=None) -> tuple[int, BatchCounts]:
        """Write the staged batch in one transaction; returns its id and counts."""
        raw, contract = self.raw, self.contract
        history = history_table(contract)
        names = ", ".join(contract.column_names)
        raw.execute("BEGIN TRANSACTION")
        try:
            batch = raw.execute("SELECT nextval('_batch_id')").fetchone()[0]
            raw.execute(
                f"""CREATE OR REPLACE TEMP TABLE _cmp AS
                    SELECT i._key, i._hash, h._hash AS _old FROM _stage_accepted i
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
                f"""INSERT INTO {history} ({names}, _key, _hash, _batch, _valid_from, _valid_to, _closed_by)
                    SELECT {names}, i._key, i._hash, ?, now(), NULL, NULL FROM _stage_accepted i
                    JOIN _cmp c ON c._key = i._key WHERE c._old IS NULL OR c._old <> c._hash""",
                [batch],
            )
            raw.execute(
                """INSERT INTO _quarantine_problem SELECT ?, ?, row_number, sheet, column_name, value, code, message,
                   message_en FROM _stage_problem ORDER BY seq""",
                [batch, contract.name],
            )
            raw.execute(
                "INSERT INTO _quarantine_row SELECT ?, ?, row_number, sheet, CAST(raw AS JSON) FROM _stage_row ORDER BY seq",
                [batch, contract.name],
            )
            counts = BatchCounts(rows_read, self.accepted, inserted, updated, unchanged, self.quarantined)
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
        return batch, counts

    def reasons(self) -> dict[str, int]:
        """Message code → rows refused for it."""
        return dict(self.raw.execute(
            "SELECT code, count(DISTINCT row_number) FROM _stage_problem GROUP BY code").fetchall())

    def quarantine(self, batch_rows: int = 50_000) -> tuple[Iterator[pl.DataFrame], Iterator[pl.DataFrame]]:
        """(problems, refused rows) as frames of up to `batch_rows`, problems by sheet and row, rows by row.

        Problems: `_row`, `_sheet`, `column`, `value`, `code`, `message`; refused rows: `_row` and the columns
        as read. Each query runs when its iterator is first read: read the problems first, then the rows.
        """
        def problems() -> Iterator[pl.DataFrame]:
            reader = self.raw.execute(
                """SELECT row_number AS _row, sheet AS _sheet, column_name AS "column", value, code, message
                   FROM _stage_problem ORDER BY sheet NULLS FIRST, row_number, seq"""
            ).to_arrow_reader(batch_rows)
            for part in reader:
                yield pl.from_arrow(part)

        def rows() -> Iterator[pl.DataFrame]:
            shape = pl.Struct({c: pl.String for c in self.data_columns})
            reader = self.raw.execute(
                "SELECT row_number AS _row, raw FROM _stage_row ORDER BY row_number, seq").to_arrow_reader(batch_rows)
            for part in reader:
                frame = pl.from_arrow(part)
                yield frame.select("_row", pl.col("raw").str.json_decode(shape).struct.unnest())

        return problems(), rows()

    def close(self) -> None:
        for table in ("_stage_accepted", "_stage_problem", "_stage_row", "_cmp"):
            self.raw.execute(f"DROP TABLE IF EXISTS temp.{table}")
        if self._memory_limit_before == "":
            self.raw.execute("RESET memory_limit")
        elif self._memory_limit_before is not None:  # as DuckDB shows it: to 0.1 of its unit
            self.raw.execute(f"SET memory_limit = '{self._memory_limit_before}'")
        self._memory_limit_before = None


#: DuckDB's memory while a batch is staged in chunks: this much per DuckDB thread, at least the minimum.
STAGING_MEMORY_PER_THREAD = 128 << 20
STAGING_MEMORY_MINIMUM = 256 << 20
_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50,
          "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15}


def staging_memory_limit(threads: int) -> int:
    return max(STAGING_MEMORY_MINIMUM, STAGING_MEMORY_PER_THREAD * threads)


def _bytes(setting: str) -> float:
    """DuckDB's rendering of a size ("18.8 GiB", "476.8 MiB") in bytes; unknown forms count as unlimited."""
    number, _, unit = setting.strip().partition(" ")
    try:
        return float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        return float("inf")


def _duplicate_problems(refused: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """`kunci_ganda` problems for rows as read plus `__first_row`, rendered by clean() itself.

    The message names the key as written in the refused row (NIK/KK masked: first 4 + ******** + last 4)
    and the row where it first appears; clean()'s renderer reads each key column's stripped text.
    """
    def written(name: str) -> pl.Expr:
        text = pl.col(name).str.strip_chars()
        return pl.when(text.str.len_bytes() > 0).then(text).alias(cleaning._text(name))

    work = refused.select("_row", *[written(k) for k in contract.key], "__first_row")
    return cleaning._problems(work, contract, [], "")


@contextmanager
def _registered(raw: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    raw.register(name, frame.to_arrow())
    try:
        yield
    finally:
        raw.unregister(name)


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
    """Store one cleaned table as a batch, atomically; returns its id and counts."""
    staging = Staging(raw, contract)
    try:
        staging.add(accepted, problems, rejected_rows)
        return staging.commit(file_name=file_name, sha256=sha256, channel=channel, submitted_by=submitted_by,
                              started_at=started_at, rows_read=rows_read, before_commit=before_commit)
    finally:
        staging.close()


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
