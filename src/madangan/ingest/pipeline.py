"""The ingest pipeline, one named step each: hash → read → clean → store → report.

    ingest_file(...)     a file an agency exported (CSV, XLSX, JSON, NDJSON)
    ingest_records(...)  records an application pushed over the API
Both give the same answer: counts, reasons, the quarantine report.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
from madangan.ingest.clean import clean
from madangan.ingest.headers import load_mapping
from madangan.ingest.readers import RawTable, read_records, read_source
from madangan.plugins import contracts

Step = Callable[[str], None]
REPORT_DIR = "karantina"


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


def ingest_file(settings, regency_code: str, source: str, path: Path, *, mapping: Path | None = None,
                submitted_by: str | None = None, channel: str = "cli", step: Step = lambda _: None) -> IngestResult:
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
        step(f"Membaca {path.name}")
        table = read_source(path, contract, load_mapping(mapping) if mapping else None)
        return _clean_and_store(settings, raw, contract, table, regency_code, path.name, digest, channel,
                                submitted_by, started, t0, step)
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
        return _clean_and_store(settings, con.con, contract, table, regency_code, file_name, None, channel,
                                submitted_by, started, t0, lambda _: None)
    finally:
        con.disconnect()


def _clean_and_store(settings, raw, contract: Contract, table: RawTable, regency_code: str, file_name: str | None,
                     digest: str | None, channel: str, submitted_by: str | None, started: datetime, t0: float,
                     step: Step) -> IngestResult:
    step(f"Memeriksa {len(table.frame):,} baris".replace(",", "."))
    cleaned = clean(table.frame, contract, regency_code)
    if "_sheet" in table.frame.columns and len(cleaned.problems):
        # problems name rows; in a workbook the same row number can stand in several sheets
        sheets = cleaned.rejected_rows.select("_row", "_sheet").unique("_row", keep="first")
        cleaned.problems = cleaned.problems.join(sheets, on="_row", how="left")
    step("Menyimpan ke gudang data")
    batch, counts = store.write_batch(
        raw, contract, cleaned.accepted, cleaned.problems, cleaned.rejected_rows,
        file_name=file_name, sha256=digest, channel=channel, submitted_by=submitted_by, started_at=started,
        rows_read=len(table.frame), before_commit=_test_pause,
    )
    reasons = dict(cleaned.problems.group_by("code").agg(pl.col("_row").n_unique()).iter_rows()) if len(cleaned.problems) else {}
    report = None
    if counts.quarantined:
        step("Menulis laporan karantina")
        report = write_report(settings.data_dir / REPORT_DIR, batch, contract, cleaned.problems, cleaned.rejected_rows)
    return IngestResult(contract.name, file_name, batch, counts, reasons, report, seconds=time.perf_counter() - t0,
                        unmapped=table.unmapped)


def _test_pause() -> None:
    """Lets the atomicity test kill a real ingest inside its transaction (MADANGAN_TEST_PAUSE_IN_BATCH=seconds)."""
    pause = os.environ.get("MADANGAN_TEST_PAUSE_IN_BATCH")
    if pause:
        print("MADANGAN-BATCH-IN-TRANSACTION", flush=True)
        time.sleep(float(pause))


def write_report(folder: Path, batch: int, contract: Contract, problems: pl.DataFrame, rejected: pl.DataFrame) -> Path:
    """The quarantine report an officer opens in Excel: what is wrong where, and the refused rows whole.

    NIK and KK are masked: the report travels by e-mail and flash drive.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"karantina-{batch:06d}-{contract.name}.xlsx"
    masked = {c for c in (contract.nik_column, contract.kk_column) if c} | {
        c.name for c in contract.columns if c.name.startswith(("nik", "no_kk"))
    }
    headers = contract.headers
    with xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False}) as book:
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
        sheet = book.add_worksheet("Alasan")
        sheet.write_row(0, 0, ["Baris", "Lembar", "Kolom", "Nilai", "Kode", "Alasan"], bold)
        sheet.set_column(0, 1, 8)
        sheet.set_column(2, 3, 22)
        sheet.set_column(5, 5, 90)
        if "_sheet" in problems.columns:
            ordered = problems.sort("_sheet", "_row", nulls_last=False)
        else:
            ordered = problems.sort("_row").with_columns(_sheet=pl.lit(None, pl.String))
        for r, row in enumerate(ordered.iter_rows(named=True), start=1):
            column = row["column"]
            value = mask(row["value"]) if column in masked else row["value"]
            sheet.write_row(r, 0, [row["_row"], row["_sheet"] or "", headers.get(column, column or ""),
                                   neutralise(value), row["code"], neutralise(row["message"])])
        data_columns = [c for c in rejected.columns if c not in ("_row", "_sheet")]
        rows_sheet = book.add_worksheet("Baris ditolak")
        rows_sheet.write_row(0, 0, ["Baris"] + [headers.get(c, c) for c in data_columns], bold)
        for r, row in enumerate(rejected.sort("_row").iter_rows(named=True), start=1):
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
        try:
            removed = store.revert_batch(raw, contract_for(source), batch, by)
        except store.RevertRefused as later:
            raise UserError(f"Batch {batch} tidak bisa dibatalkan: batch {later} kemudian mengubah data yang sama. "
                            f"Batalkan batch itu dulu.") from None
        return source, removed
    finally:
        con.disconnect()
