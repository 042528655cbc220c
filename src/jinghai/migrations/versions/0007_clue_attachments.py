"""cases: files attached to clues

Revision ID: 0007_clue_attachments
Revises: 0006_case_parties
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0007_clue_attachments"
down_revision = "0006_case_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clue_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clue_id"], ["clues.id"],
                                name=op.f("fk_clue_attachments_clue_id_clues"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_clue_attachments_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_attachments")),
    )


def downgrade() -> None:
    op.drop_table("clue_attachments")
