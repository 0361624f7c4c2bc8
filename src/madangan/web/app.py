"""The FastAPI application: pages (Bahasa Indonesia first) and the REST API (OpenAPI at /api/docs)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from madangan import __version__, boundaries, deploy, structure, warehouse
from madangan.appdb import sessions
from madangan.appdb.models import SourceLoad
from madangan.config import Settings
from madangan.i18n import LANGUAGES, t
from madangan.plugins import contracts

WEB = resources.files("madangan.web")


def format_number(n: int, lang: str) -> str:
    """12345 → '12.345' in Indonesian, '12,345' in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "id" else text


def create_app(settings: Settings) -> FastAPI:
    engine, deployment = deploy.open_deployment(settings)
    app = FastAPI(
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
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")
    templates = Jinja2Templates(directory=str(WEB / "templates"))

    def lang_of(request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or settings.lang
        return lang if lang in LANGUAGES else "id"

    def render(request: Request, name: str, **context) -> HTMLResponse:
        lang = lang_of(request)
        response = templates.TemplateResponse(
            request, name,
            {"lang": lang, "tr": lambda key, **kw: t(key, lang, **kw), "fmt": lambda n: format_number(n, lang),
             "deployment": deployment, **context},
        )
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="lax")
        return response

    def warehouse_con():
        return warehouse.connect(settings.warehouse, read_only=True)

    def source_rows() -> list[dict]:
        with sessions(engine)() as session:
            loads = session.scalars(select(SourceLoad).order_by(SourceLoad.loaded_at)).all()
        latest = {load.source: load for load in loads}
        rows = []
        for name, contract in contracts().items():
            load = latest.get(name)
            rows.append({
                "name": name, "title": contract.title, "owner": contract.owner,
                "file": load.file_name if load else None, "rows": load.rows if load else None,
                "loaded_at": load.loaded_at.strftime("%Y-%m-%d %H:%M") if load else None,
            })
        return rows

    def region_structure(code: str) -> structure.Structure:
        con = warehouse_con()
        try:
            found = structure.structure(con, code)
        finally:
            con.disconnect()
        if found is None or not (code == deployment.region_code or code.startswith(deployment.region_code + ".")):
            raise HTTPException(404, f"Wilayah {code} tidak ada di deployment ini")
        return found

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request):
        return render(request, "region.html", s=region_structure(deployment.region_code), sources=source_rows())

    @app.get("/wilayah/{code}", response_class=HTMLResponse, include_in_schema=False)
    def region_page(request: Request, code: str):
        if code == deployment.region_code:
            return RedirectResponse("/")
        return render(request, "region.html", s=region_structure(code), sources=None)

    @app.get("/healthz", tags=["sistem"])
    def healthz() -> dict:
        """Liveness: the app runs and knows its deployment."""
        return {"status": "ok", "region": deployment.region_code, "version": __version__}

    @app.get("/api/v1/regions/{code}", tags=["wilayah"])
    def api_region(code: str) -> dict:
        """A region of the deployment with its children and their counts (residents, families, …)."""
        s = region_structure(code)
        return {
            "code": s.region.code, "name": s.region.name, "level": s.region.level, "counts": s.region.counts,
            "measures": [{"key": k, "label": label} for k, label in s.measures],
            "children": [{"code": r.code, "name": r.name, "level": r.level, "counts": r.counts} for r in s.rows],
            "unknown_desa_rows": s.unknown_desa,
        }

    @app.get("/api/v1/sources", tags=["sumber data"])
    def api_sources() -> list[dict]:
        """Every registered source with its last load (file, rows)."""
        return source_rows()

    @app.get("/api/v1/boundaries", tags=["wilayah"])
    def api_boundaries() -> JSONResponse:
        """The deployment's kecamatan and desa outlines as GeoJSON."""
        return JSONResponse(boundaries.read(Path(settings.data_dir)), media_type="application/geo+json")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json", title="Madangan API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    return app
