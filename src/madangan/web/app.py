"""The FastAPI application: pages (Bahasa Indonesia first) and the REST API (OpenAPI at /api/docs).

Every route declares its access rule (madangan.access.web); the routers are
small and typed, and read only what the pipeline stored.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources
from urllib.parse import urlsplit

import anyio
import jinja2
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from madangan import __version__, deploy, plugins
from madangan.access.web import LoginRequired, RateLimiter, login_redirect, public
from madangan.config import Settings
from madangan.alerts import web as alerts_web
from madangan.sectors.health import api as health_api
from madangan.sectors.spbe import web as spbe_web
from madangan.sectors.welfare import api as welfare_api
from madangan.sectors.welfare import pages as welfare_pages
from madangan.web import (api, auth, dashboard, findings_api, indicators_api, ingest_api, moderation_pages,
                          opendata_api, portal_pages, readmodel, worklist_pages)

WEB = resources.files("madangan.web")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages carry personal data; nothing for shared caches
}


def _lifespan(settings: Settings, region_code: str):
    """Subscribe to device telemetry over MQTT while serving, when a broker is configured."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warehouse.exists():
            # the figures in memory before the first request, not during it: with several server processes the
            # requests that met a process still loading (~1 s at full size) made the slowest percentile
            await anyio.to_thread.run_sync(readmodel.snapshot, settings.warehouse)
        subscriber = None
        if settings.mqtt_url:
            from madangan.ingest.mqtt import MqttIngest

            subscriber = MqttIngest(settings, region_code, settings.mqtt_url, settings.mqtt_topic_prefix,
                                    after_flush=lambda sources: deploy.rebuild_summary(settings, sources=sources))
            subscriber.start()
        app.state.mqtt = subscriber
        yield
        if subscriber is not None:
            subscriber.stop()

    return lifespan


def sector_nav(principal) -> list:
    """The sectors' navigation links this principal may open (a link shows only with the permission it needs)."""
    if principal is None or not principal.is_authenticated:
        return []
    return [link for link in plugins.nav_links() if principal.can(link.permission)]


def create_app(settings: Settings) -> FastAPI:
    engine, deployment = deploy.open_deployment(settings)
    app = FastAPI(
        lifespan=_lifespan(settings, deployment.region_code),
        title="Madangan API",
        version=__version__,
        description="Pusat komando data kabupaten/kota — REST API (Bahasa Indonesia; English available).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.deployment = deployment
    # the platform's templates, then each sector's own templates/ directory (plugins.template_dirs)
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(WEB / "templates")),
                                  *(jinja2.FileSystemLoader(str(d)) for d in plugins.template_dirs())])
    app.state.templates = Jinja2Templates(env=jinja2.Environment(loader=loader, autoescape=True))
    app.state.templates.env.globals["theme_nav"] = readmodel.themes  # the sectors' thematic pages, for the menu
    app.state.templates.env.globals["sector_nav"] = sector_nav  # the sectors' own pages, for the top navigation
    app.state.login_limiter = RateLimiter(limit=10, window=60)
    app.state.oidc_client = None
    if settings.oidc.enabled:
        # SSO: a short-lived signed cookie, sent only to /login/oidc*, carries state, nonce and PKCE verifier
        from starlette.middleware.sessions import SessionMiddleware

        from madangan.access import oidc

        app.state.oidc_client = oidc.make_client(settings.oidc)
        app.add_middleware(SessionMiddleware, secret_key=oidc.session_secret(settings), session_cookie="madangan_sso",
                           max_age=oidc.STATE_MAX_AGE, path="/login/oidc", same_site="lax",
                           https_only=(settings.oidc.redirect_base or "").startswith("https://"))
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")

    # Logging out of an SSO session continues at the provider: the logout form may lead there
    form_action = "'self'"
    if settings.oidc.enabled:
        issuer = urlsplit(settings.oidc.issuer)
        form_action += f" {issuer.scheme}://{issuer.netloc}"

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):
        response = await call_next(request)
        if request.url.path.startswith("/static/"):
            # vendored libraries and our own assets: no personal data, so the browser may keep them a while
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # Swagger UI boots with one inline script; every other page runs only our own files
        script = "'self' 'unsafe-inline'" if request.url.path == "/api/docs" else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action {form_action}",
        )
        return response

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, exc: LoginRequired):
        return RedirectResponse(login_redirect(exc.next_url), status_code=303)

    @app.get("/api/docs", include_in_schema=False, dependencies=[public])
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json", title="Madangan API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.include_router(auth.router)
    app.include_router(dashboard.router)
    app.include_router(api.router)
    app.include_router(ingest_api.router)
    app.include_router(findings_api.router)
    app.include_router(worklist_pages.router)
    app.include_router(indicators_api.router)
    app.include_router(spbe_web.router)
    app.include_router(welfare_api.router)
    app.include_router(welfare_api.public_router)
    app.include_router(welfare_pages.router)
    app.include_router(health_api.router)
    app.include_router(health_api.pages)
    app.include_router(opendata_api.router)
    app.include_router(portal_pages.router)
    app.include_router(moderation_pages.router)
    alerts_web.install(app)
    return app


def app_from_settings() -> FastAPI:
    """The app for one of several server processes (`madangan serve --workers N`): settings from the environment."""
    from madangan.config import load_settings

    return create_app(load_settings())
