"""Verval after every batch: the checks that read the changed source run again at once.

So a village's worklist follows the data: a corrected record sent by an agency
resolves its finding with the batch, not at the next nightly run. Turned off
with `[verval] setelah_ingest = false`; the demo pauses it and verifies once
after loading everything.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from madangan.hookspecs import hookimpl

_paused: ContextVar[bool] = ContextVar("verval_paused", default=False)


@contextmanager
def paused():
    """Load many sources without re-verifying after each (verify once afterwards)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


@hookimpl
def madangan_batch_changed(con, change, settings) -> None:
    if _paused.get() or not settings.verval.get("setelah_ingest", True):
        return
    from madangan import deploy
    from madangan.appdb import make_engine
    from madangan.verval.engine import all_checks, verify

    source = change.contract.name
    if not any(source in c.sources for c in all_checks()):
        return
    engine = make_engine(settings.app_db_url)
    try:
        deployment = deploy.current(engine)
        if deployment is not None:
            verify(settings, engine, deployment.region_code, actor=f"batch:{change.batch}", only_source=source, con=con,
                   change=change)
    finally:
        engine.dispose()
