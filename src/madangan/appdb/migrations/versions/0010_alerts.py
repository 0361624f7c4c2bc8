"""Early warning: alerts (one per rule × subject), their timeline, silences, notification deliveries, rule health.

Revision ID: 0010_alerts
Revises: 0009_portal
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_alerts"
down_revision = "0009_portal"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule_id", sa.String(80), nullable=False, index=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("sector", sa.String(40), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False, server_default=""),
        sa.Column("kode_wilayah", sa.String(13), index=True),
        sa.Column("severity", sa.String(10), nullable=False, index=True),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("value", sa.Float),
        sa.Column("message_id", sa.String(1000), nullable=False, server_default=""),
        sa.Column("message_en", sa.String(1000), nullable=False, server_default=""),
        sa.Column("evidence", sa.Text, nullable=False, server_default="{}"),
        sa.Column("personal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("pending_since", TZ),
        sa.Column("fired_at", TZ),
        sa.Column("recovering_since", TZ),
        sa.Column("resolved_at", TZ),
        sa.Column("resolved_by", sa.String(100)),
        sa.Column("resolution", sa.String(1000)),
        sa.Column("held", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("acknowledged_at", TZ),
        sa.Column("acknowledged_by", sa.String(100)),
        sa.Column("ack_comment", sa.String(1000)),
        sa.Column("assignee", sa.String(200)),
        sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("escalated_at", TZ),
        sa.Column("last_evaluated_at", TZ),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("rule_id", "subject"),
    )
    op.create_table(
        "alert_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alert.id"), nullable=False, index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(12)),
        sa.Column("to_state", sa.String(12)),
        sa.Column("note", sa.String(1000)),
    )
    op.create_table(
        "alert_silence",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule_id", sa.String(80)),
        sa.Column("kode_wilayah", sa.String(13)),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("ended_at", TZ),
        sa.Column("ended_by", sa.String(100)),
    )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alert.id"), nullable=False, index=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("alert_event.id")),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, index=True),
        sa.Column("last_error", sa.String(1000)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ),
    )
    op.create_table(
        "alert_rule_health",
        sa.Column("rule_id", sa.String(80), primary_key=True),
        sa.Column("health", sa.String(10), nullable=False),
        sa.Column("evaluated_at", TZ, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("matches", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.String(1000)),
    )


def downgrade() -> None:
    for table in ("alert_rule_health", "alert_delivery", "alert_silence", "alert_event", "alert"):
        op.drop_table(table)
