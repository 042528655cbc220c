"""cases: line of work (偷渡/非法入境 vs 走私) on clues and cases; incidents voidable

Revision ID: 0010_case_line_of_work
Revises: 0008_incident_webhooks_outbox

Existing clues and cases take the line of the unit that recorded them: a unit that reports
the 反走私 section (the anti-smuggling office) works smuggling, any other illegal entry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0010_case_line_of_work"
down_revision = "0008_incident_webhooks_outbox"
branch_labels = None
depends_on = None

_SMUGGLING_UNITS = (
    "SELECT gm.unit_id FROM group_members gm JOIN work_groups g ON g.id = gm.group_id "
    "WHERE g.key = 'anti_smuggling' AND gm.role = 'reporting'"
)


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch table copy: on SQLite a copy drops and re-creates the
    # table, and with foreign keys on, the drop cascades to the rows that point at it
    # (clue entities and attachments, incident steps).
    for table in ("clues", "cases"):
        op.add_column(table, sa.Column("line", sa.String(length=20), nullable=False,
                                       server_default="illegal_entry"))
        op.execute(f"UPDATE {table} SET line = 'smuggling' WHERE unit_id IN ({_SMUGGLING_UNITS})")
    op.add_column("incidents", sa.Column("voided_at", jinghai.db.UTCDateTime(timezone=True),
                                         nullable=True))
    op.add_column("incidents", sa.Column("void_reason", sa.Text(), nullable=False,
                                         server_default=""))
    op.add_column("incidents", sa.Column("voided_by_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a constraint in place
        op.create_foreign_key(op.f("fk_incidents_voided_by_id_users"), "incidents", "users",
                              ["voided_by_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_incidents_voided_by_id_users"), "incidents",
                           type_="foreignkey")
    for col in ("voided_by_id", "void_reason", "voided_at"):
        op.drop_column("incidents", col)
    for table in ("clues", "cases"):
        op.drop_column(table, "line")
