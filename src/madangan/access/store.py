"""Accounts, sessions, API tokens and the audit log, on the app database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from madangan.access import ROLE_SCOPE_DEPTH, Principal, Role
from madangan.appdb import sessions
from madangan.appdb.models import ApiToken, AuditEntry, User, UserSession
from madangan.errors import UserError

SESSION_HOURS = 12
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "mdg_"

_hasher = PasswordHasher()


def now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_password() -> str:
    return secrets.token_urlsafe(12)


# --- accounts -----------------------------------------------------------------------------


def check_within(region_code: str, deployment_code: str) -> None:
    if not (region_code == deployment_code or region_code.startswith(deployment_code + ".")):
        raise UserError(f"Wilayah {region_code} di luar deployment {deployment_code}.")


def check_scope(role: Role, region_code: str, deployment_code: str) -> None:
    """The role's scope is a region of the deployment at the level the role works at.

    A Living Lab guest (`livinglab`) is the exception: an officer of any province or regency/city of
    the country, who fills in their own region's assessment in a lab hosted by this deployment.
    """
    if role is Role.LIVINGLAB:
        from madangan.regions import regions

        if region_code not in regions().names:
            raise UserError(f"Wilayah {region_code} tidak ada di daftar Kemendagri.")
    else:
        check_within(region_code, deployment_code)
    depth = region_code.count(".") + 1
    if depth not in ROLE_SCOPE_DEPTH[role]:
        levels = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}
        wanted = " atau ".join(levels[d] for d in ROLE_SCOPE_DEPTH[role])
        raise UserError(f"Peran '{role}' harus dibatasi ke satu {wanted} (diberikan: {region_code}).")


def check_posyandu(role: Role, posyandu: str | None) -> str | None:
    """A posyandu cadre works for one posyandu (their scope inside the desa); no other role has one."""
    posyandu = (posyandu or "").strip() or None
    if role is Role.CADRE and posyandu is None:
        raise UserError("Kader posyandu perlu posyandunya (--posyandu \"Posyandu Mawar 1\", nama atau kode seperti di "
                        "data posyandu). (A posyandu cadre needs their posyandu.)")
    if role is not Role.CADRE and posyandu is not None:
        raise UserError(f"Hanya peran 'cadre' yang dibatasi ke satu posyandu (peran: {role}). "
                        "(Only the cadre role is scoped to a posyandu.)")
    if posyandu is not None and len(posyandu) > 200:
        raise UserError("Nama posyandu paling panjang 200 karakter. (Posyandu name too long.)")
    return posyandu


def check_sectors(sectors: tuple[str, ...]) -> None:
    """An analyst's sectors are sectors Madangan knows (health, welfare, …)."""
    from madangan.plugins import sectors as registered

    known = {s.name for s in registered()}
    unknown = [s for s in sectors if s not in known]
    if unknown:
        raise UserError(f"Sektor tidak dikenal: {', '.join(unknown)} (dikenal: {', '.join(sorted(known))}). "
                        "(Unknown sectors.)")


#: Stored instead of a hash for accounts that sign in only through SSO: no password matches it.
SSO_ONLY = "!sso-only"


def add_user(engine: Engine, username: str, role: Role, region_code: str, deployment_code: str,
             password: str | None = None, full_name: str = "", sectors: tuple[str, ...] = (),
             posyandu: str | None = None, oidc_subject: str | None = None, email: str | None = None,
             sso_only: bool = False) -> str | None:
    """Create an account; returns its password (generated when none is given), None for an SSO-only account."""
    if role is Role.PUBLIC:
        raise UserError("Peran 'public' tidak memakai akun.")
    check_scope(role, region_code, deployment_code)
    posyandu = check_posyandu(role, posyandu)
    check_sectors(sectors)
    if sso_only:
        password_hash, password = SSO_ONLY, None
    else:
        password = password or new_password()
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
        password_hash = _hasher.hash(password)
    user = User(username=username, full_name=full_name, password_hash=password_hash, role=role.value,
                region_code=region_code, sectors=",".join(sectors), posyandu=posyandu,
                oidc_subject=oidc_subject or None, email=email.strip().lower() if email else None)
    try:
        with sessions(engine).begin() as session:
            session.add(user)
    except IntegrityError:
        if oidc_subject and any(u.oidc_subject == oidc_subject for u in list_users(engine)):
            raise UserError(f"Subjek SSO '{oidc_subject}' sudah dipakai akun lain.") from None
        raise UserError(f"Pengguna '{username}' sudah ada.") from None
    return password


def list_users(engine: Engine) -> list[User]:
    with sessions(engine)() as session:
        return list(session.scalars(select(User).order_by(User.username)))


def _get_user(session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise UserError(f"Pengguna '{username}' tidak ditemukan.")
    return user


def set_active(engine: Engine, username: str, active: bool) -> None:
    with sessions(engine).begin() as session:
        user = _get_user(session, username)
        user.active = active
        if not active:
            for s in session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
                s.revoked = True


def reset_password(engine: Engine, username: str, password: str | None = None) -> str:
    """An admin sets a new password; the lockout is lifted and open sessions end."""
    password = password or new_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
    with sessions(engine).begin() as session:
        user = _get_user(session, username)
        user.password_hash = _hasher.hash(password)
        user.failed_logins, user.locked_until = 0, None
        for s in session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
            s.revoked = True
    return password


def principal_of(user: User) -> Principal:
    return Principal(Role(user.role), user.region_code, username=user.username, user_id=user.id,
                     sectors=frozenset(filter(None, user.sectors.split(","))), posyandu=user.posyandu)


# --- login and sessions -------------------------------------------------------------------


class LoginRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid" or "locked"


def authenticate(engine: Engine, username: str, password: str) -> User:
    """The user behind these credentials; counts failures and locks the account after too many."""
    refused: str | None = None
    with sessions(engine).begin() as session:  # commits the failure count even when refusing
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            _hasher.hash(password)  # same work as a real check: no timing hint that the name is unknown
            refused = "invalid"
        elif (locked := _aware(user.locked_until)) is not None and locked > now():
            refused = "locked"
        elif not _password_matches(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now() + timedelta(minutes=LOCKOUT_MINUTES)
                user.failed_logins = 0
            refused = "invalid"
        elif not user.active:
            refused = "invalid"
        else:
            user.failed_logins, user.locked_until = 0, None
    if refused:
        raise LoginRefused(refused)
    return user


def _password_matches(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def open_session(engine: Engine, user: User, method: str = "password") -> tuple[str, str]:
    """A fresh session (new id at every login, so a planted id is useless); returns (cookie, csrf).

    `method` records how the user signed in: "password" or "oidc" (logout then also ends the SSO session).
    """
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with sessions(engine).begin() as session:
        session.add(UserSession(token_hash=digest(cookie), user_id=user.id, csrf_token=csrf, method=method,
                                created_at=now(), expires_at=now() + timedelta(hours=SESSION_HOURS)))
    return cookie, csrf


def session_user(engine: Engine, cookie: str) -> tuple[User, UserSession] | None:
    with sessions(engine)() as session:
        found = session.scalars(select(UserSession).where(UserSession.token_hash == digest(cookie))).first()
        if found is None or found.revoked or _aware(found.expires_at) <= now():
            return None
        user = session.get(User, found.user_id)
        if user is None or not user.active:
            return None
        return user, found


def close_session(engine: Engine, cookie: str) -> None:
    with sessions(engine).begin() as session:
        found = session.scalars(select(UserSession).where(UserSession.token_hash == digest(cookie))).first()
        if found is not None:
            found.revoked = True


# --- API tokens ---------------------------------------------------------------------------


def add_token(engine: Engine, name: str, region_code: str, deployment_code: str, sources: tuple[str, ...],
              created_by: str | None = None, days: int | None = None, role: Role = Role.ANALYST) -> str:
    """A new application token; the secret is returned once and only its hash is stored."""
    check_within(region_code, deployment_code)
    if region_code.count(".") > 2:
        raise UserError(f"Token API dibatasi ke kabupaten atau kecamatan, bukan desa ({region_code}).")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with sessions(engine).begin() as session:
        session.add(ApiToken(name=name, token_hash=digest(secret), prefix=secret[:10], role=role.value,
                             region_code=region_code, sources=",".join(sources), created_by=created_by,
                             expires_at=now() + timedelta(days=days) if days else None))
    return secret


def list_tokens(engine: Engine) -> list[ApiToken]:
    with sessions(engine)() as session:
        return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(engine: Engine, token_id: int) -> None:
    with sessions(engine).begin() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            raise UserError(f"Token #{token_id} tidak ditemukan.")
        token.revoked_at = token.revoked_at or now()


def token_principal(engine: Engine, secret: str) -> Principal | None:
    with sessions(engine).begin() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
        if token is None or token.revoked_at is not None:
            return None
        expires = _aware(token.expires_at)
        if expires is not None and expires <= now():
            return None
        token.last_used_at = now()
        return Principal(Role(token.role), token.region_code, username=f"token:{token.name}", token_id=token.id,
                         sources=frozenset(filter(None, token.sources.split(","))))


# --- audit --------------------------------------------------------------------------------


def audit(engine: Engine, action: str, actor: str | None, target: str | None = None, region_code: str | None = None,
          client: str | None = None, reason: str | None = None, detail: str | None = None) -> None:
    """Append one entry. Never pass personal data in `detail`: name the record by its key."""
    with sessions(engine).begin() as session:
        session.add(AuditEntry(actor=actor, action=action, target=target, region_code=region_code,
                               client=client, reason=reason, detail=detail))


def audit_entries(engine: Engine, actor: str | None = None, limit: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if limit:
        query = query.limit(limit)
    with sessions(engine)() as session:
        return list(session.scalars(query))
