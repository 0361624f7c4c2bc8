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


def _self_report_retention(engine) -> None:
    from datetime import date

    import sqlalchemy as sa

    from madangan.sectors.welfare import store

    old_done = store.add_self_report(engine, "3211010000000001", "3211014101800001", date(1980, 1, 1), "32.11.01.2001", "a")
    old_waiting = store.add_self_report(engine, "3211010000000002", "3211014101800002", date(1980, 1, 2), "32.11.01.2001",
                                        "kehilangan pekerjaan")
    recent = store.add_self_report(engine, "3211010000000003", "3211014101800003", date(1980, 1, 3), "32.11.01.2001", "c")
    store.record_outcome(engine, "3211010000000001", "32.11.01.2001", "layak", "operator")  # handled
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with engine.begin() as conn:
        conn.execute(sa.update(store.SelfReport).where(store.SelfReport.id.in_([old_done, old_waiting]))
                     .values(created_at=long_ago))

    def rows():
        with engine.connect() as conn:
            return {r.id: r for r in conn.execute(sa.select(store.SelfReport)).all()}

    dry = store.self_report_retention(engine, 365)
    assert (dry.deleted, dry.anonymised) == (1, 1)
    assert rows()[old_waiting].nik == "3211014101800002" and old_done in rows()  # a dry run changes nothing
    done = store.self_report_retention(engine, 365, apply=True)
    assert (done.deleted, done.anonymised) == (1, 1)
    left = rows()
    assert old_done not in left
    assert left[old_waiting].nik is None and left[old_waiting].tanggal_lahir is None
    assert left[old_waiting].no_kk == "3211010000000002" and left[old_waiting].status == store.WAITING  # still to visit
    assert left[recent].nik == "3211014101800003"
    assert [q["nik"] for q in store.queue(engine, "32.11.01.2001")] == [None, "3211014101800003"]
    again = store.self_report_retention(engine, 365, apply=True)
    assert (again.deleted, again.anonymised) == (0, 0)


def test_self_report_niks_are_removed_after_their_retention_with_a_dry_run_first(deployment):
    _self_report_retention(deployment[1])


@pytest.mark.postgres
def test_self_report_retention_on_postgresql(postgres_url):
    from madangan.appdb import make_engine, migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    _self_report_retention(engine)
    engine.dispose()


def test_a_bad_self_report_retention_setting_is_named():
    from madangan.sectors.welfare import store

    assert store.retention_days({}) == 365 and store.retention_days({"retensi_laporan_warga_hari": 90}) == 90
    with pytest.raises(UserError, match="retensi_laporan_warga_hari"):
        store.retention_days({"retensi_laporan_warga_hari": "setahun"})


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
    assert dry.returncode == 0 and "Uji coba" in dry.stdout and "Laporan warga" in dry.stdout
    bad = run("breach", "add", "--description", "x", "--discovered-at", "kemarin")
    assert bad.returncode == 2 and "tidak valid" in bad.stderr and "Traceback" not in bad.stderr
    assert run("breach", "add", "--description", "Surel salah kirim", "--subjects", "3").returncode == 0
    assert "sisa 71 jam" in run("breach", "list").stdout or "sisa 72 jam" in run("breach", "list").stdout
