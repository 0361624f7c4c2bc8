"""The indicator engine as people meet it: figures that add up, refreshed when a batch lands, queried
over the API and the CLI, scoped to the caller's region, bad parameters answered plainly."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date, timedelta

import polars as pl
import pytest
from fastapi.testclient import TestClient

from madangan import deploy, warehouse
from madangan.access import Role, store
from madangan.access.web import SESSION_COOKIE
from madangan.config import Settings
from madangan.indicators import Indicator, engine
from madangan.ingest.pipeline import ingest_records, revert
from madangan.regions import regions
from madangan.web.app import create_app

REGENCY = "32.11"


def _facts(settings, indicator: str, level: str | None = None, by: str = "") -> pl.DataFrame:
    """An indicator's stored facts (the totals, or the breakdown `by`), without their timestamps."""
    con = warehouse.connect(settings.warehouse)
    try:
        facts = con.table(engine.FACT_TABLE).filter(lambda t: (t.indicator == indicator) & (t.dimensi == by)).to_polars()
    finally:
        con.disconnect()
    facts = facts.drop("computed_at").sort("level", "kode_wilayah", "bulan", "kategori")
    return facts.filter(pl.col("level") == level) if level else facts


# --- roll-up by sums, on records where the counts are known ---------------------------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """An initialised deployment with no data: each test sends the records it reasons about."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("indicators-fresh") / "data")
    deploy.init(settings, REGENCY)
    return settings


def _complaint(n: int, desa: str | None, status: str, day: date) -> dict:
    return {"id_pengaduan": f"ADU-{n:05d}", "tanggal_masuk": day.isoformat(), "kanal": "LAPOR!",
            "opd_tujuan": "Dinas PUPR", "kategori": "Jalan", "kode_desa": desa, "status": status,
            "tanggal_selesai": day.isoformat() if status == "SELESAI" else None}


def test_rollup_sums_numerators_and_denominators_and_counts_rows_without_desa_at_regency_only(fresh):
    index = regions()
    kec_a, kec_b = index.children(REGENCY)[:2]
    a1, a2 = (d.code for d in index.children(kec_a.code)[:2])
    b1 = index.children(kec_b.code)[0].code
    october = date(2026, 10, 5)
    plan = ([(a1, "SELESAI")] * 2 + [(a1, "BELUM DITINDAKLANJUTI")]  # a1: 2 of 3
            + [(a2, "BELUM DITINDAKLANJUTI")] * 5  # a2: 0 of 5
            + [(b1, "DIPROSES")] * 4  # b1: 4 of 4
            + [(None, "SELESAI"), (None, "BELUM DITINDAKLANJUTI")])  # no desa: 1 of 2
    records = [_complaint(n, desa, status, october) for n, (desa, status) in enumerate(plan)]
    records.append(_complaint(99, a1, "SELESAI", date(2026, 9, 30)))  # another month

    result = ingest_records(fresh, REGENCY, "pengaduan", records, submitted_by="test")  # no explicit refresh
    assert result.counts.accepted == len(records)

    facts = _facts(fresh, "pengaduan_ditindaklanjuti").filter(pl.col("bulan") == date(2026, 10, 1))
    got = {(r["level"], r["kode_wilayah"]): (r["numerator"], r["denominator"], r["value"])
           for r in facts.iter_rows(named=True)}
    assert got[("desa", a1)] == (2, 3, pytest.approx(200 / 3))
    assert got[("desa", a2)] == (0, 5, 0)
    assert got[("kecamatan", kec_a.code)] == (2, 8, 25.0)  # 2/8, not the mean of 66.7 % and 0 %
    assert got[("kecamatan", kec_b.code)] == (4, 4, 100.0)
    assert got[("kabupaten", REGENCY)] == (7, 14, 50.0)  # kecamatan 6/12 + the 1/2 without a desa
    assert len(facts.filter(pl.col("level") == "desa")) == 3
    september = _facts(fresh, "pengaduan_ditindaklanjuti", "kabupaten").filter(pl.col("bulan") == date(2026, 9, 1))
    assert september.select("numerator", "denominator").row(0) == (1, 1)


def test_status_colours_follow_the_direction_of_the_indicator():
    up = Indicator("a", "x", {"id": "a"}, lambda t: None, (), thresholds=(90.0, 80.0))
    down = Indicator("b", "x", {"id": "b"}, lambda t: None, (), higher_is_better=False, thresholds=(10.0, 20.0))
    assert [up.status(v) for v in (95, 90, 85, 80, 50, None)] == ["hijau", "hijau", "kuning", "merah", "merah", None]
    assert [down.status(v) for v in (5, 10, 15, 20, 30)] == ["hijau", "hijau", "kuning", "merah", "merah"]


# --- incremental refresh after an ingest ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo regency of its own (these tests change its data)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("indicators-demo") / "data")
    deploy.demo(settings, REGENCY, 3000, seed=11)
    return settings


def _records(frame: pl.DataFrame) -> list[dict]:
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def test_a_batch_recomputes_only_the_desa_months_it_touched_and_matches_a_full_refresh(demo):
    con = warehouse.connect(demo.warehouse)
    try:
        layanan = con.table("layanan").drop("_batch").to_polars()
        stored = con.table(engine.DESA_TABLE).to_polars()
    finally:
        con.disconnect()
    done = layanan.filter(pl.col("status") == "SELESAI").sort("no_registrasi")
    changed = done.head(40).with_columns(tanggal_selesai=pl.col("tanggal_selesai") + timedelta(days=45))
    touched = set(zip(changed["kode_desa"], changed["tanggal_selesai"].dt.truncate("1mo")))
    touched |= set(zip(changed["kode_desa"], done.head(40)["tanggal_selesai"].dt.truncate("1mo")))

    # a desa × month the batch does not touch: plant a wrong figure there, the batch must leave it alone
    sla = stored.filter((pl.col("indicator") == "kepatuhan_standar_layanan") & (pl.col("dimensi") == ""))
    untouched = sla.filter(~pl.struct("kode_desa", "bulan").is_in(
        pl.DataFrame({"kode_desa": [k for k, _ in touched], "bulan": [m for _, m in touched]}).to_struct().implode()))
    planted = untouched.row(0, named=True)
    con = warehouse.connect(demo.warehouse)
    try:
        con.con.execute(f"UPDATE {engine.DESA_TABLE} SET numerator = -7 WHERE indicator = ? AND kode_desa = ? AND bulan = ?",
                        ["kepatuhan_standar_layanan", planted["kode_desa"], planted["bulan"]])
    finally:
        con.disconnect()

    result = ingest_records(demo, REGENCY, "layanan", _records(changed), submitted_by="test")
    assert result.counts.updated == 40

    after = _facts(demo, "kepatuhan_standar_layanan")
    kept = after.filter((pl.col("kode_wilayah") == planted["kode_desa"]) & (pl.col("bulan") == planted["bulan"]))
    assert kept["numerator"].to_list() == [-7]  # not recomputed: the batch did not touch it

    def desa_rows(settings):
        con = warehouse.connect(settings.warehouse)
        try:
            rows = con.table(engine.DESA_TABLE).filter(lambda t: t.indicator == "kepatuhan_standar_layanan").to_polars()
        finally:
            con.disconnect()
        return rows.sort("kode_desa", "bulan", "dimensi", "kategori")

    is_planted = (pl.col("kode_desa") == planted["kode_desa"]) & (pl.col("bulan") == planted["bulan"])
    incremental = desa_rows(demo).filter(~is_planted)
    con = warehouse.connect(demo.warehouse)
    try:
        engine.refresh(con)
    finally:
        con.disconnect()
    full = desa_rows(demo)
    assert incremental.equals(full.filter(~is_planted))  # every other desa × month as a full refresh has it
    assert full.filter(is_planted & (pl.col("dimensi") == ""))["numerator"].to_list() == [planted["numerator"]]
    # and the batch really moved the figures of the months it touched
    assert not sla.select("kode_desa", "bulan", "numerator", "denominator").sort("kode_desa", "bulan").equals(
        full.filter(pl.col("dimensi") == "").select("kode_desa", "bulan", "numerator", "denominator"))


def test_a_posyandu_batch_updates_figures_that_read_last_month_exactly_as_a_full_refresh(demo):
    """SKDN's N and 2T compare a child's weight with the months before: a weight corrected in one month moves the
    child's N of the next month and 2T of the two after, also when the child was weighed in another desa then."""
    watched = ("skdn_naik", "balita_2t")
    con = warehouse.connect(demo.warehouse)
    try:
        weighed = con.table("posyandu").drop("_batch").to_polars().sort("nik_anak", "tanggal_ukur", "id_pengukuran")
    finally:
        con.disconnect()
    weighed = weighed.with_columns(bulan=pl.col("tanggal_ukur").dt.truncate("1mo"))
    # children weighed in five months running, each month once
    runs = weighed.group_by("nik_anak", maintain_order=True).agg(pl.col("bulan"))
    runs = runs.filter((pl.col("bulan").list.len() >= 5) & (pl.col("bulan").list.n_unique() == pl.col("bulan").list.len())
                       & (pl.col("bulan").list.get(4, null_on_oob=True) == pl.col("bulan").list.get(0).dt.offset_by("4mo")))
    first, second = (weighed.filter(pl.col("nik_anak") == nik) for nik in runs["nik_anak"].head(2))

    def send(rows: pl.DataFrame) -> None:
        before = {i: _facts(demo, i) for i in watched}
        result = ingest_records(demo, REGENCY, "posyandu", _records(rows.drop("bulan")), submitted_by="test")
        assert result.counts.updated == len(rows)
        after = {i: _facts(demo, i) for i in watched}
        assert any(not before[i].equals(after[i]) for i in watched)  # the batch moved the figures
        con = warehouse.connect(demo.warehouse)
        try:
            engine.refresh(con, only=list(watched))
        finally:
            con.disconnect()
        for indicator in watched:  # and left them exactly where a full recount puts them
            assert after[indicator].equals(_facts(demo, indicator)), indicator

    # one weighing 1.5 kg too heavy: that month gains, the next one loses
    send(first.slice(1, 1).with_columns(berat_kg=pl.col("berat_kg") + 1.5))
    # the other child moves: weighed in another desa from its third month on ...
    elsewhere = weighed.filter(pl.col("kode_desa") != second["kode_desa"][0])["kode_desa"][0]
    moved = second.slice(2).with_columns(kode_desa=pl.lit(elsewhere))
    send(moved)
    # ... and its first weighing there is corrected: last month's weight is in the old desa, which the batch
    # does not touch
    send(moved.slice(0, 1).with_columns(berat_kg=pl.col("berat_kg") + 1.5))


def test_reverting_a_batch_brings_the_figures_back(demo):
    before = _facts(demo, "indeks_kepuasan_masyarakat")
    con = warehouse.connect(demo.warehouse)
    try:
        rated = con.table("layanan").drop("_batch").to_polars().filter(pl.col("nilai_kepuasan").is_not_null())
    finally:
        con.disconnect()
    worse = rated.sort("no_registrasi", descending=True).head(30).with_columns(nilai_kepuasan=pl.lit(1))
    result = ingest_records(demo, REGENCY, "layanan", _records(worse), submitted_by="test")
    assert not _facts(demo, "indeks_kepuasan_masyarakat").equals(before)
    revert(demo, result.batch, "test")
    assert _facts(demo, "indeks_kepuasan_masyarakat").equals(before)


def test_desa_numerators_add_up_to_kecamatan_and_regency_for_every_indicator(demo):
    con = warehouse.connect(demo.warehouse)
    try:
        facts = con.table(engine.FACT_TABLE).to_polars()
        raw = con.table(engine.DESA_TABLE).to_polars()
    finally:
        con.disconnect()
    assert set(facts["indicator"]) == set(engine.indicators())
    # quantiles (median days) are not sums: only their n (the denominator) adds up; checked below
    quantiles = [i.id for i in engine.indicators().values() if i.statistic == "quantile"]
    n_desa = facts.filter(pl.col("indicator").is_in(quantiles) & (pl.col("level") == "desa")).with_columns(
        kec=pl.col("kode_wilayah").str.slice(0, 8)).group_by("indicator", "kec", "bulan", "dimensi", "kategori").agg(
        pl.col("denominator").sum())
    n_kec = facts.filter(pl.col("indicator").is_in(quantiles) & (pl.col("level") == "kecamatan")).rename(
        {"kode_wilayah": "kec"}).join(n_desa, on=["indicator", "kec", "bulan", "dimensi", "kategori"], how="full",
                                      suffix="_desa")
    assert len(n_kec) > 0 and (n_kec["denominator"] == n_kec["denominator_desa"]).all()
    facts = facts.filter(~pl.col("indicator").is_in(quantiles))
    raw = raw.filter(~pl.col("indicator").is_in(quantiles))
    desa = facts.filter(pl.col("level") == "desa").with_columns(kec=pl.col("kode_wilayah").str.slice(0, 8))
    by_kec = desa.group_by("indicator", "kec", "bulan", "dimensi", "kategori").agg(pl.col("numerator", "denominator").sum())
    kec = facts.filter(pl.col("level") == "kecamatan").rename({"kode_wilayah": "kec"})
    joined = kec.join(by_kec, on=["indicator", "kec", "bulan", "dimensi", "kategori"], how="full", suffix="_desa")
    assert (joined["numerator"] == joined["numerator_desa"]).all()
    assert (joined["denominator"] == joined["denominator_desa"]).all()
    order = ["indicator", "bulan", "dimensi", "kategori"]
    regency = facts.filter(pl.col("level") == "kabupaten").sort(order)
    by_month = raw.group_by(order).agg(pl.col("numerator", "denominator").sum()).sort(order)
    assert regency.select(*order, "numerator", "denominator").equals(by_month)
    # a breakdown adds up to the total, at every level
    totals = facts.filter(pl.col("dimensi") == "").select("indicator", "level", "kode_wilayah", "bulan", "numerator")
    channels = (facts.filter(pl.col("dimensi") == "kanal").group_by("indicator", "level", "kode_wilayah", "bulan")
                .agg(pl.col("numerator").sum().alias("by_channel")))
    assert len(channels) > 100
    assert (channels.join(totals, on=["indicator", "level", "kode_wilayah", "bulan"])
            .filter(pl.col("by_channel") != pl.col("numerator")).is_empty())
    budget = facts.filter(pl.col("indicator") == "realisasi_belanja")
    assert set(budget["level"]) == {"kabupaten"}  # kept per agency: no desa, so regency only
    assert (budget["value"] > 0).all() and (budget["value"] <= 100).all()


# --- the API ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(demo_deployment):
    settings, _ = demo_deployment
    app = create_app(settings)
    kec = regions().children(REGENCY)[3].code
    for name, role, scope in (("ind-admin", Role.ADMIN, REGENCY), ("ind-camat", Role.KECAMATAN, kec)):
        if name not in {u.username for u in store.list_users(app.state.engine)}:
            store.add_user(app.state.engine, name, role, scope, REGENCY, password="indicator-pass-1")
    return app, kec


def _client(app, username: str) -> TestClient:
    """Signed in with a session of `username` (the login form itself is tested in test_access)."""
    client = TestClient(app)
    cookie, _ = store.open_session(app.state.engine, store.authenticate(app.state.engine, username, "indicator-pass-1"))
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def test_api_lists_indicators_with_their_metadata(api):
    app, _ = api
    with _client(app, "ind-admin") as client:
        listed = {i["id"]: i for i in client.get("/api/v1/indicators").json()}
    sla = listed["kepatuhan_standar_layanan"]
    assert sla["unit"] == "%" and sla["thresholds"] == [90.0, 80.0] and sla["higher_is_better"] is True
    assert {"definisi", "rumus", "sumber", "frekuensi"} <= set(sla["metadata"])
    assert "cakupan_bansos_desil_1_4" in listed and "realisasi_belanja" in listed


def test_api_lists_the_national_survey_estimates_beside_each_indicator(api):
    app, _ = api
    with _client(app, "ind-admin") as client:
        listed = {i["id"]: i for i in client.get("/api/v1/indicators").json()}
    surveys = {(s["survei"], s["tahun"]): s for s in listed["prevalensi_stunting"]["survei"]}
    ssgi = surveys[("SSGI", 2022)]
    assert ssgi["wilayah"] == REGENCY and ssgi["nilai"] == 27.6 and ssgi["n"] == 636 and "Kemenkes" in ssgi["sumber"]
    assert surveys[("SKI", 2023)]["nilai"] == 14.4 and surveys[("SKI", 2023)]["n"] is None
    assert [s["tahun"] for s in listed["prevalensi_stunting"]["survei"]] == [2023, 2022]  # newest first
    assert listed["kepatuhan_standar_layanan"]["survei"] == []


def test_api_filters_pages_and_keeps_numerator_and_denominator_consistent(api):
    app, _ = api
    with _client(app, "ind-admin") as client:
        kec = client.get("/api/v1/indicators/kepatuhan_standar_layanan",
                         params={"region": REGENCY, "level": "kecamatan", "period": "2026-04:2026-06"}).json()
        assert {r["level"] for r in kec["rows"]} == {"kecamatan"}
        assert {r["bulan"] for r in kec["rows"]} == {"2026-04", "2026-05", "2026-06"}
        first = kec["rows"][0]
        desa = client.get("/api/v1/indicators/kepatuhan_standar_layanan",
                          params={"region": first["kode_wilayah"], "level": "desa", "period": first["bulan"]}).json()
        assert desa["rows"] and all(r["kode_wilayah"].startswith(first["kode_wilayah"] + ".") for r in desa["rows"])
        assert sum(r["numerator"] for r in desa["rows"]) == first["numerator"]
        assert sum(r["denominator"] for r in desa["rows"]) == first["denominator"]
        assert first["value"] == pytest.approx(100 * first["numerator"] / first["denominator"])

        every = client.get("/api/v1/indicators/kepatuhan_standar_layanan", params={"level": "desa"}).json()
        page = client.get("/api/v1/indicators/kepatuhan_standar_layanan",
                          params={"level": "desa", "limit": 10, "offset": 20}).json()
        assert page["total"] == every["total"] > 30
        assert page["rows"] == every["rows"][20:30]


def test_api_breaks_an_indicator_down_by_its_disaggregation(api):
    app, _ = api
    with _client(app, "ind-admin") as client:
        params = {"level": "kecamatan", "period": "2026-06"}
        total = client.get("/api/v1/indicators/pengaduan_ditindaklanjuti", params=params).json()
        by = client.get("/api/v1/indicators/pengaduan_ditindaklanjuti", params={**params, "by": "kanal"}).json()
    assert by["by"] == "kanal" and total["by"] is None
    assert {r["kategori"] for r in by["rows"]} <= {"LAPOR!", "WA", "LANGSUNG"} and total["rows"][0]["kategori"] is None
    for row in total["rows"]:
        parts = [r for r in by["rows"] if r["kode_wilayah"] == row["kode_wilayah"]]
        assert sum(r["numerator"] for r in parts) == row["numerator"]
        assert sum(r["denominator"] for r in parts) == row["denominator"]


def test_api_csv_has_every_row_with_numerator_and_denominator(api):
    app, _ = api
    with _client(app, "ind-admin") as client:
        params = {"level": "kecamatan", "period": "2026-01:2026-10"}
        as_json = client.get("/api/v1/indicators/kepatuhan_standar_layanan", params=params).json()
        response = client.get("/api/v1/indicators/kepatuhan_standar_layanan", params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == as_json["total"]
    assert [float(r["numerator"]) for r in rows] == [r["numerator"] for r in as_json["rows"]]
    assert rows[0]["nama_wilayah"] == as_json["rows"][0]["nama_wilayah"]


@pytest.mark.parametrize("path, params, status, field", [
    ("nope", {}, 404, "indicator"),
    ("kepatuhan_standar_layanan", {"period": "2026-10:2026-01"}, 400, "period"),
    ("kepatuhan_standar_layanan", {"region": "35.10"}, 404, "region"),
    ("kepatuhan_standar_layanan", {"region": "32.11.01", "level": "kabupaten"}, 400, "level"),
    ("realisasi_belanja", {"by": "kanal"}, 400, "by"),
])
def test_api_parameters_that_do_not_fit_the_deployment_get_a_clear_4xx_naming_the_field(api, path, params, status,
                                                                                         field):
    app, _ = api
    with _client(app, "ind-admin") as client:
        response = client.get(f"/api/v1/indicators/{path}", params=params)
    assert response.status_code == status
    assert response.json()["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize("params, field", [
    ({"period": "2026-13"}, "period"), ({"period": "Oktober"}, "period"),
    ({"region": "32.11' OR 1=1 --"}, "region"), ({"level": "rt"}, "level"), ({"format": "xml"}, "format"),
    ({"limit": 0}, "limit"),
])
def test_api_malformed_parameters_get_422_naming_the_parameter(api, params, field):
    app, _ = api
    with _client(app, "ind-admin") as client:
        response = client.get("/api/v1/indicators/kepatuhan_standar_layanan", params=params)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_the_cli_answers_malformed_input_with_its_own_messages(fresh):
    """The CLI shares the engine's checks, in Bahasa Indonesia with English."""
    con = warehouse.connect(fresh.warehouse)
    try:
        for args, field in ((("kepatuhan_standar_layanan", None, None, "2026-13"), "period"),
                            (("kepatuhan_standar_layanan", "32.11; DROP", None, None), "region"),
                            (("kepatuhan_standar_layanan", None, "rt", None), "level")):
            with pytest.raises(engine.QueryError) as raised:
                engine.check_query(con, *args)
            assert raised.value.field == field and "tidak" in str(raised.value)
    finally:
        con.disconnect()


def test_a_kecamatan_officer_sees_only_facts_inside_the_kecamatan(api):
    app, kec = api
    other = regions().children(REGENCY)[0].code
    with _client(app, "ind-camat") as client:
        own = client.get("/api/v1/indicators/kepatuhan_standar_layanan", params={"level": "desa"}).json()
        assert own["region"] == kec and own["rows"]
        assert all(r["kode_wilayah"].startswith(kec + ".") for r in own["rows"])
        for params in ({"region": other}, {"region": REGENCY}):
            response = client.get("/api/v1/indicators/kepatuhan_standar_layanan", params=params)
            assert response.status_code == 403 and response.json()["detail"].startswith("region: ")
        assert client.get("/api/v1/indicators/kepatuhan_standar_layanan",
                          params={"region": kec, "level": "kecamatan"}).json()["total"] > 0


def test_the_public_gets_no_indicator_facts(api):
    app, _ = api
    with TestClient(app) as client:
        assert client.get("/api/v1/indicators").status_code == 401
        assert client.get("/api/v1/indicators/kepatuhan_standar_layanan").status_code == 401


# --- the CLI ----------------------------------------------------------------------------------------------


def test_cli_refresh_and_export_to_xlsx(demo, tmp_path):
    from openpyxl import load_workbook

    env = {k: v for k, v in os.environ.items() if not k.startswith("MADANGAN_")}
    env.update(MADANGAN_DATA_DIR=str(demo.data_dir), MADANGAN_CONFIG=str(tmp_path / "none.toml"))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "madangan", *args], capture_output=True, text=True, env=env,
                              timeout=300)

    refreshed = run("refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert f"{len(engine.indicators())} indikator dihitung ulang" in refreshed.stdout
    out = tmp_path / "sla.xlsx"
    exported = run("indicators", "kepatuhan_standar_layanan", "--level", "kecamatan", "--period", "2026-10", "--export", str(out))
    assert exported.returncode == 0, exported.stderr
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("indicator", "kode_wilayah", "nama_wilayah", "level")
    assert len(rows) > 5 and all(r[3] == "kecamatan" and r[4] == "2026-10" for r in rows[1:])
    bad = run("indicators", "kepatuhan_standar_layanan", "--period", "Oktober")
    assert bad.returncode == 2 and "--period" in bad.stderr and "Traceback" not in bad.stderr


def test_an_indicator_reading_earlier_months_must_name_its_unit():
    """`lookback` without `entity` (or the other way round) is a declaration error, said when the sector loads."""
    common = dict(sector="t", title={"id": "T"}, compute=lambda t: t, sources=("posyandu",))
    with pytest.raises(ValueError, match="entity and lookback"):
        Indicator("tanpa_unit", lookback=1, **common)
    with pytest.raises(ValueError, match="entity and lookback"):
        Indicator("tanpa_bulan", entity="nik_anak", **common)
    assert Indicator("lengkap", entity="nik_anak", lookback=2, **common).lookback == 2
