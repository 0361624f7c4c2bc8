"""Files far larger than memory: a CSV is read, cleaned and staged in chunks, and lands exactly as if read whole.

Above `pipeline.CHUNKED_ABOVE_BYTES` a CSV goes through `iter_csv_chunks` (polars' streaming reader),
`clean()` per chunk and `store.Staging`, which keeps each chunk in connection-local temp tables and refuses a
key that repeats across chunks; then one transaction writes the batch. The promise checked here: with tiny
chunks (7 records) the warehouse, the counts, the reasons, the quarantine and the report are the same as for
the file read whole — row numbers included, across title lines, records spanning lines, Windows-1252 and a
total row — and the batch is still all or nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from openpyxl import load_workbook

from madangan import deploy, synth
from madangan.config import Settings
from madangan.errors import UserError
from madangan.ingest import pipeline, store
from madangan.ingest.pipeline import ingest_file
from madangan.ingest.readers import CSV_CHUNK_ROWS, iter_csv_chunks, read_source
from madangan.sectors.population import PENDUDUK

CHUNK = 7
PEOPLE = 120
TITLE_LINES = 2  # a title and a blank line above the header: the header is line 3, record i is line 4 + i


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """One deployment of Sumedang with no data yet (copied per test: setting one up takes seconds)."""
    base = tmp_path_factory.mktemp("template")
    deploy.init(Settings(data_dir=base / "data"), "32.11")
    ctx = synth.build("32.11", PEOPLE * 2, seed=4, only={"population"})
    files = {p.stem: p for p in synth.write(ctx, base / "files")}
    return base / "data", files["penduduk"]


def fresh_deployment(initialised, where: Path) -> Settings:
    shutil.copytree(initialised[0], where)
    return Settings(data_dir=where)


def line_of(record: int) -> int:
    """The file line record ``record`` (from 0) starts on, before any record that spans lines."""
    return TITLE_LINES + 2 + record


def agency_export(synthetic: Path, out: Path) -> tuple[Path, pl.DataFrame]:
    """The synthetic population as a district office sends it, with what chunking could get wrong.

    Record 6 (the last of the first chunk) has an address over two lines, so every later record starts one
    line further down; keys repeat within a chunk, across chunks and three times; a row refused for a bad
    date does not count as a key's first row; a title above the header, a total row below, Windows-1252.
    """
    people = pl.read_csv(synthetic, infer_schema=False).head(PEOPLE)
    nik = people["NIK"].to_list()
    edits = {
        (2, "Nama Lengkap"): "Nuñez Suryadi",  # not UTF-8 once written as cp1252
        (6, "Alamat"): "DUSUN IV\nBLOK C",  # a quoted line break just before the first chunk boundary
        (20, "NIK"): nik[3],  # chunk 3 repeats a key of chunk 1
        (30, "NIK"): nik[10],  # chunk 5 repeats a key of chunk 2 twice
        (33, "NIK"): nik[10],
        (40, "NIK"): "'" + nik[12],  # the same key written as Excel text: refused, shown as written, masked
        (45, "NIK"): nik[43],  # a key repeated within one chunk (42–48)
        (50, "Tanggal Lahir"): "31/02/1990",  # refused, so ...
        (60, "NIK"): nik[50],  # ... this later row with its key is the first that stands, and lands
        (70, "Kode Desa"): "33.01.01.2001",
    }
    for (row, column), value in edits.items():
        people = people.with_columns(
            pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    total = ",JUMLAH," + str(PEOPLE) + "," * (people.width - 3)
    text = "DATA PENDUDUK KECAMATAN CONTOH\n\n" + people.write_csv() + total + "\n"
    out.write_bytes(text.encode("cp1252"))
    return out, people


def warehouse_content(settings: Settings) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        queries = {
            "history": "SELECT * EXCLUDE (_valid_from, _valid_to), _valid_to IS NULL FROM penduduk__history ORDER BY ALL",
            "problems": "SELECT * FROM _quarantine_problem ORDER BY ALL",
            "rows": "SELECT batch, source, row_number, sheet, CAST(raw AS VARCHAR) FROM _quarantine_row ORDER BY ALL",
            "batches": "SELECT * EXCLUDE (started_at, committed_at, reverted_at) FROM _batch ORDER BY id",
        }
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        con.close()


def report_content(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_a_file_read_in_chunks_lands_exactly_as_the_file_read_whole(initialised, tmp_path):
    path, people = agency_export(initialised[1], tmp_path / "penduduk-kecamatan.csv")
    assert len(list(iter_csv_chunks(path, PENDUDUK, chunk_rows=CHUNK))) == -(-(PEOPLE + 1) // CHUNK)

    whole_settings = fresh_deployment(initialised, tmp_path / "whole")
    chunked_settings = fresh_deployment(initialised, tmp_path / "chunked")
    whole = ingest_file(whole_settings, "32.11", "penduduk", path, chunk_rows=0)
    chunked = ingest_file(chunked_settings, "32.11", "penduduk", path, chunk_rows=CHUNK)

    assert chunked.counts == whole.counts
    assert chunked.reasons == whole.reasons
    assert chunked.unmapped == whole.unmapped
    assert warehouse_content(chunked_settings) == warehouse_content(whole_settings)
    assert report_content(chunked.report) == report_content(whole.report)

    # what both say, in the file's own line numbers (from record 7 on, one line further down)
    def line(record: int) -> int:
        return line_of(record) + (record > 6)

    nik = people["NIK"].to_list()
    masked = {i: nik[i][:4] + "********" + nik[i][-4:] for i in (3, 10, 43)}
    duplicates = {r[0]: r[4] for r in report_content(chunked.report)["Alasan"][1:] if r[4] == "kunci_ganda"}
    problems = {r[0]: r[5] for r in report_content(chunked.report)["Alasan"][1:]}
    assert {line(20), line(30), line(33), line(40), line(45)} <= set(duplicates)
    assert f"NIK {masked[3]} sudah ada di baris {line_of(3)}." in problems[line(20)]
    assert f"sudah ada di baris {line(10)}." in problems[line(30)]
    assert f"sudah ada di baris {line(10)}." in problems[line(33)]  # the first row, not the chunk's first
    assert f"NIK '321********{nik[12][-4:]} sudah ada di baris {line(12)}." in problems[line(40)]
    assert f"NIK {masked[43]} sudah ada di baris {line(43)}." in problems[line(45)]
    assert line(60) not in problems and "tanggal" in problems[line(50)].lower()
    assert "di luar wilayah" in problems[line(70)]
    assert not any(n in message for message in problems.values() for n in nik)  # never a whole NIK
    assert any("Nuñez Suryadi" in row for row in warehouse_content(chunked_settings)["history"])  # cp1252 decoded
    assert chunked.counts.rows_read == PEOPLE  # the total row is not a record
    assert chunked.counts.rows_read == chunked.counts.accepted + chunked.counts.quarantined

    # a later version of the file, in chunks, updates the same records in both warehouses
    later = tmp_path / "penduduk-kecamatan-2.csv"
    later.write_bytes(path.read_bytes().replace(b"DUSUN V,", b"DUSUN LIMA,"))
    whole_update = ingest_file(whole_settings, "32.11", "penduduk", later, chunk_rows=0)
    chunked_update = ingest_file(chunked_settings, "32.11", "penduduk", later, chunk_rows=CHUNK)
    assert chunked_update.counts == whole_update.counts and chunked_update.counts.updated > 0
    assert warehouse_content(chunked_settings) == warehouse_content(whole_settings)


def test_a_key_of_two_columns_is_compared_as_typed_values_across_chunks(initialised, tmp_path):
    """Telemetry is keyed by device and moment: the same moment written two ways is the same key."""
    header = "ID Perangkat,Waktu,NIK Ibu,Kode Desa,Detak Jantung (bpm),SpO2 (%)"
    lines = [f"JAM-{i % 3},2024-05-01T08:{i:02d}:00Z,3211014202850002,32.11.01.2001,{70 + i},98" for i in range(20)]
    lines.append("JAM-1,01/05/2024 08:01,3211014202850002,32.11.01.2001,90,97")  # = record 1, in the last chunk
    lines.append("JAM-2,2024-05-01 08:01:00,3211014202850002,32.11.01.2001,91,97")  # another device: lands
    path = tmp_path / "telemetri.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    whole = ingest_file(fresh_deployment(initialised, tmp_path / "whole"), "32.11", "telemetri", path, chunk_rows=0)
    chunked = ingest_file(fresh_deployment(initialised, tmp_path / "chunked"), "32.11", "telemetri", path,
                          chunk_rows=CHUNK)
    assert (chunked.counts, chunked.reasons) == (whole.counts, whole.reasons)
    assert chunked.reasons == {"kunci_ganda": 1} and chunked.counts.accepted == 21
    assert report_content(chunked.report) == report_content(whole.report)
    assert "sudah ada di baris 3" in report_content(chunked.report)["Alasan"][1][5]


def test_staging_in_chunks_bounds_duckdbs_memory_and_puts_the_limit_back(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))

    def limit() -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    default, threads = limit(), int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    staging = store.Staging(con, PENDUDUK, bounded=True)
    during = limit()  # staged rows beyond it spill to disk
    staging.close()
    assert limit() == default
    con.execute(f"SET memory_limit = '{store.staging_memory_limit(threads)}B'")
    assert during == limit() != default

    con.execute("SET memory_limit = '100MB'")
    lower = limit()
    staging = store.Staging(con, PENDUDUK, bounded=True)
    assert limit() == lower  # a lower limit is left as it is
    staging.close()
    assert limit() == lower


QUIRKY = {
    "semicolons and CRLF": b"NIK;Nama Lengkap;Alamat\r\n3211010101900001;Ade;Jl. Mawar, No. 5\r\n"
                           b'3211014202850002;Anisa;"RT 1\r\nRW 2"\r\n3211010101900003;Cecep;X\r\n',
    "records over several lines": b'NIK,Nama Lengkap,Alamat\n3211010101900001,"Ade\nS","a\n\nb"\n'
                                  b'3211014202850002,B,"c"\n3211010101900003,"D\n",x\n',
    "blank lines and no final newline": b"NIK,Nama Lengkap\n3211010101900001,Ade\n\n,\n3211014202850002,Anisa\n\n"
                                        b"3211010101900003,X",
    "column numbers under the header": b"NIK,Nama Lengkap,Alamat\n1,2,3\n3211010101900001,Ade,x\n"
                                       b"3211014202850002,B,y\n",
    "header only": b"NIK,Nama Lengkap\n",
    "byte order mark": b"\xef\xbb\xbfNIK,Nama Lengkap\n3211010101900001,Ade\n3211014202850002,\"A\"\"b\"\n",
    "utf-16 from Excel": "NIK\tNama Lengkap\n3211010101900001\tAde\n3211014202850002\tNuñez\n".encode("utf-16"),
    "title and a total row": "Rekap\nNIK;Nama Lengkap;Alamat\n3211010101900001;Nuñez;x\n;Jumlah;1\n".encode("cp1252"),
}


@pytest.mark.parametrize("name", QUIRKY)
@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_chunks_put_together_are_the_file_read_whole(tmp_path, name, chunk_rows):
    path = tmp_path / "p.csv"
    path.write_bytes(QUIRKY[name])
    whole = read_source(path, PENDUDUK)
    chunks = list(iter_csv_chunks(path, PENDUDUK, chunk_rows=chunk_rows))

    assert pl.concat([c.frame for c in chunks]).equals(whole.frame)
    dropped: dict[str, int] = {}
    for chunk in chunks:
        assert (chunk.missing, chunk.unmapped, chunk.encoding) == (whole.missing, whole.unmapped, whole.encoding)
        for reason, n in chunk.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + n
    assert dropped == whole.dropped


def test_a_ragged_line_in_a_later_chunk_refuses_the_file_and_leaves_the_warehouse_alone(initialised, tmp_path):
    settings = fresh_deployment(initialised, tmp_path / "data")
    lines = initialised[1].read_text().splitlines()[:40]
    lines[25] += ",Jl. A, No. 5"  # line 26, in the fourth chunk: three chunks are staged when it is read
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=r"p\.csv baris 26: lebih banyak kolom daripada judulnya"):
        ingest_file(settings, "32.11", "penduduk", path, chunk_rows=CHUNK)
    assert warehouse_content(settings)["batches"] == [] and warehouse_content(settings)["history"] == []


def test_which_files_are_read_in_chunks(tmp_path, monkeypatch):
    csv, xlsx = tmp_path / "p.csv", tmp_path / "p.xlsx"
    csv.write_text("NIK\n3211010101900001\n")
    xlsx.write_bytes(b"PK")
    monkeypatch.delenv(pipeline.CHUNK_ROWS_ENV, raising=False)
    assert pipeline.chunk_rows_for(csv) is None  # small: read whole
    monkeypatch.setattr(pipeline, "CHUNKED_ABOVE_BYTES", 10)
    assert pipeline.chunk_rows_for(csv) == CSV_CHUNK_ROWS  # large: in chunks
    assert pipeline.chunk_rows_for(xlsx) is None  # Excel is bounded by its sheet size; always whole
    assert pipeline.chunk_rows_for(csv, 0) is None  # 0: never in chunks
    monkeypatch.setenv(pipeline.CHUNK_ROWS_ENV, "7")
    assert pipeline.chunk_rows_for(csv) == 7
    assert pipeline.chunk_rows_for(csv, 1000) == 1000  # the parameter wins
    monkeypatch.setenv(pipeline.CHUNK_ROWS_ENV, "tujuh")
    with pytest.raises(UserError, match="MADANGAN_INGEST_CHUNK_ROWS harus bilangan bulat"):
        pipeline.chunk_rows_for(csv)


def test_a_chunked_ingest_killed_in_its_transaction_leaves_the_warehouse_as_it_was(initialised, tmp_path):
    settings = fresh_deployment(initialised, tmp_path / "data")
    path, _ = agency_export(initialised[1], tmp_path / "p.csv")
    first = ingest_file(settings, "32.11", "penduduk", path, chunk_rows=CHUNK)
    before = warehouse_content(settings)
    changed = tmp_path / "p2.csv"
    changed.write_bytes(path.read_bytes().replace(b"DUSUN", b"KAMPUNG"))
    env = {**os.environ, "MADANGAN_DATA_DIR": str(settings.data_dir), "MADANGAN_TEST_PAUSE_IN_BATCH": "60",
           "MADANGAN_CONFIG": "/nonexistent.toml", pipeline.CHUNK_ROWS_ENV: str(CHUNK)}
    proc = subprocess.Popen([sys.executable, "-m", "madangan", "ingest", "penduduk", str(changed)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline, paused = time.monotonic() + 120, False
    for line in proc.stdout:
        if "MADANGAN-BATCH-IN-TRANSACTION" in line:
            paused = True
            break
        if time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert paused and proc.returncode == -signal.SIGKILL
    assert warehouse_content(settings) == before
    assert [b[0] for b in before["batches"]] == [first.batch]
