"""Settings from environment variables (MADANGAN_*) and an optional madangan.toml.

Precedence: explicit arguments > environment > madangan.toml > defaults.
The TOML file is ./madangan.toml, or the path in MADANGAN_CONFIG.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from madangan.errors import UserError
from madangan.i18n import t


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MADANGAN_", extra="ignore")

    data_dir: Path = Path("madangan-data")
    #: The deployment's regency/city code; taken from the deployment once initialised.
    region: str | None = None
    #: SQLAlchemy URL of the app database; default: SQLite file in the data directory.
    database_url: str | None = None
    #: DuckDB warehouse file; default: warehouse.duckdb in the data directory.
    warehouse_path: Path | None = None
    lang: str = "id"
    #: MQTT broker for device telemetry, e.g. mqtt://127.0.0.1:1883; `serve` subscribes when set.
    mqtt_url: str | None = None
    mqtt_topic_prefix: str = "madangan"
    #: Verval thresholds by name (madangan.toml `[verval]`), e.g. desil_maks = {BPNT = 4},
    #: program_saling_eksklusif = [["BLT_DD", "PKH"]], aturan_program = "FILE.toml" (a sector's rule file).
    verval: dict[str, Any] = Field(default_factory=dict)

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("use 'id' or 'en'")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("MADANGAN_CONFIG", "madangan.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    @property
    def app_db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'app.db').resolve()}"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_path or self.data_dir / "warehouse.duckdb"

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"


def load_settings(**overrides: object) -> Settings:
    """Settings with `overrides` (None values ignored); invalid values become a UserError."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "madangan.toml"
        raise UserError(t("settings.invalid", field=field, reason=err["msg"])) from None
