"""UU 27/2022 duties: a complete register, impact assessments, retention with a dry run, the breach clock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from madangan import deploy, pdp, synth
from madangan.config import Settings
from madangan.errors import UserError
from madangan.ingest.pipeline import ingest_file
from madangan.plugins import contracts


def test_every_source_with_personal_data_is_in_the_register_with_a_purpose_and_legal_basis():
    rows = {r["source"]: r for r in pdp.register()}
    for name, contract in contracts().items():
        if contract.personal_columns:
            assert rows[name]["purpose"] and rows[name]["legal_basis"], name
    assert rows["posyandu"]["specific_data"] and rows["telemetri"]["specific_data"]  # health, children
    assert rows["posyandu"]["retention"] == "5 tahun sejak tanggal_ukur"


@pytest.fixture
def deployment(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    engine, _ = deploy.init(settings, "32.11")
    return settings, engine


def test_impact_assessments_cover_a_processing_until_their_review_date(deployment):
    _, engine = deployment
    assert not pdp.assessed(engine, "linkage", "penduduk")
    pdp.add_assessment(engine, "linkage", ["penduduk", "penerima_bansos"], "Pencocokan NIK untuk verval bansos",
                       "Kepala Diskominfo (DPO)", review_months=12)
    assert pdp.assessed(engine, "linkage", "penduduk")
    assert not pdp.assessed(engine, "scoring", "penduduk")
    assert not pdp.assessed(engine, "linkage", "penduduk", on=datetime.now(UTC) + timedelta(days=400))
    with pytest.raises(UserError, match="tidak dikenal"):
        pdp.add_assessment(engine, "profiling", ["penduduk"], "x", "DPO")
    with pytest.raises(UserError, match="DPO"):
        pdp.add_assessment(engine, "health", ["posyandu"], "  ", "DPO")


def test_retention_dry_run_counts_and_apply_deletes_only_what_is_past_retention(deployment, tmp_path):
    settings, _ = deployment
    ctx = synth.build("32.11", 1000, seed=2, only={"health"})
    files = {p.stem: p for p in synth.write(ctx, tmp_path / "files")}
    measured = ingest_file(settings, "32.11", "posyandu", files["posyandu"])
    first_day = ctx.frames["posyandu"]["tanggal_ukur"].min()
    # five years after the first measurement month, that month is past retention
    later = first_day.replace(year=first_day.year + 5) + timedelta(days=1)
    expected = int((ctx.frames["posyandu"]["tanggal_ukur"] < later.replace(year=later.year - 5)).sum())
    assert expected > 0
    dry = {c.source: c for c in pdp.retention(settings, today=later)}
    assert dry["posyandu"].expired_records == expected
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM posyandu").fetchone()[0] == measured.counts.accepted  # nothing deleted
    con.close()
    pdp.retention(settings, today=later, apply=True)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    left = con.execute("SELECT count(*), min(tanggal_ukur) FROM posyandu").fetchone()
    con.close()
    assert left[0] == measured.counts.accepted - expected
    assert left[1] >= later.replace(year=later.year - 5)


def test_the_breach_clock_runs_72_hours_from_discovery(deployment):
    _, engine = deployment
    discovered = datetime.now(UTC) - timedelta(hours=70)
    breach_id = pdp.add_breach(engine, "Laptop operator hilang", discovered, ["penduduk"], 1200, "admin")
    record = next(b for b in pdp.breaches(engine) if b.id == breach_id)
    assert pdp.clock(record) == "sisa 1 jam"
    assert pdp.clock(record, now=discovered + timedelta(hours=77)) == "TERLAMBAT 5 jam"
    pdp.notify_breach(engine, breach_id, subjects=True, authority=True)
    record = next(b for b in pdp.breaches(engine) if b.id == breach_id)
    assert pdp.clock(record) == "selesai"
    with pytest.raises(UserError, match="masa depan"):
        pdp.add_breach(engine, "x", datetime.now(UTC) + timedelta(days=1), [], None, "admin")


def test_pdp_commands_answer_in_bahasa_indonesia(deployment):
    settings, _ = deployment
    env = {**os.environ, "MADANGAN_DATA_DIR": str(settings.data_dir), "MADANGAN_CONFIG": "/nonexistent.toml"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "madangan", "pdp", *args], capture_output=True, text=True, env=env)

    assert "UU 24/2013" in run("register").stdout
    dry = run("retention")
    assert dry.returncode == 0 and "Uji coba" in dry.stdout
    bad = run("breach", "add", "--description", "x", "--discovered-at", "kemarin")
    assert bad.returncode == 2 and "tidak valid" in bad.stderr and "Traceback" not in bad.stderr
    assert run("breach", "add", "--description", "Surel salah kirim", "--subjects", "3").returncode == 0
    assert "sisa 71 jam" in run("breach", "list").stdout or "sisa 72 jam" in run("breach", "list").stdout
