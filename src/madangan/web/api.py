"""The REST API (OpenAPI at /api/docs)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from madangan import __version__, boundaries
from madangan.access import Permission
from madangan.access.web import public, require
from madangan.web.deps import error_responses, region_structure, source_rows

class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


router = APIRouter(responses=error_responses(401, 403, 404))


@router.get("/healthz", tags=["sistem"], dependencies=[public])
def healthz(request: Request) -> dict:
    """Liveness: the app runs and knows its deployment."""
    return {"status": "ok", "region": request.app.state.deployment.region_code, "version": __version__}


@router.get("/api/v1/regions/{code}", tags=["wilayah"], dependencies=[require(Permission.AGGREGATES)])
def api_region(request: Request, code: str) -> dict:
    """A region of the deployment with its children and their counts (residents, families, …)."""
    s = region_structure(request, code)
    return {
        "code": s.region.code, "name": s.region.name, "level": s.region.level, "counts": s.region.counts,
        "measures": [{"key": k, "label": label} for k, label in s.measures],
        "children": [{"code": r.code, "name": r.name, "level": r.level, "counts": r.counts} for r in s.rows],
        "unknown_desa_rows": s.unknown_desa,
    }


@router.get("/api/v1/sources", tags=["sumber data"], dependencies=[require(Permission.AGGREGATES)])
def api_sources(request: Request) -> list[dict]:
    """Every registered source with its last load (file, rows)."""
    return source_rows(request)


@router.get("/api/v1/boundaries", tags=["wilayah"], dependencies=[public], response_class=GeoJSONResponse,
            responses={200: {"content": {"application/geo+json": {}}, "description": "GeoJSON FeatureCollection"}})
def api_boundaries(request: Request) -> GeoJSONResponse:
    """The deployment's kecamatan and desa outlines as GeoJSON (public: no personal data)."""
    # public outlines that change only on `boundaries import`: pages may reuse them for a few minutes
    return GeoJSONResponse(boundaries.read(Path(request.app.state.settings.data_dir)),
                           headers={"Cache-Control": "public, max-age=600"})
