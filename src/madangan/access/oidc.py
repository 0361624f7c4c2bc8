"""Optional OpenID Connect login (e.g. a regency's Keycloak), on Authlib.

Authlib runs the protocol: discovery from the issuer's /.well-known/openid-configuration
(read at the first SSO login, not at start-up), the authorization-code flow with PKCE
(S256), state and nonce, the code exchange, and the ID token's checks (signature against
the provider's JWKS, issuer, audience, expiry, nonce). This module decides who the
person is in Madangan: an account bound to the token's subject, else one matched by
username or verified email (the subject is then bound to it), else — only when
`create_users` is on — a new account. Role and region come from the account or, when a
claim mapping is configured, from the claims; either way they pass `store.check_scope`. An
analyst's sectors and a cadre's posyandu likewise come from `sectors_claim`/`posyandu_claim`
when configured (an analyst without sectors or a cadre without a posyandu is refused).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from madangan.access import Role, store
from madangan.appdb import sessions
from madangan.appdb.models import User
from madangan.config import OidcSettings, Settings
from madangan.errors import UserError

CLIENT_NAME = "madangan_sso"
CALLBACK_PATH = "/login/oidc/callback"
#: Seconds of clock difference tolerated between Madangan and the provider.
LEEWAY = 60
#: Seconds a person has to finish signing in at the provider.
STATE_MAX_AGE = 600


@dataclass
class OidcRefused(Exception):
    """An SSO login refused; `key` is an i18n message key (ui.oidc.*), `params` fill it in."""

    key: str
    status: int = 403
    actor: str | None = None  # the Madangan username, when the person was recognised
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.key


def http_errors() -> tuple[type[Exception], ...]:
    """Network failures talking to the provider (Authlib uses httpx2 when installed, else httpx)."""
    import httpx

    found: list[type[Exception]] = [httpx.HTTPError]
    try:
        import httpx2  # type: ignore[import-not-found]

        found.append(httpx2.HTTPError)
    except ImportError:
        pass
    return tuple(found)


def make_client(oidc: OidcSettings):
    """An Authlib Starlette client for the configured provider."""
    import warnings

    import authlib.deprecate  # noqa: F401 - installs its own "always" filter first, so ours below wins

    with warnings.catch_warnings():
        # Authlib 1.9 prefers the httpx2 fork and warns once at import when it runs on httpx, which works
        warnings.filterwarnings("ignore", message="The httpx module is deprecated")
        from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    client_kwargs: dict[str, Any] = {"scope": oidc.scopes, "code_challenge_method": "S256", "timeout": 15}
    if oidc.client_secret is None:
        client_kwargs["token_endpoint_auth_method"] = "none"  # public client: PKCE alone
    return oauth.register(
        CLIENT_NAME,
        client_id=oidc.client_id,
        client_secret=oidc.client_secret.get_secret_value() if oidc.client_secret else None,
        server_metadata_url=f"{oidc.issuer}/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )


async def provider_metadata(client, oidc: OidcSettings) -> dict:
    """The provider's discovery document; its issuer must be the configured one (OIDC Discovery §4.3)."""
    metadata = await client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != oidc.issuer:
        client.server_metadata.clear()  # read it again next time; the provider may be fixed by then
        raise OidcRefused("ui.oidc.issuer_mismatch", status=502)
    return metadata


def session_secret(settings: Settings) -> str:
    """The key signing the short-lived login-state cookie: configured, else kept in the data directory."""
    if settings.oidc.session_secret is not None:
        return settings.oidc.session_secret.get_secret_value()
    path = Path(settings.data_dir) / "oidc-session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# --- who is this person in Madangan --------------------------------------------------------


def claim(claims: dict, path: str) -> Any:
    """A claim by name, or by dotted path into nested claims (Keycloak: realm_access.roles)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def role_from_claims(oidc: OidcSettings, claims: dict) -> Role | None:
    """The role the claims name; None when no role claim is configured."""
    if not oidc.role_claim:
        return None
    value = claim(claims, oidc.role_claim)
    values = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    if oidc.role_map:
        names = {oidc.role_map[v] for v in values if v in oidc.role_map}
    else:
        names = set(values)
    if not names:
        raise OidcRefused("ui.oidc.no_role", params={"claim": oidc.role_claim})
    if len(names) > 1:
        raise OidcRefused("ui.oidc.many_roles", params={"claim": oidc.role_claim, "roles": ", ".join(sorted(names))})
    (name,) = names
    try:
        role = Role(name)
    except ValueError:
        role = None
    if role is None or role is Role.PUBLIC:
        raise OidcRefused("ui.oidc.unknown_role", params={"role": name[:50]})
    return role


def region_from_claims(oidc: OidcSettings, claims: dict) -> str | None:
    if not oidc.region_claim:
        return None
    value = claim(claims, oidc.region_claim)
    if not isinstance(value, str) or not value.strip():
        raise OidcRefused("ui.oidc.no_region", params={"claim": oidc.region_claim})
    from madangan.regions import normalize_code, regions

    try:
        code = normalize_code(value)
    except UserError:
        raise OidcRefused("ui.oidc.bad_region", params={"region": value[:20]}) from None
    if code not in regions():
        raise OidcRefused("ui.oidc.bad_region", params={"region": code})
    return code


def _claim_strings(value: Any) -> list[str]:
    """A claim as a list of non-empty strings: a list as it is, a string split at commas."""
    items = value if isinstance(value, list) else (value.split(",") if isinstance(value, str) else [])
    return [v.strip() for v in items if isinstance(v, str) and v.strip()]


def sectors_from_claims(oidc: OidcSettings, claims: dict, role: Role) -> tuple[str, ...] | None:
    """An analyst's sectors from the claims (None: no sectors claim configured; other roles: none)."""
    if not oidc.sectors_claim:
        return None
    if role is not Role.ANALYST:
        return ()
    from madangan.plugins import sectors

    values = _claim_strings(claim(claims, oidc.sectors_claim))
    if oidc.sector_map:
        values = [oidc.sector_map[v] for v in values if v in oidc.sector_map]
    if not values:
        raise OidcRefused("ui.oidc.no_sectors", params={"claim": oidc.sectors_claim})
    known = {s.name for s in sectors()}
    for value in values:
        if value not in known:
            raise OidcRefused("ui.oidc.unknown_sector", params={"sector": value[:40], "known": ", ".join(sorted(known))})
    return tuple(dict.fromkeys(values))


def posyandu_from_claims(oidc: OidcSettings, claims: dict, role: Role) -> str | None:
    """A cadre's posyandu from the claims; "" when the claim is configured and the role is not a cadre."""
    if not oidc.posyandu_claim:
        return None
    if role is not Role.CADRE:
        return ""
    value = claim(claims, oidc.posyandu_claim)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        raise OidcRefused("ui.oidc.no_posyandu", params={"claim": oidc.posyandu_claim})
    return value.strip()


def _find_account(session, oidc: OidcSettings, claims: dict, subject: str) -> User | None:
    user = session.scalars(select(User).where(User.oidc_subject == subject)).first()
    if user is not None:
        return user
    candidates: list[User] = []
    username = claim(claims, oidc.username_claim)
    if "username" in oidc.match_by and isinstance(username, str) and username:
        candidates += session.scalars(select(User).where(User.username == username)).all()
    email = claims.get("email")
    if "email" in oidc.match_by and isinstance(email, str) and email and claims.get("email_verified") is True:
        candidates += session.scalars(select(User).where(User.email == email.lower())).all()
    matched = {u.id: u for u in candidates}
    if len(matched) > 1:
        raise OidcRefused("ui.oidc.ambiguous")
    if not matched:
        return None
    (user,) = matched.values()
    if user.oidc_subject is not None and user.oidc_subject != subject:
        raise OidcRefused("ui.oidc.bound_elsewhere", actor=user.username)
    user.oidc_subject = subject  # from now on the subject alone identifies the person
    return user


def resolve_user(engine: Engine, oidc: OidcSettings, claims: dict, deployment_code: str) -> tuple[User, bool]:
    """The account this validated ID token signs in, with its role and region checked; (user, created)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise OidcRefused("ui.oidc.token", status=401)
    with sessions(engine).begin() as session:
        user = _find_account(session, oidc, claims, subject)
        role, region = role_from_claims(oidc, claims), region_from_claims(oidc, claims)
        created = False
        if user is None:
            if not oidc.create_users:
                raise OidcRefused("ui.oidc.unknown_user")
            username = claim(claims, oidc.username_claim)
            if not isinstance(username, str) or not username or len(username) > 64:
                raise OidcRefused("ui.oidc.no_username", params={"claim": oidc.username_claim})
            if session.scalars(select(User).where(User.username == username)).first() is not None:
                raise OidcRefused("ui.oidc.username_taken")
            user = User(username=username, full_name=str(claims.get("name", ""))[:200], password_hash=store.SSO_ONLY,
                        role="", region_code="", sectors="", oidc_subject=subject, active=True, failed_logins=0,
                        email=claims["email"].lower() if claims.get("email_verified") is True else None)
            session.add(user)
            created = True
        if not user.active:
            raise OidcRefused("ui.oidc.inactive", actor=user.username)
        new_role = role or Role(user.role)
        new_region = region or user.region_code
        actor = None if created else user.username
        try:
            sectors = sectors_from_claims(oidc, claims, new_role)
            posyandu = posyandu_from_claims(oidc, claims, new_role)
        except OidcRefused as refused:
            refused.actor = actor
            raise
        if posyandu is None:  # no posyandu claim: the record's, for a cadre only
            posyandu = user.posyandu if new_role is Role.CADRE else None
        try:
            store.check_scope(new_role, new_region, deployment_code)
            posyandu = store.check_posyandu(new_role, posyandu)
        except UserError as exc:
            raise OidcRefused("ui.oidc.scope", actor=actor, params={"reason": str(exc)}) from None
        user.role, user.region_code, user.posyandu = new_role.value, new_region, posyandu
        if sectors is not None:
            user.sectors = ",".join(sectors)
        session.flush()
        session.expunge(user)
    return user, created
