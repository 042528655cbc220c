"""Patrol work as records: missions with their boats and tracks, check-ins at landing
points, boarding and checkpoint inspections. The daily report counts its patrol figures
from these (``jinghai.patrol.counters``) instead of having them typed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit


class MissionKind(StrEnum):
    SEA = "sea"                # 海上巡航
    COASTAL = "coastal"        # 沿海巡查
    ANCHORAGE = "anchorage"    # 锚地巡查
    CHECKPOINT = "checkpoint"  # 卡点执勤


MISSION_KIND_LABELS = {
    MissionKind.SEA: "海上巡航",
    MissionKind.COASTAL: "沿海巡查",
    MissionKind.ANCHORAGE: "锚地巡查",
    MissionKind.CHECKPOINT: "卡点执勤",
}


class PatrolMission(Base):
    """One patrol (巡航/巡查任务) or checkpoint shift (卡点执勤) of a unit: who went, with
    which boats and vehicles, where it was meant to go, when it started and ended.

    The track comes from the own boats' AIS or from the leader's phone
    (:class:`TrackPoint`); ``swept_km2`` is the sea area it covered, computed when it ends
    (``jinghai.patrol.coverage``). A checkpoint shift records the persons and vehicles it
    checked. ``entered_anchorage`` is set when the track or a check-in touched an
    international anchorage (国际锚地巡查)."""

    __tablename__ = "patrol_missions"
    __table_args__ = (Index("ix_patrol_missions_unit_start", "unit_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20))  # MissionKind
    title: Mapped[str] = mapped_column(String(200), default="")
    crew_count: Mapped[int] = mapped_column(Integer, default=0)
    vehicles: Mapped[int] = mapped_column(Integer, default=0)
    planned_area: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # GeoJSON geometry
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | ended
    track_source: Mapped[str] = mapped_column(String(10), default="phone")  # ais | phone
    swept_km2: Mapped[Decimal | None] = mapped_column(Numeric(12, 3), nullable=True)
    entered_anchorage: Mapped[bool] = mapped_column(Boolean, default=False)
    persons_checked: Mapped[int] = mapped_column(Integer, default=0)   # checkpoint shifts
    vehicles_checked: Mapped[int] = mapped_column(Integer, default=0)  # checkpoint shifts
    note: Mapped[str] = mapped_column(Text, default="")
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    leader: Mapped[User | None] = relationship()
    boats: Mapped[list[PatrolBoat]] = relationship(
        back_populates="mission", cascade="all, delete-orphan", order_by="PatrolBoat.id")
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="mission", order_by="CheckIn.at")

    @property
    def kind_label(self) -> str:
        return MISSION_KIND_LABELS[MissionKind(self.kind)]


class PatrolBoat(Base):
    """A boat on a mission: its name, its MMSI when it is one of the own AIS boats, and
    its type (which sets the sweep width, ``jinghai.patrol.coverage.SWEEP_WIDTHS``)."""

    __tablename__ = "patrol_boats"

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("patrol_missions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    mmsi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    boat_type: Mapped[str] = mapped_column(String(30), default="patrol_boat")

    mission: Mapped[PatrolMission] = relationship(back_populates="boats")

    @property
    def key(self) -> str:
        return f"mmsi:{self.mmsi}" if self.mmsi else f"name:{self.name.strip()}"


class TrackPoint(Base):
    """A position of a mission: from the own boat's AIS (``source='ais'``, ``mmsi`` set) or
    sent by the leader's phone (``source='phone'``). Kept with the mission so its track and
    area stay what they were even after the AIS store is pruned."""

    __tablename__ = "patrol_track_points"
    __table_args__ = (Index("ix_patrol_track_points_mission_ts", "mission_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("patrol_missions.id", ondelete="CASCADE"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10), default="phone")
    mmsi: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CheckIn(Base):
    """A check-in (打卡) at a landing point or an international anchorage: where the patrol
    stood (within the allowed distance of the zone), when, a photo, the persons and vessels
    it checked and anything found (which may have become a clue).

    ``client_id`` is made by the phone when the check-in is taken, so a check-in kept
    offline and sent twice is stored once. ``at`` is the phone's original time."""

    __tablename__ = "patrol_checkins"
    __table_args__ = (
        UniqueConstraint("client_id", name="uq_patrol_checkins_client_id"),
        Index("ix_patrol_checkins_unit_at", "unit_id", "at"),
        Index("ix_patrol_checkins_zone_at", "zone_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_missions.id"),
                                                   nullable=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    zone_id: Mapped[str] = mapped_column(ForeignKey("zones.id"))
    zone_kind: Mapped[str] = mapped_column(String(40))
    zone_subtype: Mapped[str] = mapped_column(String(20), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    persons_checked: Mapped[int] = mapped_column(Integer, default=0)
    vessels_checked: Mapped[int] = mapped_column(Integer, default=0)
    finding: Mapped[str] = mapped_column(Text, default="")
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clues.id"), nullable=True)
    photo_path: Mapped[str] = mapped_column(String(300), default="")
    photo_type: Mapped[str] = mapped_column(String(50), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mission: Mapped[PatrolMission | None] = relationship(back_populates="checkins")
    unit: Mapped[Unit] = relationship()
    user: Mapped[User | None] = relationship()


class PatrolInspection(Base):
    """A boarding check at sea (登临检查) or a vessel check at a checkpoint: the vessel
    (from the registry, or by MMSI/name for any other), the persons checked, and whether it
    was illegal (查获违法船只). Counted in the inspecting unit's section."""

    __tablename__ = "patrol_inspections"
    __table_args__ = (
        UniqueConstraint("client_id", name="uq_patrol_inspections_client_id"),
        Index("ix_patrol_inspections_unit_at", "unit_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_missions.id"),
                                                   nullable=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    place_kind: Mapped[str] = mapped_column(String(20), default="sea")  # sea | checkpoint
    vessel_id: Mapped[int | None] = mapped_column(ForeignKey("fishing_vessels.id"),
                                                  nullable=True)
    mmsi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vessel_name: Mapped[str] = mapped_column(String(100), default="")
    persons_checked: Mapped[int] = mapped_column(Integer, default=0)
    illegal: Mapped[bool] = mapped_column(Boolean, default=False)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    mission: Mapped[PatrolMission | None] = relationship()

    @property
    def vessel_key(self) -> str:
        """One key per vessel across QR scans and boarding checks (distinct vessels are
        counted); a vessel known by neither registry nor MMSI counts on its own."""
        if self.vessel_id:
            return f"reg:{self.vessel_id}"
        if self.mmsi:
            return f"mmsi:{self.mmsi}"
        return f"insp:{self.id}"
