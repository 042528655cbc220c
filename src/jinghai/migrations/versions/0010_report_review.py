"""reporting: drafts kept apart from submitted figures, office review (accept / return),
a locked day opened for one unit

Revision ID: 0010_report_review
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0010_report_review"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_submissions") as batch:
        batch.add_column(sa.Column("draft", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("review_reason", sa.Text(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("reviewed_at", jinghai.db.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("accepted", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_foreign_key(op.f("fk_report_submissions_reviewed_by_id_users"),
                                 "users", ["reviewed_by_id"], ["id"])
    with op.batch_alter_table("report_figure_entries") as batch:
        batch.add_column(sa.Column("draft_value", sa.Numeric(14, 3), nullable=True))
    # A draft's figures were kept in ``value``; they move to ``draft_value`` so that
    # ``value`` only ever holds what was submitted.
    op.execute(
        "UPDATE report_figure_entries SET draft_value = value, value = NULL "
        "WHERE submission_id IN (SELECT id FROM report_submissions WHERE status = 'draft')"
    )
    op.execute("UPDATE report_submissions SET draft = "
               + ("true" if op.get_bind().dialect.name == "postgresql" else "1")
               + " WHERE status = 'draft'")
    op.create_table(
        "report_day_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", jinghai.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", jinghai.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_report_day_exceptions_unit_id_units")),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"],
                                name=op.f("fk_report_day_exceptions_opened_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_day_exceptions")),
    )
    op.create_index("ix_report_day_exceptions_date", "report_day_exceptions", ["report_date"])


def downgrade() -> None:
    op.drop_index("ix_report_day_exceptions_date", table_name="report_day_exceptions")
    op.drop_table("report_day_exceptions")
    op.execute("UPDATE report_figure_entries SET value = draft_value "
               "WHERE submission_id IN (SELECT id FROM report_submissions WHERE status = 'draft')")
    with op.batch_alter_table("report_figure_entries") as batch:
        batch.drop_column("draft_value")
    with op.batch_alter_table("report_submissions") as batch:
        batch.drop_constraint(op.f("fk_report_submissions_reviewed_by_id_users"),
                              type_="foreignkey")
        for col in ("accepted", "reviewed_by_id", "reviewed_at", "review_reason", "draft"):
            batch.drop_column(col)
