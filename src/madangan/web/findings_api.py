"""Verval over the API: worklists (persons, in scope, audited), outcomes, counts and quality scores."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from madangan import warehouse
from madangan.access import Permission, Principal, store
from madangan.access.web import principal, require
from madangan.plugins import contracts
from madangan.verval import findings as service
from madangan.verval import worklist
from madangan.verval.quality import TABLE as QUALITY_TABLE
from madangan.verval.store import STATUSES, FindingFilter, summary_by
from madangan.web.deps import error_responses, lang_of
from madangan.web.deps import http_errors as _http_errors, client_of as _client, actor_of as _actor

router = APIRouter(prefix="/api/v1", tags=["verval"], responses=error_responses(400, 401, 403, 404))


# The catalog is known when the app starts, so the OpenAPI description lists every valid value.
RuleName = StrEnum("RuleName", sorted(worklist.rules()))
SourceName = StrEnum("SourceName", sorted(contracts()))
StatusName = StrEnum("StatusName", [*STATUSES, "all"])
REGION_CODE = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"


def _filter(request: Request, desa, rule, source, status, severity) -> FindingFilter:
    with _http_errors():
        return service.parse_filter(request.app.state.deployment.region_code, desa=desa, rule=rule, source=source,
                                    status=status, severity=severity)


class FindingOut(BaseModel):
    id: str
    rule: str
    title: str
    severity: str
    source: str
    record_key: str
    kode_desa: str | None
    desa: str | None
    agency: str
    message: str
    evidence: dict[str, str]
    status: str
    status_label: str
    reason: str | None
    updated_at: str | None


class FindingPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[FindingOut]


class FindingEventOut(BaseModel):
    at: str
    actor: str | None
    from_status: str | None
    to_status: str
    reason: str | None


class FindingDetail(FindingOut):
    history: list[FindingEventOut]


class Outcome(BaseModel):
    status: Literal["open", "in_verification", "confirmed", "corrected", "dismissed"]
    reason: str | None = Field(default=None, max_length=1000)


Desa = Query(None, description="Kode desa/kecamatan Kemendagri: semua temuan di bawahnya", pattern=REGION_CODE)
Rule = Query(None, description="Nama aturan, mis. nik_struktur")
Source = Query(None, description="Nama sumber, mis. penerima_bansos")
Status = Query(None, description="Status; bawaan: yang masih perlu ditindak; 'all' untuk semua")
Severity = Query(None, description="Tingkat temuan")
SeverityName = Literal["error", "warning", "info"]


@router.get("/findings", dependencies=[require(Permission.PERSONS)], response_model=FindingPage,
            summary="Daftar kerja temuan verval (berhalaman)")
def list_findings(request: Request, desa: str | None = Desa, rule: RuleName | None = Rule, source: SourceName | None = Source,
                  status: list[StatusName] | None = Status, severity: SeverityName | None = Severity,
                  page: int = Query(1, ge=1, le=100_000), per_page: int = Query(50, ge=1, le=500),
                  who: Principal = Depends(principal)) -> dict:
    """Findings of records in the caller's region (and sectors), worst first; NIK/KK masked unless the role may see them."""
    query = _filter(request, desa, rule, source, status, severity)
    engine = request.app.state.engine
    with _http_errors():
        items, total = service.read(engine, query, who, lang_of(request), offset=(page - 1) * per_page, limit=per_page)
    store.audit(engine, "findings.read", _actor(who), target=service.describe_filter(query),
                region_code=who.region_code, client=_client(request), detail=f"rows={len(items)} page={page}")
    return {"total": total, "page": page, "per_page": per_page, "items": items}


@router.get("/findings/summary", dependencies=[require(Permission.AGGREGATES)],
            summary="Jumlah temuan per desa dan aturan (agregat, tanpa data pribadi)")
def findings_summary(request: Request, desa: str | None = Desa, rule: RuleName | None = Rule, source: SourceName | None = Source,
                     status: list[StatusName] | None = Status, severity: SeverityName | None = Severity,
                     by: list[Literal["kode_desa", "rule", "source", "status", "severity"]] = Query(["kode_desa", "rule"]),
                     who: Principal = Depends(principal)) -> list[dict]:
    query = _filter(request, desa, rule, source, status, severity)
    with _http_errors():
        service.check_scope(who, query)
    return summary_by(request.app.state.engine, query, scope_code=who.region_code,
                      sources=worklist.visible_sources(who), by=tuple(dict.fromkeys(by)),
                      posyandu=worklist.visible_posyandu(who))


@router.get("/findings/{finding_id}", dependencies=[require(Permission.PERSONS)], response_model=FindingDetail,
            summary="Satu temuan dengan riwayat statusnya")
def get_finding(request: Request, finding_id: str, who: Principal = Depends(principal)) -> dict:
    engine = request.app.state.engine
    with _http_errors():
        item, events = service.read_one(engine, finding_id, who, lang_of(request))
    store.audit(engine, "finding.read", _actor(who), target=f"finding:{finding_id}", region_code=who.region_code,
                client=_client(request))
    return {**item, "history": events}


@router.post("/findings/{finding_id}/status", dependencies=[require(Permission.PERSONS)], response_model=FindingOut,
             summary="Catat hasil verifikasi lapangan", responses=error_responses(409, 422))
def set_status(request: Request, finding_id: str, outcome: Outcome, who: Principal = Depends(principal)) -> dict:
    """open → in_verification → confirmed / corrected / dismissed (corrected and dismissed need a reason)."""
    engine = request.app.state.engine
    with _http_errors():
        item = service.set_status(engine, finding_id, outcome.status, outcome.reason, who, _actor(who) or "?",
                                  lang_of(request))
    store.audit(engine, "finding.status", _actor(who), target=f"finding:{finding_id}", region_code=who.region_code,
                client=_client(request), reason=outcome.reason, detail=f"status={outcome.status}")
    return item


@router.get("/rules", dependencies=[require(Permission.AGGREGATES)], summary="Katalog aturan verval")
def list_rules(request: Request) -> list[dict]:
    lang = lang_of(request)
    return [
        {"rule": c.rule, "source": c.source, "severity": c.severity, "title": c.title[lang], "agency": c.agency,
         "needs": list(c.needs)}
        for c in worklist.checks_by_key().values()
    ]


@router.get("/quality", dependencies=[require(Permission.AGGREGATES)],
            summary="Skor kualitas data per sumber × desa × bulan")
def quality(request: Request, source: SourceName | None = Source, desa: str | None = Desa,
            since: date | None = Query(None, description="Bulan pertama (YYYY-MM-DD)"),
            who: Principal = Depends(principal)) -> list[dict]:
    query = _filter(request, desa, None, source, None, None)
    with _http_errors():
        service.check_scope(who, query)
    con = warehouse.connect(request.app.state.settings.warehouse)
    try:
        if QUALITY_TABLE not in con.list_tables():
            return []
        t = con.table(QUALITY_TABLE)
        scope = desa or (who.region_code if who.region_code.count(".") > 1 else None)
        if scope:
            t = t.filter((t.kode_desa == scope) | t.kode_desa.startswith(scope + "."))
        if source:
            t = t.filter(t.sumber == source)
        if since:
            t = t.filter(t.bulan >= since)
        frame = con.to_polars(t.order_by("sumber", "kode_desa", "bulan"))
    finally:
        con.disconnect()
    return [{**row, "bulan": row["bulan"].isoformat()} for row in frame.to_dicts()]
