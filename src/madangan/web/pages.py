"""HTML pages of the command center."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from madangan.access import Permission
from madangan.access.web import require
from madangan.web.deps import region_structure, render, source_rows

router = APIRouter(include_in_schema=False, dependencies=[require(Permission.AGGREGATES)])


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    code = request.app.state.deployment.region_code
    return render(request, "region.html", s=region_structure(request, code), sources=source_rows(request))


@router.get("/wilayah/{code}", response_class=HTMLResponse)
def region_page(request: Request, code: str):
    if code == request.app.state.deployment.region_code:
        return RedirectResponse("/", status_code=303)
    return render(request, "region.html", s=region_structure(request, code), sources=None)
