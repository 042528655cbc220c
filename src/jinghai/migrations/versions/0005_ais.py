"""ais: vessels' static data, their changes, and the quarantine of unusable sentences

Revision ID: 0005_ais
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0005_ais"
down_revision = "0001_foundation"
branch_labels = ("ais",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ais_vessels",
        sa.Column("mmsi", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("callsign", sa.String(length=20), nullable=True),
        sa.Column("imo", sa.BigInteger(), nullable=True),
        sa.Column("ship_type", sa.Integer(), nullable=True),
        sa.Column("length", sa.Integer(), nullable=True),
        sa.Column("beam", sa.Integer(), nullable=True),
        sa.Column("destination", sa.String(length=40), nullable=True),
        sa.Column("first_seen", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_static_at", jinghai.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("mmsi", name=op.f("pk_ais_vessels")),
    )
    op.create_table(
        "ais_static_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mmsi", sa.BigInteger(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old", sa.String(length=60), nullable=True),
        sa.Column("new", sa.String(length=60), nullable=True),
        sa.Column("at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ais_static_changes")),
    )
    op.create_index("ix_ais_static_changes_mmsi_at", "ais_static_changes", ["mmsi", "at"])
    op.create_table(
        "ais_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("line_no", sa.BigInteger(), nullable=True),
        sa.Column("at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ais_quarantine")),
    )
    op.create_index("ix_ais_quarantine_reason_at", "ais_quarantine", ["reason", "at"])
    op.create_index("ix_ais_quarantine_origin_line", "ais_quarantine", ["origin", "line_no"])


def downgrade() -> None:
    op.drop_index("ix_ais_quarantine_origin_line", table_name="ais_quarantine")
    op.drop_index("ix_ais_quarantine_reason_at", table_name="ais_quarantine")
    op.drop_table("ais_quarantine")
    op.drop_index("ix_ais_static_changes_mmsi_at", table_name="ais_static_changes")
    op.drop_table("ais_static_changes")
    op.drop_table("ais_vessels")
