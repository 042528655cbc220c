"""The audit trail, for the office and the admin: filtered, paged, in Chinese."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from jinghai.audit.queries import (
    ACTION_LABELS,
    ENTITY_LABELS,
    PAGE_SIZE,
    AuditFilter,
    describe,
    list_events,
)
from jinghai.errors import InvalidInput
from jinghai.web.deps import AppSettings, CurrentUser, DbSession
from jinghai.web.render import render

router = APIRouter()


def _date(value: str | None, label: str) -> date | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD") from None


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, *, q: str = "", who: str = "", action: str = "",
               entity_type: str = "", date_from: str = "", date_to: str = "",
               page: int = Query(1, ge=1, le=1_000_000), db: DbSession,
               user: CurrentUser, settings: AppSettings) -> Response:
    flt = AuditFilter(q=q, who=who, action=action, entity_type=entity_type,
                      date_from=_date(date_from, "起始日期"), date_to=_date(date_to, "截止日期"))
    rows, total = list_events(db, user, flt, tz=settings.tz, page=page)
    params = {k: v for k, v in (("q", q), ("who", who), ("action", action),
                                ("entity_type", entity_type), ("date_from", date_from),
                                ("date_to", date_to)) if v}
    return render(request, "audit/list.html", {
        "lines": [describe(e) for e in rows], "total": total, "page": page,
        "pages": max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE), "params": params,
        "f": {"q": q, "who": who, "action": action, "entity_type": entity_type,
              "date_from": date_from, "date_to": date_to},
        "actions": ACTION_LABELS, "entities": ENTITY_LABELS})


@router.get("/api/audit", tags=["audit"])
def api_audit(*, entity: str = Query("", max_length=100), who: str = Query("", max_length=64),
              date_from: date | None = None, date_to: date | None = None,
              page: int = Query(1, ge=1, le=1_000_000), limit: int = Query(200, ge=1, le=500),
              db: DbSession, user: CurrentUser,
              settings: AppSettings):
    flt = AuditFilter(q=entity, who=who, date_from=date_from, date_to=date_to)
    rows, _total = list_events(db, user, flt, tz=settings.tz, page=page, page_size=limit)
    out = []
    for e in rows:
        line = describe(e)
        out.append({"id": e.id, "at": e.at.isoformat(),
                    "user": e.user.username if e.user else None, "action": e.action,
                    "entity_type": e.entity_type, "entity_id": e.entity_id, "field": e.field,
                    "old": e.old_value, "new": e.new_value, "reason": e.reason,
                    "text": f"{line.who} {line.action} {line.target} {line.detail}".strip()})
    return out
