"""OpenID Connect: an account's subject at the provider and email; how a session was opened.

Revision ID: 0007_oidc
Revises: 0006_spbe
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_oidc"
down_revision = "0006_spbe"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("oidc_subject", sa.String(255)))
    op.add_column("app_user", sa.Column("email", sa.String(254)))
    op.create_index("ix_app_user_oidc_subject", "app_user", ["oidc_subject"], unique=True)
    op.add_column("user_session", sa.Column("method", sa.String(10), nullable=False, server_default="password"))


def downgrade() -> None:
    op.drop_column("user_session", "method")
    op.drop_index("ix_app_user_oidc_subject", table_name="app_user")
    op.drop_column("app_user", "email")
    op.drop_column("app_user", "oidc_subject")
