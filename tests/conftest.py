"""Shared fixtures: a small synthetic regency, a built demo deployment, and real services.

Tests that need PostgreSQL or Chromium skip with a reason when those are absent,
unless MADANGAN_REQUIRE_SERVICES=1 (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from madangan.config import Settings

REQUIRE_SERVICES = os.environ.get("MADANGAN_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get("MADANGAN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = os.environ.get("MADANGAN_CHROMIUM", "/usr/bin/chromium")
SMALL_POPULATION = 20_000


def missing_service(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (MADANGAN_REQUIRE_SERVICES=1, so this must run)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's madangan.toml or MADANGAN_* variables by accident."""
    for name in list(os.environ):
        if name.startswith("MADANGAN_") and name not in ("MADANGAN_REQUIRE_SERVICES", "MADANGAN_TEST_POSTGRES", "MADANGAN_CHROMIUM"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MADANGAN_CONFIG", str(tmp_path / "no-such-madangan.toml"))


@pytest.fixture(scope="session")
def small_regency():
    """Kabupaten Sumedang at 20,000 residents, seed 7, all registered sectors."""
    from madangan import synth

    return synth.build("32.11", SMALL_POPULATION, seed=7)


@pytest.fixture(scope="session")
def demo_deployment(tmp_path_factory):
    """A built demo deployment (settings, result) in its own data directory."""
    from madangan import deploy

    data_dir = tmp_path_factory.mktemp("demo") / "madangan-data"
    settings = Settings(data_dir=data_dir)
    result = deploy.demo(settings, "32.11", SMALL_POPULATION, seed=7)
    return settings, result


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: no server here
        missing_service(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}")
    name = f"madangan_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def chromium_path():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


def login(client, username: str, password: str, next_url: str = "/"):
    """Sign in through the login form, as a person would; returns the final response."""
    import re

    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf, "next": next_url})


@pytest.fixture(scope="session")
def demo_passwords(demo_deployment) -> dict[str, str]:
    _, result = demo_deployment
    return {username: password for username, _, _, password in result.accounts}
