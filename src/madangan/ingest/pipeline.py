"""The ingest pipeline, one named step each: hash → read → clean → store → report.

    ingest_file(...)     a file an agency exported (CSV, XLSX, JSON, NDJSON)
    ingest_records(...)  records an application pushed over the API
Both give the same answer: counts, reasons, the quarantine report.

A CSV larger than `CHUNKED_ABOVE_BYTES` is read, cleaned and staged in chunks of
`readers.CSV_CHUNK_ROWS` records, so memory stays bounded whatever the file's size;
the batch is still written in one transaction and the answer is the same as for
the whole file read at once.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from madangan import warehouse
from madangan.access import mask
from madangan.contracts import Contract
from madangan.errors import UserError
from madangan.exports import neutralise
from madangan.ingest import store
from madangan.ingest.clean import clean, is_identity_column
from madangan.ingest.headers import load_mapping
from madangan.ingest.readers import (
    CSV_CHUNK_ROWS,
    CSV_SUFFIXES,
    RawTable,
    iter_csv_chunks,
    read_records,
    read_source,
)
from madangan.plugins import contracts, plugin_manager

Step = Callable[[str], None]
REPORT_DIR = "karantina"
#: CSV files larger than this are read in chunks (XLSX is bounded by Excel's 1,048,576 rows, JSON stays whole).
CHUNKED_ABOVE_BYTES = 64 << 20
#: Records per chunk for every CSV, whatever its size (0: never in chunks); tests use it to force tiny chunks.
CHUNK_ROWS_ENV = "MADANGAN_INGEST_CHUNK_ROWS"


@dataclass
class IngestResult:
    source: str
    file_name: str | None
    batch: int | None  # None when the same file was already ingested
    counts: store.BatchCounts
    reasons: dict[str, int] = field(default_factory=dict)  # message code → rows
    report: Path | None = None
    already_ingested_as: int | None = None
    seconds: float = 0.0
    unmapped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "source": self.source, "file": self.file_name, "batch": self.batch,
            "already_ingested_as": self.already_ingested_as,
            **self.counts.__dict__, "reasons": self.reasons,
            "report": self.report.name if self.report else None, "unmapped_headers": self.unmapped,
        }


def contract_for(source: str) -> Contract:
    registry = contracts()
    if source not in registry:
        raise UserError(f"Sumber '{source}' tidak dikenal. Sumber yang ada: {', '.join(registry)}.")
    return registry[source]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunk_rows_for(path: Path, chunk_rows: int | None = None) -> int | None:
    """Records per chunk to read ``path`` in, or None to read it whole.

    ``chunk_rows`` (else the environment variable MADANGAN_INGEST_CHUNK_ROWS) sets the chunk size for every
    CSV, 0 meaning never in chunks; unset, CSVs above `CHUNKED_ABOVE_BYTES` go in chunks of `CSV_CHUNK_ROWS`.
    """
    if path.suffix.lower() not in CSV_SUFFIXES:
        return None
    if chunk_rows is None and os.environ.get(CHUNK_ROWS_ENV, "").strip():
        try:
            chunk_rows = int(os.environ[CHUNK_ROWS_ENV])
        except ValueError:
            raise UserError(f"{CHUNK_ROWS_ENV} harus bilangan bulat (jumlah baris per bagian; 0 = tidak dibagi), "
                            f"bukan '{os.environ[CHUNK_ROWS_ENV]}'.") from None
    if chunk_rows is None:
        return CSV_CHUNK_ROWS if path.stat().st_size > CHUNKED_ABOVE_BYTES else None
    return chunk_rows if chunk_rows > 0 else None


def ingest_file(settings, regency_code: str, source: str, path: Path, *, mapping: Path | None = None,
                submitted_by: str | None = None, channel: str = "cli", step: Step = lambda _: None,
                chunk_rows: int | None = None) -> IngestResult:
    """Ingest one file; ``chunk_rows`` as in `chunk_rows_for` (None: by the file's size)."""
    contract = contract_for(source)
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Berkas '{path}' tidak ditemukan.")
    started, t0 = datetime.now(UTC), time.perf_counter()
    step(f"Hash {path.name}")
    digest = sha256_of(path)
    con = warehouse.connect(settings.warehouse)
    try:
        raw = con.con
        store.ensure_schema(raw)
        previous = store.known_file(raw, source, digest)
        if previous is not None:
            return IngestResult(source, path.name, None, store.BatchCounts(), already_ingested_as=previous,
                                seconds=time.perf_counter() - t0)
        headers = load_mapping(mapping) if mapping else None
        rows = chunk_rows_for(path, chunk_rows)
        if rows is None:
            step(f"Membaca {path.name}")
            tables: Iterable[RawTable] = [read_source(path, contract, headers)]
        else:
            step(f"Membaca dan memeriksa {path.name} per {rows:,} baris".replace(",", "."))
            tables = iter_csv_chunks(path, contract, headers, rows)
        return _clean_and_store(settings, con, contract, tables, regency_code, path.name, digest, channel,
                                submitted_by, started, t0, step, chunked=rows is not None)
    finally:
        con.disconnect()


def ingest_records(settings, regency_code: str, source: str, records: list[dict], *, submitted_by: str | None,
                   channel: str = "api", file_name: str | None = None) -> IngestResult:
    contract = contract_for(source)
    started, t0 = datetime.now(UTC), time.perf_counter()
    table = read_records(records, contract)
    con = warehouse.connect(settings.warehouse)
    try:
        store.ensure_schema(con.con)
        return _clean_and_store(settings, con, contract, [table], regency_code, file_name, None, channel,
                                submitted_by, started, t0, lambda _: None)
    finally:
        con.disconnect()


def _clean_and_store(settings, con, contract: Contract, tables: Iterable[RawTable], regency_code: str,
                     file_name: str | None, digest: str | None, channel: str, submitted_by: str | None,
                     started: datetime, t0: float, step: Step, *, chunked: bool = False) -> IngestResult:
    """Clean each table, stage it, write the batch in one transaction, write the quarantine report,
    then tell the plugins what the batch changed (the indicator engine recomputes what it touched).

    In chunks (``chunked``) clean() sees one chunk at a time, so it checks the chunk without the contract's
    key and the store refuses a repeated key against everything staged before, within the chunk too.
    """
    raw = con.con
    staging = store.Staging(raw, contract, bounded=chunked)
    try:
        checked = replace(contract, key=()) if chunked else contract
        rows_read, unmapped = 0, []
        for table in tables:
            if not chunked:
                step(f"Memeriksa {len(table.frame):,} baris".replace(",", "."))
            cleaned = clean(table.frame, checked, regency_code)
            staging.add(cleaned.accepted, cleaned.problems, cleaned.rejected_rows,
                        read=table.frame if chunked else None)
            rows_read += len(table.frame)
            unmapped = table.unmapped
            del table, cleaned  # the next chunk is read without this one still held
        step("Menyimpan ke gudang data")
        batch, counts = staging.commit(file_name=file_name, sha256=digest, channel=channel, submitted_by=submitted_by,
                                       started_at=started, rows_read=rows_read, before_commit=_test_pause)
        reasons = staging.reasons()
        report = None
        if counts.quarantined:
            step("Menulis laporan karantina")
            report = write_report(settings.data_dir / REPORT_DIR, batch, contract, *staging.quarantine())
    finally:
        staging.close()
    step("Memperbarui indikator")
    announce(con, store.BatchChange(contract, batch, store.changed_rows(con, contract, batch)), settings)
    return IngestResult(contract.name, file_name, batch, counts, reasons, report, seconds=time.perf_counter() - t0,
                        unmapped=unmapped)


def announce(con, change: store.BatchChange, settings) -> None:
    """The `madangan_batch_changed` hook: every plugin hears what a batch changed."""
    plugin_manager().hook.madangan_batch_changed(con=con, change=change, settings=settings)


def _test_pause() -> None:
    """Lets the atomicity test kill a real ingest inside its transaction (MADANGAN_TEST_PAUSE_IN_BATCH=seconds)."""
    pause = os.environ.get("MADANGAN_TEST_PAUSE_IN_BATCH")
    if pause:
        print("MADANGAN-BATCH-IN-TRANSACTION", flush=True)
        time.sleep(float(pause))


def write_report(folder: Path, batch: int, contract: Contract, problems: Iterable[pl.DataFrame],
                 rejected: Iterable[pl.DataFrame]) -> Path:
    """The quarantine report an officer opens in Excel: what is wrong where, and the refused rows whole.

    ``problems`` (``_row``, ``_sheet``, ``column``, ``value``, ``code``, ``message``) and ``rejected``
    (``_row`` and the columns as read) come as frames in the order they are shown (`store.Staging.quarantine`)
    and are written row by row into a constant-memory workbook.
    NIK and KK are masked: the report travels by e-mail and flash drive.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"karantina-{batch:06d}-{contract.name}.xlsx"
    masked = {c.name for c in contract.columns if is_identity_column(contract, c.name)}
    headers = contract.headers
    with xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False}) as book:
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
        sheet = book.add_worksheet("Alasan")
        sheet.write_row(0, 0, ["Baris", "Lembar", "Kolom", "Nilai", "Kode", "Alasan"], bold)
        sheet.set_column(0, 1, 8)
        sheet.set_column(2, 3, 22)
        sheet.set_column(5, 5, 90)
        r = 0
        for part in problems:
            for row in part.iter_rows(named=True):
                r += 1
                column = row["column"]
                value = mask(row["value"]) if column in masked else row["value"]
                sheet.write_row(r, 0, [row["_row"], row["_sheet"] or "", headers.get(column, column or ""),
                                       neutralise(value), row["code"], neutralise(row["message"])])
        rows_sheet = book.add_worksheet("Baris ditolak")
        r = 0
        for part in rejected:
            data_columns = [c for c in part.columns if c not in ("_row", "_sheet")]
            if r == 0:
                rows_sheet.write_row(0, 0, ["Baris"] + [headers.get(c, c) for c in data_columns], bold)
            for row in part.iter_rows(named=True):
                r += 1
                values = [mask(row[c]) if c in masked else row[c] for c in data_columns]
                rows_sheet.write_row(r, 0, [row["_row"]] + [neutralise(v) for v in values])
    return path


def revert(settings, batch: int, by: str | None) -> tuple[str, int]:
    con = warehouse.connect(settings.warehouse)
    try:
        raw = con.con
        store.ensure_schema(raw)
        row = raw.execute("SELECT source, status FROM _batch WHERE id = ?", [batch]).fetchone()
        if row is None:
            raise UserError(f"Batch {batch} tidak ada.")
        source, status = row
        if status != "committed":
            raise UserError(f"Batch {batch} sudah dibatalkan sebelumnya.")
        contract = contract_for(source)
        # what the batch touched, kept before the revert takes its rows out
        touched = con.create_table("_reverted_rows", store.changed_rows(con, contract, batch), temp=True,
                                   overwrite=True)
        try:
            removed = store.revert_batch(raw, contract, batch, by)
        except store.RevertRefused as later:
            raise UserError(f"Batch {batch} tidak bisa dibatalkan: batch {later} kemudian mengubah data yang sama. "
                            f"Batalkan batch itu dulu.") from None
        announce(con, store.BatchChange(contract, batch, touched, reverted=True), settings)
        return source, removed
    finally:
        con.disconnect()
