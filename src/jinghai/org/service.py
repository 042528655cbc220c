"""Creating the operation from its template, and reading its structure."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload

from jinghai.errors import Conflict, InvalidInput, NotFound
from jinghai.org.models import GroupMember, GroupTask, Operation, Unit, WorkGroup
from jinghai.org.template import LoadedTemplate


def init_operation(
    session: Session, template: LoadedTemplate, sections: Collection[str] | None = None
) -> Operation:
    """Write the template's operation, units, groups and tasks into an empty database.

    ``sections`` are the daily report's section keys (``reporting.form``, which sits above
    org): each work group reports one, so a template naming a group the form lacks is
    refused. The entry points (``jinghai init``, the demo) pass them."""
    if session.scalar(select(Operation.id)) is not None:
        raise Conflict("数据库中已有行动，不能重复初始化")
    spec = template.spec
    for g in spec.groups:
        if sections is not None and g.key not in sections:
            raise InvalidInput(f"工作组 {g.key} 在日报表中没有对应栏目")
    op = Operation(
        key=spec.operation.key,
        name=spec.operation.name,
        short_name=spec.operation.short_name,
        district=spec.operation.district,
        office_name=spec.operation.office_name,
        report_caption=spec.operation.report_caption,
        reports_to=spec.operation.reports_to,
        start_date=spec.operation.start_date,
        timezone=spec.operation.timezone,
        report_deadline=spec.operation.report_deadline,
        template_text=template.text,
    )
    session.add(op)
    units = {}
    for u in spec.units:
        units[u.key] = Unit(key=u.key, name=u.name, kind=u.kind, parent_name=u.parent)
        session.add(units[u.key])
    session.flush()
    for g in spec.groups:
        group = WorkGroup(key=g.key, number=g.number, name=g.name, lead_unit_id=units[g.lead].id)
        session.add(group)
        session.flush()
        session.add(GroupMember(group_id=group.id, unit_id=units[g.lead].id, role="lead"))
        for key in g.cooperating:
            session.add(GroupMember(group_id=group.id, unit_id=units[key].id, role="cooperating"))
        for key in g.reporting_units:
            session.add(GroupMember(group_id=group.id, unit_id=units[key].id, role="reporting"))
        task = spec.tasks.get(g.key)
        if task:
            session.add(GroupTask(group_id=group.id, title=task.title,
                                  items_text="\n".join(task.items)))
    session.flush()
    return op


_OPERATION = "jinghai_operation"


def get_operation(session: Session) -> Operation:
    """The operation. Asked several times by one request (the day's checks, the deadline,
    the view, counters): read once per transaction and kept (the session's identity map
    alone would let it go) while it stays persistent in the session; an expired one
    reloads itself when read."""
    op = session.info.get(_OPERATION)
    if op is None or not inspect(op).persistent:
        op = session.scalar(select(Operation).limit(1))
    if op is None:
        raise NotFound("数据库尚未初始化，请先运行 jinghai init")
    session.info[_OPERATION] = op
    return op


def get_unit(session: Session, key: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.key == key))
    if unit is None:
        raise NotFound(f"没有这个单位: {key}")
    return unit


def list_units(session: Session, kind: str | None = None) -> list[Unit]:
    """Every unit, or those of one ``kind`` (office, agency, sub-district...), by id."""
    q = select(Unit).order_by(Unit.id)
    if kind is not None:
        q = q.where(Unit.kind == kind)
    return list(session.scalars(q))


def list_groups(session: Session) -> list[WorkGroup]:
    return list(
        session.scalars(
            select(WorkGroup)
            .options(selectinload(WorkGroup.members).selectinload(GroupMember.unit),
                     selectinload(WorkGroup.task), selectinload(WorkGroup.lead_unit))
            .order_by(WorkGroup.number)
        )
    )


@dataclass(frozen=True)
class ReportingSlot:
    """A (unit, section) pair that owes a daily report."""

    unit: Unit
    section: str
    group_name: str


_SLOTS = "jinghai_reporting_slots"


def reporting_slots(session: Session) -> list[ReportingSlot]:
    """Who reports which section. Asked several times by one report request (access
    checks, the view, computed figures): read once per transaction, and again after any
    flush of it (which may have changed the groups)."""
    cached = session.info.get(_SLOTS)
    if cached is not None:
        return list(cached)
    rows = session.execute(
        select(GroupMember, WorkGroup)
        .join(WorkGroup, GroupMember.group_id == WorkGroup.id)
        .where(GroupMember.role == "reporting")
        .options(joinedload(GroupMember.unit))  # one round trip, not two: every report page
        .order_by(WorkGroup.number, GroupMember.id)
    ).all()
    slots = [ReportingSlot(unit=m.unit, section=g.key, group_name=g.name) for m, g in rows]
    session.info[_SLOTS] = slots
    return list(slots)


@event.listens_for(Session, "after_flush")
def _forget_slots_after_flush(session: Session, _context) -> None:
    session.info.pop(_SLOTS, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_slots_after_transaction(session: Session, transaction) -> None:
    session.info.pop(_SLOTS, None)
    if transaction.parent is None:  # the session's own transaction, not a flush's inner one
        session.info.pop(_OPERATION, None)


def sections_of_unit(session: Session, unit_id: int) -> list[str]:
    return [s.section for s in reporting_slots(session) if s.unit.id == unit_id]


def operation_tz(session: Session) -> ZoneInfo:
    """The operation's time zone: the one source for what "a day" means in its records."""
    return ZoneInfo(get_operation(session).timezone)


def local_day_bounds(session: Session, day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in the operation's time zone, as aware UTC."""
    start = datetime.combine(day, time(0), operation_tz(session))
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def local_today(op: Operation, now: datetime) -> date:
    return now.astimezone(ZoneInfo(op.timezone)).date()


def deadline_of(op: Operation, day: date) -> datetime:
    hh, mm = (int(x) for x in op.report_deadline.split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(op.timezone))
