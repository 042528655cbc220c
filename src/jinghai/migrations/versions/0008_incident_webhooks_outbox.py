"""incidents: webhook messages go through the shared outbox; past deliveries move there

Revision ID: 0008_incident_webhooks_outbox
Revises: 0007_clue_attachments
Depends on: 0004_alerts (the outbox)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0008_incident_webhooks_outbox"
down_revision = "0007_clue_attachments"
branch_labels = None
depends_on = ("0004_alerts",)


def upgrade() -> None:
    # Past synchronous deliveries keep their history as sent/failed outbox rows.
    op.execute(
        "INSERT INTO webhook_outbox (alert_id, url, format, payload, status, attempts, "
        "next_attempt_at, last_error, created_at, sent_at) "
        "SELECT NULL, url, 'json', payload, "
        "CASE WHEN succeeded THEN 'sent' ELSE 'failed' END, attempts, at, last_error, at, "
        "CASE WHEN succeeded THEN at ELSE NULL END FROM webhook_deliveries"
    )
    op.drop_table("webhook_deliveries")


def downgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_webhook_deliveries_incident_id_incidents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
