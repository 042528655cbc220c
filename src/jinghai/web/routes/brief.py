"""The leader's daily brief: /brief (page), /brief.docx, /brief.pdf, /api/brief."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jinghai.brief.export import brief_docx, brief_pdf
from jinghai.brief.queries import daily_brief
from jinghai.errors import InvalidInput
from jinghai.settings import Settings
from jinghai.web.deps import AppSettings, CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("领导日报", "/brief", {"office", "viewer", "admin"})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _day(value: str, settings: Settings) -> date:
    if not value:
        return datetime.now(settings.tz).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD") from None


@router.get("/brief", include_in_schema=False)
def brief_page(request: Request, *, date: str = "", db: DbSession,
               user: CurrentUser,
               settings: AppSettings) -> Response:
    day = _day(date, settings)
    return render(request, "brief/page.html", {
        "b": daily_brief(db, user, day), "prev": day - timedelta(days=1),
        "next": day + timedelta(days=1)})


@router.get("/brief.{ext}", include_in_schema=False)
def brief_file(ext: str, *, date: str = "", db: DbSession,
               user: CurrentUser,
               settings: AppSettings) -> Response:
    day = _day(date, settings)
    b = daily_brief(db, user, day)
    if ext == "docx":
        data, media = brief_docx(b), DOCX
    elif ext == "pdf":
        data = brief_pdf(b, font=settings.doc_font, fallback_font=settings.pdf_font)
        media = "application/pdf"
    else:
        raise InvalidInput("只能下载 docx 或 pdf")
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="brief-{day:%Y-%m-%d}.{ext}"'})


@router.get("/api/brief")
def api_brief(*, date: str = "", db: DbSession,
              user: CurrentUser,
              settings: AppSettings) -> dict[str, Any]:
    b = daily_brief(db, user, _day(date, settings))
    out = asdict(b)
    out["day"] = b.day.isoformat()
    out["figures"] = [{**asdict(f), "today": str(f.today), "yesterday": str(f.yesterday),
                       "week_avg": str(f.week_avg)} for f in b.figures]
    return out
