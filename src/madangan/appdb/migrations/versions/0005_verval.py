"""Verval: runs, findings and their history.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verval_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("started_by", sa.String(100)),
        sa.Column("summary", sa.Text, nullable=False, server_default="[]"),
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("rule", sa.String(60), nullable=False, index=True),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("source", sa.String(60), nullable=False, index=True),
        sa.Column("record_key", sa.String(200), nullable=False),
        sa.Column("kode_desa", sa.String(13), index=True),
        sa.Column("agency", sa.String(100), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("reason", sa.String(1000)),
        sa.Column("first_run", sa.Integer, nullable=False),
        sa.Column("last_run", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "finding_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finding_id", sa.String(20), sa.ForeignKey("finding.id"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100)),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(1000)),
    )


def downgrade() -> None:
    op.drop_table("finding_event")
    op.drop_table("finding")
    op.drop_table("verval_run")
