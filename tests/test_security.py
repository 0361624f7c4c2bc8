"""The security suite: the API under generated input, injection, escaping, headers, formula cells."""

from __future__ import annotations

import re

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from madangan import deploy
from madangan.access import Role, store
from madangan.config import Settings
from madangan.web.app import create_app

from conftest import login


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """A small deployment of its own (generated input must not disturb other tests), an admin token."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("security") / "data")
    deploy.demo(settings, "32.11", 2000, seed=9)
    app = create_app(settings)
    token = store.add_token(app.state.engine, "fuzzer", "32.11", "32.11", ("penduduk", "telemetri"))
    return app, token


EXAMPLES_PER_OPERATION = 25
#: Filled by the generated-requests test; docs/security.md reports these figures.
SCHEMATHESIS_COUNTS: dict[str, int] = {}


def test_generated_requests_never_crash_the_api_nor_break_its_schema(secured):
    """schemathesis draws requests from the OpenAPI description for every operation (signed in with a token):
    no 5xx, and every response matches the documented schema."""
    app, token = secured
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    calls = 0
    for operation in operations:
        # A schema can say "a file", not what a valid spreadsheet holds: an upload's content is checked by the
        # route (400 naming the row and column), so generated files are not expected to be accepted.
        uploads = "multipart/form-data" in operation.definition.raw.get("requestBody", {}).get("content", {})
        excluded = [positive_data_acceptance] if uploads else []

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))
        def check(case):
            nonlocal calls
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            calls += 1
            assert response.status_code < 500, f"{operation.label}: {response.status_code} {response.text[:300]}"
            case.validate_response(response, excluded_checks=excluded)

        check()
    SCHEMATHESIS_COUNTS.update(operations=len(operations), calls=calls)
    print(f"schemathesis: {len(operations)} operations, {calls} calls")
    assert calls >= len(operations)


@pytest.mark.parametrize("attack", ["32.11' OR '1'='1", "32.11; DROP TABLE penduduk__history;--", '32.11") --',
                                    "32.11%00", "../../etc/passwd", "32.11 UNION SELECT nik FROM penduduk"])
def test_sql_metacharacters_in_region_parameters_find_nothing(secured, attack):
    app, token = secured
    with TestClient(app) as client:
        response = client.get(f"/api/v1/regions/{attack}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404
        still = client.get("/api/v1/regions/32.11", headers={"Authorization": f"Bearer {token}"})
        assert still.json()["counts"]["penduduk"] > 0


def test_html_in_a_username_is_shown_escaped(secured):
    app, _ = secured
    store.add_user(app.state.engine, "<script>alert(1)</script>", Role.ADMIN, "32.11", "32.11",
                   password="escape-me-please")
    with TestClient(app) as client:
        login(client, "<script>alert(1)</script>", "escape-me-please")
        page = client.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_response_carries_the_security_headers(secured):
    app, _ = secured
    with TestClient(app) as client:
        for path in ("/login", "/healthz", "/api/v1/boundaries", "/static/css/madangan.css"):
            headers = client.get(path).headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in client.get("/login").headers["content-security-policy"].split("script-src")[1].split(";")[0]


def test_formula_cells_in_a_quarantine_report_are_neutralised(secured, tmp_path):
    from openpyxl import load_workbook

    from madangan.ingest.pipeline import ingest_records

    app, _ = secured
    record = {"NIK": "3211010101900001", "No. KK": "3211010101200001", "Nama Lengkap": "=HYPERLINK(\"http://x\")",
              "Jenis Kelamin": "L", "Tempat Lahir": "@SUM(A1)", "Tanggal Lahir": "bukan tanggal",
              "Status Hubungan Dalam Keluarga": "ANAK", "Status Perkawinan": "BELUM KAWIN", "Agama": "ISLAM",
              "Pekerjaan": "+cmd", "Kode Desa": "32.11.01.2001", "RT": "1", "RW": "1", "Alamat": "-2+3",
              "Status": "HIDUP"}
    result = ingest_records(app.state.settings, "32.11", "penduduk", [record], submitted_by="test")
    assert result.counts.quarantined == 1
    cells = [c for row in load_workbook(result.report)["Baris ditolak"].iter_rows(values_only=True) for c in row]
    risky = [c for c in cells if isinstance(c, str) and re.match(r"^[=+\-@]", c)]
    assert risky == []
    assert "'=HYPERLINK(\"http://x\")" in cells
