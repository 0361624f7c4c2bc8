"""App database tables of early warning (migration 0010_alerts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from madangan.appdb.models import Base


class Alert(Base):
    """One alert per rule × subject (a child, a device, a desa, an OPD); re-evaluation updates it, never duplicates."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("rule_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40))
    agency: Mapped[str] = mapped_column(String(200), default="")
    kode_wilayah: Mapped[str | None] = mapped_column(String(13), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    #: normal, pending, firing, recovering, resolved, no_data, error
    state: Mapped[str] = mapped_column(String(12), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    message_id: Mapped[str] = mapped_column(String(1000), default="")  # no personal data
    message_en: Mapped[str] = mapped_column(String(1000), default="")
    evidence: Mapped[str] = mapped_column(Text, default="{}")  # JSON; personal when `personal`
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recovering_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(1000))
    #: Resolved by a person while the condition still held: stays resolved until the condition clears.
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    ack_comment: Mapped[str | None] = mapped_column(String(1000))
    assignee: Mapped[str | None] = mapped_column(String(200))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertEvent(Base):
    """An alert's timeline: every state change, acknowledgement, assignment, escalation, note. Also the feed
    the live dashboards read (server-sent events resume from the last event id they saw)."""

    __tablename__ = "alert_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(100))  # username, or evaluate:<how>
    kind: Mapped[str] = mapped_column(String(20))  # state, ack, assign, escalate, resolve, reopen, silenced, inhibited
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(1000))


class AlertSilence(Base):
    """Time-boxed silence: alerts of a rule (or all) in a region are kept but not notified."""

    __tablename__ = "alert_silence"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str | None] = mapped_column(String(80))
    kode_wilayah: Mapped[str | None] = mapped_column(String(13))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(1000))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(100))


class AlertDelivery(Base):
    """One notification to one target (a webhook URL, an email address): retried with backoff until sent,
    and visible while it is not. Nothing is dropped: after the last attempt it stays `failed` for a person."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("alert_event.id"))
    route: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))  # webhook, email
    target: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertRuleHealth(Base):
    """How a rule's last evaluation went: ok, no_data (a source missing), error (with the reason)."""

    __tablename__ = "alert_rule_health"

    rule_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    health: Mapped[str] = mapped_column(String(10))
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    matches: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(1000))
