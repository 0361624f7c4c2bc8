"""Login and logout pages."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from madangan.access import Principal, store
from madangan.access.web import LOGIN_CSRF_COOKIE, SESSION_COOKIE, principal, public
from madangan.web.deps import render

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str | None) -> str:
    return next_url if next_url and next_url.startswith("/") and not next_url.startswith("//") else "/"


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _login_page(request: Request, next_url: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status, next_url=_safe_next(next_url), error=error,
                      login_csrf=csrf)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login", response_class=HTMLResponse, dependencies=[public])
def login_form(request: Request, next: str = "/"):
    return _login_page(request, next)


@router.post("/login", response_class=HTMLResponse, dependencies=[public])
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/")):
    engine = request.app.state.engine
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected):
        return _login_page(request, next, "ui.login.csrf", 403)
    if not request.app.state.login_limiter.allow(_client(request) or "?"):
        return _login_page(request, next, "ui.login.throttled", 429)
    try:
        user = store.authenticate(engine, username, password)
    except store.LoginRefused as refused:
        store.audit(engine, "login_failed", username[:100] or None, client=_client(request), detail=refused.reason)
        key = "ui.login.locked" if refused.reason == "locked" else "ui.login.invalid"
        return _login_page(request, next, key, 401)
    cookie, _ = store.open_session(engine, user)
    store.audit(engine, "login", user.username, region_code=user.region_code, client=_client(request))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=store.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", dependencies=[public])
async def logout(request: Request, who: Principal = Depends(principal)):
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and who.is_authenticated:
        form = await request.form()
        expected = getattr(request.state, "csrf", None)
        if expected and hmac.compare_digest(str(form.get("csrf_token", "")), expected):
            store.close_session(request.app.state.engine, cookie)
            store.audit(request.app.state.engine, "logout", who.username, client=_client(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
