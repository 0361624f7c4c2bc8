"""Settings from environment variables (MADANGAN_*) and an optional madangan.toml.

Precedence: explicit arguments > environment > madangan.toml > defaults.
The TOML file is ./madangan.toml, or the path in MADANGAN_CONFIG.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from madangan.errors import UserError
from madangan.i18n import t


class OidcSettings(BaseModel):
    """Optional OpenID Connect login (e.g. the regency's Keycloak). Off unless `issuer` and `client_id` are set.

    madangan.toml `[oidc]`, or MADANGAN_OIDC__ISSUER, MADANGAN_OIDC__CLIENT_ID, … in the environment.
    """

    #: The provider's issuer URL, e.g. https://sso.sumedangkab.go.id/realms/pemkab; its
    #: /.well-known/openid-configuration is read at the first SSO login.
    issuer: str | None = None
    client_id: str | None = None
    #: Confidential client's secret; leave empty for a public client (PKCE only).
    client_secret: SecretStr | None = None
    #: Public base URL of this Madangan, e.g. https://madangan.sumedangkab.go.id; the provider
    #: sends users back to <redirect_base>/login/oidc/callback. Default: the address of the request.
    redirect_base: str | None = None
    #: Shown on the login button: "Masuk dengan SSO (<name>)".
    name: str = "SSO"
    scopes: str = "openid profile email"
    #: Claim naming the user's Madangan role (a string or a list such as Keycloak groups);
    #: dotted paths reach nested claims, e.g. realm_access.roles. Empty: roles come from Madangan's records.
    role_claim: str | None = None
    #: Claim value → role, e.g. {"/dinsos" = "analyst"}; without it the claim must name a role itself.
    role_map: dict[str, str] = Field(default_factory=dict)
    #: Claim naming the user's region scope (a Kemendagri code such as 32.11.01.2001).
    region_claim: str | None = None
    #: Claim naming an analyst's sectors (a list, or a string separated by commas), e.g. ["health"]; with
    #: `sector_map` the values are mapped, e.g. {"/opd/dinkes" = "health"} (Keycloak groups). An analyst then
    #: gets exactly these sectors (none: refused); other roles get none. Empty: sectors from Madangan's records.
    sectors_claim: str | None = None
    sector_map: dict[str, str] = Field(default_factory=dict)
    #: Claim naming a posyandu cadre's posyandu, as written in the posyandu data ("Posyandu Mawar 1");
    #: required for a cadre once set. Empty: the posyandu from Madangan's records.
    posyandu_claim: str | None = None
    #: Claim used as the username when matching or creating accounts.
    username_claim: str = "preferred_username"
    #: How a first SSO login finds an existing account without a bound subject: by username, by
    #: (verified) email. The subject is then bound to that account.
    match_by: list[Literal["username", "email"]] = Field(default_factory=lambda: ["username", "email"])
    #: Create an account at the first SSO login of someone unknown (needs role and region claims).
    create_users: bool = False
    #: Key signing the short-lived cookie that carries state, nonce and PKCE verifier during a
    #: login; default: a random key kept in <data_dir>/oidc-session.key.
    session_secret: SecretStr | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    @field_validator("issuer", "redirect_base")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL, e.g. https://sso.example.go.id/realms/pemkab")
        return value.rstrip("/")

    @field_validator("role_map")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        from madangan.access import Role

        known = {r.value for r in Role if r is not Role.PUBLIC}
        for claim_value, role in value.items():
            if role not in known:
                raise ValueError(f"role_map[{claim_value!r}] = {role!r} is not a role ({', '.join(sorted(known))})")
        return value

    @model_validator(mode="after")
    def _complete(self) -> OidcSettings:
        if bool(self.issuer) != bool(self.client_id):
            raise ValueError("set both issuer and client_id (or neither, to leave SSO off)")
        if self.enabled and "openid" not in self.scopes.split():
            raise ValueError("scopes must include 'openid'")
        if self.create_users and not (self.role_claim and self.region_claim):
            raise ValueError("create_users needs role_claim and region_claim")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MADANGAN_", env_nested_delimiter="__", extra="ignore")

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
    #: Optional OpenID Connect login (madangan.toml `[oidc]`); see OidcSettings.
    oidc: OidcSettings = Field(default_factory=OidcSettings)

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
