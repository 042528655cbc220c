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
    # Plain ADD COLUMN, never a batch table copy: on SQLite a copy drops and re-creates
    # report_submissions, and with foreign keys on, the drop cascades to every figure entry.
    op.add_column("report_submissions", sa.Column("draft", sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))
    op.add_column("report_submissions", sa.Column("review_reason", sa.Text(), nullable=False,
                                                  server_default=""))
    op.add_column("report_submissions", sa.Column(
        "reviewed_at", jinghai.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column("report_submissions", sa.Column("reviewed_by_id", sa.Integer(),
                                                  nullable=True))
    op.add_column("report_submissions", sa.Column("accepted", sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a constraint in place
        op.create_foreign_key(op.f("fk_report_submissions_reviewed_by_id_users"),
                              "report_submissions", "users", ["reviewed_by_id"], ["id"])
    op.add_column("report_figure_entries", sa.Column("draft_value", sa.Numeric(14, 3),
                                                     nullable=True))
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
    op.drop_column("report_figure_entries", "draft_value")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_report_submissions_reviewed_by_id_users"),
                           "report_submissions", type_="foreignkey")
    for col in ("accepted", "reviewed_by_id", "reviewed_at", "review_reason", "draft"):
        op.drop_column("report_submissions", col)
