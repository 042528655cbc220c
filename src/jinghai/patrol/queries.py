"""Reads of patrol work, permission-checked: missions, landing points' last visits and
what is overdue, effort per grid cell. Liaisons see their own unit's missions; the office,
leaders and admins see all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.models import Role, User
from jinghai.errors import NotFound, PermissionDenied
from jinghai.geo.models import ZoneRecord
from jinghai.org.models import GroupMember, Unit, WorkGroup
from jinghai.org.service import get_operation, local_day_bounds
from jinghai.patrol.coverage import CELL_DEG, effort_cells
from jinghai.patrol.models import CheckIn, PatrolInspection, PatrolMission, TrackPoint

#: Sections that patrol and inspection work counts into, in the order that decides a unit
#: reporting several of them (none does in the Beilun template).
WORK_SECTIONS = ("sea_patrol", "port_area", "coastal", "vessel_control")

#: Longest time (days) a landing point may go without a check-in, per subtype. The plan asks
#: for "全面巡查" of these places without a frequency; these defaults are the office's:
#: ports, wharves and coves daily-to-every-other-day, temporary moorings every two days,
#: uninhabited islands (reached by boat) weekly.
REQUIRED_INTERVAL_DAYS: dict[str, int] = {
    "港口": 1, "码头": 1, "岙口": 2, "临时停靠点": 2, "无人岛": 7,
}
DEFAULT_INTERVAL_DAYS = 2


def work_section(session: Session, unit_id: int | None) -> str | None:
    """The section a unit's patrols and inspections count into: the one of its working
    group that has patrol/inspection figures (issue 8: an inspection belongs to the section
    of the inspecting unit's group). None when the unit reports none of them."""
    if unit_id is None:
        return None
    mine = set(session.scalars(
        select(WorkGroup.key).join(GroupMember, GroupMember.group_id == WorkGroup.id)
        .where(GroupMember.unit_id == unit_id, GroupMember.role == "reporting")))
    return next((s for s in WORK_SECTIONS if s in mine), None)


def sub_district_unit(session: Session, name: str | None) -> Unit | None:
    """The sub-district unit of a zone's ``sub_district`` ("梅山" → 梅山街道)."""
    if not name:
        return None
    units = session.scalars(select(Unit).where(Unit.kind == "sub_district")).all()
    return next((u for u in units if u.name == name or u.name.startswith(name)), None)


# --- missions ---------------------------------------------------------------------------


def _can_see_all(user: User) -> bool:
    return user.active and user.role in (Role.OFFICE, Role.VIEWER, Role.ADMIN)


def require_reader(user: User) -> None:
    if user is None or not user.active:
        raise PermissionDenied("账号已停用")


def list_missions(session: Session, user: User, start: date, end: date,
                  unit_key: str | None = None) -> list[PatrolMission]:
    """Missions that started in the local days ``start``..``end``."""
    require_reader(user)
    lo, _ = local_day_bounds(session, start)
    _, hi = local_day_bounds(session, end)
    q = (select(PatrolMission).where(PatrolMission.start_at >= lo, PatrolMission.start_at < hi)
         .options(selectinload(PatrolMission.unit), selectinload(PatrolMission.boats))
         .order_by(PatrolMission.start_at.desc()))
    if not _can_see_all(user):
        q = q.where(PatrolMission.unit_id == user.unit_id)
    elif unit_key:
        q = q.join(Unit, Unit.id == PatrolMission.unit_id).where(Unit.key == unit_key)
    return list(session.scalars(q))


def active_missions(session: Session, user: User) -> list[PatrolMission]:
    """The user's unit's missions still under way (the phone page resumes them)."""
    require_reader(user)
    return list(session.scalars(
        select(PatrolMission).where(PatrolMission.status == "active",
                                    PatrolMission.unit_id == user.unit_id)
        .order_by(PatrolMission.start_at.desc())))


def get_mission_for(session: Session, user: User, mission_id: int) -> PatrolMission:
    require_reader(user)
    mission = session.get(PatrolMission, mission_id)
    if mission is None:
        raise NotFound("没有这个巡查任务")
    if not _can_see_all(user) and mission.unit_id != user.unit_id:
        raise NotFound("没有这个巡查任务")
    return mission


def mission_geojson(session: Session, mission: PatrolMission) -> dict:
    """The mission's track(s) as LineStrings and its check-ins as points, for the map."""
    points = list(session.scalars(select(TrackPoint).where(TrackPoint.mission_id == mission.id)
                                  .order_by(TrackPoint.ts, TrackPoint.id)))
    groups: dict[tuple[str, int | None], list[TrackPoint]] = {}
    for p in points:
        groups.setdefault((p.source, p.mmsi), []).append(p)
    features = []
    for (source, mmsi), pts in groups.items():
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString" if len(pts) > 1 else "Point",
                                      "coordinates": ([[p.lon, p.lat] for p in pts]
                                                      if len(pts) > 1 else [pts[0].lon, pts[0].lat])},
                         "properties": {"kind": "track", "source": source, "mmsi": mmsi,
                                        "points": len(pts)}})
    for c in mission.checkins:
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                         "properties": {"kind": "checkin", "zone_id": c.zone_id,
                                        "at": c.at.isoformat(), "id": c.id}})
    if mission.planned_area:
        features.append({"type": "Feature", "geometry": mission.planned_area,
                         "properties": {"kind": "planned"}})
    return {"type": "FeatureCollection", "features": features}


# --- landing points -----------------------------------------------------------------------


@dataclass(frozen=True)
class LandingPointStatus:
    """One landing point and its last visit as of a day.

    ``last_checkin_at`` is aware UTC or None (never visited); ``days_since`` is the count
    of local days from the last visit's day to ``day`` (0 = visited that day; None = never);
    ``required_days`` the allowed interval for its subtype; ``overdue`` is True when never
    visited or ``days_since > required_days``; ``unit_key``/``unit_name`` the sub-district
    unit that answers for it (None if its ``sub_district`` names no unit)."""

    zone_id: str
    name: str
    subtype: str
    sub_district: str
    responsible_person: str
    unit_key: str | None
    unit_name: str | None
    lon: float
    lat: float
    last_checkin_at: datetime | None
    days_since: int | None
    required_days: int
    overdue: bool


def landing_point_status(session: Session, day: date) -> list[LandingPointStatus]:
    """Every active landing point with its last check-in up to the end of ``day``."""
    _, end = local_day_bounds(session, day)
    tz = ZoneInfo(get_operation(session).timezone)
    last = dict(session.execute(
        select(CheckIn.zone_id, func.max(CheckIn.at)).where(CheckIn.at < end)
        .group_by(CheckIn.zone_id)).all())
    units = {u.name: u for u in session.scalars(select(Unit).where(Unit.kind == "sub_district"))}
    out = []
    zones = session.scalars(select(ZoneRecord).where(ZoneRecord.kind == "landing_point",
                                                     ZoneRecord.active.is_(True))
                            .order_by(ZoneRecord.sub_district, ZoneRecord.id))
    for z in zones:
        at = last.get(z.id)
        if at is not None and at.tzinfo is None:  # SQLite aggregates lose the type
            at = at.replace(tzinfo=UTC)
        days = None if at is None else (day - at.astimezone(tz).date()).days
        need = REQUIRED_INTERVAL_DAYS.get(z.subtype or "", DEFAULT_INTERVAL_DAYS)
        unit = next((u for n, u in units.items()
                     if z.sub_district and (n == z.sub_district or n.startswith(z.sub_district))),
                    None)
        c = z.to_zone().geometry.centroid
        out.append(LandingPointStatus(
            zone_id=z.id, name=z.name, subtype=z.subtype or "", sub_district=z.sub_district or "",
            responsible_person=z.responsible_person or "",
            unit_key=unit.key if unit else None, unit_name=unit.name if unit else None,
            lon=c.x, lat=c.y, last_checkin_at=at, days_since=days, required_days=need,
            overdue=days is None or days > need))
    return out


def overdue_landing_points(session: Session, day: date) -> list[LandingPointStatus]:
    """Landing points not visited within their required interval as of the end of ``day``.

    Returns a list of :class:`LandingPointStatus` (frozen dataclasses), most overdue first
    (never-visited first, then by ``days_since - required_days`` descending). Fields:
    ``zone_id``, ``name``, ``subtype`` (港口/岙口/码头/无人岛/临时停靠点), ``sub_district``,
    ``responsible_person``, ``unit_key``/``unit_name`` (the responsible sub-district unit or
    None), ``lon``/``lat``, ``last_checkin_at`` (aware UTC or None), ``days_since`` (int or
    None when never visited), ``required_days`` (int), ``overdue`` (always True here).
    No permission check: landing points are not personal data; callers that show the
    responsible person's phone must check the viewer themselves."""
    rows = [r for r in landing_point_status(session, day) if r.overdue]
    return sorted(rows, key=lambda r: (r.days_since is not None,
                                       -((r.days_since or 0) - r.required_days), r.zone_id))


# --- effort -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EffortCell:
    lon0: float
    lat0: float
    hours: float


def effort_grid(session: Session, user: User, start: date, end: date,
                cell_deg: float = CELL_DEG) -> list[EffortCell]:
    """Patrol hours present per grid cell over the local days ``start``..``end``."""
    require_reader(user)
    lo, _ = local_day_bounds(session, start)
    _, hi = local_day_bounds(session, end)
    q = (select(TrackPoint).join(PatrolMission, PatrolMission.id == TrackPoint.mission_id)
         .where(TrackPoint.ts >= lo, TrackPoint.ts < hi)
         .order_by(TrackPoint.mission_id, TrackPoint.source, TrackPoint.mmsi, TrackPoint.ts))
    if not _can_see_all(user):
        q = q.where(PatrolMission.unit_id == user.unit_id)
    total: dict[tuple[int, int], float] = {}
    group: list[TrackPoint] = []

    def flush() -> None:
        for k, h in effort_cells([p.ts for p in group], [p.lon for p in group],
                                 [p.lat for p in group], cell_deg).items():
            total[k] = total.get(k, 0.0) + h

    for p in session.scalars(q):
        if group and (group[-1].mission_id, group[-1].source, group[-1].mmsi) != (
                p.mission_id, p.source, p.mmsi):
            flush()
            group = []
        group.append(p)
    if group:
        flush()
    return [EffortCell(i * cell_deg, j * cell_deg, round(h, 2))
            for (i, j), h in sorted(total.items())]


def ais_density(store, start: datetime, end: datetime, cell_deg: float = CELL_DEG,
                exclude_mmsis: set[int] | frozenset[int] = frozenset()
                ) -> list[EffortCell]:
    """The traffic picture beside the effort: AIS positions per grid cell from the store
    (``hours`` holds the count of positions), own boats left out."""
    import numpy as np

    table = store.scan(start, end).select(["mmsi", "lon", "lat"])
    if table.num_rows == 0:
        return []
    mmsi = table["mmsi"].to_numpy()
    keep = ~np.isin(mmsi, np.fromiter(exclude_mmsis, np.int64)) if exclude_mmsis else \
        np.ones(len(mmsi), bool)
    i = np.floor(table["lon"].to_numpy()[keep] / cell_deg).astype(np.int64)
    j = np.floor(table["lat"].to_numpy()[keep] / cell_deg).astype(np.int64)
    keys, counts = np.unique(np.column_stack([i, j]), axis=0, return_counts=True)
    return [EffortCell(int(a) * cell_deg, int(b) * cell_deg, float(n))
            for (a, b), n in zip(keys, counts, strict=True)]


def blind_spots(effort: list[EffortCell], density: list[EffortCell], top: int = 10,
                min_share: float = 0.01) -> list[EffortCell]:
    """Blind spots (盲区): the busiest traffic cells that no patrol entered in the period —
    cells holding at least ``min_share`` of all AIS positions and zero patrol hours, busiest
    first (``hours`` holds the positions count, as in :func:`ais_density`)."""
    covered = {(round(c.lon0, 6), round(c.lat0, 6)) for c in effort if c.hours > 0}
    total = sum(c.hours for c in density) or 1.0
    gaps = [c for c in density if (round(c.lon0, 6), round(c.lat0, 6)) not in covered
            and c.hours / total >= min_share]
    return sorted(gaps, key=lambda c: -c.hours)[:top]


def mission_inspections(session: Session, mission: PatrolMission) -> list[PatrolInspection]:
    """The vessels boarded on ``mission`` (read through :func:`get_mission_for`), in order."""
    return list(session.scalars(select(PatrolInspection)
                                .where(PatrolInspection.mission_id == mission.id)
                                .order_by(PatrolInspection.at)))


def get_checkin_photo_for(session: Session, user: User, checkin_id: int) -> CheckIn:
    """A check-in with a photo the user may see: one of a mission they may read, or — for
    a check-in without a mission — any, except a liaison's of another unit. Not found
    either way, so a liaison learns nothing of other units' check-ins."""
    row = session.get(CheckIn, checkin_id)
    if row is None or not row.photo_path:
        raise NotFound("没有照片")
    if row.mission_id is not None:
        get_mission_for(session, user, row.mission_id)
    elif user.role == Role.LIAISON and row.unit_id != user.unit_id:
        raise NotFound("没有照片")
    return row
