"""The alerts' round of background work: escalate overdue red alerts and deliver the
webhook outbox. The web app runs it every ``alert_worker_interval_s`` seconds beside the
other domains' rounds (see :mod:`jinghai.rounds`).
"""

from __future__ import annotations

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
