"""Reads of the supervision lists, limited to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, select, true
from sqlalchemy.orm import Session

from jinghai.accounts.access import may_read_all
from jinghai.accounts.models import User
from jinghai.org.models import Unit, WorkGroup
from jinghai.supervision.access import require_see
from jinghai.supervision.models import (
    Listing,
    Meeting,
    Problem,
    SupervisionVisit,
    TaskAssignment,
)


def _mine(user: User, col):
    if may_read_all(user):
        return true()
    if user.unit_id is None or not user.active:
        return false()
    return col == user.unit_id


@dataclass
class TaskRow:
    group: WorkGroup
    item_no: int
    text: str
    assignment: TaskAssignment | None


def responsibility_list(session: Session, user: User) -> list[TaskRow]:
    """Every group's task items (plan 三(一)–(八)) with their assignment; a liaison sees
    the items assigned to their unit."""
    assigned = {(a.group_id, a.item_no): a for a in session.scalars(
        select(TaskAssignment).where(_mine(user, TaskAssignment.unit_id)))}
    rows = []
    for group in session.scalars(select(WorkGroup).order_by(WorkGroup.number)):
        if group.task is None:
            continue
        for no, text in enumerate(group.task.items, start=1):
            a = assigned.get((group.id, no))
            if a is None and not may_read_all(user):
                continue
            rows.append(TaskRow(group, no, text, a))
    return rows


def list_problems(session: Session, user: User, *, kind: str = "", status: str = "",
                  overdue_on: date | None = None, source: str = "", source_id: int | None = None,
                  limit: int = 500) -> list[Problem]:
    q = select(Problem).where(_mine(user, Problem.unit_id))
    if kind:
        q = q.where(Problem.kind == kind)
    if status == "active":
        q = q.where(Problem.status != "closed")
    elif status:
        q = q.where(Problem.status == status)
    if overdue_on is not None:
        q = q.where(Problem.status != "closed", Problem.deadline < overdue_on)
    if source:
        q = q.where(Problem.source == source)
    if source_id is not None:
        q = q.where(Problem.source_id == source_id)
    return list(session.scalars(q.order_by(Problem.deadline, Problem.id).limit(limit)))


def list_visits(session: Session, user: User, limit: int = 200) -> list[SupervisionVisit]:
    return list(session.scalars(select(SupervisionVisit).where(
        _mine(user, SupervisionVisit.unit_id)).order_by(
        SupervisionVisit.visited_on.desc(), SupervisionVisit.id.desc()).limit(limit)))


def get_visit(session: Session, user: User, visit_id: int) -> SupervisionVisit | None:
    visit = session.get(SupervisionVisit, visit_id)
    if visit is not None:
        require_see(user, visit.unit_id)
    return visit


def list_listings(session: Session, user: User, status: str = "") -> list[Listing]:
    q = select(Listing).where(_mine(user, Listing.unit_id))
    if status:
        q = q.where(Listing.status == status)
    return list(session.scalars(q.order_by(Listing.status.desc(), Listing.deadline)))


def listings_geojson(session: Session, user: User) -> dict:
    """Listed places (with a position) as GeoJSON points for the map."""
    features = []
    for x in list_listings(session, user, status="listed"):
        if x.target_kind != "place" or x.lon is None or x.lat is None:
            continue
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [x.lon, x.lat]},
                         "properties": {"id": x.id, "name": x.name, "unit": x.unit.name,
                                        "reason": x.reason,
                                        "deadline": x.deadline.isoformat(),
                                        "link": f"/supervision/listings/{x.id}"}})
    return {"type": "FeatureCollection", "features": features}


def list_meetings(session: Session, user: User) -> list[Meeting]:
    meetings = list(session.scalars(select(Meeting).order_by(Meeting.held_on.desc())))
    if may_read_all(user):
        return meetings
    return [m for m in meetings if user.unit_id in (m.unit_ids or [])]


def meeting_units(session: Session, meeting: Meeting) -> list[Unit]:
    if not meeting.unit_ids:
        return []
    return list(session.scalars(select(Unit).where(Unit.id.in_(meeting.unit_ids))
                                .order_by(Unit.id)))

