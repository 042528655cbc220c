"""出入境监管 figures counted from alerts: 发现异常出港船只 / 发现异常入港船只.

The figure is customs': vessels under customs supervision found leaving or entering
abnormally. So an unreported departure/arrival alert *confirmed* by the people who checked
it counts, on the local day it was confirmed, only for vessels that are not registry
fishing boats — a fishing boat's unreported departure or arrival is 船舶管控's alert, not
customs'. The section is reported by the three customs units and summed, so each alert
counts for exactly one of them: the unit its port reports to (``report_unit``), see
:func:`jinghai.alerts.service._report_unit`. Until the day is locked the report follows
the live count.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.alerts.models import Alert
from jinghai.org.models import Unit
from jinghai.org.service import local_day_bounds, sections_of_unit
from jinghai.reporting.computed import register_counter
from jinghai.vessels.models import FishingVessel

SECTION = "border_control"


def _count(session: Session, unit: Unit, day: date, kind: str) -> int | None:
    if SECTION not in sections_of_unit(session, unit.id):
        return None
    start, end = local_day_bounds(session, day)
    found = session.scalars(
        select(Alert.vessels).where(
            Alert.kind == kind, Alert.state == "closed", Alert.outcome == "confirmed",
            Alert.report_unit_id == unit.id, Alert.closed_at >= start, Alert.closed_at < end)
    ).all()
    if not found:
        return 0
    fishing = {m for m in session.scalars(
        select(FishingVessel.mmsi).where(FishingVessel.mmsi.is_not(None))) if m}
    return sum(1 for vessels in found
               if any(str(m) not in fishing for m in (vessels or [])))


@register_counter("border_control.abnormal_departures")
def count_abnormal_departures(session: Session, unit: Unit, day: date) -> int | None:
    return _count(session, unit, day, "unreported_departure")


@register_counter("border_control.abnormal_arrivals")
def count_abnormal_arrivals(session: Session, unit: Unit, day: date) -> int | None:
    return _count(session, unit, day, "unreported_arrival")
