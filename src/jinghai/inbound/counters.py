"""查验入境船舶 and 查验入境人员 counted from the stations' inbound-ship records: each
port-area reporting unit (border station) that keeps its inbound ships here counts the
ships it recorded for the day and their crew at arrival. A station that has never
recorded a ship types the two figures as before."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.inbound.models import CrewMember, InboundShip
from jinghai.org.models import Unit
from jinghai.org.service import sections_of_unit
from jinghai.reporting.computed import register_counter


def _station(session: Session, unit: Unit) -> bool:
    if "port_area" not in sections_of_unit(session, unit.id):
        return False
    return session.scalar(select(InboundShip.id).where(
        InboundShip.unit_id == unit.id).limit(1)) is not None


@register_counter("port_area.inbound_vessels_checked")
def count_inbound_vessels(session: Session, unit: Unit, day: date) -> int | None:
    if not _station(session, unit):
        return None
    return session.scalar(select(func.count(InboundShip.id)).where(
        InboundShip.unit_id == unit.id, InboundShip.report_date == day)) or 0


@register_counter("port_area.inbound_persons_checked")
def count_inbound_persons(session: Session, unit: Unit, day: date) -> int | None:
    if not _station(session, unit):
        return None
    return session.scalar(select(func.count(CrewMember.id)).join(
        InboundShip, CrewMember.ship_id == InboundShip.id).where(
        InboundShip.unit_id == unit.id, InboundShip.report_date == day,
        CrewMember.phase == "arrival")) or 0
