"""Early warning after every batch: the rules that read the changed source are evaluated at once.

Runs after the indicator engine (trylast), so place and trend rules see the facts the batch just
recomputed. A smartwatch reading pushed over the API or MQTT is judged within the same request.
Turned off with `MADANGAN_ALERTS_AFTER_INGEST=0`; the demo pauses it and evaluates once at the end.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from contextvars import ContextVar

from madangan.hookspecs import hookimpl

log = logging.getLogger("madangan.alerts")
_paused: ContextVar[bool] = ContextVar("alerts_paused", default=False)


@contextmanager
def paused():
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


@hookimpl(trylast=True)
def madangan_batch_changed(con, change, settings) -> None:
    if _paused.get() or os.environ.get("MADANGAN_ALERTS_AFTER_INGEST", "1") == "0":
        return
    from madangan.alerts import rules
    from madangan.alerts.evaluate import evaluate, reads
    from madangan.appdb import make_engine

    try:
        ruleset = rules.load(settings)
    except Exception as exc:  # noqa: BLE001 - a bad rules file must not fail the batch; `alerts check` names it
        log.warning("alert rules not loaded: %s", exc)
        return
    if not any(r.enabled and reads(r, change.contract.name) for r in ruleset.rules.values()):
        return
    engine = make_engine(settings.app_db_url)
    try:
        evaluate(settings, engine, ruleset, change=change, con=con, actor=f"batch:{change.batch}")
    finally:
        engine.dispose()
