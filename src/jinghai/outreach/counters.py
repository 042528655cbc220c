"""The four 宣传 figures of 船舶管控 counted from outreach visits: the operation's visits
of the day (by any unit) add up on the vessel-control reporting unit's form, once outreach
is recorded here at all (before that, the unit types them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.org.models import Unit
from jinghai.org.service import sections_of_unit
from jinghai.outreach.models import AUDIENCES, OutreachVisit
from jinghai.reporting.computed import register_counter


def _count(session: Session, unit: Unit, day: date, audience: str) -> int | None:
    if "vessel_control" not in sections_of_unit(session, unit.id):
        return None
    if session.scalar(select(OutreachVisit.id).limit(1)) is None:
        return None
    return session.scalar(select(func.coalesce(func.sum(OutreachVisit.count), 0)).where(
        OutreachVisit.day == day, OutreachVisit.audience == audience)) or 0


def _register(audience: str, figure: str) -> None:
    register_counter(f"vessel_control.{figure}")(
        lambda session, unit, day: _count(session, unit, day, audience))


for _audience, (_label, _figure, _unit) in AUDIENCES.items():
    _register(_audience, _figure)
