"""The village meeting lists as a desa operator uses them, in Debian's Chromium driven by Playwright."""

from __future__ import annotations

import pytest
from test_browser import browser, server  # noqa: F401  (the shared live server and browser fixtures)

pytestmark = pytest.mark.browser


def test_desa_operator_records_a_field_outcome_and_the_family_leaves_the_candidates(server, browser, demo_deployment):  # noqa: F811
    _, result = demo_deployment
    username, desa, password = next((u, c, p) for u, r, c, p in result.accounts if r == "desa")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/penargetan/desa")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/penargetan/desa")
    assert desa in page.text_content("h1 + p")
    rows = page.locator("table.candidates tbody tr")
    before = rows.count()
    assert before > 0
    first = rows.first
    no_kk = first.locator("td").nth(2).text_content().strip()
    first.locator("select[name=hasil]").select_option("tidak_ditemukan")
    first.locator("input[name=alasan]").fill("rumah kosong, tetangga tidak kenal")
    first.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    kks = [t.strip() for t in page.locator("table.candidates tbody tr td:nth-child(3)").all_text_contents()]
    assert no_kk not in kks
    # the what-if form answers on the same page
    page.fill("input[name=kuota]", "3")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**kuota=3**")
    page.wait_for_selector("section.whatif")
    assert page.locator("section.whatif table tbody tr").count() == 5
    assert "3" in page.text_content("section.whatif h2")
    page.close()


def test_a_quota_file_uploaded_on_the_page_shows_each_desa_and_the_total(server, browser, demo_deployment, tmp_path):  # noqa: F811
    import openpyxl

    _, result = demo_deployment
    username, desa, password = next((u, c, p) for u, r, c, p in result.accounts if r == "desa")
    book = openpyxl.Workbook()
    book.active.append(["Kode Desa", "Program", "Kuota"])
    book.active.append([desa, "BLT_DD", 4])
    good = tmp_path / "kuota.xlsx"
    book.save(good)
    book.active.append([desa, "PKH", 4])
    bad = tmp_path / "kuota-salah.xlsx"
    book.save(bad)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/penargetan/kuota")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server + "/penargetan/kuota")
    page.set_input_files("input[name=berkas]", str(bad))
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("p.error")
    assert "baris 3, kolom Program" in page.text_content("p.error")
    assert page.locator("section.quota-result").count() == 0
    page.set_input_files("input[name=berkas]", str(good))
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("section.quota-result")
    assert desa in page.text_content("section.quota-result tbody")
    assert page.locator("section.quota-result tfoot tr.total").count() == 1
    page.close()
