"""The AIS quarantine, for the office: what the feeds send that could not be used."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from jinghai.ais.quarantine import REASON_LABELS, Reason, quarantine_counts, recent_quarantine
from jinghai.errors import InvalidInput
from jinghai.web.deps import DbSession, OfficeOrAdminUser
from jinghai.web.render import render

router = APIRouter()


def _reason(value: str | None) -> str | None:
    if value and value not in Reason._value2member_map_:
        raise InvalidInput(f"未知的隔离原因：{value}")
    return value or None


@router.get("/ais/quarantine", include_in_schema=False)
def quarantine_page(request: Request, *, reason: str | None = None, db: DbSession,
                    user: OfficeOrAdminUser) -> Response:
    reason = _reason(reason)
    return render(request, "ais_admin/quarantine.html", {
        "counts": quarantine_counts(db), "labels": {r.value: l for r, l in REASON_LABELS.items()},
        "rows": recent_quarantine(db, reason, 200), "reason": reason or ""})


@router.get("/api/ais/quarantine", tags=["ais"])
def api_quarantine(*, reason: str | None = None, limit: int = Query(100, ge=1, le=1000),
                   db: DbSession, user: OfficeOrAdminUser):
    reason = _reason(reason)
    return {"counts": quarantine_counts(db),
            "recent": [{"id": q.id, "at": q.at.isoformat(), "reason": q.reason,
                        "source": q.source, "raw": q.raw}
                       for q in recent_quarantine(db, reason, limit)]}
