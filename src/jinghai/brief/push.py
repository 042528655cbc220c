"""The leader's brief of the day before, pushed once a day to the configured webhooks from
``brief_push_at`` local time. Safe to run every round: a pushed brief leaves an audit row
that the next round finds. Here, above supervision, because the brief reads every domain."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jinghai.accounts.models import Role, User
from jinghai.audit.models import AuditEvent
from jinghai.audit.service import record
from jinghai.brief.queries import Brief, daily_brief
from jinghai.db import session_scope
from jinghai.notify.webhooks import enqueue_messages, robot_message, webhook_targets
from jinghai.supervision.records import fmt
from jinghai.supervision.worker import local_time_of

log = logging.getLogger(__name__)


def brief_message(brief: Brief, fmt_name: str) -> dict[str, Any]:
    title = f"【净海领导日报】{brief.day:%Y-%m-%d}"
    lines = [f"- {f.label}：{fmt(f.today)}{f.unit}（前一日 {fmt(f.yesterday)}）"
             for f in brief.figures[:8]]
    lines += [f"- 报送完成率：{brief.completeness}",
              f"- 未关闭红色预警：{len(brief.red_alerts)} 条",
              f"- 新增线索 {brief.new_clues} 条，立案 {brief.new_cases} 起，个案 {brief.incidents} 起",
              f"- 逾期整改：{len(brief.overdue)} 项"]
    if fmt_name == "json":
        return {"type": "brief", "day": brief.day.isoformat(), "title": title, "lines": lines}
    return robot_message(fmt_name, title, "\n".join([f"### {title}", *lines]))


def push_brief(session: Session, settings: Any, now: datetime) -> bool:
    """Push yesterday's brief once; True when it was queued this time."""
    day = now.astimezone(settings.tz).date() - timedelta(days=1)
    if session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "push", AuditEvent.entity_type == "brief",
            AuditEvent.entity_id == day.isoformat())) is not None:
        return False
    targets = webhook_targets(settings)
    if not targets:
        return False
    reader = User(username="system", display_name="系统", role=Role.OFFICE.value,
                  password_hash="!")
    brief = daily_brief(session, reader, day)
    enqueue_messages(session, targets, lambda f: brief_message(brief, f), now=now)
    record(session, None, "push", "brief", day.isoformat(), new=f"{len(targets)} targets")
    return True


def run_once(factory: sessionmaker[Session], settings: Any, now: datetime) -> None:
    push_at = local_time_of(settings.brief_push_at)
    if push_at is not None and now.astimezone(settings.tz).time() >= push_at:
        with session_scope(factory) as s:
            push_brief(s, settings, now)
