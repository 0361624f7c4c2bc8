"""The command center in Debian's Chromium: overview → map indicator → kecamatan → desa profile → English,
exports opened as files, chart PNGs, wall-mode rotation, kiosk, phone width. Screenshots land in
SCREENSHOT_DIR (default: the test's tmp dir) for a person to look at."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from test_browser import browser, server, signed_in  # noqa: F401 - shared fixtures

from madangan.indicators.engine import indicators
from madangan.regions import regions
from madangan.web import readmodel

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _watch(page, base_url):
    errors, outside = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    return errors, outside


def _click_region(page, code: str) -> None:
    """Click a region on the map where the region itself is on top (its label point, else its box centre)."""
    path = page.locator(f'#map path[data-code="{code}"]')
    box = path.bounding_box()
    x, y = page.evaluate(
        """([code, cx, cy]) => {
             const el = document.querySelector(`#map path[data-code="${code}"]`);
             for (let dx = 0; dx < 40; dx += 4) for (const [sx, sy] of [[1,0],[-1,0],[0,1],[0,-1]]) {
               const x = cx + sx * dx, y = cy + sy * dx, hit = document.elementFromPoint(x, y);
               if (hit === el) return [x, y];
             }
             return [cx, cy];
           }""", [code, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    page.mouse.click(x, y)


def test_from_the_overview_to_a_desa_profile_and_into_english(server, signed_in, shots):  # noqa: F811
    page = signed_in()
    errors, outside = _watch(page, server)
    page.reload()
    page.wait_for_selector("#map path[data-code]")
    assert page.locator("#map path[data-code]").count() == 26
    assert page.locator("#tiles .tile").count() >= 7
    assert page.locator("#tiles .spark svg").count() >= 6  # the trend sparklines are drawn
    stunting = page.locator('#tiles .tile[data-indicator="prevalensi_stunting"]')
    assert re.fullmatch(r"\d+,\d %", stunting.locator(".t-value").inner_text().strip())
    assert re.fullmatch(r"n = [\d.]+ / [\d.]+", stunting.locator(".n").inner_text().strip())  # with its counts
    page.screenshot(path=str(shots / "overview.png"), full_page=True)

    # the map's indicator: the URL follows, the map and its legend redraw
    page.select_option("#map-indicator", "skdn_partisipasi")
    page.wait_for_url("**/?indikator=skdn_partisipasi")
    expect(page.locator(".map-legend b")).to_contain_text("D/S")
    assert page.locator("#map path[data-code]").count() == 26
    page.select_option("#map-level", "desa")
    page.wait_for_url("**/?indikator=skdn_partisipasi&tingkat=desa")
    expect(page.locator("#map path[data-code]")).to_have_count(277)
    page.screenshot(path=str(shots / "overview-desa-map.png"), full_page=True)
    page.select_option("#map-level", "kecamatan")
    expect(page.locator("#map path[data-code]")).to_have_count(26)

    # click a kecamatan on the map → its page with its desa, the indicator kept
    _click_region(page, "32.11.22")
    page.wait_for_url("**/wilayah/32.11.22?indikator=skdn_partisipasi")
    page.wait_for_selector("#map path[data-code]")
    assert page.locator("#map path[data-code]").count() == len(regions().children("32.11.22"))
    assert "Kecamatan Cimalaka" in page.locator("h1").inner_text()
    assert page.locator("#map-indicator").input_value() == "skdn_partisipasi"
    page.screenshot(path=str(shots / "kecamatan.png"), full_page=True)

    # the ranking table → a desa profile
    first = page.locator("#ranking tbody tr").first.locator("a")
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r".*/wilayah/32\.11\.22\.\d{4}\?indikator=skdn_partisipasi$"))
    page.wait_for_selector(".prow .spark svg")
    assert page.locator("h1").inner_text().startswith(("Desa " + name, "Kelurahan " + name))
    assert page.locator(".crumbs a", has_text="Cimalaka").count() == 1
    assert page.locator("#worklist-link").is_visible()
    assert page.locator(".prow").count() >= 20
    page.screenshot(path=str(shots / "desa.png"), full_page=True)

    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_url(re.compile(r".*lang=en"))
    assert "Village profile" in page.locator(".heading").inner_text()
    assert page.locator(".prow", has_text=indicators()["prevalensi_stunting"].title["en"]).count() == 1
    page.screenshot(path=str(shots / "desa-en.png"), full_page=True)
    page.get_by_role("link", name="ID", exact=True).click()
    assert errors == [] and outside == []


def test_a_table_exported_from_a_theme_page_opens_with_the_rows_the_page_shows(server, signed_in, shots, tmp_path):  # noqa: F811
    page = signed_in()
    page.goto(server + "/tema/stunting-gizi?indikator=prevalensi_stunting")
    page.wait_for_selector("#rank-chart canvas")
    page.screenshot(path=str(shots / "theme-stunting.png"), full_page=True)
    shown = [[c.strip() for c in row.split("\t")] for row in page.locator("#ranking tbody tr").all_inner_texts()]
    with page.expect_download() as download:
        page.locator("#map-panel .export-csv").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r[1] for r in rows[2:]] == [s[1] for s in shown]
    with page.expect_download() as download:
        page.locator(".panel", has_text="Tabel di balik grafik").locator(".export-xlsx").last.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    sheet = load_workbook(path).active
    months = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert months == [r.split("\t")[0].strip() for r in page.locator("#trend tbody tr").all_inner_texts()]


def test_a_chart_saves_as_png(server, signed_in, tmp_path):  # noqa: F811
    page = signed_in()
    page.goto(server + "/tema/layanan-publik")
    chart = page.locator("#trend-chart")
    page.wait_for_selector("#trend-chart canvas")
    box = chart.bounding_box()
    with page.expect_download() as download:
        # the toolbox's "save as image" icon in the chart's top-right corner (placed by dashboard.js)
        page.mouse.move(box["x"] + box["width"] - 29, box["y"] + 22)
        page.mouse.click(box["x"] + box["width"] - 29, box["y"] + 22)
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


def test_wall_mode_rotates_through_the_themes_and_reads_across_a_room(server, signed_in, shots):  # noqa: F811
    page = signed_in(1920, 1080)
    errors, outside = _watch(page, server)
    page.goto(server + "/layar?detik=5")
    page.wait_for_selector(".wall-map path[data-code]")
    assert page.locator("#wall-title").inner_text() == "Ringkasan"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.ktile .t-value')).fontSize)")
    assert size >= 40  # figures readable from across a room
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080  # one screen, nothing below the fold
    page.screenshot(path=str(shots / "wall-1.png"))
    first_theme = readmodel.themes()[0]
    expect(page.locator(".wall-slide")).to_have_attribute("data-slide", first_theme.slug, timeout=12_000)
    assert page.locator("#wall-title").inner_text() == first_theme.title["id"]
    page.wait_for_selector(".wall-map path[data-code]")
    page.screenshot(path=str(shots / "wall-2.png"))
    assert errors == [] and outside == []


def test_kiosk_and_phone_width(server, signed_in, shots):  # noqa: F811
    page = signed_in(1920, 1080)
    errors, _ = _watch(page, server)
    page.goto(server + "/kios/32.11.22.2001")
    page.wait_for_selector(".ktile .spark svg")
    assert page.locator(".ktile").count() >= 8
    page.screenshot(path=str(shots / "kiosk.png"))
    phone = signed_in(390, 800)
    for path in ("/", "/wilayah/32.11.22.2001", "/tema/kesehatan-ibu"):
        phone.goto(server + path)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 400, f"{path} scrolls sideways on a phone"
    phone.goto(server + "/")
    phone.wait_for_selector("#map path[data-code]")
    phone.screenshot(path=str(shots / "phone-overview.png"), full_page=True)
    assert errors == []
