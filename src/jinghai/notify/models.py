"""In-app notices (reminders to units, immediate reports to the office, alert pushes) and
the outbox of messages to outside channels (DingTalk and WeCom robots, JSON receivers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jinghai.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """A notice for a unit's users (``unit_id``) or for everyone holding ``role``."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unit_read", "unit_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))  # reminder | incident | alert | info
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookOutbox(Base):
    """A message waiting to go to an outside channel (plain JSON, DingTalk or WeCom robot).
    Alerts, incidents, the supervision round and patrol reminders only write a row here;
    delivery happens later with retries and backoff, so a dead endpoint never holds them up.

    ``alert_id`` names the alert a message is about (none for the others); the foreign key
    is declared by table name so that this package does not import the alerts above it."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (Index("ix_webhook_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"),
                                                 nullable=True)
    url: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(20))  # json | dingtalk | wecom
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
