"""The app database migrates up on SQLite (default) and on a real PostgreSQL."""

import pytest
import sqlalchemy as sa

from madangan.appdb import make_engine, migrate
from madangan.errors import UserError

TABLES = {"deployment", "alembic_version", "app_user", "user_session", "api_token", "audit_log"}


def _migrated_tables(url: str) -> set[str]:
    engine = make_engine(url)
    migrate(engine)
    migrate(engine)  # a second run is a no-op
    tables = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert head == "0006_spbe"
    return tables


def test_migrations_up_on_sqlite(tmp_path):
    assert TABLES <= _migrated_tables(f"sqlite:///{tmp_path / 'app.db'}")


@pytest.mark.postgres
def test_migrations_up_on_postgresql(postgres_url):
    assert TABLES <= _migrated_tables(postgres_url)


def test_unreachable_postgresql_says_which_setting_to_check():
    with pytest.raises(UserError) as err:
        make_engine("postgresql+psycopg://postgres:secret@127.0.0.1:1/madangan")
    message = str(err.value)
    assert "MADANGAN_DATABASE_URL" in message
    assert "secret" not in message  # the password is never echoed


def test_unknown_database_driver_is_a_clear_message():
    with pytest.raises(UserError, match="MADANGAN_DATABASE_URL"):
        make_engine("nosuchdb://x/y")
