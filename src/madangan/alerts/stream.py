"""Live alerts for open dashboards: server-sent events read from the alert timeline.

The timeline (`alert_event`) is the feed: a client resumes from the last event id it saw
(`Last-Event-ID`), so a reconnect loses nothing, and alerts changed by another process (the CLI, a
second server) arrive too. Within the serving process an evaluation wakes every open stream at once
(`announce`), so a reading pushed over the API reaches the dashboard without waiting for a poll; other
processes' changes are picked up by a poll every `POLL_SECONDS`.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator

from sqlalchemy import Engine, select

from madangan.access import Principal
from madangan.alerts.models import Alert, AlertEvent
from madangan.alerts.store import STATE_LABELS, scope_clause
from madangan.appdb import sessions

POLL_SECONDS = 1.0
BATCH = 200

_lock = threading.Lock()
_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def announce() -> None:
    """Wake every open stream of this process (callable from any thread)."""
    with _lock:
        waiters = list(_waiters)
    for loop, event in waiters:
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # the loop has closed
            pass


def last_event_id(engine: Engine) -> int:
    from sqlalchemy import func

    with sessions(engine)() as session:
        return session.scalar(select(func.max(AlertEvent.id))) or 0


def events_after(engine: Engine, who: Principal, after: int, lang: str = "id", limit: int = BATCH) -> list[dict]:
    """The timeline entries after `after` of alerts the caller may see, as the feed shows them (no personal data)."""
    with sessions(engine)() as session:
        rows = session.execute(
            select(AlertEvent, Alert).join(Alert, Alert.id == AlertEvent.alert_id)
            .where(AlertEvent.id > after, *scope_clause(who)).order_by(AlertEvent.id).limit(limit)).all()
    return [feed_item(alert, event, lang) for event, alert in rows]


def feed_item(alert: Alert, event: AlertEvent | None, lang: str = "id") -> dict:
    from madangan.alerts import SEVERITY_LABELS
    from madangan.alerts.rules import declared

    rule = declared().get(alert.rule_id)
    return {
        "event_id": event.id if event else None,
        "kind": event.kind if event else None,
        "at": (event.at if event else alert.updated_at).isoformat(),
        "alert_id": alert.id,
        "rule": alert.rule_id,
        "title": rule.title[lang] if rule else alert.rule_id,
        "severity": alert.severity,
        "severity_label": SEVERITY_LABELS.get(alert.severity, {}).get(lang, alert.severity),
        "state": alert.state,
        "state_label": STATE_LABELS.get(alert.state, {}).get(lang, alert.state),
        "kode_wilayah": alert.kode_wilayah,
        "agency": alert.agency,
        "message": alert.message_id if lang == "id" else alert.message_en,
        "acknowledged": alert.acknowledged_at is not None,
        "url": f"/peringatan/{alert.id}",
    }


async def stream(engine: Engine, who: Principal, after: int, lang: str = "id",
                 is_disconnected=None) -> AsyncIterator[dict]:
    """Server-sent events (dicts for sse-starlette): each new timeline entry the caller may see, as it happens."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    entry = (loop, wake)
    with _lock:
        _waiters.add(entry)
    try:
        yield {"event": "ready", "id": str(after), "data": json.dumps({"after": after})}
        while True:
            wake.clear()  # before reading: a change announced while reading wakes the next wait at once
            items = await asyncio.to_thread(events_after, engine, who, after, lang)
            for item in items:
                after = item["event_id"]
                yield {"event": "alert", "id": str(after), "data": json.dumps(item, ensure_ascii=False)}
            if len(items) == BATCH:
                continue
            if is_disconnected is not None and await is_disconnected():
                return
            try:
                await asyncio.wait_for(wake.wait(), POLL_SECONDS)
            except TimeoutError:
                pass
    finally:
        with _lock:
            _waiters.discard(entry)
