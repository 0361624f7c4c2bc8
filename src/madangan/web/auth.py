"""Login and logout pages: local accounts, and SSO through OpenID Connect when configured."""

from __future__ import annotations

import hmac
import logging
import secrets

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from madangan.access import Permission, Principal, oidc, store
from madangan.access.web import LOGIN_CSRF_COOKIE, SESSION_COOKIE, principal, public
from madangan.i18n import t
from madangan.web.deps import lang_of, render

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str | None) -> str:
    return next_url if next_url and next_url.startswith("/") and not next_url.startswith("//") else "/"


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _login_page(request: Request, next_url: str, error: str | None = None, status: int = 200,
                error_text: str | None = None) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    sso = request.app.state.settings.oidc
    response = render(request, "login.html", status_code=status, next_url=_safe_next(next_url), error=error,
                      error_text=error_text, login_csrf=csrf, sso_name=sso.name if sso.enabled else None)
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
    return _signed_in(request, user, "password", next)


def _signed_in(request: Request, user, method: str, next_url: str) -> RedirectResponse:
    """The same server-side session for every way of signing in."""
    engine = request.app.state.engine
    cookie, _ = store.open_session(engine, user, method=method)
    store.audit(engine, "login" if method == "password" else f"login.{method}", user.username,
                region_code=user.region_code, client=_client(request))
    destination = _safe_next(next_url)
    who = store.principal_of(user)
    if destination == "/" and not who.can(Permission.AGGREGATES) and who.can(Permission.LIVINGLAB):
        destination = "/living-lab"  # a Living Lab guest (another region's team) has no command center here
    response = RedirectResponse(destination, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=store.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


# --- OpenID Connect -------------------------------------------------------------------------

NEXT_KEY = "madangan_next"


def _sso_client(request: Request):
    client = getattr(request.app.state, "oidc_client", None)
    if client is None:
        raise HTTPException(404, "SSO (OpenID Connect) tidak dikonfigurasi di deployment ini.")
    return client


def _redirect_base(request: Request) -> str:
    return request.app.state.settings.oidc.redirect_base or str(request.base_url).rstrip("/")


def _sso_refused(request: Request, refused: oidc.OidcRefused) -> HTMLResponse:
    """Audit the refusal (a reason code, never the person's claims) and say why on the login page."""
    store.audit(request.app.state.engine, "login.oidc_refused", refused.actor, client=_client(request),
                detail=refused.key.removeprefix("ui.oidc."))
    text = t(refused.key, lang_of(request), **refused.params)
    return _login_page(request, "/", status=refused.status, error_text=text)


@router.get("/login/oidc", dependencies=[public])
async def sso_start(request: Request, next: str = "/"):
    """Send the browser to the provider (authorization request with state, nonce and PKCE)."""
    client = _sso_client(request)
    settings = request.app.state.settings.oidc
    try:
        await oidc.provider_metadata(client, settings)
        request.session[NEXT_KEY] = _safe_next(next)
        return await client.authorize_redirect(request, _redirect_base(request) + oidc.CALLBACK_PATH)
    except oidc.OidcRefused as refused:
        return _sso_refused(request, refused)
    except (*oidc.http_errors(), ValueError) as exc:
        log.warning("SSO provider unreachable: %s", exc.__class__.__name__)
        return _sso_refused(request, oidc.OidcRefused("ui.oidc.unreachable", status=502))


@router.get(oidc.CALLBACK_PATH, dependencies=[public])
async def sso_callback(request: Request):
    """The provider sends the browser back here with a code; exchange it, check the ID token, sign in."""
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    client = _sso_client(request)
    settings = request.app.state.settings
    if not request.app.state.login_limiter.allow(_client(request) or "?"):
        return _login_page(request, "/", "ui.login.throttled", 429)
    next_url = request.session.pop(NEXT_KEY, "/")
    try:
        await oidc.provider_metadata(client, settings.oidc)
        token = await client.authorize_access_token(request, leeway=oidc.LEEWAY)
        claims = token.get("userinfo")
        if not claims:  # no ID token in the answer: not OpenID Connect
            raise oidc.OidcRefused("ui.oidc.token", status=401)
        user, created = oidc.resolve_user(request.app.state.engine, settings.oidc, dict(claims),
                                          request.app.state.deployment.region_code)
    except oidc.OidcRefused as refused:
        return _sso_refused(request, refused)
    except MismatchingStateError:
        return _sso_refused(request, oidc.OidcRefused("ui.oidc.state", status=400))
    except OAuthError as exc:
        if exc.error == "invalid_client":  # a configuration error, not the person's
            return _sso_refused(request, oidc.OidcRefused("ui.oidc.client", status=502))
        key = "ui.oidc.denied" if exc.error == "access_denied" else "ui.oidc.code"
        return _sso_refused(request, oidc.OidcRefused(key, status=400))
    except JoseError:
        return _sso_refused(request, oidc.OidcRefused("ui.oidc.token", status=401))
    except (*oidc.http_errors(), ValueError) as exc:  # ValueError: an answer that is not JSON
        log.warning("SSO provider unreachable: %s", exc.__class__.__name__)
        return _sso_refused(request, oidc.OidcRefused("ui.oidc.unreachable", status=502))
    if created:
        store.audit(request.app.state.engine, "user_added", "sso", target=f"user:{user.username}",
                    region_code=user.region_code, detail=f"role={user.role}")
    request.session.clear()
    return _signed_in(request, user, "oidc", next_url)


@router.post("/logout", dependencies=[public])
async def logout(request: Request, who: Principal = Depends(principal)):
    cookie = request.cookies.get(SESSION_COOKIE)
    destination = "/login"
    if cookie and who.is_authenticated:
        form = await request.form()
        expected = getattr(request.state, "csrf", None)
        if expected and hmac.compare_digest(str(form.get("csrf_token", "")), expected):
            store.close_session(request.app.state.engine, cookie)
            store.audit(request.app.state.engine, "logout", who.username, client=_client(request))
            if getattr(request.state, "login_method", None) == "oidc":
                destination = await _sso_logout_url(request) or destination
    response = RedirectResponse(destination, status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def _sso_logout_url(request: Request) -> str | None:
    """The provider's end_session_endpoint (RP-initiated logout), when it advertises one."""
    client = getattr(request.app.state, "oidc_client", None)
    if client is None:
        return None
    try:
        metadata = await oidc.provider_metadata(client, request.app.state.settings.oidc)
        if not metadata.get("end_session_endpoint"):
            return None
        found = await client.create_logout_url(post_logout_redirect_uri=_redirect_base(request) + "/login",
                                               client_id=client.client_id)
        return found["url"]
    except (oidc.OidcRefused, *oidc.http_errors(), ValueError):
        return None  # the local session has ended either way
