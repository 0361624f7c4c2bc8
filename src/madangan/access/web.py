"""FastAPI side of access: who is calling, and the one rule every route declares.

    dependencies=[require(Permission.AGGREGATES)]   # needs a login with that permission
    dependencies=[public]                           # anyone, no login

A route without one of these fails the authorisation-matrix test.
"""

from __future__ import annotations

import hmac
import time
from collections import defaultdict, deque
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from madangan.access import Permission, Principal, anonymous, store

SESSION_COOKIE = "madangan_session"
LOGIN_CSRF_COOKIE = "madangan_login_csrf"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class LoginRequired(Exception):
    """Raised for a page that needs a login; the app answers with a redirect to /login."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def principal(request: Request) -> Principal:
    """The caller: an API token (Authorization: Bearer …), a session cookie, or the public."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    engine = request.app.state.engine
    region = request.app.state.deployment.region_code
    found: Principal | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = store.token_principal(engine, header[7:].strip())
        if found is None:
            raise HTTPException(401, "Token API tidak valid, kedaluwarsa atau dicabut.",
                                headers={"WWW-Authenticate": "Bearer"})
        request.state.csrf = None
    elif cookie := request.cookies.get(SESSION_COOKIE):
        session = store.session_user(engine, cookie)
        if session is not None:
            user, user_session = session
            found = store.principal_of(user)
            request.state.csrf = user_session.csrf_token
            request.state.login_method = user_session.method
    request.state.principal = found or anonymous(region)
    return request.state.principal


async def _check_csrf(request: Request) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (form field or header)."""
    expected = getattr(request.state, "csrf", None)
    if request.method not in UNSAFE_METHODS or expected is None:
        return
    given = request.headers.get("x-csrf-token")
    if given is None and "form" in request.headers.get("content-type", ""):
        given = (await request.form()).get("csrf_token")
    if not given or not hmac.compare_digest(str(given), expected):
        raise HTTPException(403, "Token CSRF tidak ada atau salah; muat ulang halaman lalu coba lagi.")


def require(permission: Permission):
    """A dependency: the caller is logged in and holds `permission`."""

    async def check(request: Request, who: Principal = Depends(principal)) -> Principal:
        if not who.is_authenticated:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "Perlu masuk (login) atau token API.", headers={"WWW-Authenticate": "Bearer"})
            raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if not who.can(permission):
            raise HTTPException(403, f"Peran '{who.role}' tidak berhak atas '{permission}'.")
        await _check_csrf(request)
        return who

    check.access_rule = permission  # read by the authorisation-matrix test
    return Depends(check)


def _public(who: Principal = Depends(principal)) -> Principal:
    return who


_public.access_rule = "public"
public = Depends(_public)


def login_redirect(next_url: str) -> str:
    return "/login?next=" + quote(next_url if next_url.startswith("/") and not next_url.startswith("//") else "/")


class RateLimiter:
    """At most `limit` attempts per `window` seconds per key (client address), in memory."""

    def __init__(self, limit: int = 10, window: float = 60.0):
        self.limit, self.window = limit, window
        self.attempts: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        queue = self.attempts[key]
        while queue and now - queue[0] > self.window:
            queue.popleft()
        if len(queue) >= self.limit:
            return False
        queue.append(now)
        return True
