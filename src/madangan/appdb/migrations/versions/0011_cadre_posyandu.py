"""Posyandu cadres: a finding carries the posyandu of its record, so a cadre's worklist is their posyandu's children.

The account's posyandu (`app_user.posyandu`, since 0002_access) is the cadre's scope inside their desa.

Revision ID: 0011_cadre_posyandu
Revises: 0010_alerts
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_cadre_posyandu"
down_revision = "0011_spbe_population"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("finding", sa.Column("posyandu", sa.String(200)))
    op.create_index("ix_finding_posyandu", "finding", ["posyandu"])


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_index("ix_finding_posyandu")
        batch.drop_column("posyandu")
