"""supervision: responsibility, problem and rectification lists, supervision visits,
listed rectification, circulars, joint meetings; inbound ships and crews; outreach

Revision ID: 0014_supervision
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = '0014_supervision'
down_revision = '0001_foundation'
branch_labels = ('supervision',)
depends_on = None


def upgrade() -> None:
    op.create_table('ib_ships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('imo', sa.String(length=10), nullable=False),
    sa.Column('mmsi', sa.String(length=9), nullable=False),
    sa.Column('flag', sa.String(length=60), nullable=False),
    sa.Column('eta', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('berth', sa.String(length=100), nullable=False),
    sa.Column('last_port', sa.String(length=100), nullable=False),
    sa.Column('crew_change_requested', sa.Boolean(), nullable=False),
    sa.Column('departed_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ib_ships_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ib_ships_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_ships'))
    )
    with op.batch_alter_table('ib_ships', schema=None) as batch_op:
        batch_op.create_index('ix_ib_ships_unit_date', ['unit_id', 'report_date'], unique=False)

    op.create_table('or_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('materials', sa.Text(), nullable=False),
    sa.Column('file_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_or_visits_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_or_visits_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_or_visits'))
    )
    with op.batch_alter_table('or_visits', schema=None) as batch_op:
        batch_op.create_index('ix_or_visits_day', ['day'], unique=False)

    op.create_table('sv_circulars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('addressees', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('cc', sa.String(length=500), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('docx', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sv_circulars_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sv_circulars_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_circulars')),
    sa.UniqueConstraint('number', name=op.f('uq_sv_circulars_number')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_sv_circulars_year'))
    )
    op.create_table('sv_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sv_files_unit_id_units')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_sv_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_files'))
    )
    op.create_table('sv_listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.String(length=64), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('listed_on', sa.Date(), nullable=False),
    sa.Column('delisted_on', sa.Date(), nullable=True),
    sa.Column('delist_note', sa.Text(), nullable=False),
    sa.Column('last_reminded_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sv_listings_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sv_listings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_listings'))
    )
    with op.batch_alter_table('sv_listings', schema=None) as batch_op:
        batch_op.create_index('ix_sv_listings_status', ['status'], unique=False)

    op.create_table('sv_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('chair', sa.String(length=100), nullable=False),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sv_meetings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_meetings')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_sv_meetings_year'))
    )
    op.create_table('sv_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', jinghai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sign_off_note', sa.Text(), nullable=False),
    sa.Column('last_reminded_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sv_problems_created_by_id_users')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['users.id'], name=op.f('fk_sv_problems_signed_off_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sv_problems_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_problems'))
    )
    with op.batch_alter_table('sv_problems', schema=None) as batch_op:
        batch_op.create_index('ix_sv_problems_source', ['source', 'source_id'], unique=False)
        batch_op.create_index('ix_sv_problems_unit_status', ['unit_id', 'status'], unique=False)

    op.create_table('sv_task_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('item_no', sa.Integer(), nullable=False),
    sa.Column('item_text', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('updated_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['work_groups.id'], name=op.f('fk_sv_task_assignments_group_id_work_groups')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sv_task_assignments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_task_assignments')),
    sa.UniqueConstraint('group_id', 'item_no', name=op.f('uq_sv_task_assignments_group_id'))
    )
    op.create_table('sv_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('inspectors', sa.String(length=300), nullable=False),
    sa.Column('place_kind', sa.String(length=20), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.String(length=64), nullable=True),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('checked', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sv_visits_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sv_visits_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_visits'))
    )
    op.create_table('ib_crew',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ship_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('nationality', sa.String(length=60), nullable=False),
    sa.Column('document', sa.String(length=40), nullable=False),
    sa.Column('health', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ship_id'], ['ib_ships.id'], name=op.f('fk_ib_crew_ship_id_ib_ships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ib_crew'))
    )
    op.create_table('sv_listing_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['sv_files.id'], name=op.f('fk_sv_listing_reviews_file_id_sv_files')),
    sa.ForeignKeyConstraint(['listing_id'], ['sv_listings.id'], name=op.f('fk_sv_listing_reviews_listing_id_sv_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sv_listing_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_listing_reviews'))
    )
    op.create_table('sv_progress_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', jinghai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['sv_files.id'], name=op.f('fk_sv_progress_notes_file_id_sv_files')),
    sa.ForeignKeyConstraint(['problem_id'], ['sv_problems.id'], name=op.f('fk_sv_progress_notes_problem_id_sv_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sv_progress_notes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sv_progress_notes'))
    )


def downgrade() -> None:
    op.drop_table('sv_progress_notes')
    op.drop_table('sv_listing_reviews')
    op.drop_table('ib_crew')
    op.drop_table('sv_visits')
    op.drop_table('sv_task_assignments')
    with op.batch_alter_table('sv_problems', schema=None) as batch_op:
        batch_op.drop_index('ix_sv_problems_unit_status')
        batch_op.drop_index('ix_sv_problems_source')

    op.drop_table('sv_problems')
    op.drop_table('sv_meetings')
    with op.batch_alter_table('sv_listings', schema=None) as batch_op:
        batch_op.drop_index('ix_sv_listings_status')

    op.drop_table('sv_listings')
    op.drop_table('sv_files')
    op.drop_table('sv_circulars')
    with op.batch_alter_table('or_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_or_visits_day')

    op.drop_table('or_visits')
    with op.batch_alter_table('ib_ships', schema=None) as batch_op:
        batch_op.drop_index('ix_ib_ships_unit_date')

    op.drop_table('ib_ships')
