"""Targeting over the API: rates (aggregates), ranked lists and what-if (persons, scoped, masked, audited),
field outcomes, the verification queue, the musyawarah XLSX; and the citizen self-check (public)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from madangan.access import Permission, Principal
from madangan.access import store as audit_store
from madangan.access.web import RateLimiter, principal, public, require
from madangan.i18n import t
from madangan.regions import regions
from madangan.sectors.welfare import PROGRAMS, export, service, store
from madangan.web.deps import error_responses, lang_of
from madangan.web.deps import http_errors as _http_errors, client_of as _client, actor_of as _actor

router = APIRouter(prefix="/api/v1/targeting", tags=["penargetan bansos"],
                   responses=error_responses(400, 401, 403, 404))
public_router = APIRouter(prefix="/api/v1/public", tags=["publik"], responses=error_responses(400, 404, 422))

PERIOD = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
REGION_CODE = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"
Program = Literal[PROGRAMS]  # type: ignore[valid-type]
Desa = Query(None, description="Kode desa/kecamatan Kemendagri; bawaan: wilayah Anda", pattern=REGION_CODE)
Period = Query(None, description="Periode penyaluran YYYY-MM; bawaan: semua (daftar: yang terakhir)",
               pattern=PERIOD)
#: Citizen self-check and self-report: per client address, per minute.
STATUS_LIMIT = 5


def _state(request: Request):
    return request.app.state.settings, request.app.state.engine, request.app.state.deployment.region_code


def _audit(request: Request, who: Principal, action: str, target: str, rows: int) -> None:
    audit_store.audit(request.app.state.engine, action, _actor(who), target=target, region_code=who.region_code,
                      client=_client(request), detail=f"rows={rows}")


def _target(kind: str, **parts) -> str:
    return f"targeting:{kind}:" + (",".join(f"{k}={v}" for k, v in parts.items() if v) or "all")


@router.get("", dependencies=[require(Permission.AGGREGATES)],
            summary="Ketepatan sasaran per program × wilayah × periode (agregat, dengan hitungan di balik setiap rasio)")
def rates(request: Request, program: Program | None = None, desa: str | None = Desa, period: str | None = Period,
          level: Literal["desa", "kecamatan", "kabupaten"] = "desa", who: Principal = Depends(principal)) -> list[dict]:
    """Recipients, eligible families, coverage, inclusion and exclusion error rates, leakage (Rp/month)."""
    settings, engine, code = _state(request)
    with _http_errors():
        return service.rates(settings, engine, who, code, program=program, desa=desa, period=period, level=level)


def _page(items: list[dict], page: int, per_page: int) -> dict:
    start = (page - 1) * per_page
    return {"total": len(items), "page": page, "per_page": per_page, "items": items[start:start + per_page]}


Page = Query(1, ge=1, le=100_000)
PerPage = Query(100, ge=1, le=1000)


@router.get("/candidates", dependencies=[require(Permission.PERSONS)],
            summary="Usulan penerima: keluarga layak yang belum menerima, berurutan per desa dan program")
def candidates(request: Request, desa: str | None = Desa, program: Program | None = None, period: str | None = Period,
               page: int = Page, per_page: int = PerPage, who: Principal = Depends(principal)) -> dict:
    settings, engine, code = _state(request)
    with _http_errors():
        items, used = service.candidates(settings, engine, who, code, desa=desa, program=program, period=period,
                                         lang=lang_of(request))
    out = _page(items, page, per_page)
    _audit(request, who, "targeting.candidates", _target("candidates", desa=desa, program=program, period=used),
           len(out["items"]))
    return {**out, "periode": used}


@router.get("/review", dependencies=[require(Permission.PERSONS)],
            summary="Penerima yang perlu ditinjau, dengan temuan verval yang menyebabkannya")
def review(request: Request, desa: str | None = Desa, program: Program | None = None, period: str | None = Period,
           page: int = Page, per_page: int = PerPage, who: Principal = Depends(principal)) -> dict:
    settings, engine, code = _state(request)
    with _http_errors():
        items, used = service.review(settings, engine, who, code, desa=desa, program=program, period=period,
                                     lang=lang_of(request))
    out = _page(items, page, per_page)
    _audit(request, who, "targeting.review", _target("review", desa=desa, program=program, period=used),
           len(out["items"]))
    return {**out, "periode": used}


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kode_desa: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    kuota: int = Field(ge=0, le=100_000, description="Kuota baru (keluarga)")
    program: Program = "BLT_DD"
    periode: str | None = Field(default=None, pattern=PERIOD)


@router.post("/whatif", dependencies=[require(Permission.PERSONS)], responses=error_responses(409, 422),
             summary="Simulasi kuota baru untuk satu desa: siapa yang menerima dan bagaimana rasio berubah (tidak mengubah data)")
def whatif(request: Request, body: WhatIfIn, who: Principal = Depends(principal)) -> dict:
    settings, engine, code = _state(request)
    with _http_errors():
        result = service.whatif(settings, engine, who, code, desa=body.kode_desa, quota=body.kuota, program=body.program,
                                period=body.periode)
    _audit(request, who, "targeting.whatif", _target("whatif", desa=result["kode_desa"], program=body.program,
                                                      quota=str(body.kuota)), len(result["terpilih"]))
    return result


MAX_QUOTA_FILE = 5 * 1024 * 1024


@router.post("/whatif/file", dependencies=[require(Permission.PERSONS)],
             responses=error_responses(422) | {413: {"description": "Berkas terlalu besar (maks. 5 MB)"}},
             summary="Simulasi kuota se-kabupaten dari berkas XLSX/CSV (Kode Desa, Program, Kuota); tidak mengubah data")
async def whatif_file(request: Request, berkas: UploadFile = File(..., description="XLSX atau CSV: Kode Desa, Program, Kuota"),
                      period: str | None = Period, who: Principal = Depends(principal)) -> dict:
    """Every row is checked first: a bad row is named by row number and column, and then nothing is computed.
    Per listed desa the counts before and after (recipients, errors, coverage, money) and the totals."""
    settings, engine, code = _state(request)
    content = await berkas.read(MAX_QUOTA_FILE + 1)
    if len(content) > MAX_QUOTA_FILE:
        raise HTTPException(413, t("welfare.quota_too_big", lang_of(request), limit="5 MB"))
    with _http_errors():
        result = await run_in_threadpool(service.whatif_file, settings, engine, who, code, berkas.filename or "kuota.xlsx",
                                         content, period)
    _audit(request, who, "targeting.whatif_file", _target("whatif_file", rows=str(result["baris"]),
                                                           period=result["periode"]), result["baris"])
    return result


@router.get("/export.xlsx", dependencies=[require(Permission.PERSONS)], response_class=FileResponse,
            summary="Bahan musyawarah desa (XLSX): ringkasan, usulan penerima baru, penerima ditinjau")
def export_xlsx(request: Request, desa: str | None = Desa, program: Program | None = None, period: str | None = Period,
                who: Principal = Depends(principal)):
    settings, engine, code = _state(request)
    lang = lang_of(request)
    with _http_errors():
        scope = service.region(code, who, desa)
        cands, used = service.candidates(settings, engine, who, code, desa=scope, program=program, period=period, lang=lang)
        rev, _ = service.review(settings, engine, who, code, desa=scope, program=program, period=used, lang=lang)
        summary = service.rates(settings, engine, who, code, program=program, desa=scope, period=used)
    tmp = Path(tempfile.mkstemp(suffix=".xlsx")[1])
    export.musyawarah_xlsx(tmp, desa=scope, desa_name=regions().names.get(scope), period=used, summary=summary,
                           candidates=cands, review=rev)
    _audit(request, who, "targeting.export", _target("musyawarah", desa=scope, program=program, period=used),
           len(cands) + len(rev))
    return FileResponse(tmp, filename=f"musyawarah-{scope}-{used}.xlsx", background=BackgroundTask(tmp.unlink),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/queue", dependencies=[require(Permission.PERSONS)],
            summary="Antrean verifikasi: keluarga yang melaporkan diri belum terdaftar")
def queue(request: Request, desa: str | None = Desa, who: Principal = Depends(principal)) -> list[dict]:
    _, engine, code = _state(request)
    with _http_errors():
        items = service.verification_queue(engine, who, code, desa)
    _audit(request, who, "targeting.queue", _target("queue", desa=desa), len(items))
    return items


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    no_kk: str = Field(min_length=16, max_length=16, pattern=r"^\d{16}$")
    hasil: Literal[store.OUTCOMES]  # type: ignore[valid-type]
    program: Program | None = None
    alasan: str | None = Field(default=None, max_length=1000)


@router.post("/outcomes", dependencies=[require(Permission.PERSONS)], summary="Catat hasil verifikasi lapangan satu keluarga",
             responses=error_responses(422))
def record_outcome(request: Request, body: OutcomeIn, who: Principal = Depends(principal)) -> dict:
    """layak / tidak_layak / pindah / meninggal / tidak_ditemukan; the family's lists and rates follow it."""
    settings, engine, _ = _state(request)
    with _http_errors():
        events = service.record_outcome(settings, engine, who, body.no_kk, body.hasil, _actor(who) or "?", body.alasan,
                                        body.program)
    audit_store.audit(engine, "targeting.outcome", _actor(who), target=f"kk-sha256:{service.fingerprint(body.no_kk)}",
                      region_code=who.region_code, client=_client(request), reason=body.alasan,
                      detail=f"outcome={body.hasil}")
    return {"pesan": t("welfare.outcome_saved", lang_of(request), outcome=body.hasil), "riwayat": events}


# --------------------------------------------------------------------------- public


class StatusIn(BaseModel):
    """A NIK or KK number in the body (never in a URL, where it lands in access logs), plus a birth date:
    the person's own for a NIK, the head of family's for a KK number."""

    model_config = ConfigDict(extra="forbid")
    jenis: Literal["nik", "kk"] = Field(default="nik", description="nik atau kk")
    nomor: str = Field(pattern=r"^\d{16}$", description="NIK atau No. KK, 16 digit")
    tanggal_lahir: date


class StatusOut(BaseModel):
    ditemukan: bool
    terdaftar_dtsen: bool
    program: list[str]
    pesan: str


def _limited(request: Request) -> None:
    limiter = getattr(request.app.state, "status_limiter", None)
    if limiter is None:
        limiter = request.app.state.status_limiter = RateLimiter(limit=STATUS_LIMIT, window=60)
    if not limiter.allow(_client(request) or "?"):
        raise HTTPException(429, t("welfare.too_many", lang_of(request)))


@public_router.post("/status", dependencies=[public], response_model=StatusOut,
                    summary="Cek status bansos keluarga (NIK atau No. KK + tanggal lahir)",
                    responses=error_responses(400, 422) | {429: {"description": "Terlalu banyak permintaan"}})
def status(request: Request, body: StatusIn) -> dict:
    """Only whether the family is registered in DTSEN and which programs it receives; no decile, names or members."""
    _limited(request)
    settings, engine, code = _state(request)
    number = body.nomor
    nik, kk = (number, None) if body.jenis == "nik" else (None, number)
    found = service.self_check(settings, nik, kk, body.tanggal_lahir)
    audit_store.audit(engine, "welfare.status_check", "public",
                      target=f"{body.jenis}-sha256:{service.fingerprint(number)}", region_code=code,
                      client=_client(request), detail=f"found={found['ditemukan']}")
    lang = lang_of(request)
    message = t("welfare.status_found" if found["terdaftar_dtsen"] else "welfare.status_not_found", lang)
    return {**found, "pesan": message}


class SelfReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nik: str = Field(pattern=r"^\d{16}$")
    no_kk: str = Field(pattern=r"^\d{16}$")
    tanggal_lahir: date
    kode_desa: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    alasan: str = Field(default="", max_length=1000, description="Keadaan keluarga, mis. kehilangan pekerjaan")


@public_router.post("/self-report", dependencies=[public], status_code=202,
                    summary="Laporkan keluarga yang belum terdaftar (masuk antrean verifikasi desa)",
                    responses=error_responses(400, 422) | {429: {"description": "Terlalu banyak permintaan"}})
def self_report(request: Request, body: SelfReportIn) -> dict:
    _limited(request)
    _, engine, code = _state(request)
    if not body.kode_desa.startswith(code + ".") or body.kode_desa not in regions():
        raise HTTPException(404, t("welfare.not_desa", lang_of(request), code=body.kode_desa))
    report_id = store.add_self_report(engine, body.no_kk, body.nik, body.tanggal_lahir, body.kode_desa, body.alasan)
    audit_store.audit(engine, "welfare.self_report", "public", target=f"self-report:{report_id}",
                      region_code=body.kode_desa, client=_client(request),
                      detail=f"kk-sha256:{service.fingerprint(body.no_kk)}")
    return {"nomor": report_id, "pesan": t("welfare.report_received", lang_of(request), id=report_id)}
