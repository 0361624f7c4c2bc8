"""The Living Lab over HTTP (pages, forms with CSRF, JSON API) and in Chromium."""

from __future__ import annotations

import html
import json
import re
import socket
import threading
import time

import pytest
import uvicorn
from fastapi.testclient import TestClient

from madangan import deploy
from madangan.access import Principal, Role, store
from madangan.access.web import SESSION_COOKIE
from madangan.config import Settings
from madangan.sectors.spbe import store as spbe_store
from madangan.sectors.spbe.instrument import load
from madangan.sectors.spbe.synth import generate, populations
from madangan.web.app import create_app

from conftest import login

PASSWORD = "living-lab-password-1"
YEAR = 2024


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Kabupaten Sumedang's deployment with the synthetic benchmark of all 514 regencies/cities loaded."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("spbe") / "data")
    deploy.init(settings, "32.11")
    app = create_app(settings)
    engine = app.state.engine
    for name, role in (("tim", Role.ANALYST), ("asesor", Role.ADMIN), ("sekda", Role.EXECUTIVE)):
        store.add_user(engine, name, role, "32.11", "32.11", password=PASSWORD)
    # officers of other regions using the lab Sumedang hosts
    store.add_user(engine, "tamu.bandung", Role.LIVINGLAB, "32.04", "32.11", password=PASSWORD)
    store.add_user(engine, "tamu.bdgkota", Role.LIVINGLAB, "32.73", "32.11", password=PASSWORD)
    host = Principal(Role.ADMIN, "32.11", username="host")
    generated = generate(load(), YEAR, seed=3)
    del generated["32.11"]  # Sumedang fills in its own
    people = populations(3)
    spbe_store.load_published(engine, host, [{"region": c, "year": YEAR, "levels": lv, "population": people[c], "note": "sintetis"}
                                             for c, lv in generated.items()], origin="synthetic")
    return app


def signed_in(app, username):
    """A client with a session of its own (opened directly: the login form allows 10 attempts a minute)."""
    user = store.authenticate(app.state.engine, username, PASSWORD)
    cookie, _ = store.open_session(app.state.engine, user)
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_team_fills_the_form_and_the_lab_shows_index_rank_and_gaps(lab):
    with TestClient(lab) as client:
        assert login(client, "tim", PASSWORD, next_url=f"/living-lab/penilaian?tahun={YEAR}").status_code == 200
        form = client.get(f"/living-lab/penilaian?tahun={YEAR}")
        assert form.status_code == 200 and 'name="level_47"' in form.text
        data = {"csrf_token": csrf_of(form.text), "wilayah": "32.11", "tahun": str(YEAR)}
        data |= {f"level_{n}": "3" for n in range(1, 48)}
        data |= {"level_43": "5", "alasan_43": "Portal Satu Data terbuka", "bukti_43": "https://opendata.sumedangkab.go.id"}
        saved = client.post("/living-lab/penilaian", data=data)
        assert saved.status_code == 200 and "Tersimpan" in saved.text
        assert "https://opendata.sumedangkab.go.id" in saved.text
        page = client.get(f"/living-lab?tahun={YEAR}&kelompok=province").text
        pdf = client.get(f"/living-lab/laporan?tahun={YEAR}&kelompok=province&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # 3 everywhere, 43 at 5: 3 + 2 × 3 / 100 = 3.06
    assert re.search(r'id="spbe-index">3,06<', page)
    assert re.search(r'id="spbe-predicate">Baik<', page)
    rank = re.search(r'id="spbe-rank-value">(\d+) / (\d+)<', page)
    assert rank and int(rank.group(2)) == 27  # West Java's 27 regencies and cities
    assert 'id="spbe-gaps"' in page and 'id="spbe-plan"' in page
    assert "/living-lab/banding?wilayah=32.11&dengan=32." in page  # who to learn from, linked


def test_an_evidence_file_is_stored_and_others_can_download_it(lab):
    screenshot = b"\x89PNG\r\n\x1a\n" + b"tangkapan layar tingkat 3" * 10
    with signed_in(lab, "tim") as team:
        page = team.get(f"/living-lab/penilaian?tahun={YEAR + 4}").text
        saved = team.post("/living-lab/bukti", data={"csrf_token": csrf_of(page), "wilayah": "32.11", "tahun": str(YEAR + 4),
                                                      "indikator": "36"},
                          files={"berkas": ("../../simpeg level3.png", screenshot, "image/png")})
        assert saved.status_code == 200
        link = re.search(r'href="(/living-lab/bukti/\d+)"[^>]*>../../simpeg level3.png<', saved.text).group(1)
    stored = list((lab.state.settings.data_dir / "spbe-bukti" / "32.11" / str(YEAR + 4) / "36").iterdir())
    assert len(stored) == 1 and stored[0].name.endswith("simpeg_level3.png")  # no path from the file name is followed
    with signed_in(lab, "sekda") as reader:
        download = reader.get(link)
    assert download.status_code == 200 and download.content == screenshot


def test_a_form_without_csrf_is_refused_and_nothing_changes(lab):
    with signed_in(lab, "tim") as client:
        before = spbe_store.get(lab.state.engine, "32.11", 2030)
        response = client.post("/living-lab/penilaian", data={"wilayah": "32.11", "tahun": "2030", "level_1": "4"})
        assert response.status_code == 403
    assert before is None and spbe_store.get(lab.state.engine, "32.11", 2030) is None


def test_workflow_over_http_and_who_may_move_it(lab):
    year = 2025
    with signed_in(lab, "tim") as team:
        for n in range(1, 48):
            response = team.put(f"/api/v1/spbe/assessments/32.11/{year}/indicators/{n}", json={"level": 4},
                                headers={"X-CSRF-Token": csrf_of(team.get("/living-lab").text)} if n == 1 else
                                {"X-CSRF-Token": csrf_of(team.get("/living-lab").text)})
            assert response.status_code == 200
        assert response.json()["index"] == 4.0 and response.json()["predicate"] == "Sangat Baik"
        page = team.get(f"/living-lab/penilaian?tahun={year}").text
        moved = team.post("/living-lab/penilaian/status", data={"csrf_token": csrf_of(page), "wilayah": "32.11",
                                                                  "tahun": str(year), "aksi": "submit"})
        assert 'id="spbe-status">Diajukan<' in moved.text
        # the team may not verify its own work
        refused = team.post("/living-lab/penilaian/status", data={"csrf_token": csrf_of(page), "wilayah": "32.11",
                                                                    "tahun": str(year), "aksi": "verify"})
        assert refused.status_code == 403
    with signed_in(lab, "asesor") as verifier:
        page = verifier.get(f"/living-lab/penilaian?tahun={year}").text
        assert 'name="verif_43"' in page
        verifier.post("/living-lab/penilaian/verifikasi", data={"csrf_token": csrf_of(page), "wilayah": "32.11",
                                                                "tahun": str(year), "verif_43": "2", "catatan_43": "belum terintegrasi"})
        done = verifier.post("/living-lab/penilaian/status", data={"csrf_token": csrf_of(page), "wilayah": "32.11",
                                                                     "tahun": str(year), "aksi": "verify"})
        assert 'id="spbe-status">Terverifikasi<' in done.text
        api = verifier.get(f"/api/v1/spbe/assessments/32.11/{year}").json()
    assert api["status"] == "verified"
    assert api["score"]["index"] == 3.94  # 4 − 2 × 3 / 100: the verifier's level counts


def test_a_region_cannot_edit_another_region_over_the_api(lab):
    with signed_in(lab, "tim") as team:
        csrf = csrf_of(team.get("/living-lab").text)
        response = team.put(f"/api/v1/spbe/assessments/32.04/{YEAR + 3}/indicators/1", json={"level": 5},
                            headers={"X-CSRF-Token": csrf})
        assert response.status_code == 403
        assert "32.04" in response.json()["detail"]
    with signed_in(lab, "sekda") as executive:
        csrf = csrf_of(executive.get("/living-lab").text)
        assert executive.put(f"/api/v1/spbe/assessments/32.11/{YEAR + 3}/indicators/1", json={"level": 5},
                             headers={"X-CSRF-Token": csrf}).status_code == 403
    assert spbe_store.get(lab.state.engine, "32.04", YEAR + 3) is None


def test_plan_and_benchmark_api(lab):
    with signed_in(lab, "sekda") as client:
        csrf = csrf_of(client.get("/living-lab").text)
        plan = client.post("/api/v1/spbe/plan", json={"levels": {str(n): 3 for n in range(1, 48)}, "target": 3.5},
                           headers={"X-CSRF-Token": csrf}).json()
        assert plan["cost"] == 17 and plan["end"]["predicate"] == "Sangat Baik"
        bench = client.get(f"/api/v1/spbe/benchmark/{YEAR}?region=32.11&group=province").json()
    assert bench["summary"]["regions"] == 27
    assert [r["rank"] for r in bench["ranking"]] == sorted(r["rank"] for r in bench["ranking"])
    assert any(g["learn_from"] for g in bench["gaps"])


# --- in Chromium -------------------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(lab):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(lab, host="127.0.0.1", port=port, log_level="warning"))
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
def test_living_lab_in_chromium_live_index_radar_and_comparison(server, chromium_path, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors, outside = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
        page.goto(server + f"/living-lab/penilaian?tahun={YEAR + 2}")
        page.fill("input[name=username]", "tim")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("select[name=level_1]")
        # the index changes as levels are chosen, before saving
        for n in range(1, 48):
            page.select_option(f"select[name=level_{n}]", "2")
        expect(page.locator("#live-index")).to_have_text("2,00")
        page.select_option("select[name=level_42]", "5")
        expect(page.locator("#live-index")).to_have_text("2,09")
        assert page.text_content("#live-predicate") == "Cukup"
        page.click("#spbe-save")
        page.wait_for_selector("text=Tersimpan")
        page.goto(server + f"/living-lab?tahun={YEAR + 2}&kelompok=all")
        page.wait_for_selector("#spbe-radar canvas")
        page.wait_for_selector("#spbe-rank canvas")
        assert page.text_content("#spbe-index") == "2,09"
        page.screenshot(path=str(tmp_path / "living-lab.png"), full_page=True)
        page.goto(server + f"/living-lab?tahun={YEAR}&kelompok=province")
        page.wait_for_selector("#spbe-radar canvas")
        page.screenshot(path=str(tmp_path / "living-lab-2024.png"), full_page=True)
        page.goto(server + f"/living-lab/banding?tahun={YEAR}&dengan=32.73")
        page.wait_for_selector("#spbe-bars canvas")
        page.screenshot(path=str(tmp_path / "living-lab-banding.png"), full_page=False)
        browser.close()
    print(f"screenshots: {tmp_path}")
    assert errors == [] and outside == []


def test_a_region_lists_its_application_and_others_find_it_by_indicator(lab):
    with signed_in(lab, "tim") as team:
        page = team.get("/living-lab/katalog").text
        refused = team.post("/living-lab/katalog", data={"csrf_token": csrf_of(page), "nama": "Sistem Antrean",
                                                          "indikator": "45, 99"})
        assert refused.status_code == 400 and "'Indikator SPBE': '45, 99'" in html.unescape(refused.text)
        team.post("/living-lab/katalog", data={"csrf_token": csrf_of(page), "nama": "SiAntre Sumedang", "indikator": "45, 42",
                                               "lisensi": "GPL-3.0", "kode_sumber": "https://git.sumedangkab.go.id/siantre"})
    with signed_in(lab, "sekda") as reader:
        page = reader.get("/living-lab/katalog?indikator=42").text
        assert "SiAntre Sumedang" in page and "MAUNEH" in page and "Sistem Antrean" not in page
        assert "SiAntre Sumedang" not in reader.get("/living-lab/katalog?indikator=43").text
        assert 'name="nama"' not in page  # executives read the catalog, they do not list applications
    listed = [a for a in TestClient(lab).get("/api/v1/spbe/catalog?indicator=45").json() if a["name"] == "SiAntre Sumedang"]
    assert listed[0]["indicators"] == ["42", "45"] and listed[0]["region"] == "32.11"


def test_other_regions_fill_their_own_assessment_in_the_hosted_lab_and_see_nothing_of_the_host(lab):
    """A `livinglab` guest (Kab. Bandung's team in Sumedang's lab): own assessment yes; host's pages, others' drafts no."""
    year = YEAR + 7
    engine = lab.state.engine
    with pytest.raises(Exception, match="harus dibatasi"):
        store.add_user(engine, "tamu.kecamatan", Role.LIVINGLAB, "32.04.05", "32.11", password=PASSWORD)
    with pytest.raises(Exception, match="di luar deployment"):
        store.add_user(engine, "desa.luar", Role.DESA, "32.04.05.2001", "32.11", password=PASSWORD)
    spbe_store.set_level(engine, Principal(Role.ANALYST, "32.11", username="tim"), "32.11", year, "1", 4, "draf Sumedang")
    with TestClient(lab, follow_redirects=False) as client:
        landed = login(client, "tamu.bandung", PASSWORD)
        assert landed.headers["location"] == "/living-lab"  # no command center for a guest
    with signed_in(lab, "tamu.bandung") as guest:
        home = guest.get(f"/living-lab?tahun={year}")
        assert home.status_code == 200 and "Bandung" in home.text
        # its pages link only where a guest may go: not to the host's overview, theme pages or wall mode
        assert 'class="brand" href="/living-lab"' in home.text
        assert 'href="/tema/' not in home.text and 'href="/layar"' not in home.text
        form = guest.get(f"/living-lab/penilaian?tahun={year}")
        assert form.status_code == 200 and "(32.04)" in form.text and 'name="level_47"' in form.text
        data = {"csrf_token": csrf_of(form.text), "wilayah": "32.04", "tahun": str(year), "penduduk": "3.721.112"}
        data |= {f"level_{n}": "3" for n in range(1, 48)}
        saved = guest.post("/living-lab/penilaian", data=data)
        assert saved.status_code == 200 and "Tersimpan" in saved.text
        # not the host's region, nor another guest's
        data["wilayah"] = "32.11"
        assert guest.post("/living-lab/penilaian", data=data).status_code == 403
        # the host's command center and region pages: 403
        assert guest.get("/").status_code == 403
        assert guest.get("/wilayah/32.11.01").status_code == 403
        assert guest.get("/api/v1/indicators").status_code == 403
        # the host's draft, in every form it can be asked for: 403
        assert guest.get(f"/living-lab/penilaian?wilayah=32.11&tahun={year}").status_code == 403
        assert guest.get(f"/api/v1/spbe/assessments/32.11/{year}").status_code == 403
        assert guest.get(f"/living-lab/ekspor?wilayah=32.11&tahun={year}").status_code == 403
        page = guest.get(f"/living-lab?tahun={year}&kelompok=all").text
        chart = json.loads(re.search(r'id="spbe-data">(.*?)</script>', page, re.S).group(1))
        assert [r["name"] for r in chart["ranking"]] == ["Kabupaten Bandung"]  # the host's draft is not ranked either
        # published results of others stay comparable
        assert guest.get(f"/api/v1/spbe/assessments/32.73/{YEAR}").status_code == 200
        assert guest.put(f"/api/v1/spbe/assessments/32.04/{year}/indicators/1", json={"level": 4},
                         headers={"X-CSRF-Token": csrf_of(form.text)}).status_code == 200
    with signed_in(lab, "tamu.bdgkota") as other_guest:
        assert other_guest.get(f"/api/v1/spbe/assessments/32.04/{year}").status_code == 403
        assert other_guest.get(f"/living-lab/penilaian?wilayah=32.04&tahun={year}").status_code == 403
    with signed_in(lab, "tim") as host_team:  # the host's own team does not read a guest's draft either
        assert host_team.get(f"/api/v1/spbe/assessments/32.04/{year}").status_code == 403
    with signed_in(lab, "asesor") as verifier:  # the lab's verifier does
        seen = verifier.get(f"/api/v1/spbe/assessments/32.04/{year}").json()
    assert seen["status"] == "draft" and seen["answers"][0]["level"] == 4
    view = spbe_store.get(engine, "32.04", year)
    assert view.population == 3_721_112 and len(view.levels()) == 47


def test_peer_group_by_population_band_on_the_page_and_api(lab):
    with signed_in(lab, "sekda") as client:
        page = client.get(f"/living-lab?wilayah=32.04&tahun={YEAR}&kelompok=population")
        assert page.status_code == 200
        band = re.search(r'id="spbe-peer-band">([^<]+)<', page.text)
        assert '<option value="population" selected>' in page.text
        unknown = client.get(f"/living-lab?tahun={YEAR}&kelompok=population")  # Sumedang gave no population
        assert 'id="spbe-group-error">Jumlah penduduk 32.11 belum diketahui' in unknown.text
        assert '<option value="all" selected>' in unknown.text
        api = client.get(f"/api/v1/spbe/benchmark/{YEAR}?region=32.04&group=population").json()
        bad = client.get(f"/api/v1/spbe/benchmark/{YEAR}?region=32.04&group=besar")
        no_population = client.get(f"/api/v1/spbe/benchmark/{YEAR}?region=32.11&group=population")
        assert no_population.status_code == 409 and "belum diketahui" in no_population.json()["detail"]
        assert client.get(f"/api/v1/spbe/benchmark/{YEAR}?region=99.99").status_code == 404
    people = populations(3)
    from madangan.sectors.spbe.benchmark import band_label, population_band

    assert band and band.group(1) == f"Kelas penduduk: {band_label(people['32.04'])}"

    expected = sum(1 for c, p in people.items() if population_band(p) == population_band(people["32.04"]) and c != "32.11")
    assert api["summary"]["regions"] == expected and 1 < expected < 514
    assert bad.status_code == 422


def test_every_shipped_instrument_is_served_as_data(lab):
    with TestClient(lab) as client:
        assert len(client.get("/api/v1/spbe/instrument").json()["indicators"]) == 47
        losi = client.get("/api/v1/spbe/instrument?id=losi-2022").json()
        pemdi = client.get("/api/v1/spbe/instrument?id=pemdi-2025").json()
        assert client.get("/api/v1/spbe/instrument?id=tidak-ada").status_code == 422
    assert len(losi["indicators"]) == 86 and losi["weight_total"] == "86" and not losi["indicators"][0]["verified"]
    assert len(pemdi["indicators"]) == 35 and pemdi["surveys"][0]["indicator"] == "33"
