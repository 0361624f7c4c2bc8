"""Public portal and open data (issue 11): what a citizen and a harvester get, and what they never get."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import stat
import threading
import time

import ckanapi
import openpyxl
import polars as pl
import pytest
import uvicorn
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from madangan import warehouse
from madangan.access.disclosure import MIN_CELL, suppress
from madangan.errors import UserError
from madangan.indicators.engine import indicators
from madangan.opendata import feedback
from madangan.opendata.publish import load, publish
from madangan.web.app import create_app

NIK_SHAPED = re.compile(r"(?<![\d.])\d{16}(?!\d)")


# ------------------------------------------------------------------------------------------- suppression


def test_counts_of_one_to_four_people_and_rates_on_them_are_blanked():
    frame = pl.DataFrame({"wilayah": ["a", "b", "c", "d", "e", "f"],
                          "numerator": [0, 3, 10, 48, 4, 0], "denominator": [0, 50, 12, 50, 200, 6],
                          "value": [None, 6.0, 83.3, 96.0, 2.0, 0.0]})
    out = suppress(frame, "counts")
    shown = {r["wilayah"]: r for r in out.iter_rows(named=True)}
    # a: nobody at all — nothing to hide; f: 0 of 6 reveals no one
    assert shown["a"]["disensor"] is False and shown["f"]["value"] == 0.0
    # b: 3 people in the numerator; c: 12 − 10 = 2 people left out; d: 50 − 48 = 2; e: 4 people
    for name in "bcde":
        assert shown[name]["disensor"] is True
        assert (shown[name]["numerator"], shown[name]["denominator"], shown[name]["value"]) == (None, None, None)
    assert out["wilayah"].to_list() == frame["wilayah"].to_list()  # rows stay; only the figures go


def test_only_the_denominator_counts_people_for_a_score_and_money_is_never_blanked():
    frame = pl.DataFrame({"numerator": [300.0, 75.0], "denominator": [4, 40], "value": [75.0, 1.9]})
    score = suppress(frame, "denominator")
    assert score["value"].to_list() == [None, 1.9] and score["disensor"].to_list() == [True, False]
    money = suppress(pl.DataFrame({"numerator": [3], "denominator": [2], "value": [150.0]}), "none")
    assert money["value"].to_list() == [150.0] and money["disensor"].to_list() == [False]
    with pytest.raises(ValueError, match="unknown disclosure kind"):
        suppress(frame, "sometimes")


def test_the_public_indicators_are_the_ones_issue_11_names():
    public = {i.id for i in indicators().values() if i.public}
    assert public == {"prevalensi_stunting", "cakupan_bansos_desil_1_4", "kepatuhan_standar_layanan",
                      "pengaduan_ditindaklanjuti", "indeks_kepuasan_masyarakat", "realisasi_belanja",
                      "realisasi_anggaran_kas", "median_hari_penyelesaian", "p90_hari_penyelesaian",
                      "tunggakan_layanan", "pengaduan_melewati_batas"}
    assert not indicators()["ketepatan_sasaran_bansos"].public  # default: not public


# ------------------------------------------------------------------------------------------- publications


@pytest.fixture(scope="module")
def deployment(demo_deployment):
    settings, result = demo_deployment
    app = create_app(settings)
    return settings, app, result.region


def test_the_demo_publishes_and_stunting_facts_leave_no_small_cell(deployment):
    settings, app, _ = deployment
    p = load(settings, app.state.engine)
    assert p is not None
    names = {d["name"] for d in p.manifest["datasets"]}
    assert {"prevalensi-stunting", "apbd-belanja-dan-pendapatan", "kinerja-layanan-publik",
            "skor-kualitas-data-desa"} <= names
    stunting = p.resource("prevalensi-stunting", "data")
    shown = stunting.filter(~pl.col("disensor"))
    for column in ("pembilang", "penyebut"):
        assert shown.filter((pl.col(column) > 0) & (pl.col(column) < MIN_CELL)).is_empty()
    assert shown.filter(((pl.col("penyebut") - pl.col("pembilang")) > 0)
                        & ((pl.col("penyebut") - pl.col("pembilang")) < MIN_CELL)).is_empty()
    hidden = stunting.filter(pl.col("disensor"))
    assert hidden.height > 0 and hidden["nilai"].null_count() == hidden.height  # a 20,000-person regency has small desa
    kabupaten = stunting.filter(pl.col("tingkat") == "kabupaten")
    assert kabupaten["nilai"].null_count() == 0  # the regency's own figure is never small


def test_a_publication_stays_as_published_when_the_data_moves_on(deployment):
    settings, app, region = deployment
    engine = app.state.engine
    first = publish(settings, engine, region.code, region.name, label="uji-sebelum")
    before = load(settings, engine, first.id).resource("apbd-belanja-dan-pendapatan", "belanja_per_program")
    con = warehouse.connect(settings.warehouse)  # the budget changes (straight in its history table)
    try:
        con.con.execute("UPDATE anggaran__history SET pagu = pagu * 2 WHERE _valid_to IS NULL")
    finally:
        con.disconnect()
    try:
        second = publish(settings, engine, region.code, region.name, label="uji-sesudah")
    finally:
        con = warehouse.connect(settings.warehouse)
        con.con.execute("UPDATE anggaran__history SET pagu = pagu // 2 WHERE _valid_to IS NULL")
        con.disconnect()
    after = load(settings, engine, second.id).resource("apbd-belanja-dan-pendapatan", "belanja_per_program")
    assert after["pagu"].sum() == 2 * before["pagu"].sum()
    again = load(settings, engine, first.id).resource("apbd-belanja-dan-pendapatan", "belanja_per_program")
    assert again.equals(before)
    with pytest.raises(UserError, match="sudah dipakai"):
        publish(settings, engine, region.code, region.name, label="uji-sebelum")
    # the files are read-only, and an edit behind our back is refused rather than served
    path = load(settings, engine, first.id).path / "apbd-belanja-dan-pendapatan__pendapatan.parquet"
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    original = path.read_bytes()
    path.chmod(0o644)
    try:
        path.write_bytes(original[:-8] + b"tampered")
        with pytest.raises(UserError, match="tidak cocok"):
            load(settings, engine, first.id).resource("apbd-belanja-dan-pendapatan", "pendapatan")
    finally:
        path.write_bytes(original)
        path.chmod(0o444)


def test_village_budgets_reach_the_portal_down_to_desa_and_each_quarter_stays_as_published(deployment):
    from madangan.ingest.pipeline import ingest_records

    settings, app, region = deployment
    engine = app.state.engine
    third = publish(settings, engine, region.code, region.name, label="uji-apbdes-T3")
    lines = load(settings, engine, third.id).resource("apbdes-desa", "apbdes_rincian")
    desa = lines["kode_desa"][0]
    mine = lines.filter(pl.col("kode_desa") == desa)
    road = mine.filter(pl.col("kode_rekening") == "5.2").row(0, named=True)
    # the fourth quarter's report: the same lines, more realized (through ingest, as a village would send it)
    records = [{**r, "realisasi": r["anggaran"], "tanggal_laporan": "2026-12-31"} for r in
               mine.select("tahun", "kode_desa", "jenis", "kode_rekening", "uraian", "anggaran", "realisasi").to_dicts()]
    assert ingest_records(settings, region.code, "apbdes", records, submitted_by="test").counts.updated == len(records)
    fourth = publish(settings, engine, region.code, region.name, label="uji-apbdes-T4")
    with TestClient(app) as client:
        listing = client.get("/publik/desa", params={"kecamatan": desa.rsplit(".", 1)[0]})
        assert listing.status_code == 200 and 'id="village-table"' in listing.text
        assert f"/publik/desa?desa={desa}" in listing.text
        old = client.get("/publik/desa", params={"desa": desa, "terbitan": third.id}).text
        new = client.get("/publik/desa", params={"desa": desa, "terbitan": fourth.id}).text
        assert "Pelaksanaan Pembangunan Desa" in old and "2026-12-31" in new and "2026-12-31" not in old
        full = 100 * road["anggaran"] / road["anggaran"]
        assert f"{full:.1f}".replace(".", ",") in new
        assert client.get("/publik/desa", params={"desa": "32.11.99.9999"}).status_code == 404
        assert client.get("/publik/desa", params={"kecamatan": "<script>"}).status_code == 404
    again = load(settings, engine, third.id).resource("apbdes-desa", "apbdes_rincian")
    assert again.equals(lines)  # the third quarter stays as it was published
    assert load(settings, engine, fourth.id).resource("apbdes-desa", "apbdes_rincian").filter(
        pl.col("kode_desa") == desa)["persen_realisasi"].to_list() == [100.0] * len(records)


def test_services_and_budget_pages_show_quantiles_grades_absorption_and_stunting_spending(deployment):
    _, app, _ = deployment
    with TestClient(app) as client:
        services = client.get("/publik/layanan").text
        budget = client.get("/publik/anggaran").text
    for text in ("Median hari kerja", "Masih diproses", "Masih terbuka &gt; 60 hari", 'id="ikm-regency"', "PermenPANRB 14/2017"):
        assert text in services, text
    assert re.search(r"<td[^>]*>[ABCD] · (Sangat Baik|Baik|Kurang Baik|Tidak Baik)</td>", services)
    for text in ('id="budget-absorption"', "Rencana kas (%)", "Linear (%)", 'id="kecamatan-table"',
                 "Prevalensi stunting (%)", "Tahun anggaran 2026"):
        assert text in budget, text


def test_complaints_past_60_days_per_agency_are_the_indicators_open_backlog_of_the_latest_month(deployment):
    """The portal's "still open > 60 days" per agency counts what pengaduan_melewati_batas counts for the latest
    month (Perpres 76/2013): complaints open on the latest date, received more than 60 days before."""
    from madangan.indicators.engine import FACT_TABLE

    settings, app, _ = deployment
    per_opd = load(settings, app.state.engine).resource("pengaduan-masyarakat", "pengaduan_per_opd")
    con = warehouse.connect(settings.warehouse)
    try:
        facts = con.table(FACT_TABLE).filter(lambda t: (t.indicator == "pengaduan_melewati_batas")
                                             & (t.level == "kabupaten")).to_polars()
    finally:
        con.disconnect()
    latest = facts["bulan"].max()
    month = facts.filter(pl.col("bulan") == latest)
    by_opd = {r["kategori"]: (r["numerator"], r["denominator"])
              for r in month.filter(pl.col("dimensi") == "opd_tujuan").iter_rows(named=True)}
    shown = per_opd.filter(~pl.col("disensor"))
    assert shown.height > 0 and shown["melewati_batas"].sum() > 0
    for r in shown.iter_rows(named=True):
        # an agency with nothing open that month has no fact row: 0 of 0
        assert (r["melewati_batas"], r["terbuka"]) == by_opd.get(r["opd_tujuan"], (0, 0)), r["opd_tujuan"]
    assert per_opd["posisi"].max().strftime("%Y-%m") == latest.strftime("%Y-%m")
    regency = month.filter(pl.col("dimensi") == "").row(0, named=True)
    if per_opd["disensor"].sum() == 0:
        assert per_opd["melewati_batas"].sum() == regency["numerator"]
    with TestClient(app) as client:
        page = client.get("/publik/layanan").text
        english = client.get("/publik/layanan?lang=en").text
    on = per_opd["posisi"].max().isoformat()
    assert f"Masih terbuka &gt; 60 hari (posisi {on})" in page and f"Still open &gt; 60 days (as of {on})" in english
    table = page[page.index('id="complaints-table"'):]
    first = shown.row(0, named=True)
    assert re.search(rf"<td>{re.escape(first['opd_tujuan'])}</td>(<td[^>]*>[^<]*</td>){{2}}"
                     rf"<td class=\"num\">{first['melewati_batas']:,}</td>".replace(",", "."), table)


# ------------------------------------------------------------------------------------------- CKAN


@pytest.fixture(scope="module")
def server(deployment):
    _, app, _ = deployment
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
def test_ckanapi_reads_the_catalog_like_any_ckan_portal(server, get_only):
    with ckanapi.RemoteCKAN(server, get_only=get_only) as ckan:
        assert ckan.action.status_show()["ckan_version"].startswith("2.")
        names = ckan.action.package_list()
        assert "prevalensi-stunting" in names and names == sorted(names)
        stunting = ckan.action.package_show(id="prevalensi-stunting")
        assert stunting["organization"]["title"] == "Dinas Kesehatan"
        extras = {e["key"]: e["value"] for e in stunting["extras"]}
        assert extras["produsen_data"] == "Dinas Kesehatan" and "Walidata" in extras["walidata"]
        assert stunting["frekuensi"] and "−2 SD" in stunting["definisi"] and stunting["satuan"] == "%"
        assert stunting["rumus"]

        found = ckan.call_action("package_search", {"q": "stunting", "facet.field": '["organization", "tags"]'})
        assert [p["name"] for p in found["results"]] == ["prevalensi-stunting"]
        assert found["facets"]["organization"] == {"dinas-kesehatan": 1}
        budget = ckan.call_action("package_search", {"fq": "organization:bpkad", "rows": 1000})
        assert budget["count"] == 3 and all(p["organization"]["name"] == "bpkad" for p in budget["results"])
        paged = ckan.call_action("package_search", {"rows": 2, "start": 2})
        assert paged["count"] == len(names) and len(paged["results"]) == 2
        assert ckan.call_action("package_search", {"rows": 5000})["count"] == len(names)  # capped, not refused
        recent = ckan.call_action("package_search", {"fq": "metadata_modified:[2020-01-01T00:00:00Z TO NOW]"})
        assert recent["count"] == len(names)
        assert ckan.call_action("package_search", {"fq": "res_format:CSV tags:apbd"})["count"] == 1

        orgs = ckan.action.organization_list(all_fields=True)
        assert {o["name"]: o["package_count"] for o in orgs}["dinas-kesehatan"] == 1
        assert ckan.action.organization_show(id="bpkad")["title"] == "BPKAD"
        assert "apbd" in ckan.action.tag_list()

        resource = stunting["resources"][0]
        assert ckan.action.resource_show(id=resource["id"])["url"] == resource["url"]
        kecamatan = ckan.call_action("datastore_search", {"resource_id": resource["id"], "limit": 5,
                                                          "filters": json.dumps({"tingkat": "kecamatan"})})
        assert kecamatan["total"] >= 26 and len(kecamatan["records"]) == 5
        assert {r["tingkat"] for r in kecamatan["records"]} == {"kecamatan"}
        assert {"id": "nilai", "type": "numeric"} in kecamatan["fields"]

        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="tidak-ada")
        with pytest.raises(ckanapi.ValidationError):
            ckan.call_action("package_search", {"rows": -1})
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.call_action("package_search", {"fq": "nik:3211"})


def test_an_older_publication_stays_reachable_through_the_api(deployment):
    _, app, _ = deployment
    with TestClient(app) as client:
        demo = client.get("/api/3/action/package_show", params={"id": "realisasi-belanja", "terbitan": 1}).json()
        assert demo["success"] and demo["result"]["version"] == "demo"
        missing = client.get("/api/3/action/package_list", params={"terbitan": 999})
        assert missing.status_code == 404 and missing.json()["success"] is False


# ------------------------------------------------------------------------------------------- DCAT, downloads


def test_the_dcat_catalog_parses_and_every_distribution_downloads(deployment):
    _, app, _ = deployment
    with TestClient(app) as client:
        names = client.get("/api/3/action/package_list").json()["result"]
        g = Graph().parse(data=client.get("/catalog.jsonld").text, format="json-ld")
        datasets = set(g.subjects(RDF.type, DCAT.Dataset))
        assert len(datasets) == len(names)
        for ds in datasets:
            creator = g.value(ds, DCTERMS.creator)
            assert g.value(creator, FOAF.name) is not None  # produsen data
            assert g.value(ds, DCTERMS.title) is not None
        urls = {str(u) for u in g.objects(None, DCAT.downloadURL)}
        assert urls and all(u.endswith((".csv", ".json")) for u in urls)
        Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
        for url in sorted(urls):
            response = client.get(url)
            assert response.status_code == 200, url
            assert not NIK_SHAPED.search(response.text), f"{url} carries a 16-digit number"


def test_downloads_neutralise_spreadsheet_formulas(deployment):
    settings, app, region = deployment
    engine = app.state.engine
    formula = '=HYPERLINK("http://x.invalid","klik")'
    con = warehouse.connect(settings.warehouse)
    try:
        (original,) = con.con.execute("SELECT min(program) FROM anggaran").fetchone()
        con.con.execute("UPDATE anggaran__history SET program = ? WHERE program = ?", [formula, original])
        number = publish(settings, engine, region.code, region.name, label="uji-formula").id
    finally:
        con.con.execute("UPDATE anggaran__history SET program = ? WHERE program = ?", [original, formula])
        con.disconnect()
    with TestClient(app) as client:
        package = client.get("/api/3/action/package_show",
                             params={"id": "apbd-belanja-dan-pendapatan", "terbitan": number}).json()["result"]
        rid = next(r["id"] for r in package["resources"] if r["name"] == "belanja_per_program")
        text = client.get(f"/publik/data/{rid}.csv").text
        programs = [row["program"] for row in csv.DictReader(io.StringIO(text))]
        assert "'=HYPERLINK(\"http://x.invalid\",\"klik\")" in programs
        assert not any(p.startswith("=") for p in programs)
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/publik/data/{rid}.xlsx").content))
        header = [c.value for c in book.active[1]]
        cells = [row[header.index("program")] for row in book.active.iter_rows(values_only=True)]
        assert "'=HYPERLINK(\"http://x.invalid\",\"klik\")" in cells
        assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
        records = client.get(f"/publik/data/{rid}.json").json()
        assert len(records) == len(programs)
        assert client.get(f"/publik/data/{rid}.exe").status_code == 404


# ------------------------------------------------------------------------------------------- feedback


def _form(client, path: str) -> dict:
    page = client.get(path).text
    kind = re.search(r'name="jenis" value="([^"]+)"', page).group(1)
    target = re.search(r'<option value="([^"]+)"', page).group(1)
    return {"jenis": kind, "tentang": target.replace("&amp;", "&")}


def test_feedback_is_checked_queued_moderated_and_shown_escaped(deployment):
    _, app, _ = deployment
    engine = app.state.engine
    app.state.feedback_limiter = None
    waiting = len(feedback.listing(engine, "menunggu"))
    with TestClient(app, follow_redirects=False) as client:
        form = _form(client, "/publik/anggaran")
        too_long = client.post("/publik/tanggapan", data={**form, "isi": "x" * 1001})
        assert too_long.status_code == 400 and "terlalu panjang" in too_long.text and "1001" in too_long.text
        personal = client.post("/publik/tanggapan", data={**form, "isi": "Bantuan untuk NIK 3211014107900001 belum cair"})
        assert personal.status_code == 400 and "data pribadi" in personal.text
        stranger = client.post("/publik/tanggapan", data={**form, "tentang": "Dinas Fiktif / Program Rahasia", "isi": "cukup panjang"})
        assert stranger.status_code == 400 and "daftar" in stranger.text
        assert len(feedback.listing(engine, "menunggu")) == waiting  # nothing half-stored
        sent = client.post("/publik/tanggapan", data={**form, "isi": "<script>alert('x')</script> jalan rusak"})
        assert sent.status_code == 303 and sent.headers["location"] == "/publik/anggaran?pesan=terkirim"
        assert "<script>alert" not in client.get("/publik/anggaran").text  # waits for the moderator
        row = feedback.listing(engine, "menunggu")[0]
        assert row.message.startswith("<script>")
        feedback.moderate(engine, row.id, "disetujui", "moderator")
        page = client.get("/publik/anggaran").text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; jalan rusak" in page and "<script>alert" not in page
        with pytest.raises(UserError, match="tidak dikenal"):
            feedback.moderate(engine, row.id, "dihapus", "moderator")


def test_staff_moderate_on_a_page_with_csrf_a_rejection_needs_a_reason_and_every_decision_is_audited(
        deployment, demo_passwords):
    from conftest import login

    from madangan.access import store
    from madangan.access.web import SESSION_COOKIE

    _, app, _ = deployment
    engine = app.state.engine
    app.state.feedback_limiter = None
    with TestClient(app, follow_redirects=False) as client:
        form = _form(client, "/publik/layanan")
        for text in ("Antrean KTP terlalu lama di kecamatan", "Petugas loket ramah dan cepat"):
            assert client.post("/publik/tanggapan", data={**form, "isi": text}).status_code == 303
        waiting = {r.message: r for r in feedback.listing(engine, "menunggu")}
        first, second = waiting["Antrean KTP terlalu lama di kecamatan"], waiting["Petugas loket ramah dan cepat"]
        assert client.get("/moderasi").status_code == 303  # the public is sent to the login form
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, login(client, "bupati", demo_passwords["bupati"]).cookies[SESSION_COOKIE])
        assert client.get("/moderasi").status_code == 403  # an executive is not a moderator
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, login(client, "admin", demo_passwords["admin"]).cookies[SESSION_COOKIE])
        page = client.get("/moderasi")
        assert page.status_code == 200 and f'id="tanggapan-{first.id}"' in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        assert client.post(f"/moderasi/{first.id}", data={"keputusan": "disetujui"}).status_code == 403  # no token
        assert {r.id for r in feedback.listing(engine, "menunggu")} >= {first.id, second.id}
        no_reason = client.post(f"/moderasi/{second.id}", data={"keputusan": "ditolak", "csrf_token": csrf})
        assert no_reason.status_code == 400 and "alasan" in no_reason.text
        assert second.id in {r.id for r in feedback.listing(engine, "menunggu")}  # nothing half-applied
        ok = client.post(f"/moderasi/{second.id}", data={"keputusan": "ditolak", "alasan": "Menyebut nama petugas",
                                                          "csrf_token": csrf})
        assert ok.status_code == 303 and ok.headers["location"].startswith("/moderasi?pesan=")
        approved = client.post(f"/moderasi/{first.id}", data={"keputusan": "disetujui", "csrf_token": csrf})
        assert approved.status_code == 303
        unknown = client.post("/moderasi/999999999", data={"keputusan": "disetujui", "csrf_token": csrf})
        assert unknown.status_code == 400 and "tidak ada" in unknown.text
    assert {r.id for r in feedback.listing(engine, "ditolak")} >= {second.id}
    assert "Antrean KTP terlalu lama" in TestClient(app).get("/publik/layanan").text
    entries = [e for e in store.audit_entries(engine) if e.action == "feedback.moderasi"]
    mine = {e.target: e for e in entries}
    assert mine[f"tanggapan:{second.id}"].reason == "Menyebut nama petugas"
    assert mine[f"tanggapan:{second.id}"].actor == "admin" and "menunggu → ditolak" in mine[f"tanggapan:{second.id}"].detail
    assert f"tanggapan:{first.id}" in mine


def test_a_flood_of_feedback_from_one_address_is_refused(deployment):
    _, app, _ = deployment
    app.state.feedback_limiter = None
    with TestClient(app, follow_redirects=False) as client:
        form = _form(client, "/publik/layanan")
        statuses = [client.post("/publik/tanggapan", data={**form, "isi": f"antrean lama sekali {n}"}).status_code
                    for n in range(7)]
    assert statuses[:5] == [303] * 5 and statuses[5:] == [429, 429]
    app.state.feedback_limiter = None


# ------------------------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    from test_browser import CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.browser
def test_a_citizen_reads_the_budget_and_services_pages_without_logging_in(server, browser, deployment, tmp_path):
    deployment[1].state.feedback_limiter = None
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors, outside = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + "/publik/anggaran")
    assert page.url == server + "/publik/anggaran"  # no login
    assert page.locator("#budget-pagu").inner_text().startswith("Rp ")
    assert re.fullmatch(r"\d{1,3},\d%", page.locator("#budget-pct").inner_text())
    page.wait_for_selector("#budget-treemap canvas")
    page.wait_for_selector("#budget-curve canvas")
    assert page.locator("#budget-table tbody tr").count() >= 10
    page.screenshot(path=str(tmp_path / "anggaran.png"), full_page=True)

    page.select_option("select[name=tentang]", index=1)
    page.fill("textarea[name=isi]", "Mohon rincian belanja jalan desa dipublikasikan per triwulan.")
    page.click(".portal-feedback button[type=submit]")
    page.wait_for_selector("#feedback-ok")
    assert "moderator" in page.locator("#feedback-ok").inner_text()

    page.goto(server + "/publik/layanan?lang=en")
    assert page.locator("h1").inner_text() == "Public Services"
    rows = page.locator("#services-table tbody tr")
    assert rows.count() >= 5
    assert "—" in page.locator("#services-table").inner_text()  # small services are suppressed, visibly
    assert page.locator("#complaints-table tbody tr").count() >= 5
    page.fill("textarea[name=isi]", "x" * 1000 + "y")  # maxlength stops the browser; the server says why as well
    assert len(page.locator("textarea[name=isi]").input_value()) == 1000
    page.screenshot(path=str(tmp_path / "layanan.png"), full_page=True)
    import shutil

    shutil.copy(tmp_path / "anggaran.png", "/tmp/portal-anggaran.png")
    shutil.copy(tmp_path / "layanan.png", "/tmp/portal-layanan.png")
    assert errors == [] and outside == []
    page.close()


def test_a_regency_without_data_yet_publishes_an_empty_catalog_and_its_portal_still_opens(tmp_path):
    from madangan import deploy
    from madangan.config import Settings

    settings = Settings(data_dir=tmp_path / "kosong")
    engine, region = deploy.init(settings, "11.71")
    publish(settings, engine, region.code, region.name, label="2026-T1")
    app = create_app(settings)
    with TestClient(app) as client:
        for path in ("/publik", "/publik/anggaran", "/publik/layanan", "/publik/indikator"):
            assert client.get(path).status_code == 200, path
        links = re.findall(r'href="(/publik/data/[^"]+)"', client.get("/publik").text)
        public = sum(1 for i in indicators().values() if i.public)
        # one resource per public indicator; APBD 5 (program, month, OPD absorption, kecamatan, revenue);
        # APBDes 2 (per desa, per line); services, complaints, data quality 1 each — CSV, XLSX and JSON of each
        assert len(links) == 3 * (public + 5 + 2 + 3) and all(client.get(link).status_code == 200 for link in links)
        names = client.get("/api/3/action/package_list").json()["result"]
        assert "apbd-belanja-dan-pendapatan" in names
        rid = client.get("/api/3/action/package_show", params={"id": "prevalensi-stunting"}).json()["result"]["resources"][0]["id"]
        empty = client.get("/api/3/action/datastore_search", params={"resource_id": rid}).json()["result"]
        assert empty["total"] == 0 and empty["records"] == []


def test_the_portal_migration_goes_down_and_up_again(postgres_url):
    from importlib import resources as res

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from madangan.appdb import make_engine, migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(res.files("madangan.appdb") / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006_spbe")
    assert not {"publication", "public_feedback"} & set(sa.inspect(engine).get_table_names())
    migrate(engine)
    assert {"publication", "public_feedback"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()
