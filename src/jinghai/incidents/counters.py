"""个案处置 figures counted from incidents: persons found entering illegally and persons
who asked for help at sea, on the incident's local day. Totals of the operation, so they
go on the reporting unit's form (the transport bureau) only. A voided incident no longer
counts; until the day is locked the report follows (counted figures are live)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.incidents.models import Incident
from jinghai.org.models import Unit
from jinghai.org.service import local_day_bounds, sections_of_unit
from jinghai.reporting.computed import register_counter


def _persons(session: Session, unit: Unit, day: date, kind: str) -> int | None:
    if "case_handling" not in sections_of_unit(session, unit.id):
        return None
    start, end = local_day_bounds(session, day)
    return session.scalar(select(func.coalesce(func.sum(Incident.persons), 0)).where(
        Incident.kind == kind, Incident.voided_at.is_(None), Incident.occurred_at >= start,
        Incident.occurred_at < end)) or 0


@register_counter("case_handling.illegal_entrants_today")
def count_illegal_entrants(session: Session, unit: Unit, day: date) -> int | None:
    return _persons(session, unit, day, "illegal_entry")


@register_counter("case_handling.sea_rescue_today")
def count_sea_rescue(session: Session, unit: Unit, day: date) -> int | None:
    return _persons(session, unit, day, "sea_rescue")
