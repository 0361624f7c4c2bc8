"""Rule files edited outside the app (`peringatan.toml`, the program rules) leave a trace in the audit log.

When a rule file in force is loaded and its content differs from the one last recorded, an entry
`berkas_aturan_berubah` is appended: target the file name, detail its short sha256 (never the content).
The last recorded hash is the latest such entry for that file, so every process and restart agrees.
Within a process the file's size and modification time stand in for the hash until they change, so a
load costs one `stat` in the steady state.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from madangan.errors import UserError

log = logging.getLogger(__name__)

ACTION = "berkas_aturan_berubah"
ACTOR = "system"

_lock = threading.Lock()
_seen: dict[tuple[str, str], tuple[int, int]] = {}  # (app DB, file) → (mtime_ns, size) last checked


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def digest(path: Path) -> str:
    """The short sha256 of the file's content, as recorded."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _last_recorded(engine: Engine, name: str) -> str | None:
    from madangan.appdb import sessions
    from madangan.appdb.models import AuditEntry

    query = (select(AuditEntry.detail).where(AuditEntry.action == ACTION, AuditEntry.target == name)
             .order_by(AuditEntry.id.desc()).limit(1))
    with sessions(engine)() as session:
        detail = session.scalars(query).first()
    return detail.split()[0].removeprefix("sha256=") if detail else None


def note(engine: Engine, path: Path) -> bool:
    """Record the rule file at `path` if its content changed since last recorded; True when recorded."""
    path = Path(path)
    key = (engine.url.render_as_string(hide_password=True), str(path.resolve()))
    stamp = _stamp(path)
    if stamp is None or _seen.get(key) == stamp:
        return False
    with _lock:
        if _seen.get(key) == stamp:
            return False
        from madangan.access.store import audit

        new = digest(path)
        recorded = new != _last_recorded(engine, path.name)
        if recorded:
            audit(engine, ACTION, ACTOR, target=path.name, detail=f"sha256={new}")
            log.info("rule file %s changed (sha256 %s), recorded in the audit log", path.name, new)
        _seen[key] = stamp
        return recorded


def note_for(settings, path: Path) -> None:
    """`note` for code holding the settings, not an engine: the app DB is opened only when the file changed.

    Nothing is recorded where no deployment's app DB exists yet (a SQLite file not created, no audit log table);
    a failure to record is logged, and the rules still load.
    """
    path = Path(path)
    stamp = _stamp(path)
    url = settings.app_db_url
    if stamp is None or _seen.get((make_url(url).render_as_string(hide_password=True), str(path.resolve()))) == stamp:
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        return
    from madangan.appdb import make_engine

    try:
        engine = make_engine(url)
    except UserError as exc:
        log.warning("rule file %s not checked for changes: %s", path.name, exc)
        return
    try:
        if inspect(engine).has_table("audit_log"):
            note(engine, path)
    except SQLAlchemyError as exc:
        log.warning("rule file %s not checked for changes: %s", path.name, exc.__class__.__name__)
    finally:
        engine.dispose()
