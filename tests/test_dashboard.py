"""The command center's pages over HTTP: what each page shows matches the stored facts, scope holds, exports
hold the page's rows, and a sector's own page appears once the sector declares it."""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import replace
from html import unescape

import pytest
from conftest import login
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from madangan import boundaries
from madangan.access import Role
from madangan.access import store as access_store
from madangan.config import Settings
from madangan.indicators.engine import indicators
from madangan.regions import regions
from madangan.web import readmodel
from madangan.web.app import create_app
from madangan.web.dashboard import _survey_line


@pytest.fixture(scope="module")
def app(demo_deployment):
    settings, _ = demo_deployment
    return create_app(settings)


def _client(app, username: str, password: str) -> TestClient:
    client = TestClient(app)
    assert login(client, username, password).status_code == 200
    return client


@pytest.fixture(scope="module")
def admin(app, demo_passwords):
    with _client(app, "admin", demo_passwords["admin"]) as c:
        yield c


def _scoped(app, username: str, role: Role, region: str) -> TestClient:
    engine = app.state.engine
    if username not in {u.username for u in access_store.list_users(engine)}:
        access_store.add_user(engine, username, role, region, "32.11", password="dashboard-pass-1")
    return _client(app, username, "dashboard-pass-1")


def _latest(admin, indicator: str, region: str, level: str) -> dict[str, dict]:
    """The API's facts of the latest month up to now (what the pages call 'now'), by region code."""
    rows = admin.get(f"/api/v1/indicators/{indicator}", params={"region": region, "level": level, "limit": 50000}).json()["rows"]
    now = readmodel.this_month().strftime("%Y-%m")
    rows = [r for r in rows if r["bulan"] <= now]
    own = [r for r in rows if r["kode_wilayah"] == region] or rows
    month = max(r["bulan"] for r in own)
    return {r["kode_wilayah"]: r for r in rows if r["bulan"] == month}


def _tile(html: str, indicator: str) -> tuple[str, str]:
    """(status class, shown value) of the tile for `indicator`."""
    found = re.search(rf'class="tile s-(\w+)[^"]*"[^>]*data-indicator="{indicator}">.*?<span class="t-value">([^<]+)', html, re.S)
    assert found, f"no tile for {indicator}"
    return found.group(1), unescape(found.group(2)).strip()


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table class="data" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_overview_tiles_show_the_regency_figure_and_its_status_colour(admin):
    html = admin.get("/").text
    for indicator in ("prevalensi_stunting", "kepatuhan_standar_layanan", "realisasi_belanja", "ketepatan_sasaran_bansos"):
        fact = _latest(admin, indicator, "32.11", "kabupaten")["32.11"]
        status, shown = _tile(html, indicator)
        unit = indicators()[indicator].unit
        assert shown == readmodel.value_text(fact["value"], unit, "id"), indicator
        assert status == (fact["status"] or "none"), indicator
    quality_status, quality_value = _tile(html, "kualitas_data")
    assert re.fullmatch(r"\d{1,3},\d", quality_value) and quality_status in ("hijau", "kuning", "merah")


def test_overview_ranks_every_kecamatan_by_the_chosen_indicator_worst_first(admin):
    html = admin.get("/", params={"indikator": "prevalensi_stunting"}).text
    rows = _table_rows(html, "ranking")
    assert {r[1] for r in rows} == {k.name for k in regions().children("32.11")}
    facts = _latest(admin, "prevalensi_stunting", "32.11", "kecamatan")
    values = [facts[r[0]]["value"] for r in rows]
    assert values == sorted(values, reverse=True)  # lower is better: the worst (highest) first
    first = rows[0]
    assert first[4] == readmodel.value_text(facts[first[0]]["value"], "%", "id")
    assert f'href="/wilayah/{first[0]}?indikator=prevalensi_stunting"' in html


def test_the_map_panel_follows_the_chosen_indicator_and_the_address_bar_keeps_it(admin):
    response = admin.get("/fragmen/peta", params={"indikator": "skdn_partisipasi", "tingkat": "desa"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/?indikator=skdn_partisipasi&tingkat=desa"
    spec = re.search(r"data-map='([^']+)'", response.text).group(1)
    import json

    spec = json.loads(unescape(spec))
    assert spec["depth"] == 3 and len(spec["values"]) == 277  # every desa of Sumedang
    facts = _latest(admin, "skdn_partisipasi", "32.11", "desa")
    code, (value, status, *_rest) = next((c, v) for c, v in spec["values"].items() if v[0] is not None)
    assert value == pytest.approx(facts[code]["value"]) and status == facts[code]["status"]
    assert [label for _, label in spec["legend"]][:3] == ["≥ 80,0 %", "60,0 % – 80,0 %", "≤ 60,0 %"]


def test_kecamatan_page_shows_its_desa_and_breadcrumbs_back_to_the_regency(admin):
    html = admin.get("/wilayah/32.11.22", params={"indikator": "prevalensi_stunting"}).text
    assert "Kecamatan Cimalaka" in html
    assert re.search(r'<nav class="crumbs".*?<a href="/\?indikator=prevalensi_stunting">Kabupaten Sumedang</a>', html, re.S)
    rows = _table_rows(html, "ranking")
    assert {r[1] for r in rows} == {d.name for d in regions().children("32.11.22")}
    facts = _latest(admin, "prevalensi_stunting", "32.11.22", "desa")
    shown = {r[0]: r[4] for r in rows}
    assert all(shown[c] == readmodel.value_text(f["value"], "%", "id") for c, f in facts.items())


def test_desa_profile_shows_every_indicator_with_its_counts_and_the_worklist_for_roles_allowed(admin, app, demo_passwords):
    html = admin.get("/wilayah/32.11.22.2001").text
    assert "Desa " + regions().region("32.11.22.2001").name in html
    profile = {r[0]: r for r in _table_rows(html, "profile")}
    stunting = _latest(admin, "prevalensi_stunting", "32.11.22.2001", "desa")["32.11.22.2001"]
    row = profile[indicators()["prevalensi_stunting"].title["id"]]
    assert row[2] == f"{stunting['numerator']:,.0f}".replace(",", ".") and row[4] == readmodel.value_text(stunting["value"], "%", "id")
    assert "realisasi_belanja" not in html  # kept per agency, not per desa: not shown as an empty desa figure
    link = re.search(r'id="worklist-link"[^>]*>[^(]*\((\d+)', html)
    assert link and 'href="/temuan?desa=32.11.22.2001"' in html
    assert admin.get("/temuan", params={"desa": "32.11.22.2001"}).status_code == 200
    with _client(app, "bupati", demo_passwords["bupati"]) as executive:  # aggregates only: no worklist
        page = executive.get("/wilayah/32.11.22.2001").text
        assert "worklist-link" not in page and "/temuan" not in page


def test_a_desa_operator_lands_on_their_desa_and_cannot_open_another_region(app):
    with _scoped(app, "op.dashboard", Role.DESA, "32.11.22.2001") as operator:
        home = operator.get("/")
        assert home.status_code == 200 and "Desa " + regions().region("32.11.22.2001").name in home.text
        for path in ("/wilayah/32.11.22", "/wilayah/32.11.22.2002", "/kios/32.11.01.2001",
                     "/tema/stunting-gizi?wilayah=32.11.22", "/ekspor/profil?wilayah=32.11.22.2002"):
            assert operator.get(path).status_code == 403, path
        assert operator.get("/kios/32.11.22.2001").status_code == 200


def test_a_kecamatan_officer_sees_their_kecamatan_and_its_desa_only(app):
    with _scoped(app, "camat.dashboard", Role.KECAMATAN, "32.11.22") as officer:
        html = officer.get("/").text
        assert "Kecamatan Cimalaka" in html
        assert {r[1] for r in _table_rows(html, "ranking")} == {d.name for d in regions().children("32.11.22")}
        assert officer.get("/wilayah/32.11.01").status_code == 403


def test_every_theme_page_shows_each_of_its_indicators_with_the_table_behind_the_chart(admin):
    pages = readmodel.themes()
    assert [p.slug for p in pages] == ["kependudukan", "kemiskinan-bansos", "stunting-gizi", "kesehatan-ibu",
                                       "layanan-publik", "keuangan-daerah"]
    nav = admin.get("/").text
    for page in pages:
        assert f'href="/tema/{page.slug}"' in nav
        html = admin.get(f"/tema/{page.slug}").text
        for indicator in page.indicators:
            assert unescape(indicators()[indicator].title["id"]) in unescape(html), (page.slug, indicator)
        first = page.indicators[0]
        trend = _table_rows(html, "trend")
        months = [r["bulan"] for r in admin.get(f"/api/v1/indicators/{first}", params={"level": "kabupaten"}).json()["rows"]
                  if r["bulan"] <= readmodel.this_month().strftime("%Y-%m")]
        assert [r[0] for r in trend] == sorted(months, reverse=True), page.slug
    budget = admin.get("/tema/keuangan-daerah").text
    assert "tidak per kecamatan atau desa" in budget and 'id="map"' not in budget


def test_theme_page_drills_down_within_the_theme(admin):
    html = admin.get("/tema/stunting-gizi", params={"indikator": "prevalensi_wasting"}).text
    assert 'href="/tema/stunting-gizi?wilayah=32.11.22&amp;indikator=prevalensi_wasting"' in html
    desa = admin.get("/tema/stunting-gizi", params={"indikator": "prevalensi_wasting", "wilayah": "32.11.22.2001"})
    assert desa.status_code == 200 and 'id="trend"' in desa.text


def test_quality_page_shows_each_source_score_as_stored(admin):
    html = admin.get("/tema/kualitas-data", params={"wilayah": "32.11.22.2001"}).text
    stored = {r["sumber"]: r for r in admin.get("/api/v1/quality", params={"desa": "32.11.22.2001"}).json()}
    rows = {r[0]: r for r in _table_rows(html, "sources-quality")}
    from madangan.plugins import contracts

    title = contracts()["penduduk"].title["id"]
    assert rows[title][5] == readmodel.value_text(stored["penduduk"]["skor"], "skor", "id")


def test_english_pages(admin):
    html = admin.get("/wilayah/32.11.22.2001", params={"lang": "en"}).text
    assert "Village profile" in html and "Data quality &amp; freshness" in html
    assert "Stunting prevalence (HAZ &lt; −2)" in html
    assert "Overview" in admin.get("/").text
    admin.get("/", params={"lang": "id"})


def test_exports_hold_the_rows_of_the_page_and_neutralise_formulas(admin, tmp_path):
    html = admin.get("/wilayah/32.11.22", params={"indikator": "prevalensi_stunting"}).text
    shown = _table_rows(html, "ranking")
    response = admin.get("/ekspor/peringkat", params={"format": "csv", "indikator": "prevalensi_stunting", "wilayah": "32.11.22"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[1][:3] == ["Kode", "Wilayah", "Pembilang"]
    assert [r[:2] for r in rows[2:]] == [r[:2] for r in shown]
    xlsx = admin.get("/ekspor/profil", params={"format": "xlsx", "wilayah": "32.11.22.2001"})
    path = tmp_path / "profil.xlsx"
    path.write_bytes(xlsx.content)
    sheet = load_workbook(path).active
    titles = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert indicators()["prevalensi_stunting"].title["id"] in titles
    numbers = [sheet.cell(row=r, column=5).value for r in range(3, sheet.max_row + 1)]
    assert any(isinstance(v, float) for v in numbers)  # numbers stay numbers in XLSX


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/?indikator=tidak_ada", 404, "tidak_ada"),
    ("/?tingkat=rt", 400, "rt"),
    ("/wilayah/32.10.01", 404, "32.10.01"),
    ("/tema/pendidikan", 404, "pendidikan"),
    ("/ekspor/peringkat?format=pdf", 400, "pdf"),
    ("/ekspor/rahasia", 404, "rahasia"),
    ("/ekspor/peringkat?wilayah=32.11.22.2001", 400, "Desa"),
])
def test_bad_parameters_get_a_clear_4xx(admin, path, status, says):
    response = admin.get(path)
    assert response.status_code == status and says in response.text


def test_kiosk_and_wall_mode(admin):
    kiosk = admin.get("/kios/32.11.22.2001").text
    assert 'http-equiv="refresh"' in kiosk and "Desa " + regions().region("32.11.22.2001").name in kiosk
    wall = admin.get("/layar", params={"detik": 7}).text
    slides = re.search(r"data-wall='([^']+)'", wall).group(1)
    assert '"seconds": 7' in unescape(slides)
    for page in readmodel.themes():
        assert f"/fragmen/layar?tema={page.slug}" in unescape(slides)
        slide = admin.get("/fragmen/layar", params={"tema": page.slug}).text
        assert f'data-slide="{page.slug}"' in slide and page.title["id"].replace("&", "&amp;") in slide


def test_a_region_without_desa_outlines_gets_the_kecamatan_map_and_a_note(demo_deployment, demo_passwords, tmp_path):
    settings, _ = demo_deployment
    copy = tmp_path / "data"
    shutil.copytree(settings.data_dir, copy, ignore=shutil.ignore_patterns("sources", "karantina", "*.wal"))
    outlines = boundaries.read(copy)
    outlines["features"] = [f for f in outlines["features"] if f["properties"]["code"].count(".") == 2]
    boundaries.write(copy, outlines)
    with _client(create_app(Settings(data_dir=copy)), "admin", demo_passwords["admin"]) as client:
        html = client.get("/", params={"tingkat": "desa"}).text
        assert "Batas desa untuk wilayah ini belum tersedia" in html
        import json

        spec = json.loads(unescape(re.search(r"data-map='([^']+)'", html).group(1)))
        assert spec["depth"] == 2 and len(spec["values"]) == 26
        kecamatan = client.get("/wilayah/32.11.22").text
        spec = json.loads(unescape(re.search(r"data-map='([^']+)'", kecamatan).group(1)))
        assert spec["highlight"] == "32.11.22" and spec["depth"] == 2


def test_a_regencys_own_sector_brings_its_page_through_the_hook_and_its_export_is_neutralised(demo_deployment,
                                                                                               demo_passwords):
    """A regency adds education as its own plugin: its page appears without touching platform code."""
    from madangan.hookspecs import hookimpl
    from madangan.indicators import Indicator, ThemePage
    from madangan.plugins import plugin_manager, sectors
    from madangan.sector import Sector

    title = '=HYPERLINK("http://contoh.invalid","klik")'

    class Education:
        @hookimpl
        def madangan_sectors(self):
            indicator = Indicator(id="partisipasi_sekolah", sector="pendidikan", title={"id": title, "en": title},
                                  compute=lambda tables: None, sources=("sekolah",))
            page = ThemePage(slug="pendidikan", title={"id": "Pendidikan", "en": "Education"},
                             indicators=("partisipasi_sekolah",), order=35)
            return [Sector(name="pendidikan", title={"id": "Pendidikan", "en": "Education"},
                           indicators=(indicator,), pages=(page,))]

    settings, _ = demo_deployment
    plugin = Education()
    plugin_manager().register(plugin, name="test-education")
    sectors.cache_clear()
    try:
        with _client(create_app(settings), "admin", demo_passwords["admin"]) as client:
            assert [p.slug for p in readmodel.themes()].index("pendidikan") == 3  # order 35: after stunting
            html = client.get("/tema/pendidikan").text
            assert 'href="/tema/pendidikan"' in html and "Pendidikan" in html
            exported = client.get("/ekspor/profil", params={"format": "csv"}).text
            assert "'=HYPERLINK" in exported and '\n"=HYPERLINK' not in exported
            xlsx = client.get("/ekspor/profil", params={"format": "xlsx"})
            sheet = load_workbook(io.BytesIO(xlsx.content)).active
            cells = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
            assert "'" + title in cells and title not in cells
    finally:
        plugin_manager().unregister(name="test-education")
        sectors.cache_clear()
    assert "pendidikan" not in [p.slug for p in readmodel.themes()]


def test_a_batch_shows_on_the_overview_at_once_without_a_restart(demo_deployment, demo_passwords, tmp_path):
    """Pages read a snapshot of the warehouse that follows every commit (DHIS2 waits for a nightly rebuild)."""
    from madangan.ingest import pipeline

    settings, _ = demo_deployment
    copy = tmp_path / "data"
    shutil.copytree(settings.data_dir, copy, ignore=shutil.ignore_patterns("sources", "karantina"))
    copied = Settings(data_dir=copy)
    with _client(create_app(copied), "admin", demo_passwords["admin"]) as client:
        before = _tile(client.get("/").text, "kepatuhan_standar_layanan")
        assert before[1].endswith("%")
        import duckdb

        with duckdb.connect(str(copied.warehouse), read_only=True) as raw:
            (batch,) = raw.execute("SELECT max(id) FROM _batch WHERE source = 'layanan' AND status = 'committed'").fetchone()
        pipeline.revert(copied, batch, "test")  # the service requests leave the warehouse
        assert _tile(client.get("/").text, "kepatuhan_standar_layanan") == ("none", "—")
        assert client.get("/tema/layanan-publik").status_code == 200  # a theme without data still opens


def test_a_theme_page_breaks_an_indicator_down_by_its_declared_disaggregations(admin):
    """The layanan-publik indicators declare a breakdown by channel: their page shows it, categories add up to
    the region's total of the same month, and the table exports with the same rows."""
    indicator = "kepatuhan_standar_layanan"
    assert "kanal" in indicators()[indicator].disaggregations
    html = admin.get("/tema/layanan-publik", params={"indikator": indicator, "wilayah": "32.11.22"}).text
    assert 'id="rincian-kanal"' in html
    shown = _table_rows(html, "breakdown-kanal")
    total = _latest(admin, indicator, "32.11.22", "kecamatan")["32.11.22"]
    month = total["bulan"]
    by = [r for r in admin.get(f"/api/v1/indicators/{indicator}", params={
        "region": "32.11.22", "by": "kanal", "period": month}).json()["rows"]]
    assert sorted(r[0] for r in shown) == sorted(r["kategori"] for r in by) and len(shown) >= 2
    assert sum(r["denominator"] for r in by) == total["denominator"]
    assert sum(r["numerator"] for r in by) == total["numerator"]
    response = admin.get("/ekspor/rincian", params={"format": "csv", "indikator": indicator, "wilayah": "32.11.22",
                                                    "rincian": "kanal"})
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[2:]] == [r[0] for r in shown]
    assert admin.get("/ekspor/rincian", params={"indikator": indicator, "rincian": "usia"}).status_code == 404
    # an indicator without disaggregations has no breakdown section
    assert not indicators()["kehamilan_risiko_tinggi"].disaggregations
    assert 'class="panel breakdown"' not in admin.get("/tema/kesehatan-ibu").text


def test_a_survey_estimate_shows_beside_the_census_figure_with_its_n_and_year(admin):
    """Stunting: the posyandu census (every measured child, n = its denominator) beside SSGI 2022 (n = 636 sampled
    children) and SKI 2023, each labelled as a survey with its source; never where the survey has no estimate."""
    html = unescape(admin.get("/tema/stunting-gizi", params={"indikator": "prevalensi_stunting"}).text)
    block = html[html.index('id="survey-vs-census"'):]
    block = block[:block.index("</div>")]
    fact = _latest(admin, "prevalensi_stunting", "32.11", "kabupaten")["32.11"]
    assert readmodel.count_text(fact["denominator"], "id") in block
    assert "SSGI 2022" in block and "27,6 %" in block and "636" in block
    assert "SKI 2023" in block and "14,4 %" in block and "n tidak disebut sumber" in block
    assert "Survei nasional (sampel)" in block and "Tribun Jabar" in block
    # a kecamatan has no survey estimate of its own
    assert 'id="survey-vs-census"' not in admin.get("/tema/stunting-gizi", params={"wilayah": "32.11.22"}).text
    english = admin.get("/tema/stunting-gizi", params={"lang": "en"}).text
    assert "National survey (sample)" in english and "27.6 %" in english
    admin.get("/", params={"lang": "id"})


def test_the_overview_tile_names_the_newest_survey_estimate_under_the_census_figure(admin):
    """Stunting's headline tile carries one line for the newest survey (SKI 2023, whose n its source does not give);
    a tile of an indicator without a survey carries none, nor does a kecamatan's tile."""

    def survey_line(html: str, indicator: str) -> str | None:
        block = re.search(rf'data-indicator="{indicator}">(.*?)</a>', html, re.DOTALL).group(1)
        found = re.search(r'<span class="t-survey">([^<]+)</span>', block)
        return unescape(found.group(1)) if found else None

    html = admin.get("/").text
    assert survey_line(html, "prevalensi_stunting") == "Survei: SKI 2023 14,4 % (n tidak disebut)"
    assert survey_line(html, "kepatuhan_standar_layanan") is None
    assert survey_line(admin.get("/wilayah/32.11.22").text, "prevalensi_stunting") is None
    english = admin.get("/", params={"lang": "en"}).text
    assert survey_line(english, "prevalensi_stunting") == "Survey: SKI 2023 14.4 % (n not given)"
    admin.get("/", params={"lang": "id"})
    # with a sample size, the line gives it (SSGI 2022 alone: 636 sampled children)
    stunting = indicators()["prevalensi_stunting"]
    ssgi = replace(stunting, surveys=tuple(s for s in stunting.surveys if s.survey == "SSGI"))
    assert _survey_line(ssgi, "32.11", "id") == "Survei: SSGI 2022 27,6 % (n = 636)"
    assert _survey_line(ssgi, "32.11", "en") == "Survey: SSGI 2022 27.6 % (n = 636)"


def test_sectors_add_their_own_pages_to_the_top_navigation_for_roles_allowed(admin, monkeypatch):
    from madangan.access import Principal
    from madangan.plugins import nav_links
    from madangan.sector import NavLink
    from madangan.web import app as web_app

    assert [(link.href, link.label["id"]) for link in nav_links()] == [("/penargetan", "Penargetan"),
                                                                        ("/living-lab", "Living Lab")]
    html = admin.get("/").text
    assert '<a class="navlink" href="/penargetan">Penargetan</a>' in html
    assert '<a class="navlink" href="/living-lab">Living Lab</a>' in html
    executive = Principal(username="bupati", role=Role.EXECUTIVE, region_code="32.11")
    assert [link.href for link in web_app.sector_nav(executive)] == ["/penargetan", "/living-lab"]
    assert web_app.sector_nav(Principal(username=None, role=Role.PUBLIC, region_code="32.11")) == []
    assert web_app.sector_nav(None) == []
    # a link asking for a permission the role lacks is not shown to it
    persons_only = NavLink("/rahasia", {"id": "Rahasia", "en": "Secret"}, "persons")
    monkeypatch.setattr(web_app.plugins, "nav_links", lambda: [persons_only])
    assert web_app.sector_nav(executive) == []
    assert web_app.sector_nav(Principal(username="op", role=Role.DESA, region_code="32.11.22.2001")) == [persons_only]


def test_a_sectors_templates_directory_is_on_the_platforms_loader(app):
    from madangan.plugins import template_dirs

    assert any(d.parts[-2:] == ("welfare", "templates") for d in template_dirs())
    assert app.state.templates.env.get_template("targeting.html") is not None
    assert app.state.templates.env.get_template("base.html") is not None
