"""Welfare self-reports past their retention keep the request (KK, desa, reason) without the NIK and birth date.

Revision ID: 0011_targeting_retention
Revises: 0010_alerts
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_targeting_retention"
down_revision = "0010_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("welfare_self_report") as batch:
        batch.alter_column("nik", existing_type=sa.String(16), nullable=True)
        batch.alter_column("tanggal_lahir", existing_type=sa.Date, nullable=True)
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # an anonymised report has no NIK left to put back: it cannot satisfy NOT NULL again
    op.execute("DELETE FROM welfare_self_report WHERE nik IS NULL OR tanggal_lahir IS NULL")
    with op.batch_alter_table("welfare_self_report") as batch:
        batch.drop_column("anonymised_at")
        batch.alter_column("tanggal_lahir", existing_type=sa.Date, nullable=False)
        batch.alter_column("nik", existing_type=sa.String(16), nullable=False)
