"""In-app notices: reminders to units, immediate reports to the office, alert pushes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
