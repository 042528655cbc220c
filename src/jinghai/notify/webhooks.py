"""Messages to outside channels through an outbox: write now, deliver later, retry.

A domain (alerts, incidents, the supervision round, patrol reminders) only adds
:class:`~jinghai.notify.models.WebhookOutbox` rows in its own transaction
(:func:`enqueue_messages`); the app's background worker (or ``jinghai`` tests) calls
:func:`deliver_due`, which POSTs each due row and on failure schedules the next try after
``backoff_s × 2^(attempts-1)`` (capped at an hour), giving up after ``max_attempts``. So a
dead DingTalk robot never slows a detector down or loses an alert, and a restart resumes
where delivery stopped.

Formats: ``json`` (our own plain object), ``dingtalk`` (DingTalk custom robot,
``{"msgtype": "markdown", "markdown": {"title", "text"}}``) and ``wecom`` (WeCom group
robot, ``{"msgtype": "markdown", "markdown": {"content"}}``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.db import utcnow
from jinghai.notify.models import WebhookOutbox

log = logging.getLogger(__name__)

Poster = Callable[[str, dict[str, Any]], None]
FORMATS = ("json", "dingtalk", "wecom")
MAX_BACKOFF_S = 3600.0


def http_post(url: str, payload: dict[str, Any]) -> None:
    """POST JSON; raises on a network error, a non-2xx answer, or a robot's error code
    (DingTalk and WeCom answer HTTP 200 with ``errcode`` ≠ 0 when they refuse)."""
    r = httpx.post(url, json=payload, timeout=5.0)
    r.raise_for_status()
    if r.headers.get("content-type", "").startswith("application/json"):
        body = r.json()
        if isinstance(body, dict) and body.get("errcode") not in (None, 0):
            raise RuntimeError(f"robot refused: {body.get('errcode')} {body.get('errmsg')}")


def robot_message(fmt: str, title: str, text: str) -> dict[str, Any]:
    """A DingTalk or WeCom group-robot markdown message."""
    if fmt == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    raise ValueError(f"unknown webhook format {fmt!r}; use one of {FORMATS}")


def webhook_targets(settings: Any) -> list[tuple[str, str]]:
    """(url, format) of every outside channel: the robots of ``alert_webhooks`` and the
    plain-JSON receivers of ``webhook_urls``. Alerts and incidents both go to these."""
    hooks = [(w.url, w.format) for w in getattr(settings, "alert_webhooks", [])]
    return hooks + [(u, "json") for u in getattr(settings, "webhook_urls", [])]


def enqueue_messages(session: Session, targets: Sequence[tuple[str, str]],
                     message: Callable[[str], dict[str, Any]], *,
                     alert_id: int | None = None, now: datetime | None = None
                     ) -> list[WebhookOutbox]:
    """One outbox row per (url, format) target, due now; ``message(fmt)`` gives its body."""
    now = now or utcnow()
    rows = [WebhookOutbox(alert_id=alert_id, url=url[:500], format=fmt, payload=message(fmt),
                          status="pending", attempts=0, next_attempt_at=now, created_at=now,
                          last_error="")
            for url, fmt in targets]
    session.add_all(rows)
    return rows


def backoff(attempts: int, base_s: float) -> timedelta:
    return timedelta(seconds=min(base_s * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_S))


def deliver_due(session: Session, now: datetime | None = None, *, post: Poster = http_post,
                max_attempts: int = 6, backoff_s: float = 30.0, limit: int = 50
                ) -> list[WebhookOutbox]:
    """Try every due pending row once. Never raises for a receiver's failure."""
    now = now or utcnow()
    rows = list(session.scalars(
        select(WebhookOutbox).where(WebhookOutbox.status == "pending",
                                    WebhookOutbox.next_attempt_at <= now)
        .order_by(WebhookOutbox.next_attempt_at, WebhookOutbox.id).limit(limit)))
    for row in rows:
        row.attempts += 1
        try:
            post(row.url, row.payload)
        except Exception as exc:  # noqa: BLE001 - any failure of the receiver
            row.last_error = f"{exc.__class__.__name__}: {exc}"[:1000]
            if row.attempts >= max_attempts:
                row.status = "failed"
            else:
                row.next_attempt_at = now + backoff(row.attempts, backoff_s)
            log.warning("webhook failed", extra={
                "url": row.url, "outbox_id": row.id, "attempt": row.attempts,
                "error": row.last_error})
            continue
        row.status = "sent"
        row.sent_at = now
        row.last_error = ""
    session.flush()
    return rows


__all__ = ["FORMATS", "backoff", "deliver_due", "enqueue_messages", "http_post",
           "robot_message", "webhook_targets"]
