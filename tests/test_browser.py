"""The command center as a person sees it, in Debian's Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from madangan.web.app import create_app

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(demo_deployment):
    settings, _ = demo_deployment
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def signed_in(server, browser, demo_passwords):
    """A page signed in as the regency's admin through the login form."""

    def open_page(width: int = 1400, height: int = 900):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(server + "/")
        assert "/login" in page.url
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", demo_passwords["admin"])
        page.click("button[type=submit]")
        page.wait_for_url(server + "/")
        return page

    return open_page


def test_structure_page_draws_the_kecamatan_map_and_chart(server, signed_in, tmp_path):
    page = signed_in()
    errors, outside = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)
    page.goto(server + "/struktur")
    page.wait_for_selector("#map path.leaflet-interactive")
    assert page.locator("#map path.leaflet-interactive").count() == 26
    assert page.locator("#chart canvas").count() >= 1
    assert page.locator("#regions tbody tr").count() == 26
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert errors == [] and outside == []


def test_clicking_a_kecamatan_on_the_map_drills_down_to_its_desa(signed_in):
    page = signed_in()
    page.goto(page.url + "struktur")
    page.wait_for_selector("#map path.leaflet-interactive")
    page.get_by_role("link", name="Cimalaka").click()
    page.wait_for_url("**/struktur?wilayah=32.11.22")
    page.wait_for_selector("#map path.leaflet-interactive")
    assert page.locator("#map path.leaflet-interactive").count() == 14  # Cimalaka's desa outlines
    assert "Kecamatan Cimalaka" in page.locator("h1").inner_text()


def test_phone_width_still_shows_the_table(signed_in):
    page = signed_in(390, 800)
    page.goto(page.url + "struktur")
    page.wait_for_selector("#regions")
    assert page.locator("#regions tbody tr").count() == 26
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page scrolls sideways on a phone"
