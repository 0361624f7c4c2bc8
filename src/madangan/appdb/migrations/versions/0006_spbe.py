"""SPBE Living Lab: assessments, answers per indicator, evidence, history and the application catalog.

Revision ID: 0006_spbe
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_spbe"
down_revision = "0005"
branch_labels = None
depends_on = None

_NOW = sa.func.now()


def upgrade() -> None:
    op.create_table(
        "spbe_assessment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("instrument", sa.String(40), nullable=False),
        sa.Column("region_code", sa.String(13), nullable=False, index=True),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("origin", sa.String(20), nullable=False, server_default="self"),
        sa.Column("published_index", sa.Numeric(4, 2)),
        sa.Column("source_note", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.Column("submitted_by", sa.String(100)),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("verified_by", sa.String(100)),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("instrument", "region_code", "year"),
    )
    op.create_table(
        "spbe_answer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("spbe_assessment.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("indicator", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer),
        sa.Column("justification", sa.String(4000), nullable=False, server_default=""),
        sa.Column("verified_level", sa.Integer),
        sa.Column("verifier_note", sa.String(2000), nullable=False, server_default=""),
        sa.UniqueConstraint("assessment_id", "indicator"),
    )
    op.create_table(
        "spbe_evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("spbe_assessment.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("indicator", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer),
        sa.Column("url", sa.String(1000)),
        sa.Column("file_name", sa.String(255)),
        sa.Column("stored_as", sa.String(500)),
        sa.Column("description", sa.String(1000), nullable=False, server_default=""),
        sa.Column("added_by", sa.String(100)),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
    )
    op.create_table(
        "spbe_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("assessment_id", sa.Integer, sa.ForeignKey("spbe_assessment.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.Column("actor", sa.String(100)),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("indicator", sa.String(20)),
        sa.Column("old_value", sa.String(100)),
        sa.Column("new_value", sa.String(100)),
        sa.Column("note", sa.String(2000), nullable=False, server_default=""),
    )
    op.create_table(
        "spbe_application",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region_code", sa.String(13), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("indicators", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False, server_default=""),
        sa.Column("technology", sa.String(200), nullable=False, server_default=""),
        sa.Column("license", sa.String(100), nullable=False, server_default=""),
        sa.Column("source_code", sa.String(500), nullable=False, server_default=""),
        sa.Column("contact", sa.String(200), nullable=False, server_default=""),
        sa.Column("description", sa.String(2000), nullable=False, server_default=""),
        sa.Column("added_by", sa.String(100)),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
    )


def downgrade() -> None:
    for table in ("spbe_application", "spbe_event", "spbe_evidence", "spbe_answer", "spbe_assessment"):
        op.drop_table(table)
