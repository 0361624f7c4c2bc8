"""Settings come from defaults, madangan.toml and MADANGAN_* variables, in that rising order."""

from pathlib import Path

import pytest

from madangan.config import load_settings
from madangan.errors import UserError


def test_defaults_keep_everything_in_one_data_directory():
    settings = load_settings()
    assert settings.data_dir == Path("madangan-data")
    assert settings.app_db_url.startswith("sqlite:///") and settings.app_db_url.endswith("madangan-data/app.db")
    assert settings.warehouse == Path("madangan-data/warehouse.duckdb")


def test_environment_sets_data_dir_and_database(monkeypatch, tmp_path):
    monkeypatch.setenv("MADANGAN_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("MADANGAN_DATABASE_URL", "postgresql+psycopg://u@db/madangan")
    settings = load_settings()
    assert settings.data_dir == tmp_path / "d"
    assert settings.app_db_url == "postgresql+psycopg://u@db/madangan"
    assert settings.warehouse == tmp_path / "d" / "warehouse.duckdb"


def test_toml_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    toml = tmp_path / "madangan.toml"
    toml.write_text('region = "11.71"\ndata_dir = "/srv/madangan"\nlang = "en"\n')
    monkeypatch.setenv("MADANGAN_CONFIG", str(toml))
    settings = load_settings()
    assert (settings.region, settings.data_dir, settings.lang) == ("11.71", Path("/srv/madangan"), "en")
    monkeypatch.setenv("MADANGAN_REGION", "16.06")
    assert load_settings().region == "16.06"


def test_invalid_setting_names_the_field(monkeypatch):
    monkeypatch.setenv("MADANGAN_LANG", "fr")
    with pytest.raises(UserError, match="lang"):
        load_settings()
