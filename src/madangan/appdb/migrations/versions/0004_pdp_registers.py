"""PDP registers: impact assessments and breaches.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_assessment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("processing", sa.String(50), nullable=False),
        sa.Column("sources", sa.String(500), nullable=False),
        sa.Column("summary", sa.String(4000), nullable=False),
        sa.Column("risks", sa.String(4000), nullable=False, server_default=""),
        sa.Column("mitigations", sa.String(4000), nullable=False, server_default=""),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("review_due", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "breach",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.String(4000), nullable=False),
        sa.Column("sources", sa.String(500), nullable=False, server_default=""),
        sa.Column("subjects_estimate", sa.Integer),
        sa.Column("recorded_by", sa.String(100)),
        sa.Column("subjects_notified_at", sa.DateTime(timezone=True)),
        sa.Column("authority_notified_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("breach")
    op.drop_table("impact_assessment")
