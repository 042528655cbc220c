"""The verbs that write in-app notices. Every domain that tells someone something (a report
returned, an alert routed, a problem overdue) calls these instead of building rows, so a
notice's shape — who it is for, how long a title may be — is decided here once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.db import utcnow
from jinghai.notify.models import Notification
from jinghai.notify.queries import whose_notices

TITLE_MAX = 200
LINK_MAX = 300


def _notice(session: Session, *, unit_id: int | None, role: str | None, kind: str,
            title: str, body: str, link: str, by: User | None,
            at: datetime | None) -> Notification:
    notice = Notification(unit_id=unit_id, role=role, kind=kind, title=title[:TITLE_MAX],
                          body=body, link=link[:LINK_MAX],
                          created_by_id=by.id if by is not None else None)
    if at is not None:
        notice.created_at = at
    session.add(notice)
    return notice


def notify_unit(session: Session, unit_id: int, kind: str, title: str, *, body: str = "",
                link: str = "", by: User | None = None, at: datetime | None = None
                ) -> Notification:
    """A notice for every user of the unit ``unit_id`` (a sub-district, a department)."""
    return _notice(session, unit_id=unit_id, role=None, kind=kind, title=title, body=body,
                   link=link, by=by, at=at)


def notify_role(session: Session, role: str, kind: str, title: str, *, body: str = "",
                link: str = "", by: User | None = None, at: datetime | None = None
                ) -> Notification:
    """A notice for everyone holding ``role`` (``office``: the task force's office)."""
    return _notice(session, unit_id=None, role=role, kind=kind, title=title, body=body,
                   link=link, by=by, at=at)


def notify_user(session: Session, user: User, kind: str, title: str, *, body: str = "",
                link: str = "", by: User | None = None, at: datetime | None = None
                ) -> Notification:
    """A notice that reaches ``user``: notices are kept per unit or per role, so it goes to
    the user's unit when they have one, else to their role."""
    if user.unit_id:
        return notify_unit(session, user.unit_id, kind, title, body=body, link=link, by=by,
                           at=at)
    return notify_role(session, user.role, kind, title, body=body, link=link, by=by, at=at)


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    """Every unread notice of ``user`` read now; returns how many."""
    now = now or utcnow()
    notices = list(session.scalars(select(Notification).where(
        whose_notices(user), Notification.read_at.is_(None))))
    for notice in notices:
        notice.read_at = now
    return len(notices)


__all__ = ["mark_all_read", "notify_role", "notify_unit", "notify_user"]
