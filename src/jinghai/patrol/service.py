"""The patrol verbs: start and end a mission, add its track (phone points or the own boats'
AIS), check in at a landing point, record an inspection. The only writers of patrol
records; each change is audited in the caller's transaction.

Who may write: the office (for any unit) and a unit's liaison (for their own unit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import InvalidInput, NotFound, PermissionDenied
from jinghai.geo.metric import KNOT_MS, haversine_m
from jinghai.geo.models import ZoneRecord
from jinghai.org.models import Unit
from jinghai.patrol.coverage import (
    DEFAULT_BOAT_TYPE,
    MAX_SPEED_KN,
    SWEEP_WIDTHS,
    Track,
    check_track,
    distance_to_zone_m,
    swept_area_km2,
    touches,
)
from jinghai.patrol.models import (
    CheckIn,
    MissionKind,
    PatrolBoat,
    PatrolInspection,
    PatrolMission,
    TrackPoint,
)
from jinghai.patrol.schemas import (
    CheckInIn,
    InspectionIn,
    MissionEnd,
    MissionStart,
    TrackIn,
    parse,
)

#: A check-in must be taken within this distance of its zone (a cove mouth or a wharf head
#: is a point; GPS on a phone is good to ~10–30 m, a cove is a few hundred metres across).
CHECKIN_MAX_DISTANCE_M = 500.0
#: A phone's clock may run a little ahead; beyond this a time "in the future" is refused.
CLOCK_SKEW = timedelta(minutes=10)
CHECKIN_ZONE_KINDS = ("landing_point", "international_anchorage")
PHOTO_TYPES = {"jpg", "png"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FOLDER = "attachments/patrol"


# --- who may write --------------------------------------------------------------------


def _writer_unit(session: Session, user: User, unit_key: str | None = None) -> Unit:
    """The unit a user records patrol work for: a liaison's own unit, or for the office
    any unit it names (its own by default)."""
    if user is None or not user.active:
        raise PermissionDenied("账号已停用")
    if user.role == Role.LIAISON:
        if user.unit_id is None:
            raise PermissionDenied("联络员账号未绑定单位")
        if unit_key and user.unit and unit_key != user.unit.key:
            raise PermissionDenied("只能记录本单位的巡查")
        return user.unit
    if user.role == Role.OFFICE:
        if unit_key:
            unit = session.scalar(select(Unit).where(Unit.key == unit_key))
            if unit is None:
                raise NotFound(f"没有这个单位: {unit_key}")
            return unit
        if user.unit is None:
            raise InvalidInput("请选择执行任务的单位")
        return user.unit
    raise PermissionDenied("只有专班办公室和单位联络员可以记录巡查")


def _mission_for_writer(session: Session, user: User, mission_id: int) -> PatrolMission:
    mission = session.get(PatrolMission, mission_id)
    if mission is None:
        raise NotFound("没有这个巡查任务")
    _writer_unit(session, user, mission.unit.key)
    return mission


def _aware(value: datetime | None, label: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(f"{label}缺少时区")
    return value


# --- missions -------------------------------------------------------------------------


def start_mission(session: Session, user: User, data: MissionStart | dict[str, Any], *,
                  now: datetime | None = None) -> PatrolMission:
    """Open a mission for the user's unit (or, for the office, the unit it names)."""
    data = parse(MissionStart, data)
    now = now or utcnow()
    unit = _writer_unit(session, user, data.unit_key)
    start = _aware(data.start_at, "开始时间") or now
    if start > now + CLOCK_SKEW:
        raise InvalidInput("开始时间不能晚于现在")
    for b in data.boats:
        if b.boat_type not in SWEEP_WIDTHS:
            raise InvalidInput(f"船只类型“{b.boat_type}”不在可选范围内")
    if data.kind == MissionKind.SEA and not data.boats:
        raise InvalidInput("海上巡航请至少填写一艘船")
    if data.planned_area is not None:
        from shapely.geometry import shape

        try:
            area = shape(data.planned_area)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise InvalidInput("计划区域不是有效的 GeoJSON 几何") from None
        if not area.is_valid:
            raise InvalidInput("计划区域不是有效的 GeoJSON 几何")
    mission = PatrolMission(
        unit_id=unit.id, kind=data.kind.value, title=data.title or "", crew_count=data.crew_count,
        vehicles=data.vehicles, planned_area=data.planned_area, start_at=start,
        status="active", track_source=data.track_source, note=data.note,
        leader_id=user.id, created_at=now, entered_anchorage=False,
        persons_checked=0, vehicles_checked=0,
    )
    mission.unit = unit
    for b in data.boats:
        mission.boats.append(PatrolBoat(name=b.name, mmsi=b.mmsi, boat_type=b.boat_type))
    session.add(mission)
    session.flush()
    record(session, user, "patrol.start", "patrol_mission", mission.id,
           new=f"{unit.name} {mission.kind_label} {data.crew_count}人")
    return mission


def _points(session: Session, mission_id: int) -> list[TrackPoint]:
    return list(session.scalars(select(TrackPoint).where(TrackPoint.mission_id == mission_id)
                                .order_by(TrackPoint.ts, TrackPoint.id)))


def add_track_points(session: Session, user: User, mission_id: int,
                     data: TrackIn | dict[str, Any]) -> int:
    """Positions sent by the leader's phone. All or nothing: a batch with an impossible
    jump (against itself or the track so far) is refused whole, with where and why.
    Points already stored at the same time are skipped (a resent batch adds nothing)."""
    data = parse(TrackIn, data)
    mission = _mission_for_writer(session, user, mission_id)
    if mission.status != "active":
        raise InvalidInput("任务已结束，不能再添加轨迹")
    old = [p for p in _points(session, mission.id) if p.source == "phone"]
    have = {p.ts for p in old}
    new = sorted((p for p in data.points if p.ts not in have), key=lambda p: p.ts)
    for p in new:
        _aware(p.ts, "轨迹时间")
        if p.ts < mission.start_at - CLOCK_SKEW:
            raise InvalidInput("轨迹点早于任务开始时间")
    merged = sorted([(p.ts, p.lon, p.lat) for p in old] + [(p.ts, p.lon, p.lat) for p in new])
    check_track([m[0] for m in merged], [m[1] for m in merged], [m[2] for m in merged])
    session.add_all(TrackPoint(mission_id=mission.id, ts=p.ts, lon=p.lon, lat=p.lat,
                               source="phone") for p in new)
    session.flush()
    return len(new)


def plausible_mask(ts: Sequence[datetime], lons: Sequence[float], lats: Sequence[float],
                   max_speed_kn: float = MAX_SPEED_KN) -> np.ndarray:
    """Feeds are tolerant: drop AIS fixes that would need an impossible speed from the last
    kept one (a bad fix), keep the rest."""
    keep = np.zeros(len(ts), dtype=bool)
    last = None
    for i in range(len(ts)):
        if last is not None:
            dt = max((ts[i] - ts[last]).total_seconds(), 1.0)
            d = float(haversine_m(lons[last], lats[last], lons[i], lats[i]))
            if d / dt / KNOT_MS > max_speed_kn:
                continue
        keep[i] = True
        last = i
    return keep


def attach_ais_track(session: Session, mission: PatrolMission, positions: Iterable[dict],
                     own_mmsis: Iterable[int]) -> int:
    """Store the own boats' AIS positions during the mission as its track.

    ``positions`` are rows with mmsi, ts, lon, lat (e.g. ``PositionStore.scan(...)
    .to_pylist()``); only boats of the mission that are on the own-boat list are taken, so a
    mission cannot claim another vessel's track. Bad fixes are dropped, not refused."""
    own = {int(m) for m in own_mmsis}
    boats = {b.mmsi for b in mission.boats if b.mmsi and b.mmsi in own}
    end = mission.end_at or utcnow()
    by_boat: dict[int, list[tuple[datetime, float, float]]] = {}
    for row in positions:
        m = int(row["mmsi"])
        if m in boats and mission.start_at <= row["ts"] <= end:
            by_boat.setdefault(m, []).append((row["ts"], float(row["lon"]), float(row["lat"])))
    have = {(p.mmsi, p.ts) for p in _points(session, mission.id) if p.source == "ais"}
    added = 0
    for mmsi, rows in by_boat.items():
        rows = sorted({r[0]: r for r in rows}.values())  # one fix per time (several receivers)
        ts = [r[0] for r in rows]
        keep = plausible_mask(ts, [r[1] for r in rows], [r[2] for r in rows])
        for (t, lon, lat), ok in zip(rows, keep, strict=True):
            if ok and (mmsi, t) not in have:
                session.add(TrackPoint(mission_id=mission.id, ts=t, lon=lon, lat=lat,
                                       source="ais", mmsi=mmsi))
                added += 1
    if added:
        mission.track_source = "ais"
    session.flush()
    return added


def load_ais_track(session: Session, mission: PatrolMission, store, own_mmsis: Iterable[int]
                   ) -> int:
    """Read the mission's own boats from the Parquet store (``jinghai.ais.store``)."""
    own = {int(m) for m in own_mmsis}
    end = mission.end_at or utcnow()
    rows: list[dict] = []
    for boat in mission.boats:
        if boat.mmsi and boat.mmsi in own:
            rows += store.track(boat.mmsi, mission.start_at, end + timedelta(seconds=1)
                                ).select(["mmsi", "ts", "lon", "lat"]).to_pylist()
    return attach_ais_track(session, mission, rows, own)


def mission_tracks(mission: PatrolMission, points: Sequence[TrackPoint],
                   start: datetime | None = None, end: datetime | None = None,
                   sweep_widths: dict[str, float] | None = None) -> list[Track]:
    """The mission's tracks (one per AIS boat, one for the phone), each with the sweep width
    of its boat type, limited to ``[start, end)`` when given."""
    widths = {k: v.width_m for k, v in SWEEP_WIDTHS.items()} | (sweep_widths or {})
    type_of = {b.mmsi: b.boat_type for b in mission.boats if b.mmsi}
    phone_type = (mission.boats[0].boat_type if mission.boats
                  else ("on_foot" if mission.kind != MissionKind.SEA else DEFAULT_BOAT_TYPE))
    groups: dict[tuple[str, int | None], list[TrackPoint]] = {}
    for p in points:
        if (start is None or p.ts >= start) and (end is None or p.ts < end):
            groups.setdefault((p.source, p.mmsi), []).append(p)
    out = []
    for (source, mmsi), pts in groups.items():
        kind = type_of.get(mmsi, DEFAULT_BOAT_TYPE) if source == "ais" else phone_type
        out.append(Track([p.ts for p in pts], [p.lon for p in pts], [p.lat for p in pts],
                         widths.get(kind, widths[DEFAULT_BOAT_TYPE])))
    return out


def _anchorage_zones(session: Session) -> list[ZoneRecord]:
    return list(session.scalars(select(ZoneRecord).where(
        ZoneRecord.kind == "international_anchorage", ZoneRecord.active.is_(True))))


def end_mission(session: Session, user: User, mission_id: int,
                data: MissionEnd | dict[str, Any] | None = None, *,
                now: datetime | None = None, store=None,
                own_mmsis: Iterable[int] = ()) -> PatrolMission:
    """Close a mission: its end time (not before its start), what a checkpoint shift
    checked, and the swept area of its track (km², sea only). With an AIS ``store``
    (``jinghai.ais.store.PositionStore``), the own boats' positions during the mission are
    read from it first and become its track."""
    data = parse(MissionEnd, data or {})
    now = now or utcnow()
    mission = _mission_for_writer(session, user, mission_id)
    if mission.status != "active":
        raise InvalidInput("任务已经结束")
    end = _aware(data.end_at, "结束时间") or now
    if end < mission.start_at:
        raise InvalidInput("结束时间早于开始时间，请核对")
    if end > now + CLOCK_SKEW:
        raise InvalidInput("结束时间不能晚于现在")
    mission.end_at = end
    mission.status = "ended"
    mission.persons_checked = data.persons_checked
    mission.vehicles_checked = data.vehicles_checked
    if data.note:
        mission.note = (mission.note + "\n" + data.note).strip()
    if store is not None:
        load_ais_track(session, mission, store, own_mmsis)
    points = _points(session, mission.id)
    mission.swept_km2 = Decimal(f"{swept_area_km2(mission_tracks(mission, points)):.3f}")
    lons = [p.lon for p in points]
    lats = [p.lat for p in points]
    if any(touches(z.to_zone().geometry, lons, lats) for z in _anchorage_zones(session)):
        mission.entered_anchorage = True
    session.flush()
    record(session, user, "patrol.end", "patrol_mission", mission.id,
           new=f"{mission.swept_km2} km²")
    return mission


# --- check-ins --------------------------------------------------------------------------


def _store_photo(data: bytes, data_dir: Path) -> tuple[str, str]:
    from jinghai.cases.attachments import detect_type, write_once

    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"照片不能超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    ext, ctype = detect_type(data)
    if ext not in PHOTO_TYPES:
        raise InvalidInput("照片应为 JPEG 或 PNG 图片")
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{PHOTO_FOLDER}/{digest[:2]}/{digest}.{ext}"
    write_once(data_dir / relative, data)
    return relative, ctype


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    duplicate: bool  # the same client_id was received before; nothing new was stored


def check_in(session: Session, user: User, data: CheckInIn | dict[str, Any], *,
             photo: bytes | None = None, data_dir: Path | None = None,
             now: datetime | None = None,
             max_distance_m: float = CHECKIN_MAX_DISTANCE_M) -> CheckInResult:
    """A check-in at a landing point or an international anchorage.

    Idempotent by the phone's ``client_id``: sent twice (a retry after a lost answer, an
    offline queue flushed twice) it is stored once. Refused, with the distance, when taken
    farther than ``max_distance_m`` from the zone. The photo's type is judged from its bytes
    (JPEG or PNG). A finding may become a clue (source 巡查发现) of the unit."""
    data = parse(CheckInIn, data)
    now = now or utcnow()
    existing = session.scalar(select(CheckIn).where(CheckIn.client_id == data.client_id))
    if existing is not None:
        if user.role == Role.LIAISON and existing.unit_id != user.unit_id:
            raise PermissionDenied("该打卡编号已被其他单位使用")
        return CheckInResult(existing, True)
    mission = None
    if data.mission_id is not None:
        mission = _mission_for_writer(session, user, data.mission_id)
        unit = mission.unit
    else:
        unit = _writer_unit(session, user)
    zone = session.get(ZoneRecord, data.zone_id)
    if zone is None or not zone.active or zone.kind not in CHECKIN_ZONE_KINDS:
        raise NotFound("没有这个登陆点或国际锚地")
    if data.at > now + CLOCK_SKEW:
        raise InvalidInput("打卡时间晚于现在，请检查手机时间")
    distance = distance_to_zone_m(zone.to_zone().geometry, data.lon, data.lat)
    if distance > max_distance_m:
        raise InvalidInput(
            f"当前位置距离“{zone.name}”约 {distance:,.0f} 米，超出允许的 "
            f"{max_distance_m:.0f} 米，不能打卡", details={"distance_m": round(distance)})
    photo_path = photo_type = ""
    if photo:
        if data_dir is None:
            raise InvalidInput("服务器未配置照片存储位置")
        photo_path, photo_type = _store_photo(photo, data_dir)
    try:
        # The phone may resend while the first copy is still being stored: the unique
        # client_id decides, inside a savepoint, and the loser returns the stored one.
        with session.begin_nested():
            clue_id = None
            if data.finding and data.make_clue:
                from jinghai.cases.schemas import ClueIn
                from jinghai.cases.service import create_clue

                clue = create_clue(session, user, ClueIn(
                    source_kind="patrol", content=data.finding, title=f"巡查发现：{zone.name}",
                    source_detail=f"{unit.name}打卡", occurred_at=data.at, place=zone.name,
                    lon=data.lon, lat=data.lat))
                clue_id = clue.id
            row = CheckIn(
                client_id=data.client_id, mission_id=mission.id if mission else None,
                unit_id=unit.id, user_id=user.id, zone_id=zone.id, zone_kind=zone.kind,
                zone_subtype=zone.subtype or "", at=data.at, lon=data.lon, lat=data.lat,
                distance_m=round(distance, 1), persons_checked=data.persons_checked,
                vessels_checked=data.vessels_checked, finding=data.finding, clue_id=clue_id,
                photo_path=photo_path, photo_type=photo_type, received_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = session.scalar(select(CheckIn).where(CheckIn.client_id == data.client_id))
        if existing is None:
            raise
        return CheckInResult(existing, True)
    if mission is not None and zone.kind == "international_anchorage":
        mission.entered_anchorage = True
    session.flush()
    record(session, user, "patrol.checkin", "zone", zone.id,
           new=f"{unit.name} {data.at.isoformat()} 距离{distance:.0f}米")
    return CheckInResult(row, False)


# --- inspections --------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionResult:
    inspection: PatrolInspection
    duplicate: bool


def record_patrol_inspection(session: Session, user: User, data: InspectionIn | dict[str, Any],
                             *, now: datetime | None = None) -> InspectionResult:
    """A boarding check at sea or a vessel check at a checkpoint. The vessel is the
    registry's (by 渔船编号 or its MMSI) when known, else any vessel by MMSI or name."""
    from jinghai.vessels.models import FishingVessel

    data = parse(InspectionIn, data)
    now = now or utcnow()
    if data.client_id:
        existing = session.scalar(select(PatrolInspection)
                                  .where(PatrolInspection.client_id == data.client_id))
        if existing is not None:
            return InspectionResult(existing, True)
    mission = _mission_for_writer(session, user, data.mission_id) if data.mission_id else None
    unit = mission.unit if mission else _writer_unit(session, user)
    at = _aware(data.at, "查验时间") or now
    if at > now + CLOCK_SKEW:
        raise InvalidInput("查验时间不能晚于现在")
    vessel = None
    if data.registry_no:
        vessel = session.scalar(select(FishingVessel)
                                .where(FishingVessel.registry_no == data.registry_no))
        if vessel is None:
            raise NotFound(f"名录中没有渔船 {data.registry_no}")
    elif data.mmsi:
        vessel = session.scalar(select(FishingVessel)
                                .where(FishingVessel.mmsi == str(data.mmsi)))
    if vessel is None and not data.mmsi and not data.vessel_name:
        raise InvalidInput("请填写渔船编号、MMSI 或船名")
    row = PatrolInspection(
        client_id=data.client_id, mission_id=mission.id if mission else None, unit_id=unit.id,
        user_id=user.id, at=at, place_kind=data.place_kind,
        vessel_id=vessel.id if vessel else None, mmsi=data.mmsi,
        vessel_name=data.vessel_name or (vessel.name if vessel else ""),
        persons_checked=data.persons_checked, illegal=data.illegal, lon=data.lon, lat=data.lat,
        note=data.note, created_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent resend: the unique client_id decides
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = session.scalar(select(PatrolInspection)
                                  .where(PatrolInspection.client_id == data.client_id))
        if existing is None or not data.client_id:
            raise
        return InspectionResult(existing, True)
    record(session, user, "patrol.inspect", "patrol_inspection", row.id,
           new=f"{row.vessel_name or row.mmsi} {'违法' if row.illegal else '正常'}")
    return InspectionResult(row, False)


__all__ = [
    "CHECKIN_MAX_DISTANCE_M",
    "CheckInResult",
    "InspectionResult",
    "add_track_points",
    "attach_ais_track",
    "check_in",
    "end_mission",
    "load_ais_track",
    "mission_tracks",
    "notify_overdue",
    "record_patrol_inspection",
    "start_mission",
]


# --- overdue landing points -----------------------------------------------------------------


def _overdue_message(lp, title: str, body: str):
    from jinghai.notify.webhooks import robot_message

    def message(fmt: str) -> dict[str, Any]:
        if fmt == "json":
            return {"event": "patrol_overdue", "zone_id": lp.zone_id, "name": lp.name,
                    "sub_district": lp.sub_district, "days_since": lp.days_since,
                    "required_days": lp.required_days, "title": title, "text": body}
        return robot_message(fmt, title, f"### {title}\n{body}")

    return message


def notify_overdue(session: Session, day, *, targets: Sequence[tuple[str, str]] = (),
                   now: datetime | None = None) -> int:
    """Tell each responsible sub-district about its landing points not visited within their
    interval (an in-app notice to the unit, one to the office, and a robot message to the
    webhook ``targets`` through the notify outbox). Once per landing point and day: running
    it again (the alert worker does, every round) adds nothing. Returns notices added."""
    from jinghai.notify.queries import notice_exists
    from jinghai.notify.service import notify_role, notify_unit
    from jinghai.notify.webhooks import enqueue_messages
    from jinghai.org.models import Operation
    from jinghai.patrol.queries import overdue_landing_points

    if session.scalar(select(Operation.id).limit(1)) is None:
        return 0
    now = now or utcnow()
    added = 0
    for lp in overdue_landing_points(session, day):
        link = f"/patrol/coverage?day={day.isoformat()}#lp-{lp.zone_id}"
        if notice_exists(session, "patrol_overdue", link):
            continue
        since = ("从未打卡" if lp.days_since is None
                 else f"已 {lp.days_since} 天未打卡（要求每 {lp.required_days} 天至少一次）")
        title = f"登陆点逾期未巡查：{lp.name}"
        body = f"{lp.sub_district or '未指定街道'} · {lp.subtype} · {since}；责任人：" \
               f"{lp.responsible_person or '未指定'}"
        unit = session.scalar(select(Unit).where(Unit.key == lp.unit_key)) if lp.unit_key \
            else None
        if unit is not None:
            notify_unit(session, unit.id, "patrol_overdue", title, body=body, link=link, at=now)
        notify_role(session, "office", "patrol_overdue", title, body=body, link=link, at=now)
        if targets:
            enqueue_messages(session, targets, _overdue_message(lp, title, body), now=now)
        added += 1
    session.flush()
    return added
