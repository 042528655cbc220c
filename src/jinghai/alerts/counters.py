"""出入境监管 figures counted from alerts: 发现异常出港船只 / 发现异常入港船只.

An abnormal departure or arrival is an unreported departure/arrival alert *confirmed* by
the people who checked it, counted on the local day it was confirmed (the day it was
"found"; a day's report already locked does not change afterwards). The border-control
section is reported by the three customs units and summed, so each confirmed alert counts
for exactly one of them: the unit its port reports to (``report_unit``), see
:func:`jinghai.alerts.service._report_unit`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.alerts.models import Alert
from jinghai.cases.queries import local_day_bounds
from jinghai.org.models import Unit
from jinghai.org.service import sections_of_unit
from jinghai.reporting.computed import register_counter

SECTION = "border_control"


def _count(session: Session, unit: Unit, day: date, kind: str) -> int | None:
    if SECTION not in sections_of_unit(session, unit.id):
        return None
    start, end = local_day_bounds(session, day)
    return session.scalar(select(func.count(Alert.id)).where(
        Alert.kind == kind, Alert.state == "closed", Alert.outcome == "confirmed",
        Alert.report_unit_id == unit.id, Alert.closed_at >= start,
        Alert.closed_at < end)) or 0


@register_counter("border_control.abnormal_departures")
def count_abnormal_departures(session: Session, unit: Unit, day: date) -> int | None:
    return _count(session, unit, day, "unreported_departure")


@register_counter("border_control.abnormal_arrivals")
def count_abnormal_arrivals(session: Session, unit: Unit, day: date) -> int | None:
    return _count(session, unit, day, "unreported_arrival")
