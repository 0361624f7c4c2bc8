"""Alembic environment: runs on the connection handed over by madangan.appdb.migrate."""

from alembic import context
from sqlalchemy import create_engine

from madangan.appdb.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # plain `alembic` CLI use: URL from -x url=...
    url = context.get_x_argument(as_dictionary=True)["url"]
    connection = create_engine(url).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
