"""The alerts' background work inside the web app: escalate overdue red alerts and deliver
the webhook outbox, every ``alert_worker_interval_s`` seconds.

Database work runs in a worker thread (``asyncio.to_thread``) so the event loop keeps
serving pages; a failed round is logged and the next one runs as usual.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from jinghai.alerts.service import AlertConfig, escalate_due, note_filed_reports
from jinghai.db import session_scope, utcnow
from jinghai.notify.webhooks import deliver_due

log = logging.getLogger(__name__)


def run_once(factory: sessionmaker[Session], settings: Any) -> tuple[int, int]:
    """One round: (alerts escalated, webhook messages tried)."""
    config = AlertConfig.from_settings(settings)
    now = utcnow()
    with session_scope(factory) as s:
        escalated = escalate_due(s, now, config=config)
        note_filed_reports(s, now=now)
    with session_scope(factory) as s:
        tried = deliver_due(s, now, max_attempts=settings.webhook_max_attempts,
                            backoff_s=settings.webhook_backoff_s)
    return len(escalated), len(tried)


async def alert_worker(factory: sessionmaker[Session], settings: Any) -> None:
    while True:
        await asyncio.sleep(settings.alert_worker_interval_s)
        try:
            await asyncio.to_thread(run_once, factory, settings)
        except Exception:
            log.exception("alert worker round failed")
        try:
            await asyncio.to_thread(overdue_round, factory, settings)
        except Exception:
            log.exception("patrol overdue round failed")


def overdue_round(factory: sessionmaker[Session], settings: Any) -> int:
    """Landing points overdue for a patrol, told to their sub-districts (once a day each)."""
    from jinghai.notify.webhooks import webhook_targets
    from jinghai.patrol.service import notify_overdue

    today = utcnow().astimezone(settings.tz).date()
    with session_scope(factory) as s:
        return notify_overdue(s, today, targets=webhook_targets(settings))


def start_live_detection(factory: sessionmaker[Session], settings: Any) -> Any:
    """Attach a :class:`LiveRunner` to the live AIS runtime when one exists."""
    from jinghai.detect.runner import LiveRunner

    runner = LiveRunner(lambda: session_scope(factory), settings)
    return runner if runner.attach() else None
