"""Notifications: webhooks (JSON, or a chat gateway's shape) and email over SMTP, never silently dropped.

Every notification is a row (`alert_delivery`) before anything is sent. A worker sends what is due;
a failure is retried with exponential backoff (`[pengiriman]` in the rules file: jeda_awal_detik × 2ⁿ,
at most jeda_maks_detik) up to maks_percobaan, then stays `failed` on the delivery log
(`/peringatan/pengiriman`, `madangan alerts deliveries`) until a person retries it. The payload carries
the alert's message, never its evidence (no personal data leaves through a webhook or an inbox).

Who is notified: the routes (`[[rute]]`) matching the alert's sector, rule, severity, region and its
escalation level (desa → kecamatan → OPD head → Sekda), or its labels (`cocok`, madangan.alerts.routing),
unless an inhibition rule (`[[hambat]]`) finds a firing alert that makes it redundant. `preview` and
`inhibition_preview` answer "who will be notified if this fires".
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage

import httpx
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Engine, select

from madangan.alerts import LEVEL_LABELS, LEVELS, SEVERITY_LABELS, routing
from madangan.alerts.models import Alert, AlertDelivery, AlertEvent
from madangan.alerts.rules import EffectiveRule, Route, RuleSet
from madangan.alerts.store import STATE_LABELS, Changes, active_silences, now, silenced_by
from madangan.appdb import sessions

log = logging.getLogger("madangan.alerts")
#: Which changes notify: a new or reopened firing, an escalation, a resolution.
NOTIFY_ON = {"firing", "reopened", "escalated", "resolved", "error"}
_jinja = SandboxedEnvironment(autoescape=False)
SAMPLE = {"alert": {"id": 1, "title": "Contoh", "message": "Contoh pesan", "severity": "tinggi", "state": "firing",
                    "wilayah": "32.11.01", "kode_wilayah": "32.11.01", "level": "desa", "url": "/peringatan/1",
                    "rule": "contoh", "agency": "Dinas", "event": "firing"}}


def check_template(text: str) -> str | None:
    """None when the template renders to JSON on a sample alert; else what is wrong."""
    try:
        json.loads(_jinja.from_string(text).render(**SAMPLE))
    except TemplateError as exc:
        return f"templat Jinja2 tidak sah: {exc} (invalid template)"
    except json.JSONDecodeError as exc:
        return f"templat tidak menghasilkan JSON: {exc.msg} (template must render JSON)"
    return None


def routes_for(ruleset: RuleSet, rule: EffectiveRule, region: str | None, level: str,
               subject: str | None = None) -> list[Route]:
    """The routes an alert goes to, in the file's order; a matching route with `berhenti` ends the search."""
    found = []
    for route in ruleset.routes:
        if route.matches(rule, region, level, subject):
            found.append(route)
            if route.berhenti:
                break
    return found


def preview(ruleset: RuleSet, rule_id: str, region: str | None, engine: Engine | None = None,
            subject: str | None = None) -> list[dict]:
    """Who will be notified if this rule fires for `region`: per escalation level, the routes' webhooks and
    addresses, and the accounts whose dashboards show it."""
    rule = ruleset.rules[rule_id]
    out = []
    users = _users(engine) if engine is not None else []
    for n, level in enumerate(LEVELS):
        targets = []
        for route in routes_for(ruleset, rule, region, level, subject):
            if route.webhook:
                targets.append({"route": route.nama, "channel": "webhook", "target": route.webhook})
            targets += [{"route": route.nama, "channel": "email", "target": a} for a in route.surel]
        out.append({"level": level, "label": LEVEL_LABELS[level], "targets": targets,
                    "accounts": [u for u in users if _sees(u, rule, region, level)],
                    "after_hours": rule.sla_hours * n})
    return out


def inhibition_preview(ruleset: RuleSet, rule_id: str, region: str | None, engine: Engine | None = None,
                       subject: str | None = None, exclude: int | None = None) -> dict:
    """The labels an alert of this rule in `region` would carry, the inhibition rules that can mute it, and the
    open alerts that mute it now (then nobody above is notified)."""
    rule = ruleset.rules[rule_id]
    have = routing.labels(rule, region, LEVELS[0], subject)
    rules = [{"name": h.nama, "source": h.sumber, "equal": h.sama, "reason": h.alasan}
             for h in ruleset.inhibitions if routing.matches(h.sasaran, have)]
    now_by = []
    if rules and engine is not None:
        now_by = [{"alert_id": i.alert_id, "rule": i.rule_id, "region": i.kode_wilayah, "inhibition": i.inhibition}
                  for i in routing.inhibitors(ruleset, have, open_inhibitors(engine, ruleset), exclude)]
    return {"labels": {k: list(v) for k, v in have.items() if v}, "rules": rules, "inhibited_by": now_by}


def open_inhibitors(engine: Engine, ruleset: RuleSet) -> list[routing.OpenAlert]:
    """Firing alerts of the rules that may inhibit others, with their labels."""
    ids = routing.source_rule_ids(ruleset)
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(Alert.id, Alert.rule_id, Alert.kode_wilayah, Alert.subject, Alert.escalation_level)
            .where(Alert.rule_id.in_(sorted(ids)), Alert.state == "firing")).all()
    return routing.open_alerts(ruleset, [tuple(r) for r in rows])


def _users(engine: Engine) -> list[dict]:
    from madangan.access import store as access_store

    return [{"username": u.username, "role": u.role, "region_code": u.region_code,
             "sectors": [s for s in u.sectors.split(",") if s]} for u in access_store.list_users(engine) if u.active]


def _sees(user: dict, rule: EffectiveRule, region: str | None, level: str) -> bool:
    """The account whose job it is at this level (desa operator, camat, the OPD's analyst, the executive)."""
    role, scope = user["role"], user["region_code"]
    in_scope = region is not None and (region == scope or region.startswith(scope + "."))
    if level == "desa":
        return role in ("desa", "cadre") and in_scope
    if level == "kecamatan":
        return role == "kecamatan" and in_scope
    if level == "opd":
        return role == "analyst" and (not user["sectors"] or rule.rule.sector in user["sectors"])
    return role == "executive"


def payload(alert: Alert, kind: str, rule: EffectiveRule | None, base_url: str = "") -> dict:
    level = LEVELS[min(alert.escalation_level, len(LEVELS) - 1)]
    return {"alert": {
        "id": alert.id, "rule": alert.rule_id, "title": rule.rule.title["id"] if rule else alert.rule_id,
        "title_en": rule.rule.title["en"] if rule else alert.rule_id,
        "severity": alert.severity, "severity_label": SEVERITY_LABELS[alert.severity]["id"],
        "state": alert.state, "state_label": STATE_LABELS[alert.state]["id"], "event": kind,
        "kode_wilayah": alert.kode_wilayah, "wilayah": alert.kode_wilayah, "agency": alert.agency,
        "message": alert.message_id, "message_en": alert.message_en, "level": level,
        "fired_at": alert.fired_at.isoformat() if alert.fired_at else None,
        "url": f"{base_url}/peringatan/{alert.id}",
    }}


def _chat_text(p: dict) -> str:
    a = p["alert"]
    mark = {"darurat": "🔴", "tinggi": "🟠", "sedang": "🟡", "rendah": "⚪"}.get(a["severity"], "")
    return (f"{mark} [{a['severity_label'].upper()}] {a['title']} — {a['state_label']}\n{a['message']}\n"
            f"Wilayah: {a['kode_wilayah'] or '-'} · Tingkat: {a['level']} · {a['url']}")


def render(route: Route, p: dict) -> str:
    if route.templat == "json":
        return json.dumps(p, ensure_ascii=False)
    if route.templat == "chat":
        return json.dumps({"text": _chat_text(p)}, ensure_ascii=False)
    return _jinja.from_string(route.templat).render(**p, text=_chat_text(p))


def enqueue(engine: Engine, ruleset: RuleSet, changes: Changes, base_url: str = "") -> int:
    """Queue a delivery per matching route and target for each change that notifies; silenced alerts are noted
    on their timeline instead. Returns how many were queued."""
    wanted = [(a, e, k) for a, e, k in changes.events if k in NOTIFY_ON]
    if not wanted or not ruleset.routes:
        return 0
    silences = active_silences(engine)
    sources = open_inhibitors(engine, ruleset) if ruleset.inhibitions else []
    queued = 0
    at = now()
    groups: dict[tuple, list[tuple[int, int, dict]]] = {}
    with sessions(engine).begin() as session:
        for alert_id, event_id, kind in wanted:
            alert = session.get(Alert, alert_id)
            rule = ruleset.rules.get(alert.rule_id)
            if rule is None:
                continue
            silence = silenced_by(alert, silences)
            if silence is not None:
                session.add(AlertEvent(alert_id=alert.id, at=at, actor="silence", kind="silenced",
                                       from_state=alert.state, to_state=alert.state,
                                       note=f"Tidak dikirim: dibisukan #{silence.id} ({silence.reason})"[:1000]))
                continue
            level = LEVELS[min(alert.escalation_level, len(LEVELS) - 1)]
            if sources and kind != "resolved":
                muted = routing.inhibitors(ruleset, routing.labels(rule, alert.kode_wilayah, level, alert.subject),
                                           sources, exclude=alert.id)
                if muted:
                    session.add(AlertEvent(alert_id=alert.id, at=at, actor="inhibition", kind="inhibited",
                                           from_state=alert.state, to_state=alert.state,
                                           note=f"Tidak dikirim: dihambat oleh peringatan #{muted[0].alert_id} "
                                                f"({muted[0].rule_id}; {muted[0].inhibition})"[:1000]))
                    continue
            body = payload(alert, kind, rule, base_url)
            for route in routes_for(ruleset, rule, alert.kode_wilayah, level, alert.subject):
                targets = ([("webhook", route.webhook)] if route.webhook else []) + [("email", a) for a in route.surel]
                for channel, target in targets:
                    key = (route.nama, channel, target, alert.rule_id, kind, level)
                    groups.setdefault(key, []).append((alert.id, event_id, body))
        for (route_name, channel, target, rule_id, kind, level), members in groups.items():
            route = next(r for r in ruleset.routes if r.nama == route_name)
            if len(members) >= ruleset.delivery.kelompok_min:
                members = [(members[0][0], members[0][1], grouped(ruleset.rules[rule_id], [m[2] for m in members],
                                                                   base_url))]
            for alert_id, event_id, body in members:
                text = render(route, body) if channel == "webhook" else json.dumps(body, ensure_ascii=False)
                session.add(AlertDelivery(alert_id=alert_id, event_id=event_id, route=route_name, channel=channel,
                                          target=target, payload=text, status="pending", attempts=0,
                                          next_attempt_at=at, created_at=at))
                queued += 1
    if queued:
        wake_worker()
    return queued


def grouped(rule: EffectiveRule, bodies: list[dict], base_url: str = "") -> dict:
    """Many alerts of one rule changing together (a first evaluation, a whole kecamatan) as one notification:
    `alert` summarises them (so chat and email read it as one), `alerts` lists them (at most 100)."""
    first = bodies[0]["alert"]
    places = sorted({b["alert"]["kode_wilayah"] or "-" for b in bodies})
    shown = ", ".join(places[:10]) + (" …" if len(places) > 10 else "")
    summary = {**first, "id": None, "count": len(bodies), "url": f"{base_url}/peringatan?rule={rule.id}",
               "message": f"{len(bodies)} peringatan '{first['title']}' ({first['state_label']}) di {shown}.",
               "message_en": f"{len(bodies)} alerts '{first['title_en']}' ({first['state']}) in {shown}.",
               "kode_wilayah": shown}
    return {"alert": summary, "alerts": [b["alert"] for b in bodies[:100]]}


# --- sending ---------------------------------------------------------------------------------------------


def _send(delivery: AlertDelivery, ruleset: RuleSet) -> None:
    if delivery.channel == "webhook":
        route = next((r for r in ruleset.routes if r.nama == delivery.route), None)
        headers = {"Content-Type": "application/json", "User-Agent": "madangan-peringatan",
                   **(route.header if route else {})}
        response = httpx.post(delivery.target, content=delivery.payload.encode(), headers=headers,
                              timeout=ruleset.delivery.batas_waktu_detik)
        if response.status_code >= 300:
            raise RuntimeError(f"HTTP {response.status_code}")
        return
    a = json.loads(delivery.payload)["alert"]
    message = EmailMessage()
    message["From"] = ruleset.smtp.pengirim
    message["To"] = delivery.target
    message["Subject"] = f"[Madangan] {a['severity_label'].upper()}: {a['title']} — {a['state_label']}"
    message.set_content(
        f"{a['message']}\n\nWilayah: {a['kode_wilayah'] or '-'}\nOPD: {a['agency']}\nTingkat: {a['level']}\n"
        f"Tautan: {a['url']}\n\n---\n{a['title_en']}: {a['message_en']}\n")
    smtp = ruleset.smtp
    with smtplib.SMTP(smtp.host, smtp.port, timeout=ruleset.delivery.batas_waktu_detik) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.pengguna:
            client.login(smtp.pengguna, smtp.password() or "")
        client.send_message(message)


def deliver_due(engine: Engine, ruleset: RuleSet, limit: int = 100) -> tuple[int, int]:
    """Send what is due; returns (sent, failed attempts)."""
    at = now()
    with sessions(engine)() as session:
        due = list(session.scalars(select(AlertDelivery).where(AlertDelivery.status == "pending",
                                                               AlertDelivery.next_attempt_at <= at)
                                   .order_by(AlertDelivery.id).limit(limit)))
    sent = failed = 0
    policy = ruleset.delivery
    for delivery in due:
        error = None
        try:
            _send(delivery, ruleset)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            error = f"{exc.__class__.__name__}: {exc}"[:1000]
        with sessions(engine).begin() as session:
            row = session.get(AlertDelivery, delivery.id)
            row.attempts += 1
            if error is None:
                row.status, row.delivered_at, row.last_error, row.next_attempt_at = "sent", now(), None, None
                sent += 1
            else:
                failed += 1
                row.last_error = error
                if row.attempts >= policy.maks_percobaan:
                    row.status, row.next_attempt_at = "failed", None
                    log.warning("notification %s via %s failed for good after %d attempts", row.id, row.channel,
                                row.attempts)
                else:
                    wait = min(policy.jeda_awal_detik * 2 ** (row.attempts - 1), policy.jeda_maks_detik)
                    row.next_attempt_at = now() + timedelta(seconds=wait)
    return sent, failed


def retry(engine: Engine, delivery_id: int, actor: str | None) -> None:
    """A person sends a failed notification again."""
    from madangan.access import store as access_store
    from madangan.errors import NotFound

    with sessions(engine).begin() as session:
        row = session.get(AlertDelivery, delivery_id)
        if row is None:
            raise NotFound(f"Pengiriman #{delivery_id} tidak ditemukan (delivery not found).")
        row.status, row.next_attempt_at = "pending", now()
    access_store.audit(engine, "alert.delivery_retry", actor, target=f"delivery:{delivery_id}")
    wake_worker()


def deliveries(engine: Engine, status: str | None = None, limit: int = 200) -> list[AlertDelivery]:
    query = select(AlertDelivery).order_by(AlertDelivery.id.desc()).limit(limit)
    if status:
        query = query.where(AlertDelivery.status == status)
    with sessions(engine)() as session:
        return list(session.scalars(query))


# --- the worker ------------------------------------------------------------------------------------------

_wake = threading.Event()


def wake_worker() -> None:
    _wake.set()


class Worker:
    """Sends due notifications and escalates overdue alerts while the server runs (a thread)."""

    def __init__(self, settings, engine: Engine, tick: float = 1.0, escalate_every: float = 60.0):
        self.settings, self.engine, self.tick, self.escalate_every = settings, engine, tick, escalate_every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="alert-delivery", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        _wake.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        from madangan.alerts import rules, stream
        from madangan.alerts.store import escalate_due

        last_escalation = 0.0
        import time

        while not self.stopping.is_set():
            try:
                ruleset = rules.load(self.settings)
                deliver_due(self.engine, ruleset)
                if time.monotonic() - last_escalation >= self.escalate_every:
                    last_escalation = time.monotonic()
                    changes = escalate_due(self.engine, ruleset)
                    if changes.events:
                        enqueue(self.engine, ruleset, changes)
                        stream.announce()
            except Exception:  # noqa: BLE001 - the worker keeps going; the rows say what failed
                log.exception("alert delivery worker")
            _wake.wait(self.tick)
            _wake.clear()
