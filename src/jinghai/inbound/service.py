"""The inbound-ship daily report: border stations record each inbound foreign-route ship
with its crew list at arrival, and the list at departure. Foreign crew must not land or
change: a departure list that differs from the arrival list, or a crew change requested,
raises an alert routed to the port-area group (口岸特定区域监管组) through the alerts
domain (:func:`jinghai.alerts.service.record_event`), so it has the alerts' states,
notices, escalation and webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.alerts.models import Alert
from jinghai.alerts.service import AlertConfig, record_event
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.detect.events import Event, event_id
from jinghai.errors import Conflict, NotFound, PermissionDenied
from jinghai.inbound.models import CrewMember, InboundShip
from jinghai.inbound.schemas import CrewIn, DepartureIn, ShipIn
from jinghai.org.service import sections_of_unit

DETECTOR = "crew_list"
VERSION = "1"


def _require_station(session: Session, user: User) -> int:
    """A port-area reporting unit (a border station) records its own ships."""
    if not user.active or user.role != Role.LIAISON or user.unit_id is None:
        raise PermissionDenied("入境船舶由各边检站联络员录入")
    if "port_area" not in sections_of_unit(session, user.unit_id):
        raise PermissionDenied("只有口岸特定区域监管组的填报单位（边检站）可以录入入境船舶")
    return user.unit_id


def _crew(phase: str, crew: Sequence[CrewIn]) -> list[CrewMember]:
    return [CrewMember(phase=phase, name=c.name, nationality=c.nationality,
                       document=c.document, health=c.health, note=c.note) for c in crew]


def _key(c: CrewMember) -> tuple[str, str]:
    return (c.document.strip().upper(), c.nationality.strip())


def crew_differences(ship: InboundShip) -> tuple[list[CrewMember], list[CrewMember]]:
    """(on board at arrival but not at departure, at departure but not at arrival)."""
    arrival = {_key(c): c for c in ship.crew_of("arrival")}
    departure = {_key(c): c for c in ship.crew_of("departure")}
    gone = [c for k, c in arrival.items() if k not in departure]
    new = [c for k, c in departure.items() if k not in arrival]
    return gone, new


def _raise_alert(session: Session, ship: InboundShip, reason: str, detail: str,
                 config: AlertConfig | None, now: datetime) -> Alert | None:
    vessels = (int(ship.mmsi),) if ship.mmsi else ()
    start = ship.eta
    eid = event_id(DETECTOR, VERSION, vessels, int(start.timestamp() * 1000),
                   f"ship{ship.id}:{reason}")
    event = Event(id=eid, detector=DETECTOR, version=VERSION, kind="crew_change",
                  status="closed", start=start, end=now, vessels=vessels, lon=None, lat=None,
                  score=0.9 if reason == "requested" else 0.6,
                  severity="high" if reason == "requested" else "medium", params={},
                  details={"ship_id": ship.id, "ship": ship.name, "reason": reason,
                           "berth": ship.berth, "detail": detail})
    alert = record_event(session, event, now=now, config=config)
    if alert is not None:
        label = "申请换班" if reason == "requested" else "名单不一致"
        alert.title = f"外籍船员{label} · {ship.name}（{ship.flag}）"[:200]
        alert.summary = f"{ship.unit.name}报告：{ship.name}，泊位{ship.berth or '—'}。{detail}"
        ship.alert_id = alert.id
    return alert


def record_ship(session: Session, user: User, data: ShipIn, *,
                config: AlertConfig | None = None, now: datetime | None = None
                ) -> InboundShip:
    now = now or utcnow()
    unit_id = _require_station(session, user)
    ship = InboundShip(unit_id=unit_id, report_date=data.report_date, name=data.name,
                       imo=data.imo, mmsi=data.mmsi, flag=data.flag,
                       eta=data.eta.astimezone(UTC), berth=data.berth,
                       last_port=data.last_port,
                       crew_change_requested=data.crew_change_requested,
                       created_by_id=user.id)
    ship.crew = _crew("arrival", data.crew)
    session.add(ship)
    session.flush()
    record(session, user, "create", "ib_ship", ship.id,
           new=f"{ship.name} {ship.imo or ship.mmsi} crew {len(data.crew)}")
    if data.crew_change_requested:
        _raise_alert(session, ship, "requested", "船方申请外籍船员换班（外籍船员不得登陆和换班）。",
                     config, now)
    return ship


def record_departure(session: Session, user: User, ship_id: int, data: DepartureIn, *,
                     config: AlertConfig | None = None, now: datetime | None = None
                     ) -> InboundShip:
    """The crew list at departure; a difference from arrival raises the alert."""
    now = now or utcnow()
    ship = get_ship(session, user, ship_id)
    if user.role != Role.OFFICE and _require_station(session, user) != ship.unit_id:
        raise PermissionDenied("只能处理本单位录入的船舶")
    if ship.departed_at is not None:
        raise Conflict("该船已登记离港")
    ship.departed_at = data.departed_at.astimezone(UTC)
    ship.crew.extend(_crew("departure", data.crew))
    session.flush()
    gone, new = crew_differences(ship)
    record(session, user, "depart", "ib_ship", ship.id,
           new=f"crew {len(data.crew)}; missing {len(gone)}, added {len(new)}")
    if gone or new:
        parts = []
        if gone:
            parts.append("离港时缺少：" + "、".join(f"{c.name}（{c.nationality}，"
                                                    f"{c.document_masked}）" for c in gone))
        if new:
            parts.append("离港时新增：" + "、".join(f"{c.name}（{c.nationality}，"
                                                    f"{c.document_masked}）" for c in new))
        _raise_alert(session, ship, "list_changed", "；".join(parts) + "。", config, now)
    return ship


def get_ship(session: Session, user: User, ship_id: int) -> InboundShip:
    ship = session.get(InboundShip, ship_id)
    if ship is None:
        raise NotFound("入境船舶记录不存在")
    if user.role in (Role.OFFICE, Role.VIEWER, Role.ADMIN) and user.active:
        return ship
    if user.role == Role.LIAISON and user.unit_id == ship.unit_id:
        return ship
    raise PermissionDenied("无权查看该入境船舶记录")


def list_ships(session: Session, user: User, day=None, limit: int = 300) -> list[InboundShip]:
    q = select(InboundShip)
    if not (user.active and user.role in (Role.OFFICE, Role.VIEWER, Role.ADMIN)):
        if user.unit_id is None:
            return []
        q = q.where(InboundShip.unit_id == user.unit_id)
    if day is not None:
        q = q.where(InboundShip.report_date == day)
    return list(session.scalars(q.order_by(InboundShip.report_date.desc(),
                                           InboundShip.id.desc()).limit(limit)))
