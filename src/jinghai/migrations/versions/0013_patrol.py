"""patrol: missions, boats, track points, check-ins, inspections

Revision ID: 0013_patrol
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jinghai.db

revision = "0013_patrol"
down_revision = "0001_foundation"
branch_labels = ("patrol",)
# zones (alerts branch, itself on vessels: fishing_vessels) and clues (cases branch)
depends_on = ("0004_alerts", "0003_cases")

T = jinghai.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patrol_missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("crew_count", sa.Integer(), nullable=False),
        sa.Column("vehicles", sa.Integer(), nullable=False),
        sa.Column("planned_area", sa.JSON(), nullable=True),
        sa.Column("start_at", T, nullable=False),
        sa.Column("end_at", T, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("track_source", sa.String(length=10), nullable=False),
        sa.Column("swept_km2", sa.Numeric(12, 3), nullable=True),
        sa.Column("entered_anchorage", sa.Boolean(), nullable=False),
        sa.Column("persons_checked", sa.Integer(), nullable=False),
        sa.Column("vehicles_checked", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("created_at", T, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_patrol_missions_unit_id_units")),
        sa.ForeignKeyConstraint(["leader_id"], ["users.id"],
                                name=op.f("fk_patrol_missions_leader_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_missions")),
    )
    op.create_index("ix_patrol_missions_unit_start", "patrol_missions", ["unit_id", "start_at"])
    op.create_table(
        "patrol_boats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=True),
        sa.Column("boat_type", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["patrol_missions.id"],
                                name=op.f("fk_patrol_boats_mission_id_patrol_missions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_boats")),
    )
    op.create_table(
        "patrol_track_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("ts", T, nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("mmsi", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["mission_id"], ["patrol_missions.id"],
                                name=op.f("fk_patrol_track_points_mission_id_patrol_missions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_track_points")),
    )
    op.create_index("ix_patrol_track_points_mission_ts", "patrol_track_points",
                    ["mission_id", "ts"])
    op.create_table(
        "patrol_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("zone_id", sa.String(length=64), nullable=False),
        sa.Column("zone_kind", sa.String(length=40), nullable=False),
        sa.Column("zone_subtype", sa.String(length=20), nullable=False),
        sa.Column("at", T, nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("persons_checked", sa.Integer(), nullable=False),
        sa.Column("vessels_checked", sa.Integer(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("clue_id", sa.Integer(), nullable=True),
        sa.Column("photo_path", sa.String(length=300), nullable=False),
        sa.Column("photo_type", sa.String(length=50), nullable=False),
        sa.Column("received_at", T, nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["patrol_missions.id"],
                                name=op.f("fk_patrol_checkins_mission_id_patrol_missions")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_patrol_checkins_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_patrol_checkins_user_id_users")),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"],
                                name=op.f("fk_patrol_checkins_zone_id_zones")),
        sa.ForeignKeyConstraint(["clue_id"], ["clues.id"],
                                name=op.f("fk_patrol_checkins_clue_id_clues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_checkins")),
        sa.UniqueConstraint("client_id", name="uq_patrol_checkins_client_id"),
    )
    op.create_index("ix_patrol_checkins_unit_at", "patrol_checkins", ["unit_id", "at"])
    op.create_index("ix_patrol_checkins_zone_at", "patrol_checkins", ["zone_id", "at"])
    op.create_table(
        "patrol_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", T, nullable=False),
        sa.Column("place_kind", sa.String(length=20), nullable=False),
        sa.Column("vessel_id", sa.Integer(), nullable=True),
        sa.Column("mmsi", sa.Integer(), nullable=True),
        sa.Column("vessel_name", sa.String(length=100), nullable=False),
        sa.Column("persons_checked", sa.Integer(), nullable=False),
        sa.Column("illegal", sa.Boolean(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", T, nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["patrol_missions.id"],
                                name=op.f("fk_patrol_inspections_mission_id_patrol_missions")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"],
                                name=op.f("fk_patrol_inspections_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_patrol_inspections_user_id_users")),
        sa.ForeignKeyConstraint(["vessel_id"], ["fishing_vessels.id"],
                                name=op.f("fk_patrol_inspections_vessel_id_fishing_vessels")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_inspections")),
        sa.UniqueConstraint("client_id", name="uq_patrol_inspections_client_id"),
    )
    op.create_index("ix_patrol_inspections_unit_at", "patrol_inspections", ["unit_id", "at"])


def downgrade() -> None:
    op.drop_table("patrol_inspections")
    op.drop_table("patrol_checkins")
    op.drop_table("patrol_track_points")
    op.drop_table("patrol_boats")
    op.drop_table("patrol_missions")
