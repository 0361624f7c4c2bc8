"""Ingest as a data officer and an application use it: every row lands or is quarantined with a reason,
the same file twice changes nothing, a changed record keeps its history, a batch can be taken back out,
and a killed ingest leaves the warehouse as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from madangan import deploy, synth
from madangan.access import store as access_store
from madangan.config import Settings
from madangan.errors import UserError
from madangan.ingest.pipeline import ingest_file, revert
from madangan.web.app import create_app

POPULATION = 3000


@pytest.fixture
def deployment(tmp_path):
    """A fresh Sumedang deployment with no data yet, and the synthetic agency files beside it."""
    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, "32.11")
    ctx = synth.build("32.11", POPULATION, seed=4, only={"population"})
    files = {p.stem: p for p in synth.write(ctx, tmp_path / "files")}
    return settings, files


def warehouse_rows(settings, sql: str):
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_file_lands_and_the_same_file_again_changes_nothing(deployment):
    settings, files = deployment
    first = ingest_file(settings, "32.11", "penduduk", files["penduduk"])
    assert first.batch is not None
    assert first.counts.rows_read == first.counts.accepted + first.counts.quarantined
    assert first.counts.inserted == first.counts.accepted > POPULATION * 0.99
    again = ingest_file(settings, "32.11", "penduduk", files["penduduk"])
    assert again.batch is None and again.already_ingested_as == first.batch
    assert warehouse_rows(settings, "SELECT count(*) FROM penduduk")[0][0] == first.counts.accepted
    assert warehouse_rows(settings, "SELECT count(DISTINCT _batch) FROM penduduk")[0][0] == 1  # lineage


def _edited_copy(src: Path, dst: Path, edit) -> Path:
    frame = pl.read_csv(src, infer_schema=False)
    edit(frame).write_csv(dst)
    return dst


def test_a_changed_record_is_updated_and_its_history_kept(deployment, tmp_path):
    settings, files = deployment
    first = ingest_file(settings, "32.11", "penduduk", files["penduduk"])
    people = pl.read_csv(files["penduduk"], infer_schema=False)
    nik = people["NIK"][5]
    changed = _edited_copy(files["penduduk"], tmp_path / "penduduk-okt.csv",
                           lambda f: f.with_columns(pl.when(pl.col("NIK") == nik).then(pl.lit("DUSUN BARU"))
                                                    .otherwise(pl.col("Alamat")).alias("Alamat")))
    second = ingest_file(settings, "32.11", "penduduk", changed)
    assert (second.counts.inserted, second.counts.updated) == (0, 1)
    assert second.counts.unchanged == first.counts.accepted - 1
    versions = warehouse_rows(settings, f"SELECT alamat, _batch, _valid_to IS NULL FROM penduduk__history WHERE nik = '{nik}' ORDER BY _valid_from")
    assert [(v[0], v[1], v[2]) for v in versions] == [(people["Alamat"][5], first.batch, False), ("DUSUN BARU", second.batch, True)]
    assert warehouse_rows(settings, f"SELECT alamat FROM penduduk WHERE nik = '{nik}'") == [("DUSUN BARU",)]


def test_revert_takes_a_batch_back_out_and_restores_what_it_replaced(deployment, tmp_path):
    settings, files = deployment
    first = ingest_file(settings, "32.11", "penduduk", files["penduduk"])
    people = pl.read_csv(files["penduduk"], infer_schema=False)
    nik = people["NIK"][0]
    changed = _edited_copy(files["penduduk"], tmp_path / "p2.csv",
                           lambda f: f.with_columns(pl.when(pl.col("NIK") == nik).then(pl.lit("X")).otherwise(pl.col("Alamat")).alias("Alamat")))
    second = ingest_file(settings, "32.11", "penduduk", changed)
    with pytest.raises(UserError, match=f"batch {second.batch}"):
        revert(settings, first.batch, "tester")  # a later batch changed the same record
    assert revert(settings, second.batch, "tester") == ("penduduk", 1)
    assert warehouse_rows(settings, f"SELECT alamat FROM penduduk WHERE nik = '{nik}'") == [(people["Alamat"][0],)]
    assert revert(settings, first.batch, "tester")[1] == first.counts.accepted
    assert warehouse_rows(settings, "SELECT count(*) FROM penduduk")[0][0] == 0
    with pytest.raises(UserError, match="sudah dibatalkan"):
        revert(settings, first.batch, "tester")


def test_bad_rows_are_quarantined_with_a_report_an_officer_can_open(deployment, tmp_path):
    settings, files = deployment
    people = pl.read_csv(files["penduduk"], infer_schema=False)

    def spoil(f):
        return f.with_columns(
            pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("3.21101E+15")).otherwise(pl.col("NIK")).alias("NIK"),
            pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("31/02/1990")).otherwise(pl.col("Tanggal Lahir")).alias("Tanggal Lahir"),
            pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("33.01.01.2001")).otherwise(pl.col("Kode Desa")).alias("Kode Desa"),
        )

    result = ingest_file(settings, "32.11", "penduduk", _edited_copy(files["penduduk"], tmp_path / "rusak.csv", spoil))
    assert result.counts.quarantined == 3
    assert result.counts.accepted == len(people) - 3
    assert set(result.reasons) == {"nik_rusak_excel", "tanggal_tidak_valid", "di_luar_wilayah"}
    book = load_workbook(result.report, read_only=True)
    reasons = list(book["Alasan"].iter_rows(values_only=True))
    assert reasons[0] == ("Baris", "Lembar", "Kolom", "Nilai", "Kode", "Alasan")
    assert {r[0] for r in reasons[1:]} == {3, 4, 5}  # CSV line numbers, header is line 1
    assert any("Excel" in r[5] for r in reasons[1:])
    refused = list(book["Baris ditolak"].iter_rows(values_only=True))
    assert len(refused) == 4
    nik_column = refused[0].index("NIK")
    assert all("*" in r[nik_column] for r in refused[1:] if r[nik_column] and r[nik_column][0].isdigit() and len(r[nik_column]) == 16)
    kept = warehouse_rows(settings, f"SELECT count(*) FROM _quarantine_row WHERE batch = {result.batch}")[0][0]
    assert kept == 3  # nothing lost: the refused rows are kept whole


def test_a_killed_ingest_leaves_the_warehouse_as_it_was(deployment, tmp_path):
    settings, files = deployment
    first = ingest_file(settings, "32.11", "penduduk", files["penduduk"])
    before = warehouse_rows(settings, "SELECT count(*), sum(hash(nik || alamat)) FROM penduduk__history")
    changed = _edited_copy(files["penduduk"], tmp_path / "p3.csv", lambda f: f.with_columns(pl.lit("BERUBAH").alias("Alamat")))
    env = {**os.environ, "MADANGAN_DATA_DIR": str(settings.data_dir), "MADANGAN_TEST_PAUSE_IN_BATCH": "60",
           "MADANGAN_CONFIG": "/nonexistent.toml"}
    proc = subprocess.Popen([sys.executable, "-m", "madangan", "ingest", "penduduk", str(changed)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        if "MADANGAN-BATCH-IN-TRANSACTION" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = warehouse_rows(settings, "SELECT count(*), sum(hash(nik || alamat)) FROM penduduk__history")
    assert after == before
    batches = warehouse_rows(settings, "SELECT id, status FROM _batch")
    assert batches == [(first.batch, "committed")]


def test_cli_ingest_prints_counts_and_strict_fails_on_quarantine(deployment, tmp_path):
    settings, files = deployment
    spoiled = _edited_copy(files["penduduk"], tmp_path / "s.csv",
                           lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("")).otherwise(pl.col("NIK")).alias("NIK")))
    env = {**os.environ, "MADANGAN_DATA_DIR": str(settings.data_dir), "MADANGAN_CONFIG": "/nonexistent.toml"}
    run = subprocess.run([sys.executable, "-m", "madangan", "ingest", "penduduk", str(spoiled), "--strict"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 3, run.stderr
    assert "Dikarantina" in run.stdout and "wajib_diisi" in run.stdout and "karantina-" in run.stdout
    listing = subprocess.run([sys.executable, "-m", "madangan", "batches"], capture_output=True, text=True, env=env)
    assert "penduduk" in listing.stdout and "s.csv" in listing.stdout
    unknown = subprocess.run([sys.executable, "-m", "madangan", "ingest", "bukan_sumber", str(spoiled)],
                             capture_output=True, text=True, env=env)
    assert unknown.returncode == 2 and "posyandu" in unknown.stderr and "Traceback" not in unknown.stderr


@pytest.fixture
def api(deployment):
    settings, files = deployment
    app = create_app(settings)
    engine = app.state.engine
    tokens = {
        "penduduk": access_store.add_token(engine, "siak", "32.11", "32.11", ("penduduk",)),
        "posyandu": access_store.add_token(engine, "posyandu-app", "32.11", "32.11", ("posyandu",)),
    }
    with TestClient(app) as client:
        yield client, tokens, files


def test_api_push_of_a_file_needs_a_token_for_that_source(api):
    client, tokens, files = api
    upload = {"file": ("penduduk.csv", files["penduduk"].read_bytes(), "text/csv")}
    assert client.post("/api/v1/sources/penduduk/batches", files=upload).status_code == 401
    wrong = client.post("/api/v1/sources/penduduk/batches", files=upload,
                        headers={"Authorization": f"Bearer {tokens['posyandu']}"})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/sources/penduduk/batches", files=upload,
                     headers={"Authorization": f"Bearer {tokens['penduduk']}"})
    assert ok.status_code == 201, ok.text
    body = ok.json()
    assert body["accepted"] > POPULATION * 0.99 and body["batch"] >= 1
    again = client.post("/api/v1/sources/penduduk/batches", files=upload,
                        headers={"Authorization": f"Bearer {tokens['penduduk']}"})
    assert again.status_code == 200 and again.json()["already_ingested_as"] == body["batch"]


def test_api_push_of_records_as_json_and_ndjson(api):
    import json

    client, tokens, files = api
    people = pl.read_csv(files["penduduk"], infer_schema=False).head(3)
    records = people.to_dicts()
    records[2]["Kode Desa"] = "99.99.99.9999"
    auth = {"Authorization": f"Bearer {tokens['penduduk']}"}
    answer = client.post("/api/v1/sources/penduduk/records", json=records, headers=auth)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["accepted"], answer.json()["quarantined"]) == (2, 1)
    assert answer.json()["reasons"] == {"di_luar_wilayah": 1}
    ndjson = "\n".join(json.dumps(r) for r in records[:2])
    again = client.post("/api/v1/sources/penduduk/records", content=ndjson,
                        headers={**auth, "Content-Type": "application/x-ndjson"})
    assert again.status_code == 201 and again.json()["unchanged"] == 2
    assert client.post("/api/v1/sources/penduduk/records", content="{oops", headers=auth).status_code == 400
    assert client.post("/api/v1/sources/penduduk/records", json={"not": "a list"}, headers=auth).status_code == 400
    assert client.post("/api/v1/sources/tidak_ada/records", json=records, headers=auth).status_code == 404


def test_quarantined_rows_can_be_corrected_and_sent_again(deployment, tmp_path):
    settings, files = deployment
    spoiled = _edited_copy(files["penduduk"], tmp_path / "s.csv",
                           lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) < 2).then(pl.lit("bukan tanggal"))
                                                    .otherwise(pl.col("Tanggal Lahir")).alias("Tanggal Lahir")))
    first = ingest_file(settings, "32.11", "penduduk", spoiled)
    assert first.counts.quarantined == 2
    env = {**os.environ, "MADANGAN_DATA_DIR": str(settings.data_dir), "MADANGAN_CONFIG": "/nonexistent.toml"}
    out = tmp_path / "perbaiki.csv"
    run = subprocess.run([sys.executable, "-m", "madangan", "batches", "rejected", str(first.batch), "--out", str(out)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    rows = pl.read_csv(out, infer_schema=False)
    assert len(rows) == 2 and set(rows["Tanggal Lahir"]) == {"bukan tanggal"}
    assert rows["NIK"].str.len_chars().to_list() == [16, 16]  # whole, for correction
    fixed = rows.with_columns(pl.lit("01/02/1990").alias("Tanggal Lahir"))
    fixed.write_csv(out)
    second = ingest_file(settings, "32.11", "penduduk", out)
    assert (second.counts.inserted, second.counts.quarantined) == (2, 0)


def test_a_source_that_gains_a_column_in_a_new_release_keeps_its_records_and_takes_the_column(tmp_path):
    """A deployment made before the pregnancy register had `posyandu`: the next batch adds the column; the records
    already stored stay, with the new column empty."""
    from madangan.ingest.pipeline import ingest_records
    from madangan.ingest.store import history_table
    from madangan.plugins import contracts

    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, "32.11")
    ctx = synth.build("32.11", POPULATION, seed=4, only={"population", "health"})
    pregnancies = ctx.frames["kehamilan"]
    records = [{k: (None if v is None else str(v)) for k, v in row.items()} for row in pregnancies.iter_rows(named=True)]
    first = ingest_records(settings, "32.11", "kehamilan", records[:10], submitted_by="test")
    assert first.counts.accepted == 10
    contract = contracts()["kehamilan"]
    con = duckdb.connect(str(settings.warehouse))  # as the older release left it: no posyandu column
    con.execute("DROP VIEW kehamilan")
    con.execute(f"ALTER TABLE {history_table(contract)} DROP COLUMN posyandu")
    names = ", ".join(c for c in contract.column_names if c != "posyandu")
    con.execute(f"CREATE VIEW kehamilan AS SELECT {names}, _batch FROM {history_table(contract)} WHERE _valid_to IS NULL")
    con.close()

    second = ingest_records(settings, "32.11", "kehamilan", records[10:20], submitted_by="test")
    assert second.counts.accepted == 10
    rows = dict(warehouse_rows(settings, "SELECT id_kehamilan, posyandu FROM kehamilan"))
    assert len(rows) == 20  # nothing stored before was lost
    assert all(rows[r["id_kehamilan"]] is None for r in records[:10])  # stored before the column existed
    assert [rows[r["id_kehamilan"]] for r in records[10:20]] == [r["posyandu"] for r in records[10:20]]
    assert any(r["posyandu"] for r in records[10:20])
