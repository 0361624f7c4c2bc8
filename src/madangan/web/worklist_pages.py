"""Worklist pages: a village operator's findings, each record's evidence, the field outcome, the XLSX export."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.background import BackgroundTask

from madangan.access import Permission, Principal, store
from madangan.access.web import principal, require
from madangan.errors import Conflict, NotFound, OutOfScope, UserError
from madangan.verval import findings as service
from madangan.verval import worklist
from madangan.verval.store import STATUS_LABELS, STATUSES, TRANSITIONS
from madangan.web.deps import lang_of, render

router = APIRouter(include_in_schema=False, dependencies=[require(Permission.PERSONS)])
PER_PAGE = 50


def _query(request: Request, desa: str | None, rule: str | None, status: str | None):
    try:
        return service.parse_filter(request.app.state.deployment.region_code, desa=desa or None, rule=rule or None,
                                    status=[status] if status else None)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except UserError as exc:
        raise HTTPException(400, str(exc)) from None


def _actor(who: Principal) -> str:
    return who.username or "?"


@router.get("/temuan", response_class=HTMLResponse)
def findings_page(request: Request, desa: str = "", rule: str = "", status: str = "", page: int = 1,
                  who: Principal = Depends(principal)):
    query = _query(request, desa, rule, status)
    lang = lang_of(request)
    page = max(page, 1)
    try:
        items, total = service.read(request.app.state.engine, query, who, lang, offset=(page - 1) * PER_PAGE,
                                    limit=PER_PAGE)
    except OutOfScope as exc:
        raise HTTPException(403, str(exc)) from None
    store.audit(request.app.state.engine, "findings.read", _actor(who), target=service.describe_filter(query),
                region_code=who.region_code, client=request.client.host if request.client else None,
                detail=f"rows={len(items)} page={page}")
    rules = sorted(((r, c.title[lang]) for r, c in worklist.rules().items()), key=lambda x: x[1])
    statuses = [*((s, STATUS_LABELS[s][lang]) for s in STATUSES), ("all", "")]
    pages = max(1, -(-total // PER_PAGE))
    return render(request, "findings.html", items=items, total=total, page=page, pages=pages, rules=rules,
                  statuses=statuses, chosen={"desa": desa, "rule": rule, "status": status},
                  query_string=request.url.query)


@router.get("/temuan/ekspor.xlsx")
def findings_export(request: Request, desa: str = "", rule: str = "", status: str = "",
                    who: Principal = Depends(principal)):
    query = _query(request, desa, rule, status)
    lang = lang_of(request)
    try:
        items, _ = service.read(request.app.state.engine, query, who, lang, offset=0, limit=None)
    except OutOfScope as exc:
        raise HTTPException(403, str(exc)) from None
    store.audit(request.app.state.engine, "findings.export", _actor(who), target=service.describe_filter(query),
                region_code=who.region_code, client=request.client.host if request.client else None,
                detail=f"rows={len(items)}")
    folder = Path(tempfile.mkdtemp(prefix="madangan-worklist-"))
    path = folder / "daftar-kerja.xlsx"
    worklist.export_xlsx(items, path, lang)
    name = f"temuan-{(desa or who.region_code or 'semua').replace('.', '')}.xlsx"
    return FileResponse(path, filename=name, background=BackgroundTask(_remove, folder),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@router.get("/temuan/{finding_id}", response_class=HTMLResponse)
def finding_page(request: Request, finding_id: str, who: Principal = Depends(principal), error: str | None = None):
    lang = lang_of(request)
    try:
        item, events = service.read_one(request.app.state.engine, finding_id, who, lang)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    store.audit(request.app.state.engine, "finding.read", _actor(who), target=f"finding:{finding_id}",
                region_code=who.region_code, client=request.client.host if request.client else None)
    choices = [(s, STATUS_LABELS[s][lang]) for s in TRANSITIONS[item["status"]]]
    return render(request, "finding.html", item=item, events=events, choices=choices, error=error,
                  labels={s: v[lang] for s, v in STATUS_LABELS.items()},
                  status_code=400 if error else 200)


@router.post("/temuan/{finding_id}", response_class=HTMLResponse)
def finding_outcome(request: Request, finding_id: str, status: str = Form(...), reason: str = Form(""),
                    who: Principal = Depends(principal)):
    lang = lang_of(request)
    try:
        service.set_status(request.app.state.engine, finding_id, status, reason, who, _actor(who), lang)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (Conflict, UserError) as exc:
        return finding_page(request, finding_id, who, error=str(exc))
    store.audit(request.app.state.engine, "finding.status", _actor(who), target=f"finding:{finding_id}",
                region_code=who.region_code, client=request.client.host if request.client else None,
                reason=reason or None, detail=f"status={status}")
    return RedirectResponse(f"/temuan/{finding_id}", status_code=303)
