"""Targeting pages: the rates of a region (aggregates), and a desa's lists for the village meeting (persons)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from madangan.access import Permission, Principal
from madangan.access import store as audit_store
from madangan.access.web import principal, require
from madangan.errors import Conflict, NotFound, OutOfScope, UserError
from madangan.i18n import t
from madangan.regions import regions
from madangan.sectors.welfare import PROGRAMS, service
from madangan.sectors.welfare.messages import OUTCOME_LABELS
from madangan.web.deps import lang_of, render

router = APIRouter(include_in_schema=False)
SHOWN = 200  # rows per list on a page; the XLSX has them all


def _render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    """madangan.web.deps.render (this sector's templates/ is on the platform's loader), with `pct` for rates."""
    lang = lang_of(request)
    return render(request, name, status_code,
                  pct=lambda x: "–" if x is None else f"{x * 100:.1f}%".replace(".", "," if lang == "id" else "."),
                  **context)


def _fail(exc: Exception):
    code = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, OutOfScope) else 400
    raise HTTPException(code, str(exc)) from None


@router.get("/penargetan", response_class=HTMLResponse, dependencies=[require(Permission.AGGREGATES)])
def rates_page(request: Request, desa: str = "", program: str = "", level: str = "desa",
               who: Principal = Depends(principal)):
    settings, engine, code = request.app.state.settings, request.app.state.engine, request.app.state.deployment.region_code
    try:
        rows = service.rates(settings, engine, who, code, program=program or None, desa=desa or None, level=level)
    except UserError as exc:
        _fail(exc)
    lists = who.can(Permission.PERSONS) and service.sees_welfare(who)
    return _render(request, "targeting.html", rows=rows, programs=PROGRAMS, lists=lists,
                   chosen={"desa": desa, "program": program, "level": level})


@router.get("/penargetan/desa", response_class=HTMLResponse, dependencies=[require(Permission.PERSONS)])
def lists_page(request: Request, desa: str = "", program: str = "", kuota: int | None = None,
               who: Principal = Depends(principal), error: str | None = None):
    settings, engine, code = request.app.state.settings, request.app.state.engine, request.app.state.deployment.region_code
    lang = lang_of(request)
    try:
        scope = service.region(code, who, desa or None)
        cands, period = service.candidates(settings, engine, who, code, desa=scope, program=program or None, lang=lang)
        review, _ = service.review(settings, engine, who, code, desa=scope, program=program or None, period=period, lang=lang)
        whatif = None
        if kuota is not None and scope.count(".") == 3 and service.sees_welfare(who):
            whatif = service.whatif(settings, engine, who, code, desa=scope, quota=max(kuota, 0), period=period)
    except UserError as exc:
        _fail(exc)
    client = request.client.host if request.client else None
    audit_store.audit(engine, "targeting.page", who.username, target=f"targeting:desa={scope},program={program or ''}",
                      region_code=who.region_code, client=client, detail=f"rows={min(len(cands), SHOWN) + min(len(review), SHOWN)}")
    return _render(request, "targeting_desa.html", status_code=400 if error else 200, scope=scope,
                   scope_name=regions().names.get(scope), period=period, candidates=cands[:SHOWN], n_candidates=len(cands),
                   review=review[:SHOWN], n_review=len(review), whatif=whatif, programs=PROGRAMS, error=error,
                   outcomes=[(k, v[lang]) for k, v in OUTCOME_LABELS.items()],
                   chosen={"desa": desa, "program": program, "kuota": "" if kuota is None else kuota})


@router.post("/penargetan/desa", response_class=HTMLResponse, dependencies=[require(Permission.PERSONS)])
def outcome_form(request: Request, no_kk: str = Form(...), hasil: str = Form(...), alasan: str = Form(""),
                 desa: str = Form(""), program: str = Form(""), who: Principal = Depends(principal)):
    """A field outcome from the candidate list: about the program of that row (not_eligible for PKH leaves
    BPNT's list alone; moved, deceased and not found apply to the whole family)."""
    settings, engine = request.app.state.settings, request.app.state.engine
    try:
        service.record_outcome(settings, engine, who, no_kk, hasil, who.username or "?", alasan or None,
                               program or None)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except (Conflict, UserError) as exc:
        return lists_page(request, desa, "", None, who, error=str(exc))
    audit_store.audit(engine, "targeting.outcome", who.username, target=f"kk-sha256:{service.fingerprint(no_kk)}",
                      region_code=who.region_code, client=request.client.host if request.client else None,
                      reason=alasan or None, detail=f"outcome={hasil}" + (f",program={program}" if program else ""))
    return RedirectResponse(f"/penargetan/desa?desa={desa}", status_code=303)


MAX_QUOTA_FILE = 5 * 1024 * 1024


@router.get("/penargetan/kuota", response_class=HTMLResponse, dependencies=[require(Permission.PERSONS)])
def quota_page(request: Request, who: Principal = Depends(principal)):
    """Upload a regency-wide quota file and see, per desa, what the rules would do with it (nothing is changed)."""
    return _render(request, "targeting_quota.html", result=None, error=None)


@router.post("/penargetan/kuota", response_class=HTMLResponse, dependencies=[require(Permission.PERSONS)])
async def quota_upload(request: Request, berkas: UploadFile = File(...), who: Principal = Depends(principal)):
    settings, engine, code = request.app.state.settings, request.app.state.engine, request.app.state.deployment.region_code
    content = await berkas.read(MAX_QUOTA_FILE + 1)
    try:
        if len(content) > MAX_QUOTA_FILE:
            raise UserError(t("welfare.quota_too_big", lang_of(request), limit="5 MB"))
        result = await run_in_threadpool(service.whatif_file, settings, engine, who, code, berkas.filename or "kuota.xlsx",
                                         content)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except UserError as exc:
        return _render(request, "targeting_quota.html", status_code=400, result=None, error=str(exc))
    client = request.client.host if request.client else None
    audit_store.audit(engine, "targeting.whatif_file", who.username, target=f"targeting:whatif_file:rows={result['baris']}",
                      region_code=who.region_code, client=client, detail=f"rows={result['baris']}")
    return _render(request, "targeting_quota.html", result=result, error=None)
