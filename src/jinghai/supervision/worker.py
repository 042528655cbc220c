"""The office's daily background work inside the web app: remind units of overdue items
(each once a day) from ``supervision_remind_at`` local time. Safe to run every round:
reminders keep the day they were sent on each item. (The leader's brief is pushed by
``jinghai.brief.push``, which sits above supervision.)"""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from jinghai.db import session_scope
from jinghai.notify.webhooks import webhook_targets
from jinghai.supervision.service import remind_overdue

log = logging.getLogger(__name__)


def local_time_of(value: str) -> time | None:
    """A setting's "HH:MM" as a time of day; empty means the work is switched off."""
    if not value:
        return None
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def run_once(factory: sessionmaker[Session], settings: Any, now: datetime) -> None:
    local = now.astimezone(settings.tz)
    remind_at = local_time_of(settings.supervision_remind_at)
    if remind_at is not None and local.time() >= remind_at:
        with session_scope(factory) as s:
            remind_overdue(s, local.date(), webhook_targets(settings), now=now)
