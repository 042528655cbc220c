"""In-app notices for the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.db import utcnow
from jinghai.notify.models import Notification
from jinghai.web.deps import CurrentUser, DbSession
from jinghai.web.render import render

router = APIRouter()


def _mine(user: User):
    conds = [Notification.role == user.role]
    if user.unit_id:
        conds.append(Notification.unit_id == user.unit_id)
    return or_(*conds)


def notices_for(db: Session, user: User, limit: int = 100) -> list[Notification]:
    return list(db.scalars(select(Notification).where(_mine(user))
                           .order_by(Notification.id.desc()).limit(limit)))


@router.get("/notifications", include_in_schema=False)
def notifications_page(request: Request, db: DbSession,
                       user: CurrentUser):
    return render(request, "notifications.html", {"notices": notices_for(db, user)})


@router.post("/notifications/read", include_in_schema=False)
def mark_read(db: DbSession, user: CurrentUser):
    for n in db.scalars(select(Notification).where(_mine(user), Notification.read_at.is_(None))):
        n.read_at = utcnow()
    return RedirectResponse("/notifications", status_code=303)


@router.get("/api/notifications", tags=["notifications"])
def api_notifications(db: DbSession, user: CurrentUser):
    return [
        {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
         "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
        for n in notices_for(db, user)
    ]
