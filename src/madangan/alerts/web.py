"""Alerts on the web: pages (/peringatan), the live feed fragment (/fragmen/peringatan), the API
(/api/v1/alerts) with its server-sent event stream. `install(app)` adds them and runs the notification
worker while the app serves."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from madangan.access import Permission, Principal
from madangan.access import store as access_store
from madangan.access.web import principal, require
from madangan.alerts import LEVEL_LABELS, LEVELS, SEVERITIES, SEVERITY_LABELS
from madangan.alerts import messages  # noqa: F401 - registers the alert texts
from madangan.alerts import notify, rules, store, stream
from madangan.alerts.store import OPEN_STATES, STATE_LABELS, STATES, AlertFilter
from madangan.web.deps import error_responses, lang_of, render
from madangan.web.deps import http_errors as _http_errors, client_of as _client

api = APIRouter(prefix="/api/v1/alerts", tags=["peringatan"], responses=error_responses(400, 401, 403, 404, 409))
pages = APIRouter(include_in_schema=False)
REGION_CODE = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"
#: At least one character Python's str.strip() keeps: the regex engine behind the schema does not count the
#: separators U+001C–U+001F as white space, strip() does (a reason of only those was schema-valid, then refused).
NOT_BLANK = r"[^\s\x1c-\x1f]"
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
StateName = Literal["normal", "pending", "firing", "recovering", "resolved", "no_data", "error", "open", "all"]


def install(app: FastAPI) -> None:
    """Routes, and the delivery/escalation worker for as long as the app serves."""
    app.include_router(api)
    app.include_router(pages)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        worker = notify.Worker(a.state.settings, a.state.engine)
        worker.start()
        a.state.alert_worker = worker
        try:
            async with inner(a) as state:
                yield state
        finally:
            worker.stop()

    app.router.lifespan_context = lifespan


def _ruleset(request: Request) -> rules.RuleSet:
    with _http_errors():
        return rules.load(request.app.state.settings)


class AlertOut(BaseModel):
    id: int
    rule: str
    title: str
    sector: str
    agency: str
    kode_wilayah: str | None
    severity: str
    severity_label: str
    state: str
    state_label: str
    value: float | None
    message: str
    fired_at: str | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    ack_comment: str | None
    assignee: str | None
    escalation_level: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None
    updated_at: str | None


class AlertPage(BaseModel):
    total: int
    items: list[AlertOut]


class EventOut(BaseModel):
    id: int
    at: str
    actor: str | None
    kind: str
    from_state: str | None
    to_state: str | None
    note: str | None


class AlertDetail(AlertOut):
    timeline: list[EventOut]
    evidence: dict[str, str | float | int | bool | None] | None = Field(
        None, description="Nilai dan rekaman di balik peringatan; hanya untuk peran yang berhak (records behind it)")


class FeedPage(BaseModel):
    last_event_id: int
    events: list[dict]


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _out(alert, lang: str) -> dict:
    rule = rules.declared().get(alert.rule_id)
    return dict(
        id=alert.id, rule=alert.rule_id, title=rule.title[lang] if rule else alert.rule_id, sector=alert.sector,
        agency=alert.agency, kode_wilayah=alert.kode_wilayah, severity=alert.severity,
        severity_label=SEVERITY_LABELS[alert.severity][lang], state=alert.state,
        state_label=STATE_LABELS[alert.state][lang], value=alert.value,
        message=alert.message_id if lang == "id" else alert.message_en, fired_at=_iso(alert.fired_at),
        acknowledged_by=alert.acknowledged_by, acknowledged_at=_iso(alert.acknowledged_at),
        ack_comment=alert.ack_comment, assignee=alert.assignee,
        escalation_level=LEVELS[min(alert.escalation_level, len(LEVELS) - 1)],
        resolved_at=_iso(alert.resolved_at), resolved_by=alert.resolved_by, resolution=alert.resolution,
        updated_at=_iso(alert.updated_at))


def _filter(state, severity, region, agency, rule, sector) -> AlertFilter:
    states = None
    if state and state != "open":
        if state != "all" and state not in STATES:
            raise HTTPException(400, f"Status '{state}' tidak dikenal (unknown state).")
        states = [state]
    if severity and severity not in SEVERITIES:
        raise HTTPException(400, f"Keparahan '{severity}' tidak dikenal (unknown severity).")
    return AlertFilter(state=states, severity=severity or None, region=region or None, agency=agency or None,
                       rule=rule or None, sector=sector or None)


def _evidence(request: Request, who: Principal, alert) -> dict | None:
    """The evidence if the caller may see it; reading a person's record is audited."""
    if not store.may_see_evidence(who, alert):
        return None
    evidence = json.loads(alert.evidence or "{}")
    if alert.personal:
        access_store.audit(request.app.state.engine, "alert.evidence_read", who.username, target=f"alert:{alert.id}",
                           region_code=alert.kode_wilayah, client=_client(request))
        if not who.can(Permission.UNMASKED):  # NIK/KK masked unless the role needs them (as in worklists)
            from madangan.verval.worklist import mask_text

            evidence = {k: mask_text(v) if isinstance(v, str) else v for k, v in evidence.items()}
    return evidence


# --- API ---------------------------------------------------------------------------------------------------


@api.get("", summary="Daftar peringatan (filter: status, keparahan, wilayah, OPD, aturan)", response_model=AlertPage,
         dependencies=[require(Permission.AGGREGATES)])
def list_alerts(request: Request, state: StateName | None = None,
                severity: Literal["darurat", "tinggi", "sedang", "rendah"] | None = None,
                region: str | None = Query(None, pattern=REGION_CODE), agency: str | None = Query(None, max_length=200),
                rule: str | None = Query(None, max_length=80), sector: str | None = Query(None, max_length=40),
                limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                who: Principal = Depends(principal)) -> AlertPage:
    """The open alerts by default (pending, firing, recovering, no data, error); `state=all` for every one.
    Only alerts of the caller's region (and, for an OPD, its sectors). No personal data."""
    lang = lang_of(request)
    items, total = store.search(request.app.state.engine, who, _filter(state, severity, region, agency, rule, sector),
                                limit, offset)
    return AlertPage(total=total, items=[AlertOut(**_out(a, lang)) for a in items])


@api.get("/stream", summary="Umpan langsung (server-sent events)", response_model=FeedPage,
         dependencies=[require(Permission.AGGREGATES)])
async def alert_stream(request: Request, after: int | None = Query(None, ge=0, le=2_147_483_647),
                       who: Principal = Depends(principal)):
    """With `Accept: text/event-stream`: server-sent events, one `alert` event per change of an alert the caller
    may see, from `after` (or `Last-Event-ID`; default: now). Without it: the changes after `after` as JSON
    (for clients that poll)."""
    engine = request.app.state.engine
    lang = lang_of(request)
    header = request.headers.get("last-event-id", "")
    start = after if after is not None else (int(header) if header.isdigit() and len(header) <= 9 else None)
    if "text/event-stream" not in request.headers.get("accept", ""):
        start = start if start is not None else 0
        events = await run_in_threadpool(stream.events_after, engine, who, start, lang)
        last = events[-1]["event_id"] if events else start
        return FeedPage(last_event_id=last, events=events)
    if start is None:
        start = await run_in_threadpool(stream.last_event_id, engine)
    return EventSourceResponse(stream.stream(engine, who, start, lang, request.is_disconnected), ping=15,
                               headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class RuleOut(BaseModel):
    id: str
    sector: str
    kind: str
    title: str
    severity: str
    enabled: bool
    agency: str
    params: dict
    pending_minutes: float
    keep_firing_minutes: float
    sla_hours: float
    health: str | None
    evaluated_at: str | None
    message: str | None


@api.get("/rules", summary="Aturan peringatan yang berlaku, ambang dan kesehatan evaluasinya",
         response_model=list[RuleOut], dependencies=[require(Permission.AGGREGATES)])
def list_rules(request: Request) -> list[RuleOut]:
    lang = lang_of(request)
    health = store.rule_health(request.app.state.engine)
    out = []
    for r in _ruleset(request).rules.values():
        h = health.get(r.id)
        out.append(RuleOut(id=r.id, sector=r.rule.sector, kind=r.rule.kind, title=r.rule.title[lang],
                           severity=r.severity, enabled=r.enabled, agency=r.rule.agency, params=r.params,
                           pending_minutes=r.pending_minutes, keep_firing_minutes=r.keep_firing_minutes,
                           sla_hours=r.sla_hours, health=h.health if h else None,
                           evaluated_at=_iso(h.evaluated_at) if h else None, message=h.message if h else None))
    return out


@api.get("/rules/{rule_id}/preview", summary="Siapa yang akan diberi tahu bila aturan ini menyala di wilayah ini",
         dependencies=[require(Permission.AGGREGATES)])
def preview(request: Request, rule_id: str, region: str | None = Query(None, pattern=REGION_CODE),
            who: Principal = Depends(principal)) -> dict:
    """`levels`: per escalation level (desa → kecamatan → OPD head → Sekda), the webhooks and addresses of the
    matching routes and the accounts whose job it is, and after how many unacknowledged hours the level is
    reached. `labels`: what routes and inhibition rules match on; `inhibition_rules`: the `[[hambat]]` rules
    that can mute such an alert; `inhibited_by`: the firing alerts that mute it now (then nobody is notified).
    Only for a region inside the caller's scope (staff addresses of other regions are not shown)."""
    if region and not who.in_scope(region):
        raise HTTPException(403, f"Wilayah {region} di luar wilayah akun Anda ({who.region_code}).")
    ruleset = _ruleset(request)
    if rule_id not in ruleset.rules:
        raise HTTPException(404, f"Aturan '{rule_id}' tidak dikenal (unknown rule).")
    engine = request.app.state.engine
    inhibition = notify.inhibition_preview(ruleset, rule_id, region, engine)
    return {"levels": notify.preview(ruleset, rule_id, region, engine), "labels": inhibition["labels"],
            "inhibition_rules": inhibition["rules"], "inhibited_by": inhibition["inhibited_by"]}


@api.get("/{alert_id}", summary="Satu peringatan: nilai, bukti (bagi yang berhak) dan riwayat",
         response_model=AlertDetail, dependencies=[require(Permission.AGGREGATES)])
def get_alert(request: Request, alert_id: Id, who: Principal = Depends(principal)) -> AlertDetail:
    lang = lang_of(request)
    with _http_errors():
        alert = store.get(request.app.state.engine, alert_id, who)
    events = store.timeline(request.app.state.engine, alert_id)
    return AlertDetail(**_out(alert, lang), evidence=_evidence(request, who, alert),
                       timeline=[EventOut(id=e.id, at=e.at.isoformat(), actor=e.actor, kind=e.kind,
                                          from_state=e.from_state, to_state=e.to_state, note=e.note) for e in events])


class AckIn(BaseModel):
    comment: str = Field("", max_length=1000)


class AssignIn(BaseModel):
    assignee: str = Field(..., min_length=1, max_length=200, pattern=NOT_BLANK)


class ReasonIn(BaseModel):
    reason: str = Field(..., min_length=1, max_length=1000, pattern=NOT_BLANK)


def _after_action(request: Request, changes) -> None:
    notify.enqueue(request.app.state.engine, _ruleset(request), changes)
    stream.announce()


@api.post("/{alert_id}/ack", summary="Akui peringatan (siapa, kapan, komentar)", response_model=AlertOut,
          dependencies=[require(Permission.AGGREGATES)])
def ack(request: Request, alert_id: Id, body: AckIn, who: Principal = Depends(principal)) -> AlertOut:
    with _http_errors():
        changes = store.acknowledge(request.app.state.engine, alert_id, who, body.comment, _client(request))
        _after_action(request, changes)
        return AlertOut(**_out(store.get(request.app.state.engine, alert_id, who), lang_of(request)))


@api.post("/{alert_id}/assign", summary="Tugaskan ke OPD atau orang", response_model=AlertOut,
          dependencies=[require(Permission.AGGREGATES)])
def assign(request: Request, alert_id: Id, body: AssignIn, who: Principal = Depends(principal)) -> AlertOut:
    with _http_errors():
        changes = store.assign(request.app.state.engine, alert_id, who, body.assignee, _client(request))
        _after_action(request, changes)
        return AlertOut(**_out(store.get(request.app.state.engine, alert_id, who), lang_of(request)))


@api.post("/{alert_id}/resolve", summary="Selesaikan dengan alasan", response_model=AlertOut,
          dependencies=[require(Permission.AGGREGATES)])
def resolve(request: Request, alert_id: Id, body: ReasonIn, who: Principal = Depends(principal)) -> AlertOut:
    with _http_errors():
        changes = store.resolve(request.app.state.engine, alert_id, who, body.reason, _client(request))
        _after_action(request, changes)
        return AlertOut(**_out(store.get(request.app.state.engine, alert_id, who), lang_of(request)))


@api.post("/{alert_id}/reopen", summary="Buka kembali dengan alasan", response_model=AlertOut,
          dependencies=[require(Permission.AGGREGATES)])
def reopen(request: Request, alert_id: Id, body: ReasonIn, who: Principal = Depends(principal)) -> AlertOut:
    with _http_errors():
        changes = store.reopen(request.app.state.engine, alert_id, who, body.reason, _client(request))
        _after_action(request, changes)
        return AlertOut(**_out(store.get(request.app.state.engine, alert_id, who), lang_of(request)))


class SilenceIn(BaseModel):
    rule: str | None = Field(None, max_length=80)
    region: str | None = Field(None, pattern=REGION_CODE)
    hours: float = Field(..., gt=0, le=720)
    reason: str = Field(..., min_length=1, max_length=1000, pattern=NOT_BLANK)


@api.post("/silences", summary="Bisukan notifikasi untuk sementara (dengan alasan)", status_code=201,
          dependencies=[require(Permission.AGGREGATES)])
def add_silence(request: Request, body: SilenceIn, who: Principal = Depends(principal)) -> dict:
    if body.rule and body.rule not in _ruleset(request).rules:
        raise HTTPException(404, f"Aturan '{body.rule}' tidak dikenal (unknown rule).")
    with _http_errors():
        silence_id = store.add_silence(request.app.state.engine, who, body.hours, body.reason, body.rule, body.region,
                                       _client(request))
    return {"id": silence_id}


# --- pages -------------------------------------------------------------------------------------------------


def _choices(lang: str, ruleset: rules.RuleSet) -> dict:
    return {
        "states": [("open", "")] + [(s, STATE_LABELS[s][lang]) for s in STATES] + [("all", "")],
        "severities": [(s, SEVERITY_LABELS[s][lang]) for s in SEVERITIES],
        "rules": sorted(((r.id, r.rule.title[lang]) for r in ruleset.rules.values()), key=lambda x: x[1]),
        "agencies": sorted({r.rule.agency for r in ruleset.rules.values() if r.rule.agency}),
    }


@pages.get("/peringatan", response_class=HTMLResponse, dependencies=[require(Permission.AGGREGATES)])
def alerts_page(request: Request, state: str = "", severity: str = "", region: str = "", agency: str = "",
                rule: str = "", who: Principal = Depends(principal)):
    lang = lang_of(request)
    ruleset = _ruleset(request)
    items, total = store.search(request.app.state.engine, who, _filter(state, severity, region, agency, rule, None),
                                limit=200)
    return render(request, "alerts.html", items=[_out(a, lang) for a in items], total=total,
                  chosen={"state": state, "severity": severity, "region": region, "agency": agency, "rule": rule},
                  may_silence=store.may_silence(who), **_choices(lang, ruleset))


@pages.get("/fragmen/peringatan", response_class=HTMLResponse, dependencies=[require(Permission.AGGREGATES)])
def alert_feed(request: Request, who: Principal = Depends(principal)):
    """The live alert feed panel: the open alerts, kept current by the page's own event stream."""
    lang = lang_of(request)
    items, total = store.search(request.app.state.engine, who, AlertFilter(), limit=20)
    return render(request, "alert_feed.html", items=[_out(a, lang) for a in items], total=total,
                  after=stream.last_event_id(request.app.state.engine))


@pages.get("/peringatan/pengiriman", response_class=HTMLResponse, dependencies=[require(Permission.ADMIN)])
def deliveries_page(request: Request, status: str = ""):
    rows = notify.deliveries(request.app.state.engine, status or None)
    return render(request, "alert_deliveries.html", rows=rows, status=status)


@pages.post("/peringatan/pengiriman/{delivery_id}/ulang", dependencies=[require(Permission.ADMIN)])
def retry_delivery(request: Request, delivery_id: Id, who: Principal = Depends(principal)):
    with _http_errors():
        notify.retry(request.app.state.engine, delivery_id, who.username)
    return RedirectResponse("/peringatan/pengiriman", status_code=303)


@pages.get("/peringatan/{alert_id}", response_class=HTMLResponse, dependencies=[require(Permission.AGGREGATES)])
def alert_page(request: Request, alert_id: Id, who: Principal = Depends(principal)):
    lang = lang_of(request)
    with _http_errors():
        alert = store.get(request.app.state.engine, alert_id, who)
    ruleset = _ruleset(request)
    known = alert.rule_id in ruleset.rules
    recipients = notify.preview(ruleset, alert.rule_id, alert.kode_wilayah, request.app.state.engine,
                                alert.subject) if known else []
    inhibition = notify.inhibition_preview(ruleset, alert.rule_id, alert.kode_wilayah, request.app.state.engine,
                                           alert.subject, exclude=alert.id) if known else None
    silence = store.silenced_by(alert, store.active_silences(request.app.state.engine))
    return render(request, "alert.html", alert=_out(alert, lang), raw=alert, evidence=_evidence(request, who, alert),
                  personal=alert.personal, timeline=store.timeline(request.app.state.engine, alert_id),
                  recipients=recipients, inhibition=inhibition, level_labels=LEVEL_LABELS, state_labels=STATE_LABELS, silence=silence,
                  open=alert.state in OPEN_STATES, may_silence=store.may_silence(who))


@pages.post("/peringatan/{alert_id}/aksi", dependencies=[require(Permission.AGGREGATES)])
def alert_action(request: Request, alert_id: Id, action: str = Form(...), text: str = Form(""),
                 hours: float = Form(24.0), who: Principal = Depends(principal)):
    engine, client = request.app.state.engine, _client(request)
    with _http_errors():
        if action == "ack":
            changes = store.acknowledge(engine, alert_id, who, text, client)
        elif action == "assign":
            changes = store.assign(engine, alert_id, who, text, client)
        elif action == "resolve":
            changes = store.resolve(engine, alert_id, who, text, client)
        elif action == "reopen":
            changes = store.reopen(engine, alert_id, who, text, client)
        elif action == "silence":
            alert = store.get(engine, alert_id, who)
            store.add_silence(engine, who, hours, text, alert.rule_id, alert.kode_wilayah, client)
            changes = None
        else:
            raise HTTPException(400, f"Aksi '{action}' tidak dikenal (unknown action).")
        if changes is not None:
            _after_action(request, changes)
    return RedirectResponse(f"/peringatan/{alert_id}", status_code=303)
