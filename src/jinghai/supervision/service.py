"""The verbs of the office's working mechanisms: the only writers of supervision records.

Every change is audited in the same transaction. Bad input raises ``InvalidInput`` before
anything is added, so nothing is half-saved (a visit with a bad finding saves neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.accounts.access import require_office
from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.cases.evidence import store_file
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput, NotFound
from jinghai.notify.service import notify_role, notify_unit
from jinghai.notify.webhooks import enqueue_messages, robot_message
from jinghai.org.models import Unit, WorkGroup
from jinghai.supervision.access import require_see, require_unit_actor
from jinghai.supervision.models import (
    PROBLEM_SOURCES,
    Listing,
    ListingReview,
    Meeting,
    Problem,
    ProgressNote,
    SupervisionVisit,
    TaskAssignment,
)
from jinghai.supervision.records import local_today
from jinghai.supervision.schemas import (
    AssignTaskIn,
    ListingIn,
    MeetingIn,
    NoteIn,
    ProblemIn,
    SignOffIn,
    TaskProgressIn,
    VisitIn,
)

Upload = tuple[str, bytes]  # (file name as given, bytes)


def _unit(session: Session, key: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.key == key))
    if unit is None:
        raise InvalidInput(f"单位不存在：{key}")
    return unit


def _attach(session: Session, user: User, unit_id: int, upload: Upload | None,
            data_dir: Path | None):
    if upload is None or not upload[1]:
        return None
    if data_dir is None:
        raise InvalidInput("未配置文件存放目录")
    return store_file(session, user, unit_id, upload[0], upload[1], data_dir)


# -- responsibility list (责任清单) --------------------------------------------------------
def assign_task(session: Session, user: User, data: AssignTaskIn) -> TaskAssignment:
    """Make sub-item ``item_no`` of a group's task a unit's job (re-assigning is audited)."""
    require_office(user)
    group = session.scalar(select(WorkGroup).where(WorkGroup.key == data.group_key))
    if group is None or group.task is None:
        raise InvalidInput(f"工作组不存在或没有任务：{data.group_key}")
    items = group.task.items
    if not 1 <= data.item_no <= len(items):
        raise InvalidInput(f"{group.name}的任务只有 {len(items)} 项")
    unit = _unit(session, data.unit_key)
    row = session.scalar(select(TaskAssignment).where(
        TaskAssignment.group_id == group.id, TaskAssignment.item_no == data.item_no))
    old = None
    if row is None:
        row = TaskAssignment(group_id=group.id, item_no=data.item_no,
                             item_text=items[data.item_no - 1], status="assigned", evidence="")
        session.add(row)
    else:
        old = f"{row.unit.key} {row.person} {row.deadline}"
    row.unit_id, row.person, row.deadline = unit.id, data.person, data.deadline
    row.updated_at = utcnow()
    session.flush()
    record(session, user, "assign", "sv_task", row.id, old=old,
           new=f"{unit.key} {data.person} {data.deadline}")
    return row


def update_task(session: Session, user: User, task_id: int, data: TaskProgressIn
                ) -> TaskAssignment:
    row = session.get(TaskAssignment, task_id)
    if row is None:
        raise NotFound("责任事项不存在")
    require_unit_actor(user, row.unit_id)
    if data.status == "done" and not (data.evidence or row.evidence):
        raise InvalidInput("标记完成须填写完成情况（佐证）")
    old = row.status
    row.status = data.status
    if data.evidence:
        row.evidence = data.evidence
    row.updated_at = utcnow()
    record(session, user, "update", "sv_task", row.id, field="status", old=old,
           new=data.status, reason=data.evidence)
    return row


# -- problem and rectification lists (问题清单/整改清单) ------------------------------------
def _new_problem(session: Session, user: User, data: ProblemIn, kind: str = "problem"
                 ) -> Problem:
    unit = _unit(session, data.unit_key)
    problem = Problem(kind=kind, source=data.source, source_id=data.source_id,
                      title=data.title, description=data.description, unit_id=unit.id,
                      deadline=data.deadline, status="open", created_by_id=user.id,
                      sign_off_note="")
    session.add(problem)
    session.flush()
    record(session, user, "create", "sv_problem", problem.id,
           new=f"{kind} {data.source} {unit.key} {data.deadline}: {data.title}")
    notify_unit(
        session, unit.id, "reminder", f"新{problem.kind_label}：{problem.title}",
        body=f"来源：{problem.source_label}；整改时限 {problem.deadline:%Y-%m-%d}。",
        link=f"/supervision/problems/{problem.id}", by=user)
    return problem


def add_problem(session: Session, user: User, data: ProblemIn) -> Problem:
    """A problem the office puts on the list by hand, e.g. from an alert or a report."""
    require_office(user)
    if data.source_id is not None:
        from jinghai.alerts.models import Alert

        model = {"alert": Alert, "supervision": SupervisionVisit, "meeting": Meeting}.get(
            data.source)
        if model is not None and session.get(model, data.source_id) is None:
            raise InvalidInput(f"来源记录不存在：{PROBLEM_SOURCES[data.source]} #{data.source_id}")
    return _new_problem(session, user, data)


def add_note(session: Session, user: User, problem_id: int, data: NoteIn, *,
             upload: Upload | None = None, data_dir: Path | None = None,
             submit: bool = False) -> ProgressNote:
    """The unit reports progress, with a file as evidence; ``submit`` asks the office to
    strike the item off (销号)."""
    problem = get_problem(session, user, problem_id)
    require_unit_actor(user, problem.unit_id)
    if problem.status == "closed":
        raise Conflict("该事项已销号")
    file = _attach(session, user, problem.unit_id, upload, data_dir)
    note = ProgressNote(problem_id=problem.id, text=data.text, user_id=user.id,
                        file_id=file.id if file else None, at=utcnow())
    problem.notes.append(note)
    session.flush()
    record(session, user, "note", "sv_problem", problem.id, new=data.text[:500])
    if submit and problem.status == "open":
        problem.status = "submitted"
        record(session, user, "update", "sv_problem", problem.id, field="status", old="open",
               new="submitted")
        notify_role(session, "office", "info", f"申请销号：{problem.title}",
                    body=f"{problem.unit.name}报告整改完成，请审核。",
                    link=f"/supervision/problems/{problem.id}", by=user)
    return note


def sign_off(session: Session, user: User, problem_id: int, data: SignOffIn) -> Problem:
    """The office strikes the item off, or sends it back to the unit with a reason."""
    require_office(user)
    problem = get_problem(session, user, problem_id)
    if problem.status == "closed":
        raise Conflict("该事项已销号")
    if not data.accept and not data.note:
        raise InvalidInput("退回须写明理由")
    if data.accept and not problem.notes:
        raise InvalidInput("单位尚未报告整改情况，不能销号")
    old = problem.status
    if data.accept:
        problem.status = "closed"
        problem.signed_off_by_id = user.id
        problem.signed_off_at = utcnow()
        problem.sign_off_note = data.note
    else:
        problem.status = "open"
        problem.notes.append(ProgressNote(text=f"【退回】{data.note}", user_id=user.id,
                                          at=utcnow()))
        notify_unit(session, problem.unit_id, "reminder", f"整改被退回：{problem.title}",
                    body=data.note, link=f"/supervision/problems/{problem.id}", by=user)
    record(session, user, "update", "sv_problem", problem.id, field="status", old=old,
           new=problem.status, reason=data.note)
    return problem


def get_problem(session: Session, user: User, problem_id: int) -> Problem:
    problem = session.get(Problem, problem_id)
    if problem is None:
        raise NotFound("事项不存在")
    require_see(user, problem.unit_id)
    return problem


# -- supervision visits (督导检查) ----------------------------------------------------------
def record_visit(session: Session, user: User, data: VisitIn) -> SupervisionVisit:
    """A visit and its findings; each finding becomes a problem on the unit's list."""
    require_office(user)
    unit = _unit(session, data.unit_key)
    visit = SupervisionVisit(team=data.team, inspectors=data.inspectors,
                             place_kind=data.place_kind, place=data.place, unit_id=unit.id,
                             zone_id=data.zone_id or None, visited_on=data.visited_on,
                             checked=data.checked, created_by_id=user.id)
    session.add(visit)
    session.flush()
    record(session, user, "create", "sv_visit", visit.id,
           new=f"{data.visited_on} {unit.key} {data.place}: {len(data.findings)} findings")
    for f in data.findings:
        _new_problem(session, user, ProblemIn(
            title=f.title, description=f.description, unit_key=unit.key, deadline=f.deadline,
            source="supervision", source_id=visit.id))
    return visit


def add_finding(session: Session, user: User, visit_id: int, title: str, description: str,
                deadline: date) -> Problem:
    require_office(user)
    visit = session.get(SupervisionVisit, visit_id)
    if visit is None:
        raise NotFound("督导记录不存在")
    return _new_problem(session, user, ProblemIn(
        title=title, description=description, unit_key=visit.unit.key, deadline=deadline,
        source="supervision", source_id=visit.id))


# -- listed rectification (挂牌整治) --------------------------------------------------------
def list_for_rectification(session: Session, user: User, data: ListingIn, *,
                           today: date | None = None) -> Listing:
    require_office(user)
    unit = _unit(session, data.unit_key)
    if (data.lon is None) != (data.lat is None):
        raise InvalidInput("经度和纬度须同时填写")
    listed_on = data.listed_on or today or local_today(session)
    if data.deadline < listed_on:
        raise InvalidInput("整治时限不能早于挂牌日期")
    listing = Listing(target_kind=data.target_kind, name=data.name, unit_id=unit.id,
                      zone_id=data.zone_id or None, lon=data.lon, lat=data.lat,
                      reason=data.reason, deadline=data.deadline, status="listed",
                      listed_on=listed_on, delist_note="", created_by_id=user.id)
    session.add(listing)
    session.flush()
    record(session, user, "list", "sv_listing", listing.id,
           new=f"{data.target_kind} {data.name} {unit.key} until {data.deadline}",
           reason=data.reason)
    notify_unit(session, unit.id, "reminder", f"挂牌整治：{listing.name}",
                body=f"{data.reason}（整治时限 {data.deadline:%Y-%m-%d}）",
                link=f"/supervision/listings/{listing.id}", by=user)
    return listing


def get_listing(session: Session, user: User, listing_id: int) -> Listing:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("挂牌记录不存在")
    require_see(user, listing.unit_id)
    return listing


def review_listing(session: Session, user: User, listing_id: int, text: str, *,
                   upload: Upload | None = None, data_dir: Path | None = None
                   ) -> ListingReview:
    """The listed unit gives evidence of its rectification, or the office notes a review."""
    listing = get_listing(session, user, listing_id)
    require_unit_actor(user, listing.unit_id)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写整治情况")
    if listing.status != "listed":
        raise Conflict("已摘牌")
    file = _attach(session, user, listing.unit_id, upload, data_dir)
    review = ListingReview(listing_id=listing.id, text=text[:4000], user_id=user.id,
                           file_id=file.id if file else None, at=utcnow())
    listing.reviews.append(review)
    session.flush()
    record(session, user, "review", "sv_listing", listing.id, new=text[:500])
    return review


def delist(session: Session, user: User, listing_id: int, note: str, *,
           today: date | None = None) -> Listing:
    require_office(user)
    listing = get_listing(session, user, listing_id)
    note = (note or "").strip()
    if listing.status != "listed":
        raise Conflict("已摘牌")
    if not note:
        raise InvalidInput("摘牌须填写验收意见")
    if not listing.reviews:
        raise InvalidInput("尚无整治情况，不能摘牌")
    listing.status = "delisted"
    listing.delisted_on = today or local_today(session)
    listing.delist_note = note[:2000]
    record(session, user, "delist", "sv_listing", listing.id, field="status", old="listed",
           new="delisted", reason=note)
    notify_unit(session, listing.unit_id, "info", f"已摘牌：{listing.name}", body=note,
                link=f"/supervision/listings/{listing.id}", by=user)
    return listing


# -- joint meetings (联席会商) --------------------------------------------------------------
def record_meeting(session: Session, user: User, data: MeetingIn) -> Meeting:
    """The meeting and its decisions, each an action item tracked like a problem."""
    require_office(user)
    units = [_unit(session, k) for k in dict.fromkeys(data.unit_keys)]
    decision_units = [_unit(session, d.unit_key) for d in data.decisions]
    del decision_units  # checked before anything is added
    year = data.held_on.year
    seq = (session.scalar(select(func.max(Meeting.seq)).where(Meeting.year == year)) or 0) + 1
    meeting = Meeting(held_on=data.held_on, place=data.place, chair=data.chair,
                      unit_ids=[u.id for u in units], topics=data.topics, year=year, seq=seq,
                      created_by_id=user.id)
    session.add(meeting)
    session.flush()
    record(session, user, "create", "sv_meeting", meeting.id,
           new=f"{data.held_on} {len(units)} units, {len(data.decisions)} decisions")
    for d in data.decisions:
        _new_problem(session, user, ProblemIn(title=d.title, unit_key=d.unit_key,
                                              deadline=d.deadline, source="meeting",
                                              source_id=meeting.id), kind="action")
    return meeting


def add_decision(session: Session, user: User, meeting_id: int, title: str, unit_key: str,
                 deadline: date) -> Problem:
    require_office(user)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("会商记录不存在")
    return _new_problem(session, user, ProblemIn(title=title, unit_key=unit_key,
                                                 deadline=deadline, source="meeting",
                                                 source_id=meeting.id), kind="action")


# -- overdue reminders --------------------------------------------------------------------
@dataclass
class Reminded:
    problems: list[Problem]
    listings: list[Listing]


def _reminder_message(fmt: str, title: str, lines: list[str]) -> dict[str, Any]:
    if fmt == "json":
        return {"type": "overdue", "title": title, "lines": lines}
    return robot_message(fmt, title, "\n".join([f"### {title}", *[f"- {x}" for x in lines]]))


def remind_overdue(session: Session, today: date,
                   webhook_targets: Sequence[tuple[str, str]] = (), *,
                   now: datetime | None = None) -> Reminded:
    """Each overdue problem, action item and listing reminds its unit once a day: a notice
    in the app, and one message per webhook target through the shared outbox."""
    now = now or utcnow()
    problems = list(session.scalars(select(Problem).where(
        Problem.status != "closed", Problem.deadline < today).order_by(Problem.id)))
    listings = list(session.scalars(select(Listing).where(
        Listing.status == "listed", Listing.deadline < today).order_by(Listing.id)))
    problems = [p for p in problems if p.last_reminded_on != today]
    listings = [x for x in listings if x.last_reminded_on != today]
    lines = []
    for p in problems:
        days = (today - p.deadline).days
        notify_unit(session, p.unit_id, "reminder", f"【逾期{days}天】{p.kind_label}：{p.title}",
                    body=f"整改时限 {p.deadline:%Y-%m-%d}，请尽快落实并报告。",
                    link=f"/supervision/problems/{p.id}", at=now)
        p.last_reminded_on = today
        lines.append(f"{p.unit.name}：{p.title}（逾期{days}天）")
        record(session, None, "remind", "sv_problem", p.id, new=f"overdue {days} days")
    for x in listings:
        days = (today - x.deadline).days
        notify_unit(session, x.unit_id, "reminder", f"【逾期{days}天】挂牌整治：{x.name}",
                    body=f"整治时限 {x.deadline:%Y-%m-%d}，请尽快完成整治。",
                    link=f"/supervision/listings/{x.id}", at=now)
        x.last_reminded_on = today
        lines.append(f"{x.unit.name}：挂牌整治 {x.name}（逾期{days}天）")
        record(session, None, "remind", "sv_listing", x.id, new=f"overdue {days} days")
    if lines and webhook_targets:
        title = f"【净海督办】逾期整改事项 {len(lines)} 项（{today:%m-%d}）"
        enqueue_messages(session, webhook_targets,
                         lambda fmt: _reminder_message(fmt, title, lines), now=now)
    session.flush()
    return Reminded(problems, listings)


__all__ = ["add_decision", "add_finding", "add_note", "add_problem", "assign_task", "delist",
           "get_listing", "get_problem", "list_for_rectification", "record_meeting",
           "record_visit", "remind_overdue", "review_listing", "sign_off", "update_task"]

