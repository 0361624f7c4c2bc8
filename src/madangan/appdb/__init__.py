"""The app database (deployment, loads; later users, alerts, findings): SQLAlchemy 2 + Alembic.

SQLite file by default, PostgreSQL in production (`postgresql+psycopg://…`).
Migrations run on `init`, `demo` and `serve`.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from madangan.errors import UserError
from madangan.i18n import t


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise UserError(t("appdb.unreachable", url=_safe(url), reason=exc)) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_wal)
    check_reachable(engine)
    return engine


def _sqlite_wal(dbapi_connection, _record) -> None:
    """SQLite in write-ahead-log mode: readers (the alert feed, pages) never wait for a writer (a batch's verval
    storing its findings), and writers wait up to 30 s for each other instead of 5."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def check_reachable(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UserError(t("appdb.unreachable", url=_safe(str(engine.url)), reason=reason)) from None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("madangan.appdb") / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _safe(url: str) -> str:
    """The URL without its password, fit for a message."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
