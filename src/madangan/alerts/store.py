"""Alerts in the app database: the lifecycle, what people do with an alert, silences and the timeline.

States (Grafana's, per rule × subject): normal → pending (the rule's "for") → firing → recovering (the
rule's "keep firing for") → resolved; no_data when the rule's sources are gone, error when it failed.
What Grafana lacks is here too: acknowledge (who, when, comment), assign, escalate when not acknowledged
within the rule's SLA (desa → kecamatan → OPD head → Sekda), resolve with a reason, reopen. Every change
is an `AlertEvent` (the timeline, and the feed live dashboards follow) and every change a person makes is
written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from madangan.access import Principal, Role
from madangan.access import store as access_store
from madangan.alerts import LEVELS
from madangan.alerts.models import Alert, AlertEvent, AlertRuleHealth, AlertSilence
from madangan.alerts.rules import EffectiveRule, RuleSet
from madangan.appdb import sessions
from madangan.errors import Conflict, NotFound, OutOfScope, UserError

STATES = ("normal", "pending", "firing", "recovering", "resolved", "no_data", "error")
OPEN_STATES = ("pending", "firing", "recovering", "no_data", "error")
STATE_LABELS = {
    "normal": {"id": "Normal", "en": "Normal"},
    "pending": {"id": "Menunggu", "en": "Pending"},
    "firing": {"id": "Aktif", "en": "Firing"},
    "recovering": {"id": "Memulih", "en": "Recovering"},
    "resolved": {"id": "Selesai", "en": "Resolved"},
    "no_data": {"id": "Tanpa data", "en": "No data"},
    "error": {"id": "Galat", "en": "Error"},
}
RULE_SUBJECT = "_aturan"  # the rule-level alert that shows a rule in error


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@dataclass
class Match:
    """A subject that meets a rule's condition now."""

    subject: str
    kode_wilayah: str | None
    value: float | None
    message_id: str
    message_en: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Changes:
    """What one application of a rule changed: (alert id, event id, kind) for notifications and the feed."""

    events: list[tuple[int, int, str]] = field(default_factory=list)
    pending: list[tuple[Alert, AlertEvent, str]] = field(default_factory=list)

    def add(self, alert: Alert, event: AlertEvent, kind: str | None = None) -> None:
        self.pending.append((alert, event, kind or event.to_state or event.kind))

    def settle(self, session: Session) -> "Changes":
        """Write the queued events in one flush (thousands of alerts in a first evaluation) and keep their ids."""
        session.flush()
        self.events += [(alert.id, event.id, kind) for alert, event, kind in self.pending]
        self.pending = []
        return self


def _event(session: Session, alert: Alert, kind: str, actor: str | None, at: datetime, to_state: str | None = None,
           note: str | None = None, from_state: str | None = None) -> AlertEvent:
    event = AlertEvent(alert_id=alert.id, at=at, actor=actor, kind=kind, from_state=from_state or alert.state,
                       to_state=to_state, note=note)
    session.add(event)
    return event


def _move(session: Session, alert: Alert, to: str, at: datetime, actor: str | None, changes: Changes,
          note: str | None = None, kind: str | None = None) -> None:
    if alert.state == to:
        return
    event = _event(session, alert, "state", actor, at, to_state=to, note=note)
    alert.state, alert.updated_at = to, at
    changes.add(alert, event, kind)


def _fire(session: Session, alert: Alert, at: datetime, actor: str | None, changes: Changes, note=None,
          kind: str | None = None) -> None:
    """A new episode: fired now, nobody has acknowledged it yet, back at the first escalation level."""
    if alert.state not in ("firing", "recovering"):
        alert.fired_at = at
        if alert.state != "pending":  # from pending the episode began when pending did
            _new_episode(alert)
    alert.recovering_since = None
    _move(session, alert, "firing", at, actor, changes, note, kind)


def _new_episode(alert: Alert) -> None:
    alert.acknowledged_at = alert.acknowledged_by = alert.ack_comment = None
    alert.escalation_level, alert.escalated_at = 0, None
    alert.resolved_at = alert.resolved_by = alert.resolution = None
    alert.held = False


def step(session: Session, alert: Alert, holds: bool, rule: EffectiveRule, at: datetime, actor: str | None,
         changes: Changes) -> None:
    """One evaluation of one alert: the condition `holds` now, or not."""
    state = alert.state
    if holds:
        if state == "resolved" and alert.held:
            return  # a person resolved it while the condition held: quiet until the condition clears
        if state in ("normal", "resolved", "no_data", "error"):
            if rule.pending_minutes > 0 and state != "no_data":
                alert.pending_since = at
                _new_episode(alert)
                _move(session, alert, "pending", at, actor, changes)
            else:
                _fire(session, alert, at, actor, changes)
        elif state == "pending":
            since = aware(alert.pending_since) or at
            if at - since >= timedelta(minutes=rule.pending_minutes):
                _fire(session, alert, at, actor, changes)
        elif state == "recovering":
            _fire(session, alert, at, actor, changes)
    else:
        if state == "resolved" and alert.held:
            alert.held = False
        elif state == "pending":
            alert.pending_since = None
            _move(session, alert, "normal", at, actor, changes)
        elif state in ("firing", "no_data", "error"):
            if rule.keep_firing_minutes > 0 and state == "firing":
                alert.recovering_since = at
                _move(session, alert, "recovering", at, actor, changes)
            else:
                _resolve_auto(session, alert, at, actor, changes)
        elif state == "recovering":
            since = aware(alert.recovering_since) or at
            if at - since >= timedelta(minutes=rule.keep_firing_minutes):
                _resolve_auto(session, alert, at, actor, changes)


def _resolve_auto(session, alert, at, actor, changes) -> None:
    alert.resolved_at, alert.resolved_by = at, None
    alert.resolution = "Kondisi tidak lagi terpenuhi (condition no longer met)"
    alert.recovering_since = None
    _move(session, alert, "resolved", at, actor, changes, note=alert.resolution)


def apply(engine: Engine, rule: EffectiveRule, matches: dict[str, Match], at: datetime, actor: str,
          subjects: set[str] | None = None) -> Changes:
    """Bring the rule's alerts in line with `matches` (the subjects meeting the condition now). With `subjects`,
    only those subjects were evaluated (after a batch): other alerts of the rule are left as they are."""
    changes = Changes()
    with sessions(engine).begin() as session:
        query = select(Alert).where(Alert.rule_id == rule.id, Alert.subject != RULE_SUBJECT)
        if subjects is not None:
            query = query.where(Alert.subject.in_(list(subjects) or [""]))
        existing = {a.subject: a for a in session.scalars(query)}
        new = [Alert(rule_id=rule.id, subject=subject, sector=rule.rule.sector, agency=rule.rule.agency,
                     kode_wilayah=match.kode_wilayah, severity=rule.severity, state="normal",
                     personal=rule.rule.personal, created_at=at, updated_at=at)
               for subject, match in matches.items() if subject not in existing]
        if new:
            session.add_all(new)
            session.flush()  # one multi-row insert for a first evaluation's thousands of alerts
            existing.update({a.subject: a for a in new})
        for subject, match in matches.items():
            alert = existing[subject]
            evidence = json.dumps(match.evidence, default=str, ensure_ascii=False)
            changed = (alert.kode_wilayah, alert.value, alert.severity, alert.message_id, alert.message_en,
                       alert.evidence) != (match.kode_wilayah, match.value, rule.severity, match.message_id[:1000],
                                           match.message_en[:1000], evidence)
            if changed:  # an unchanged alert is not written again (evaluations of a steady regency are cheap)
                alert.kode_wilayah, alert.value, alert.severity = match.kode_wilayah, match.value, rule.severity
                alert.message_id, alert.message_en = match.message_id[:1000], match.message_en[:1000]
                alert.evidence, alert.last_evaluated_at = evidence, at
            step(session, alert, True, rule, at, actor, changes)
        for subject, alert in existing.items():
            if subject not in matches:
                step(session, alert, False, rule, at, actor, changes)
        _clear_rule_alert(session, rule, at, actor, changes)
        changes.settle(session)
    return changes


def _clear_rule_alert(session, rule, at, actor, changes) -> None:
    alert = session.scalars(select(Alert).where(Alert.rule_id == rule.id, Alert.subject == RULE_SUBJECT)).first()
    if alert is not None and alert.state in ("error", "no_data"):
        _resolve_auto(session, alert, at, actor, changes)


def mark_rule(engine: Engine, rule: EffectiveRule, health: str, at: datetime, actor: str, seconds: float = 0.0,
              matches: int = 0, message: str | None = None) -> Changes:
    """Record how the rule's evaluation went. no_data: its open alerts show no_data (not resolved: nobody
    knows). error: a rule-level alert in state error, so a broken rule is seen, not silent."""
    changes = Changes()
    with sessions(engine).begin() as session:
        found = session.get(AlertRuleHealth, rule.id)
        if found is None:
            found = AlertRuleHealth(rule_id=rule.id, health=health, evaluated_at=at)
            session.add(found)
        found.health, found.evaluated_at, found.seconds = health, at, seconds
        found.matches, found.message = matches, (message or "")[:1000] or None
        if health == "no_data":
            for alert in session.scalars(select(Alert).where(Alert.rule_id == rule.id,
                                                             Alert.state.in_(("pending", "firing", "recovering")))):
                _move(session, alert, "no_data", at, actor, changes, note=message)
        elif health == "error":
            alert = session.scalars(select(Alert).where(Alert.rule_id == rule.id, Alert.subject == RULE_SUBJECT)).first()
            if alert is None:
                alert = Alert(rule_id=rule.id, subject=RULE_SUBJECT, sector=rule.rule.sector, agency=rule.rule.agency,
                              kode_wilayah=None, severity=rule.severity, state="normal", created_at=at, updated_at=at)
                session.add(alert)
                session.flush()
            alert.message_id = f"Aturan '{rule.rule.title['id']}' gagal dievaluasi: {message}"[:1000]
            alert.message_en = f"Rule '{rule.rule.title['en']}' failed to evaluate: {message}"[:1000]
            if alert.state != "error":
                alert.fired_at = at
                _move(session, alert, "error", at, actor, changes, note=(message or "")[:1000])
        changes.settle(session)
    return changes


# --- who may see and act ------------------------------------------------------------------------------------


def visible(who: Principal, alert: Alert) -> bool:
    """Alerts of the caller's region (alerts without a region: regency-wide roles only) and, for an OPD's
    analyst, of its sectors."""
    if who.sectors and alert.sector not in who.sectors:
        return False
    if alert.kode_wilayah is None:
        return who.region_code.count(".") == 1
    return who.in_scope(alert.kode_wilayah)


def may_see_evidence(who: Principal, alert: Alert) -> bool:
    """Evidence records (personal) only for roles that may see persons, in scope; the Bupati/Sekda see an
    alert's evidence too (madangan.access: "persons only on an alert's evidence")."""
    if not alert.personal:
        return visible(who, alert)
    from madangan.access import Permission, same_posyandu

    if who.posyandu_scoped:  # a cadre: the children of their posyandu only (the evidence names the posyandu)
        from madangan.verval.worklist import CADRE_SECTORS

        posyandu = json.loads(alert.evidence or "{}").get("posyandu")
        return (visible(who, alert) and alert.sector in CADRE_SECTORS
                and same_posyandu(None if posyandu is None else str(posyandu), who.posyandu))
    return visible(who, alert) and (who.can(Permission.PERSONS) or who.role is Role.EXECUTIVE)


def may_silence(who: Principal) -> bool:
    return who.role in (Role.ADMIN, Role.EXECUTIVE, Role.ANALYST, Role.KECAMATAN)


def scope_clause(who: Principal):
    """SQL conditions matching `visible` (for lists and the feed)."""
    clauses = []
    if who.region_code.count(".") == 1:
        region = or_(Alert.kode_wilayah.is_(None), Alert.kode_wilayah == who.region_code,
                     Alert.kode_wilayah.like(who.region_code + ".%"))
    else:
        region = or_(Alert.kode_wilayah == who.region_code, Alert.kode_wilayah.like(who.region_code + ".%"))
    clauses.append(region)
    if who.sectors:
        clauses.append(Alert.sector.in_(sorted(who.sectors)))
    return clauses


def get(engine: Engine, alert_id: int, who: Principal) -> Alert:
    with sessions(engine)() as session:
        alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"Peringatan #{alert_id} tidak ditemukan (alert not found).")
    if not visible(who, alert):
        raise OutOfScope(f"Peringatan #{alert_id} di luar wilayah atau sektor Anda (outside your scope).")
    return alert


def timeline(engine: Engine, alert_id: int) -> list[AlertEvent]:
    with sessions(engine)() as session:
        return list(session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)))


@dataclass
class AlertFilter:
    state: list[str] | None = None  # None: the open ones
    severity: str | None = None
    region: str | None = None
    agency: str | None = None
    rule: str | None = None
    sector: str | None = None


def search(engine: Engine, who: Principal, f: AlertFilter, limit: int = 100, offset: int = 0) -> tuple[list[Alert], int]:
    from sqlalchemy import case, func

    where = scope_clause(who)
    states = f.state if f.state else list(OPEN_STATES)
    if "all" not in states:
        where.append(Alert.state.in_(states))
    if f.severity:
        where.append(Alert.severity == f.severity)
    if f.region:
        where.append(or_(Alert.kode_wilayah == f.region, Alert.kode_wilayah.like(f.region + ".%")))
    if f.agency:
        where.append(Alert.agency == f.agency)
    if f.rule:
        where.append(Alert.rule_id == f.rule)
    if f.sector:
        where.append(Alert.sector == f.sector)
    rank = case({s: i for i, s in enumerate(("darurat", "tinggi", "sedang", "rendah"))}, value=Alert.severity, else_=9)
    with sessions(engine)() as session:
        total = session.scalar(select(func.count()).select_from(Alert).where(*where))
        items = list(session.scalars(select(Alert).where(*where).order_by(rank, Alert.updated_at.desc(), Alert.id.desc())
                                     .limit(limit).offset(offset)))
    return items, total or 0


# --- what people do ----------------------------------------------------------------------------------------


def _act(engine: Engine, alert_id: int, who: Principal, action: str, apply_fn, client: str | None = None,
         note: str | None = None) -> Changes:
    changes = Changes()
    actor = who.username or "?"
    at = now()
    with sessions(engine).begin() as session:
        alert = session.get(Alert, alert_id, with_for_update=True)
        if alert is None:
            raise NotFound(f"Peringatan #{alert_id} tidak ditemukan (alert not found).")
        if not visible(who, alert):
            raise OutOfScope(f"Peringatan #{alert_id} di luar wilayah atau sektor Anda (outside your scope).")
        apply_fn(session, alert, actor, at, changes)
        changes.settle(session)
        region = alert.kode_wilayah
    access_store.audit(engine, f"alert.{action}", actor, target=f"alert:{alert_id}", region_code=region,
                       client=client, reason=note)
    return changes


def acknowledge(engine: Engine, alert_id: int, who: Principal, comment: str = "", client: str | None = None) -> Changes:
    def fn(session, alert, actor, at, changes):
        if alert.state not in OPEN_STATES:
            raise Conflict(f"Peringatan berstatus '{alert.state}' tidak perlu diakui (only open alerts are acknowledged).")
        alert.acknowledged_at, alert.acknowledged_by, alert.ack_comment = at, actor, comment.strip()[:1000] or None
        alert.updated_at = at
        changes.add(alert, _event(session, alert, "ack", actor, at, note=alert.ack_comment, to_state=alert.state))

    return _act(engine, alert_id, who, "ack", fn, client, comment)


def assign(engine: Engine, alert_id: int, who: Principal, assignee: str, client: str | None = None) -> Changes:
    assignee = assignee.strip()
    if not assignee:
        raise UserError("Sebutkan kepada siapa (OPD atau orang) peringatan ditugaskan (assignee is required).")

    def fn(session, alert, actor, at, changes):
        alert.assignee, alert.updated_at = assignee[:200], at
        changes.add(alert, _event(session, alert, "assign", actor, at, note=assignee[:1000], to_state=alert.state))

    return _act(engine, alert_id, who, "assign", fn, client, assignee)


def resolve(engine: Engine, alert_id: int, who: Principal, reason: str, client: str | None = None) -> Changes:
    reason = reason.strip()
    if not reason:
        raise UserError("Tulis alasan penyelesaian (a reason is required to resolve).")

    def fn(session, alert, actor, at, changes):
        if alert.state in ("resolved", "normal"):
            raise Conflict("Peringatan ini sudah selesai (already resolved).")
        alert.held = alert.state in ("pending", "firing", "recovering")
        alert.resolved_at, alert.resolved_by, alert.resolution = at, actor, reason[:1000]
        alert.recovering_since = None
        _move(session, alert, "resolved", at, actor, changes, note=reason[:1000])

    return _act(engine, alert_id, who, "resolve", fn, client, reason)


def reopen(engine: Engine, alert_id: int, who: Principal, reason: str, client: str | None = None) -> Changes:
    reason = reason.strip()
    if not reason:
        raise UserError("Tulis alasan membuka kembali (a reason is required to reopen).")

    def fn(session, alert, actor, at, changes):
        if alert.state != "resolved":
            raise Conflict("Hanya peringatan yang sudah selesai yang bisa dibuka kembali (only resolved alerts reopen).")
        _fire(session, alert, at, actor, changes, note=reason[:1000], kind="reopened")

    return _act(engine, alert_id, who, "reopen", fn, client, reason)


def escalate_due(engine: Engine, ruleset: RuleSet, at: datetime | None = None) -> Changes:
    """Firing alerts nobody acknowledged within their rule's SLA go one level up (to Sekda at most)."""
    at = at or now()
    changes = Changes()
    with sessions(engine).begin() as session:
        for alert in session.scalars(select(Alert).where(Alert.state == "firing", Alert.acknowledged_at.is_(None),
                                                         Alert.escalation_level < len(LEVELS) - 1)):
            rule = ruleset.rules.get(alert.rule_id)
            sla = timedelta(hours=rule.sla_hours if rule else 24.0)
            since = aware(alert.escalated_at) or aware(alert.fired_at) or at
            if at - since < sla:
                continue
            alert.escalation_level += 1
            alert.escalated_at = alert.updated_at = at
            level = LEVELS[alert.escalation_level]
            event = _event(session, alert, "escalate", "sla", at, to_state=alert.state,
                           note=f"{LEVELS[alert.escalation_level - 1]} → {level}")
            changes.add(alert, event, "escalated")
        changes.settle(session)
    return changes


# --- silences ----------------------------------------------------------------------------------------------


def add_silence(engine: Engine, who: Principal, hours: float, reason: str, rule_id: str | None = None,
                kode_wilayah: str | None = None, client: str | None = None) -> int:
    reason = reason.strip()
    if not reason:
        raise UserError("Tulis alasan membisukan (a reason is required for a silence).")
    if not 0 < hours <= 24 * 30:
        raise UserError("Lama bisu 0–720 jam (a silence lasts up to 30 days).")
    if not may_silence(who):
        raise OutOfScope(f"Peran '{who.role}' tidak boleh membisukan peringatan (role may not silence).")
    region = kode_wilayah or who.region_code
    if not who.in_scope(region):
        raise OutOfScope(f"Wilayah {region} di luar wilayah Anda (outside your scope).")
    at = now()
    with sessions(engine).begin() as session:
        silence = AlertSilence(rule_id=rule_id or None, kode_wilayah=region, starts_at=at,
                               ends_at=at + timedelta(hours=hours), reason=reason[:1000], created_by=who.username,
                               created_at=at)
        session.add(silence)
        session.flush()
        silence_id = silence.id
    access_store.audit(engine, "alert.silence", who.username, target=f"silence:{silence_id} rule:{rule_id or '*'}",
                       region_code=region, client=client, reason=reason, detail=f"hours={hours}")
    return silence_id


def end_silence(engine: Engine, silence_id: int, who: Principal, client: str | None = None) -> None:
    with sessions(engine).begin() as session:
        silence = session.get(AlertSilence, silence_id)
        if silence is None:
            raise NotFound(f"Bisu #{silence_id} tidak ditemukan (silence not found).")
        if not (may_silence(who) and who.in_scope(silence.kode_wilayah or who.region_code)):
            raise OutOfScope("Bisu ini di luar wilayah Anda (outside your scope).")
        silence.ended_at, silence.ended_by = now(), who.username
    access_store.audit(engine, "alert.unsilence", who.username, target=f"silence:{silence_id}", client=client)


def active_silences(engine: Engine, at: datetime | None = None) -> list[AlertSilence]:
    at = at or now()
    with sessions(engine)() as session:
        found = session.scalars(select(AlertSilence).where(AlertSilence.ended_at.is_(None)))
        return [s for s in found if aware(s.starts_at) <= at < aware(s.ends_at)]


def silenced_by(alert: Alert, silences: list[AlertSilence]) -> AlertSilence | None:
    for s in silences:
        if s.rule_id and s.rule_id != alert.rule_id:
            continue
        region = s.kode_wilayah
        if region and alert.kode_wilayah and not (alert.kode_wilayah == region or alert.kode_wilayah.startswith(region + ".")):
            continue
        if region and alert.kode_wilayah is None and region.count(".") > 1:
            continue
        return s
    return None


def rule_health(engine: Engine) -> dict[str, AlertRuleHealth]:
    with sessions(engine)() as session:
        return {h.rule_id: h for h in session.scalars(select(AlertRuleHealth))}
