"""Patrol and inspection figures of the daily report, counted from the work itself.

Each figure is counted for the unit that did the work, in its working group's section
(``queries.work_section``): the coast guard's into 海上巡航, the border stations' into
口岸特定区域监管, the police and sub-districts' into 沿海地区管控, the fisheries
authority's into 船舶管控. Every inspection (a QR scan of a registry boat, a boarding at
sea, a check at a checkpoint) counts once, in that one section.

A mission counts its crew and boats on every local day it ran (a night patrol across
midnight deploys its people on both days); its swept area counts on each day for the part
of the track in that day.

A unit that recorded no patrol work at all on a day gets no counted value for the patrol
figures (None: the form asks it to type them, as before the patrol pages existed); a day
with any record counts every figure, zeros included. 船舶管控's 查验船只 is always counted
for the fisheries authority (the registry has counted it from the start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from jinghai.geo.models import ZoneRecord
from jinghai.org.models import Unit
from jinghai.patrol.coverage import swept_area_km2, touches
from jinghai.patrol.models import CheckIn, PatrolInspection, PatrolMission, TrackPoint
from jinghai.patrol.queries import local_day_bounds, work_section
from jinghai.patrol.service import mission_tracks
from jinghai.reporting.computed import register_counter
from jinghai.vessels.models import VesselInspection

#: 沿海地区管控's five 巡查次数, by landing-point subtype.
LANDING_FIGURES = {
    "port_patrols": "港口", "cove_patrols": "岙口", "island_patrols": "无人岛",
    "wharf_patrols": "码头", "mooring_patrols": "临时停靠点",
}


@dataclass
class DayWork:
    """A unit's patrol records touching one local day."""

    start: datetime
    end: datetime
    missions: list[PatrolMission] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    inspections: list[PatrolInspection] = field(default_factory=list)
    qr_inspections: list[VesselInspection] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.missions or self.checkins or self.inspections or self.qr_inspections)


def day_work(session: Session, unit: Unit, day: date) -> DayWork:
    start, end = local_day_bounds(session, day)
    work = DayWork(start, end)
    work.missions = list(session.scalars(select(PatrolMission).where(
        PatrolMission.unit_id == unit.id, PatrolMission.start_at < end,
        or_(PatrolMission.end_at.is_(None), PatrolMission.end_at >= start))
        .order_by(PatrolMission.id)))
    work.checkins = list(session.scalars(select(CheckIn).where(
        CheckIn.unit_id == unit.id, CheckIn.at >= start, CheckIn.at < end)))
    work.inspections = list(session.scalars(select(PatrolInspection).where(
        PatrolInspection.unit_id == unit.id, PatrolInspection.at >= start,
        PatrolInspection.at < end)))
    work.qr_inspections = list(session.scalars(select(VesselInspection).where(
        VesselInspection.unit_id == unit.id, VesselInspection.inspected_at >= start,
        VesselInspection.inspected_at < end)))
    return work


# The report asks every counter of a section in turn for the same (unit, day); the records
# are read once and kept in the session until it next writes, commits or rolls back.
_CACHE = "jinghai.patrol.counters"


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_: object) -> None:
    session.info.pop(_CACHE, None)


def _cached(session: Session, key: tuple, make):
    cache = session.info.setdefault(_CACHE, {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _work(session: Session, unit: Unit, day: date, section: str) -> DayWork | None:
    if _cached(session, ("section", unit.id), lambda: work_section(session, unit.id)) != section:
        return None
    work = _cached(session, ("work", unit.id, day), lambda: day_work(session, unit, day))
    return None if work.empty else work


def _personnel(work: DayWork) -> int:
    return sum(m.crew_count for m in work.missions)


def _boats(work: DayWork) -> int:
    return len({b.key for m in work.missions for b in m.boats})


def _vessels_checked(work: DayWork) -> int:
    keys = {i.vessel_key for i in work.inspections}
    keys |= {f"reg:{i.vessel_id}" for i in work.qr_inspections}
    return len(keys) + sum(c.vessels_checked for c in work.checkins)


def _persons_checked(work: DayWork) -> int:
    shifts = sum(m.persons_checked for m in work.missions
                 if work.start <= m.start_at < work.end)
    return (sum(i.persons_checked for i in work.inspections)
            + sum(c.persons_checked for c in work.checkins) + shifts)


def swept_km2_of_day(session: Session, missions: list[PatrolMission], start: datetime,
                     end: datetime) -> Decimal:
    """Sea swept by these missions within [start, end): all tracks merged (overlaps once)."""
    tracks = []
    for m in missions:
        points = list(session.scalars(select(TrackPoint).where(TrackPoint.mission_id == m.id)
                                      .order_by(TrackPoint.ts, TrackPoint.id)))
        tracks += mission_tracks(m, points, start, end)
    return Decimal(f"{swept_area_km2(tracks):.2f}")


# --- 海上巡航 -----------------------------------------------------------------------------


@register_counter("sea_patrol.personnel")
def count_sea_personnel(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "sea_patrol")
    return None if work is None else _personnel(work)


@register_counter("sea_patrol.boats")
def count_sea_boats(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "sea_patrol")
    return None if work is None else _boats(work)


@register_counter("sea_patrol.patrol_area_km2")
def count_sea_area(session: Session, unit: Unit, day: date) -> Decimal | None:
    work = _work(session, unit, day, "sea_patrol")
    if work is None:
        return None
    return swept_km2_of_day(session, work.missions, work.start, work.end)


@register_counter("sea_patrol.vessels_checked")
def count_sea_vessels_checked(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "sea_patrol")
    return None if work is None else _vessels_checked(work)


@register_counter("sea_patrol.persons_checked")
def count_sea_persons_checked(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "sea_patrol")
    return None if work is None else _persons_checked(work)


@register_counter("sea_patrol.illegal_vessels")
def count_sea_illegal(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "sea_patrol")
    if work is None:
        return None
    return len({i.vessel_key for i in work.inspections if i.illegal})


# --- 口岸特定区域监管 ----------------------------------------------------------------------


@register_counter("port_area.anchorage_patrols")
def count_anchorage_patrols(session: Session, unit: Unit, day: date) -> int | None:
    """Patrols that entered an international anchorage that day, by their track or by a
    check-in there; a mission counts once a day however often it went in."""
    work = _work(session, unit, day, "port_area")
    if work is None:
        return None
    anchorages = [z.to_zone().geometry for z in session.scalars(select(ZoneRecord).where(
        ZoneRecord.kind == "international_anchorage", ZoneRecord.active.is_(True)))]
    seen: set[str] = set()
    for c in work.checkins:
        if c.zone_kind == "international_anchorage":
            seen.add(f"m:{c.mission_id}" if c.mission_id else f"c:{c.id}")
    for m in work.missions:
        if f"m:{m.id}" in seen:
            continue
        pts = session.execute(select(TrackPoint.lon, TrackPoint.lat).where(
            TrackPoint.mission_id == m.id, TrackPoint.ts >= work.start,
            TrackPoint.ts < work.end)).all()
        lons = [p[0] for p in pts]
        lats = [p[1] for p in pts]
        if any(touches(g, lons, lats) for g in anchorages):
            seen.add(f"m:{m.id}")
    return len(seen)


# --- 沿海地区管控 -----------------------------------------------------------------------


@register_counter("coastal.personnel")
def count_coastal_personnel(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "coastal")
    return None if work is None else _personnel(work)


@register_counter("coastal.boats")
def count_coastal_boats(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "coastal")
    return None if work is None else _boats(work)


def _landing_counter(subtype: str):
    def count(session: Session, unit: Unit, day: date) -> int | None:
        work = _work(session, unit, day, "coastal")
        if work is None:
            return None
        return sum(1 for c in work.checkins
                   if c.zone_kind == "landing_point" and c.zone_subtype == subtype)

    return count


for _key, _subtype in LANDING_FIGURES.items():
    register_counter(f"coastal.{_key}")(_landing_counter(_subtype))


@register_counter("coastal.persons_checked")
def count_coastal_persons_checked(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "coastal")
    return None if work is None else _persons_checked(work)


@register_counter("coastal.vessels_checked")
def count_coastal_vessels_checked(session: Session, unit: Unit, day: date) -> int | None:
    work = _work(session, unit, day, "coastal")
    return None if work is None else _vessels_checked(work)


# --- 船舶管控 ---------------------------------------------------------------------------


@register_counter("vessel_control.vessels_checked")
def count_vessel_control_checked(session: Session, unit: Unit, day: date) -> int | None:
    """Distinct vessels the fisheries authority checked that day (QR scans and boarding
    checks alike; a second scan of the same boat does not count twice). Inspections by
    other units count in their own sections, not here."""
    if _cached(session, ("section", unit.id), lambda: work_section(session, unit.id)) != \
            "vessel_control":
        return None
    return _vessels_checked(
        _cached(session, ("work", unit.id, day), lambda: day_work(session, unit, day)))
