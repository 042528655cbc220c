"""Reads of in-app notices. Whose notices a user sees is decided by one rule here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.notify.models import Notification


def whose_notices(user: User) -> ColumnElement[bool]:
    """A user sees the notices for their role and, when they belong to one, their unit's."""
    conds = [Notification.role == user.role]
    if user.unit_id:
        conds.append(Notification.unit_id == user.unit_id)
    return or_(*conds)


def notices_for(session: Session, user: User, limit: int = 100) -> list[Notification]:
    """The user's latest notices, newest first."""
    return list(session.scalars(select(Notification).where(whose_notices(user))
                                .order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count(Notification.id)).where(
        whose_notices(user), Notification.read_at.is_(None))) or 0


def notice_exists(session: Session, kind: str, link: str) -> bool:
    """Whether a notice of ``kind`` about ``link`` was already sent (to anyone): lets a
    round that runs every minute tell each thing once."""
    return session.scalar(select(Notification.id).where(
        Notification.kind == kind, Notification.link == link).limit(1)) is not None


__all__ = ["notice_exists", "notices_for", "unread_count", "whose_notices"]
