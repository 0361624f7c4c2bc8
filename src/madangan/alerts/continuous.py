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


@hookimpl(specname="madangan_batch_changed", tryfirst=True)
def judge_records_first(con, change, settings) -> None:
    """Rules that read sources directly (a smartwatch reading, a child's measurement) run before the other
    listeners: an urgent reading reaches dashboards before verval and the indicators have caught up."""
    _evaluate(con, change, settings, facts=False)


@hookimpl(specname="madangan_batch_changed", trylast=True)
def judge_indicators_last(con, change, settings) -> None:
    """Rules over indicator facts run after the indicator engine has recomputed what the batch touched."""
    _evaluate(con, change, settings, facts=True)


def _evaluate(con, change, settings, facts: bool) -> None:
    if _paused.get() or os.environ.get("MADANGAN_ALERTS_AFTER_INGEST", "1") == "0":
        return
    from madangan.alerts import rules
    from madangan.alerts.evaluate import evaluate, reads
    from madangan.appdb import make_engine

    try:
        ruleset = rules.load(settings)
    except Exception as exc:  # noqa: BLE001 - a bad rules file must not fail the batch; `alerts rules` names it
        log.warning("alert rules not loaded: %s", exc)
        return
    chosen = [r.id for r in ruleset.rules.values()
              if r.enabled and bool(r.rule.indicator) is facts and reads(r, change.contract.name)]
    if not chosen:
        return
    from madangan import deploy

    engine = make_engine(settings.app_db_url)
    try:
        if deploy.current(engine) is None:  # a warehouse without a deployment (yet): nobody to alert
            return
        for attempt in (1, 2):
            try:
                evaluate(settings, engine, ruleset, only=chosen, change=change, con=con, actor=f"batch:{change.batch}")
                break
            except Exception as exc:  # noqa: BLE001 - the batch is committed; a failed evaluation must not undo its answer
                # two batches judging one device at once can both try to create its alert: the second attempt
                # finds the first's (evaluation reconciles, so running it again is safe)
                log.warning("alert evaluation after batch %s failed (attempt %d): %s", change.batch, attempt,
                            exc.__class__.__name__)
    finally:
        engine.dispose()
