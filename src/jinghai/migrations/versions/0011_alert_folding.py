"""alerts: repeated events fold into one open alert per vessel(s), kind and place

Revision ID: 0011_alert_folding
Revises: 0009_detector_settings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0011_alert_folding"
down_revision = "0009_detector_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("fold_key", sa.String(length=200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("occurrences", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("last_seen_at", jinghai.db.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.create_index("ix_alerts_fold_key_state", ["fold_key", "state"])
    op.create_table(
        "alert_folds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_folds_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_folds")),
        sa.UniqueConstraint("event_id", name=op.f("uq_alert_folds_event_id")),
    )


def downgrade() -> None:
    op.drop_table("alert_folds")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_fold_key_state")
        batch.drop_column("last_seen_at")
        batch.drop_column("occurrences")
        batch.drop_column("fold_key")
