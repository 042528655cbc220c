"""alerts: detector parameters the office sets from the settings page

Revision ID: 0009_detector_settings
Revises: 0004_alerts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0009_detector_settings"
down_revision = "0004_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detector_settings",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_detector_settings_updated_by_id_users")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_detector_settings")),
    )


def downgrade() -> None:
    op.drop_table("detector_settings")
