"""Public portal: open-data publications and the moderated queue of citizens' feedback.

Revision ID: 0009_portal
Revises: 0008_targeting
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_portal"
down_revision = "0008_targeting"
branch_labels = None
depends_on = None

_NOW = sa.func.now()


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(40), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("datasets", sa.Integer, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "public_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.Column("target_kind", sa.String(20), nullable=False),
        sa.Column("target", sa.String(400), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="menunggu", index=True),
        sa.Column("publication_id", sa.Integer),
        sa.Column("moderated_by", sa.String(100)),
        sa.Column("moderated_at", sa.DateTime(timezone=True)),
        sa.Column("moderation_note", sa.String(500), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("public_feedback")
    op.drop_table("publication")
