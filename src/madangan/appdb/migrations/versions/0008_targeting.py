"""Welfare targeting: field-verification outcomes per family, citizens' self-reports.

Revision ID: 0008_targeting
Revises: 0007_oidc
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_targeting"
down_revision = "0007_oidc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "welfare_outcome",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("no_kk", sa.String(16), nullable=False, index=True),
        sa.Column("kode_desa", sa.String(13), nullable=False, index=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("program", sa.String(20)),
        sa.Column("reason", sa.String(1000)),
        sa.Column("actor", sa.String(100)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "welfare_self_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("no_kk", sa.String(16), nullable=False, index=True),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("tanggal_lahir", sa.Date, nullable=False),
        sa.Column("kode_desa", sa.String(13), nullable=False, index=True),
        sa.Column("alasan", sa.String(1000), nullable=False, server_default=""),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("welfare_self_report")
    op.drop_table("welfare_outcome")
