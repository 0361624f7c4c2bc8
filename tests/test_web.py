"""The served app: the regency's structure, its sources, the API and its offline documentation."""

from __future__ import annotations

import re

import pytest
from conftest import login
from fastapi.testclient import TestClient

from madangan.plugins import contracts
from madangan.regions import regions
from madangan.web.app import create_app


@pytest.fixture(scope="module")
def client(demo_deployment, demo_passwords):
    """Signed in as the regency's admin."""
    settings, _ = demo_deployment
    with TestClient(create_app(settings)) as c:
        assert login(c, "admin", demo_passwords["admin"]).status_code == 200
        yield c


def test_home_shows_every_kecamatan_of_sumedang(client):
    page = client.get("/")
    assert page.status_code == 200
    for kecamatan in regions().children("32.11"):
        assert kecamatan.name in page.text


def test_structure_page_lists_the_sources_with_their_row_counts(client, demo_deployment):
    _, result = demo_deployment
    page = client.get("/struktur").text
    for name, rows in result.sources.items():
        assert contracts()[name].title["id"] in page
        assert f"{rows:,}".replace(",", ".") in page


def test_counts_add_up_from_desa_to_regency(client):
    regency = client.get("/api/v1/regions/32.11").json()
    kecamatan_sum = {}
    for kec in regency["children"]:
        for key, value in kec["counts"].items():
            kecamatan_sum[key] = kecamatan_sum.get(key, 0) + value
        desa = client.get(f"/api/v1/regions/{kec['code']}").json()
        for key, value in kec["counts"].items():
            assert sum(d["counts"].get(key, 0) for d in desa["children"]) == value
    assert kecamatan_sum == regency["counts"]
    assert regency["counts"]["penduduk"] > 19_000  # 20,000 minus the deceased and wrong desa codes
    assert regency["unknown_desa_rows"] > 0  # injected wrong desa codes are shown, not hidden


def test_kecamatan_page_lists_its_desa(client):
    page = client.get("/wilayah/32.11.22")
    assert page.status_code == 200
    for desa in regions().children("32.11.22"):
        assert desa.name in page.text


def test_regions_outside_the_deployment_are_not_found(client):
    assert client.get("/wilayah/32.10.01").status_code == 404
    assert client.get("/api/v1/regions/11.71").status_code == 404


def test_english_switch_is_remembered(client):
    page = client.get("/struktur?lang=en")
    assert "Data sources" in page.text and "Residents" in page.text
    assert "Data sources" in client.get("/struktur").text  # cookie kept
    client.get("/?lang=id")


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json()["region"] == "32.11"
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/regions/{code}" in spec["paths"]


def test_pages_load_nothing_from_outside(client):
    for path in ("/", "/wilayah/32.11.22", "/wilayah/32.11.22.2001", "/tema/stunting-gizi", "/tema/kualitas-data",
                 "/struktur", "/kios/32.11.22.2001", "/layar", "/api/docs"):
        html = client.get(path).text
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], f"{path} loads {external}"
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            assert client.get(asset).status_code == 200, asset


def test_boundaries_cover_sumedang_desa(client):
    geo = client.get("/api/v1/boundaries").json()
    codes = {f["properties"]["code"] for f in geo["features"]}
    assert len([c for c in codes if c.count(".") == 2]) == 26
    assert len([c for c in codes if c.count(".") == 3]) == 277


def test_the_demo_login_page_says_where_the_accounts_are(demo_deployment):
    settings, _ = demo_deployment
    with TestClient(create_app(settings)) as anonymous:
        assert "akun-demo.txt" in anonymous.get("/login").text
