"""Living Lab: population per assessment (peer groups by population band); published index with 4 places (LOSI).

Revision ID: 0011_spbe_population
Revises: 0010_alerts
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_spbe_population"
down_revision = "0011_targeting_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spbe_assessment") as batch:
        batch.add_column(sa.Column("population", sa.BigInteger, nullable=True))
        batch.alter_column("published_index", type_=sa.Numeric(7, 4), existing_type=sa.Numeric(4, 2),
                           existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("spbe_assessment") as batch:
        batch.alter_column("published_index", type_=sa.Numeric(4, 2), existing_type=sa.Numeric(7, 4),
                           existing_nullable=True)
        batch.drop_column("population")
