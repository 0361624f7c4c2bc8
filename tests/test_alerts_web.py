"""Alerts on the web: pages with CSRF-protected actions, evidence only for roles allowed, the API, and the live feed
(server-sent events) seen by a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

import re
import socket
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn
from conftest import login
from fastapi.testclient import TestClient

from madangan import deploy
from madangan.access import Role, mask
from madangan.access import store as access_store
from madangan.config import Settings
from madangan.ingest.pipeline import ingest_records
from madangan.web.app import create_app

DESA = "32.11.01.2001"
MOTHER = "3211015506900001"
PASSWORD = "alerts-password-1"
ACCOUNTS = {  # username: role, scope, sectors
    "admin": (Role.ADMIN, "32.11", ()), "bupati": (Role.EXECUTIVE, "32.11", ()),
    "camat": (Role.KECAMATAN, "32.11.01", ()), "desa.lain": (Role.DESA, "32.11.01.2002", ()),
    "bpkad": (Role.ANALYST, "32.11", ("budget",)),
}


def _reading(device: str, spo2: int) -> dict:
    return {"id_perangkat": device, "waktu": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "nik_ibu": MOTHER,
            "kode_desa": DESA, "detak_jantung": 88, "sistolik": 118, "diastolik": 76, "spo2": spo2}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("alerts-web") / "data")
    engine, _ = deploy.init(settings, "32.11")
    for name, (role, scope, sectors) in ACCOUNTS.items():
        access_store.add_user(engine, name, role, scope, "32.11", password=PASSWORD, sectors=sectors)
    token = access_store.add_token(engine, "jam-pintar", "32.11", "32.11", ("telemetri",))
    ingest_records(settings, "32.11", "telemetri", [_reading("JAM-7", 90)], submitted_by="test")
    app = create_app(settings)
    return app, token


def _client(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    assert login(client, username, PASSWORD).status_code == 303
    return client


def _alert_id(client) -> int:
    page = client.get("/peringatan")
    return int(re.search(r'href="/peringatan/(\d+)"', page.text).group(1))


def test_the_alert_page_acts_through_csrf_protected_forms_and_shows_the_timeline(site):
    app, _ = site
    with _client(app, "admin") as client:
        alert_id = _alert_id(client)
        page = client.get(f"/peringatan/{alert_id}")
        assert "Tanda vital ibu hamil di luar batas aman" in page.text and "SpO2 90 %" in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        refused = client.post(f"/peringatan/{alert_id}/aksi", data={"action": "ack", "text": "tanpa token"})
        assert refused.status_code == 403
        done = client.post(f"/peringatan/{alert_id}/aksi",
                           data={"action": "ack", "text": "Bidan Ani menuju rumah ibu", "csrf_token": csrf})
        assert done.status_code == 303
        client.post(f"/peringatan/{alert_id}/aksi", data={"action": "assign", "text": "Puskesmas Jatinangor",
                                                          "csrf_token": csrf})
        page = client.get(f"/peringatan/{alert_id}")
        assert "Diakui oleh admin" in page.text and "Bidan Ani menuju rumah ibu" in page.text
        assert "Ditugaskan ke Puskesmas Jatinangor" in page.text
        detail = client.get(f"/api/v1/alerts/{alert_id}", headers={"X-CSRF-Token": csrf}).json()
        assert [e["kind"] for e in detail["timeline"]][:3] == ["state", "ack", "assign"]
        assert detail["acknowledged_by"] == "admin" and detail["assignee"] == "Puskesmas Jatinangor"


def test_evidence_records_only_for_roles_allowed_and_reads_are_audited(site):
    app, _ = site
    with _client(app, "admin") as client:
        alert_id = _alert_id(client)
    for username, sees_alert, sees_evidence in (("camat", True, True), ("bupati", True, True),
                                                ("desa.lain", False, False), ("bpkad", False, False)):
        with _client(app, username) as client:
            response = client.get(f"/api/v1/alerts/{alert_id}")
            if not sees_alert:
                assert response.status_code == 403, username
                assert client.get("/api/v1/alerts").json()["total"] == 0
                continue
            body = response.json()
            assert (body["evidence"] is not None) is sees_evidence, username
            # neither the camat nor the Bupati holds `unmasked`: the NIK is masked for them (as in worklists)
            assert body["evidence"]["nik_ibu"] == mask(MOTHER)
            page = client.get(f"/peringatan/{alert_id}")
            assert mask(MOTHER) in page.text and MOTHER not in page.text
    with _client(app, "admin") as client:  # a role that may see numbers in full
        assert client.get(f"/api/v1/alerts/{alert_id}").json()["evidence"]["nik_ibu"] == MOTHER
    reads = [e for e in access_store.audit_entries(app.state.engine) if e.action == "alert.evidence_read"]
    assert {e.actor for e in reads} >= {"camat", "bupati"}
    with TestClient(app) as public:
        feed = public.get("/api/v1/alerts/stream")
        assert feed.status_code == 401
        listing = public.get("/api/v1/alerts", headers={"Authorization": f"Bearer {site[1]}"}).json()
        assert MOTHER not in str(listing)  # the list never carries the evidence


def test_the_feed_answers_json_to_a_client_that_does_not_ask_for_an_event_stream(site):
    app, token = site
    with TestClient(app) as client:
        feed = client.get("/api/v1/alerts/stream?after=0", headers={"Authorization": f"Bearer {token}"}).json()
        assert feed["events"] and feed["events"][0]["rule"] == "telemetri_darurat"
        assert MOTHER not in str(feed)
        assert feed["last_event_id"] == feed["events"][-1]["event_id"]


def test_the_routing_preview_names_routes_labels_and_the_alert_inhibiting_it_now(site):
    app, _ = site
    settings = app.state.settings
    path = settings.data_dir / "peringatan.toml"
    path.write_text("""
[[penerima]]
nama = "Bidan Jatinangor"
surel = ["bidan@puskesmas.local"]
[[rute]]
nama = "Darurat Jatinangor"
penerima = "Bidan Jatinangor"
cocok = {keparahan = "darurat", kecamatan = "32.11.01"}
[[hambat]]
nama = "Jam pintar diredam oleh jam pintar lain"
sumber = {aturan = "telemetri_darurat"}
sasaran = {aturan = "telemetri_darurat"}
sama = ["desa"]
""", encoding="utf-8")
    try:
        with _client(app, "admin") as client:
            body = client.get("/api/v1/alerts/rules/telemetri_darurat/preview?region=32.11.01.2001").json()
            assert [t["target"] for t in body["levels"][0]["targets"]] == ["bidan@puskesmas.local"]
            assert body["labels"]["kecamatan"] == ["32.11.01"] and body["labels"]["sumber"] == ["telemetri"]
            assert [r["name"] for r in body["inhibition_rules"]] == ["Jam pintar diredam oleh jam pintar lain"]
            assert [i["rule"] for i in body["inhibited_by"]] == ["telemetri_darurat"]  # JAM-7 fires in that desa
            elsewhere = client.get("/api/v1/alerts/rules/telemetri_darurat/preview?region=32.11.02.2001").json()
            assert elsewhere["levels"][0]["targets"] == [] and elsewhere["inhibited_by"] == []
            alert_id = _alert_id(client)
            page = client.get(f"/peringatan/{alert_id}").text
            assert "Darurat Jatinangor" in page and "Label:" in page and "kecamatan=32.11.01" in page
            assert "Saat ini dihambat" not in page  # an alert never inhibits itself
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def server(site):
    app, _ = site
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.mark.browser
def test_a_reading_pushed_over_the_api_appears_on_an_open_dashboard_without_reload(server, site, chromium_path):
    from playwright.sync_api import sync_playwright

    _, token = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + "/login?next=/peringatan")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(server + "/peringatan")
            page.wait_for_selector("#alert-feed .alert-feed[data-following]")  # fragment loaded, stream open
            time.sleep(0.3)
            pushed = time.perf_counter()
            response = httpx.post(f"{server}/api/v1/sources/telemetri/records", json=[_reading("JAM-99", 86)],
                                  headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert response.status_code == 201
            page.wait_for_selector("#alert-feed li.new:has-text('SpO2 86 %')", timeout=5000)
            seen = time.perf_counter() - pushed
            assert page.url == server + "/peringatan"  # no reload
            assert errors == []
            assert seen < 5
        finally:
            browser.close()
