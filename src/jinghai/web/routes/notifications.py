"""In-app notices for the signed-in user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from jinghai.notify.queries import notices_for
from jinghai.notify.service import mark_all_read
from jinghai.web.deps import CurrentUser, DbSession
from jinghai.web.render import render

router = APIRouter()


@router.get("/notifications", include_in_schema=False)
def notifications_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(request, "notifications.html", {"notices": notices_for(db, user)})


@router.post("/notifications/read", include_in_schema=False)
def mark_read(db: DbSession, user: CurrentUser) -> RedirectResponse:
    mark_all_read(db, user)
    return RedirectResponse("/notifications", status_code=303)


@router.get("/api/notifications", tags=["notifications"])
def api_notifications(db: DbSession, user: CurrentUser) -> list[dict[str, Any]]:
    return [
        {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
         "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
        for n in notices_for(db, user)
    ]
