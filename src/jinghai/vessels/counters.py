"""Figures of the daily report's 船舶管控 section that the registry counts itself.

Only units that report the section (the fisheries authority) get a value; for any other
unit the counters return None, so no computed figure appears on their forms.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jinghai.org.models import Unit
from jinghai.org.service import local_day_bounds, sections_of_unit
from jinghai.reporting.computed import register_counter
from jinghai.vessels.access import SECTION
from jinghai.vessels.models import (
    FishingVessel,
    OwnerKind,
    ThreeNoVessel,
    VesselOwner,
)


def _reports(session: Session, unit: Unit) -> bool:
    return SECTION in sections_of_unit(session, unit.id)


def _in_roster_at_end_of(session: Session, day: date):
    """Vessels on the roster at the end of ``day``: entered before the day ended and not
    removed (deregistered or scrapped) by then. Stock figures describe the day's close."""
    _, end = local_day_bounds(session, day)
    return (FishingVessel.created_at < end,
            or_(FishingVessel.removed_at.is_(None), FishingVessel.removed_at >= end))


@register_counter("vessel_control.fishing_vessels")
def count_fishing_vessels(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit):
        return None
    return session.scalar(
        select(func.count(FishingVessel.id)).where(*_in_roster_at_end_of(session, day))
    ) or 0


def _count_owners(session: Session, day: date, kind: OwnerKind) -> int:
    return session.scalar(
        select(func.count(func.distinct(VesselOwner.id)))
        .join(FishingVessel, FishingVessel.owner_id == VesselOwner.id)
        .where(VesselOwner.kind == kind.value, *_in_roster_at_end_of(session, day))
    ) or 0


@register_counter("vessel_control.owners_enterprise")
def count_owners_enterprise(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit):
        return None
    return _count_owners(session, day, OwnerKind.ENTERPRISE)


@register_counter("vessel_control.owners_individual")
def count_owners_individual(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit):
        return None
    return _count_owners(session, day, OwnerKind.INDIVIDUAL)


@register_counter("vessel_control.three_no_seized")
def count_three_no_seized(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit):
        return None
    start, end = local_day_bounds(session, day)
    return session.scalar(
        select(func.count(ThreeNoVessel.id))
        .where(ThreeNoVessel.seized_at >= start, ThreeNoVessel.seized_at < end)
    ) or 0


# 查验船只 (vessel_control.vessels_checked) is counted with every other inspection figure in
# jinghai.patrol.counters: an inspection counts in the inspecting unit's section, once.
