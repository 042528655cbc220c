"""alerts: zones, port reports, owners' report links, alerts, routes, history,
dispositions and the webhook outbox

Revision ID: 0004_alerts
Revises: 0002_vessels
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0004_alerts"
down_revision = "0002_vessels"
branch_labels = ("alerts",)
depends_on = None


def upgrade() -> None:
    op.create_table('zones',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('subtype', sa.String(length=20), nullable=True),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('sub_district', sa.String(length=100), nullable=True),
    sa.Column('responsible_person', sa.String(length=100), nullable=True),
    sa.Column('responsible_phone', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones'))
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('detector', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('vessels', sa.JSON(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('zone_id', sa.String(length=64), nullable=True),
    sa.Column('sub_district', sa.String(length=100), nullable=True),
    sa.Column('event_status', sa.String(length=10), nullable=False),
    sa.Column('event_start', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('event_end', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('event', sa.JSON(), nullable=False),
    sa.Column('updates', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=False),
    sa.Column('clue_id', sa.Integer(), nullable=True),
    sa.Column('report_unit_id', sa.Integer(), nullable=True),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('escalated_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_alerts_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_alerts_closed_by_id_users')),
    sa.ForeignKeyConstraint(['report_unit_id'], ['units.id'], name=op.f('fk_alerts_report_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('event_id', name=op.f('uq_alerts_event_id'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_detector_closed', ['detector', 'closed_at'], unique=False)
        batch_op.create_index('ix_alerts_state_severity', ['state', 'severity'], unique=False)
        batch_op.create_index('ix_alerts_updated_at', ['updated_at'], unique=False)

    op.create_table('owner_report_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vessel_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_owner_report_links_issued_by_id_users')),
    sa.ForeignKeyConstraint(['vessel_id'], ['fishing_vessels.id'], name=op.f('fk_owner_report_links_vessel_id_fishing_vessels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owner_report_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_owner_report_links_token_hash'))
    )
    op.create_table('port_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vessel_id', sa.Integer(), nullable=False),
    sa.Column('mmsi', sa.String(length=9), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('port_zone_id', sa.String(length=64), nullable=True),
    sa.Column('port_name', sa.String(length=200), nullable=False),
    sa.Column('event_time', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('crew_count', sa.Integer(), nullable=False),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('reporter_name', sa.String(length=100), nullable=False),
    sa.Column('reporter_phone', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_port_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['vessel_id'], ['fishing_vessels.id'], name=op.f('fk_port_reports_vessel_id_fishing_vessels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_port_reports'))
    )
    with op.batch_alter_table('port_reports', schema=None) as batch_op:
        batch_op.create_index('ix_port_reports_mmsi_time', ['mmsi', 'event_time'], unique=False)
        batch_op.create_index('ix_port_reports_vessel_time', ['vessel_id', 'event_time'], unique=False)

    op.create_table('alert_dispositions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('detector', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_dispositions_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_dispositions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_dispositions'))
    )
    with op.batch_alter_table('alert_dispositions', schema=None) as batch_op:
        batch_op.create_index('ix_alert_dispositions_detector_at', ['detector', 'decided_at'], unique=False)

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_events_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_events'))
    )
    op.create_table('alert_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_routes_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['work_groups.id'], name=op.f('fk_alert_routes_group_id_work_groups')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_alert_routes_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_routes'))
    )
    with op.batch_alter_table('alert_routes', schema=None) as batch_op:
        batch_op.create_index('ix_alert_routes_alert', ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_routes_group', ['group_id'], unique=False)
        batch_op.create_index('ix_alert_routes_unit', ['unit_id'], unique=False)

    op.create_table('webhook_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_webhook_outbox_alert_id_alerts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_outbox'))
    )
    with op.batch_alter_table('webhook_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_outbox_due', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    for table in ("webhook_outbox", "alert_routes", "alert_events", "alert_dispositions",
                  "alerts", "port_reports", "owner_report_links", "zones"):
        op.drop_table(table)
