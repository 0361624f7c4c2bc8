"""The REST API (OpenAPI at /api/docs)."""

from __future__ import annotations

from pathlib import Path

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from madangan import __version__, boundaries
from madangan.access import Permission, Principal, store
from madangan.access.web import principal, public, require
from madangan.web.deps import error_responses, region_structure, source_rows

class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


router = APIRouter(responses=error_responses(401, 403, 404))


@router.get("/healthz", tags=["sistem"], dependencies=[public])
def healthz(request: Request) -> dict:
    """Liveness: the app runs and knows its deployment."""
    return {"status": "ok", "region": request.app.state.deployment.region_code, "version": __version__}


@router.get("/api/v1/regions/{code}", tags=["wilayah"], dependencies=[require(Permission.AGGREGATES)])
def api_region(request: Request, code: str, who: Principal = Depends(principal)) -> dict:
    """A region of the deployment with its children and their counts (residents, families, …); only regions
    inside the caller's scope (a desa operator: their desa), as the region pages."""
    s = region_structure(request, code)
    if not who.in_scope(s.region.code):
        raise HTTPException(403, f"Wilayah {s.region.code} di luar wilayah akun Anda ({who.region_code}).")
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


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str | None
    action: str
    target: str | None
    region_code: str | None
    client: str | None
    reason: str | None
    detail: str | None


AUDIT_COLUMNS = tuple(AuditOut.model_fields)


@router.get("/api/v1/audit", tags=["audit"], dependencies=[require(Permission.AUDIT)], response_model=list[AuditOut],
            summary="Log audit untuk auditor (ekspor JSON atau CSV)",
            responses={200: {"content": {"text/csv": {}}, "description": "Entri audit, terbaru dulu"}})
def api_audit(request: Request, user: str | None = Query(None, max_length=100, description="Hanya entri pengguna ini"),
              limit: int = Query(1000, ge=1, le=1_000_000), format: Literal["json", "csv"] = "json",
              who: Principal = Depends(principal)):
    """The audit log (who, what, when, from where, why), newest first, for auditors: read-only, as JSON or CSV
    (cells neutralised against formula injection). Reading it is itself audited."""
    from madangan.exports import neutralise

    engine = request.app.state.engine
    entries = store.audit_entries(engine, user, limit)
    store.audit(engine, "audit.export", who.username, target=f"audit:{user or 'all'}",
                client=request.client.host if request.client else None, detail=f"rows={len(entries)} format={format}")
    rows = [{"id": e.id, "at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "action": e.action,
             "target": e.target, "region_code": e.region_code, "client": e.client, "reason": e.reason,
             "detail": e.detail} for e in entries]
    if format == "json":
        return rows
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in AUDIT_COLUMNS])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
