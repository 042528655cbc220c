"""Incident intake and the response checklist.

Intake reports to the office at once (第一时间上报): an in-app notice in the same
transaction, and a message to every configured webhook (plain JSON, DingTalk or WeCom
robot) through the shared outbox (:mod:`jinghai.notify.webhooks`): written with the intake,
delivered after it commits by the app's background worker, retried with backoff. A receiver
that is down never slows or fails the intake, and nothing is sent for an intake that was
rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.cases.access import (
    may_see_unit_data,
    owning_unit_id,
    require_staff_writer,
    require_unit_data,
)
from jinghai.db import utcnow
from jinghai.errors import Conflict, NotFound, PermissionDenied
from jinghai.incidents.models import RESPONSE_PLANS, Incident, IncidentStep
from jinghai.incidents.schemas import IncidentIn, VoidIn
from jinghai.notify.models import WebhookOutbox
from jinghai.notify.service import notify_role
from jinghai.notify.webhooks import enqueue_messages, robot_message
from jinghai.org.models import Unit
from jinghai.org.service import operation_tz

log = logging.getLogger(__name__)


def incident_message(incident: Incident, fmt: str, tz: ZoneInfo) -> dict[str, Any]:
    """The webhook body in ``fmt``: our JSON, or a DingTalk/WeCom robot markdown message
    with the time in ``tz``, the operation's time zone."""
    if fmt == "json":
        return incident_payload(incident)
    when = incident.occurred_at.astimezone(tz).strftime("%m-%d %H:%M")
    title = f"【第一时间上报】{incident.kind_label} {incident.persons}人"
    text = "\n".join([
        f"### {title}", f"- 时间：{when}（北京时间）", f"- 地点：{incident.place or '待报'}",
        f"- 国籍：{incident.nationalities or '不明'}", f"- 健康状况：{incident.health_label}",
        f"- 报告单位：{incident.unit.name}", f"- 编号：#{incident.id}"])
    return robot_message(fmt, title, text)


def enqueue_webhooks(session: Session, incident: Incident,
                     targets: Sequence[tuple[str, str]]) -> list[WebhookOutbox]:
    """The intake's message to every target, in the shared outbox; the worker delivers."""
    tz = operation_tz(session)
    rows = enqueue_messages(session, targets, lambda fmt: incident_message(incident, fmt, tz))
    session.flush()
    return rows


def incident_payload(incident: Incident) -> dict[str, Any]:
    return {
        "type": "incident", "id": incident.id, "kind": incident.kind,
        "kind_label": incident.kind_label, "persons": incident.persons,
        "nationalities": incident.nationalities, "place": incident.place,
        "lon": incident.lon, "lat": incident.lat,
        "occurred_at": incident.occurred_at.isoformat(),
        "health_state": incident.health_state, "unit": incident.unit.name,
    }


def open_incident(session: Session, user: User, data: IncidentIn,
                  webhook_targets: Sequence[tuple[str, str]] = ()) -> Incident:
    """Record an incident with its response checklist and report it to the office. A time
    given without a zone is the operation's local time."""
    require_staff_writer(user)
    occurred_at = data.occurred_at
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=operation_tz(session))
    incident = Incident(
        kind=data.kind, persons=data.persons, nationalities=data.nationalities.strip()[:200],
        place=data.place.strip()[:200], lon=data.lon, lat=data.lat,
        occurred_at=occurred_at, health_state=data.health_state,
        description=data.description.strip(), unit_id=owning_unit_id(session, user),
        created_by_id=user.id,
    )
    units = {u.key: u.id for u in session.scalars(select(Unit))}
    for pos, (step, unit_key) in enumerate(RESPONSE_PLANS[data.kind], start=1):
        incident.steps.append(IncidentStep(position=pos, step=step,
                                           unit_id=units.get(unit_key)))
    session.add(incident)
    session.flush()
    record(session, user, "create", "incident", incident.id,
           new=f"{incident.kind} {incident.persons}")
    notify_role(
        session, "office", "incident",
        f"{incident.kind_label}：{incident.persons}人（{incident.place or '地点待报'}）",
        body=(f"{incident.unit.name}报告：{incident.kind_label}{incident.persons}人，"
              f"国籍{incident.nationalities or '不明'}，健康状况{incident.health_label}。"),
        link=f"/incidents/{incident.id}", by=user,
    )
    session.flush()
    enqueue_webhooks(session, incident, webhook_targets)
    return incident


def get_incident_for(session: Session, user: User, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("个案不存在")
    if not any(may_see_unit_data(user, uid) for uid in
               [incident.unit_id, *(s.unit_id for s in incident.steps if s.unit_id)]):
        require_unit_data(user, incident.unit_id)
    return incident


def list_incidents(session: Session, user: User, limit: int = 200) -> list[Incident]:
    rows = session.scalars(select(Incident).order_by(Incident.occurred_at.desc()).limit(limit))
    return [i for i in rows if may_see_unit_data(user, i.unit_id)
            or any(may_see_unit_data(user, s.unit_id) for s in i.steps if s.unit_id)]


def _step_for(session: Session, user: User, step_id: int) -> IncidentStep:
    require_staff_writer(user)
    step = session.get(IncidentStep, step_id)
    if step is None:
        raise NotFound("处置步骤不存在")
    # The owning unit, the step's responsible unit and the office may tick it.
    if not (may_see_unit_data(user, step.incident.unit_id)
            or (step.unit_id is not None and may_see_unit_data(user, step.unit_id))):
        raise PermissionDenied("无权处理该步骤")
    return step


def start_step(session: Session, user: User, step_id: int, note: str = "") -> IncidentStep:
    step = _step_for(session, user, step_id)
    if step.started_at is not None:
        raise Conflict("该步骤已开始")
    step.started_at = utcnow()
    if note:
        step.note = note
    session.flush()
    record(session, user, "start", "incident_step", step.id, field=step.step)
    return step


def complete_step(session: Session, user: User, step_id: int, note: str = "") -> IncidentStep:
    step = _step_for(session, user, step_id)
    if step.done_at is not None:
        raise Conflict("该步骤已完成")
    now = utcnow()
    step.started_at = step.started_at or now
    step.done_at = now
    if note:
        step.note = note
    session.flush()
    record(session, user, "complete", "incident_step", step.id, field=step.step)
    return step


def void_incident(session: Session, user: User, incident_id: int, data: VoidIn) -> Incident:
    """作废: an incident recorded in error (a duplicate, a test, a wrong count) stops
    counting in the daily report's 个案处置 figures. Kept, with who voided it and why;
    the owning unit or the office may do it, audited."""
    require_staff_writer(user)
    incident = get_incident_for(session, user, incident_id)
    if not may_see_unit_data(user, incident.unit_id):
        raise PermissionDenied("只有报告单位或专班办公室可以作废该个案")
    if incident.voided_at is not None:
        raise Conflict("该个案已作废")
    incident.voided_at = utcnow()
    incident.void_reason = data.reason.strip()[:2000]
    incident.voided_by_id = user.id
    record(session, user, "void", "incident", incident.id, field="voided", old=False,
           new=True, reason=incident.void_reason)
    notify_role(
        session, "office", "incident", f"个案已作废：{incident.kind_label}{incident.persons}人",
        body=f"作废原因：{incident.void_reason}", link=f"/incidents/{incident.id}", by=user,
    )
    session.flush()
    return incident
