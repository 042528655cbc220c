"""Daily report pages: entry, completeness board, compiled report, exports, trends."""

from __future__ import annotations

import json
from datetime import date, timedelta

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput, PermissionDenied
from jinghai.org.service import get_operation, local_today, reporting_slots
from jinghai.reporting.compiled import format_value
from jinghai.reporting.form import default_form
from jinghai.reporting.models import STATUS_LABELS
from jinghai.reporting.queries import (
    compile_daily_report,
    compile_range,
    completeness_board,
    summarize,
)
from jinghai.reporting.schemas import LockIn, OpenIn, ReviewIn, UnlockIn
from jinghai.reporting.service import (
    entry_view,
    lock_day,
    open_day_for_unit,
    outstanding_units,
    remind_missing,
    review_section,
    save_section,
    submit_nil,
    unlock_day,
)
from jinghai.schemas import parse
from jinghai.web.deps import AppSettings, CurrentUser, DbSession, OfficeUser, require_roles
from jinghai.web.exports import export_response
from jinghai.web.render import render

router = APIRouter()
#: Locking, unlocking and reminders are the office's; refused before the body is read.
OFFICE = require_roles(Role.OFFICE)


def _parse_day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD") from None


def _today(db: Session) -> date:
    return local_today(get_operation(db), utcnow())


def _my_slots(db: Session, user: User):
    slots = reporting_slots(db)
    if user.role == Role.LIAISON:
        return [s for s in slots if s.unit.id == user.unit_id]
    if user.role == Role.OFFICE:
        return slots
    raise PermissionDenied("当前账号只读，不能填报；请查看全区汇总")


@router.get("/report/entry", include_in_schema=False)
def entry_page(
    request: Request,
    *,
    day: str | None = None,
    unit: str | None = None,
    section: str | None = None,
    db: DbSession,
    user: CurrentUser,
) -> Response:
    today = _today(db)
    the_day = _parse_day(day, today)
    slots = _my_slots(db, user)
    if not slots:
        raise PermissionDenied("本单位没有需要填报的栏目")
    chosen = next((s for s in slots if (unit is None or s.unit.key == unit)
                   and (section is None or s.section == section)), None)
    if chosen is None:
        raise PermissionDenied("只能填报本单位的栏目")
    view = entry_view(db, user, chosen.unit.key, chosen.section, the_day)
    return render(request, "report/entry.html", {
        "view": view, "slots": slots, "today": today, "status_labels": STATUS_LABELS,
        "flash": request.query_params.get("flash"), "problems": [], "unsaved": {},
        "tried_submit": False, "correction_reason": "", "saved": True,
        "prev_day": the_day - timedelta(days=1),
        "next_day": the_day + timedelta(days=1) if the_day < today else None,
    })


@router.post("/report/entry", include_in_schema=False)
async def entry_submit(
    request: Request,
    *,
    day: str = Form(...),
    unit: str = Form(...),
    section: str = Form(...),
    action: str = Form("draft"),
    db: DbSession,
    user: CurrentUser,
) -> Response:
    the_day = _parse_day(day, _today(db))
    form = await request.form()
    sec = default_form().section(section)
    keys = [f.key for f in sec.typed_figures]
    target = f"/report/entry?day={the_day:%Y-%m-%d}&unit={unit}&section={section}"
    if action == "nil":
        submit_nil(db, user, unit, section, the_day)
        return RedirectResponse(target + "&flash=nil", status_code=303)
    values = {k: str(form.get(f"v_{k}", "")) for k in keys}
    comments = {k: str(form.get(f"c_{k}", "")) for k in keys}
    reasons = {k: str(form.get(f"r_{k}", "")) for k in keys}
    correction = str(form.get("correction_reason", ""))
    result = save_section(db, user, unit, section, the_day, values, comments=comments,
                          reasons=reasons, correction_reason=correction,
                          submit=action == "submit")
    if result.submitted:
        return RedirectResponse(target + "&flash=submitted", status_code=303)
    if not result.problems:
        return RedirectResponse(target + "&flash=saved", status_code=303)
    # Something was not accepted: the draft keeps what could be saved; say exactly that,
    # and show the form again with everything as typed, the bad fields marked in place
    # (the request's transaction commits that draft: a 422 page is still a normal return).
    return render(request, "report/entry.html", {
        "view": result.view, "slots": _my_slots(db, user), "today": _today(db),
        "status_labels": STATUS_LABELS, "flash": None, "problems": result.problems,
        "unsaved": result.unsaved, "tried_submit": action == "submit",
        "saved": result.saved,
        "correction_reason": correction,
        "prev_day": the_day - timedelta(days=1), "next_day": None,
    }, status_code=422)


@router.get("/report/board", include_in_schema=False)
def board_page(
    request: Request,
    *,
    end: str | None = None,
    days: int = Query(14, ge=1, le=62),
    db: DbSession,
    user: CurrentUser,
) -> Response:
    today = _today(db)
    end_day = _parse_day(end, today)
    start = max(end_day - timedelta(days=days - 1), get_operation(db).start_date)
    board = completeness_board(db, user, start, end_day)
    return render(request, "report/board.html", {
        "board": board, "status_labels": STATUS_LABELS, "today": today, "end": end_day,
        "days": days, "flash": request.query_params.get("flash"),
        "prev_end": end_day - timedelta(days=days),
        "next_end": end_day + timedelta(days=days) if end_day < today else None,
    })


@router.post("/report/remind", include_in_schema=False)
def remind(*, day: str = Form(...), db: DbSession,
           user: OfficeUser) -> RedirectResponse:
    the_day = _parse_day(day, _today(db))
    count = remind_missing(db, user, the_day)
    return RedirectResponse(f"/report/board?flash=reminded-{count}", status_code=303)


@router.get("/report/daily", include_in_schema=False)
def daily_page(request: Request, *, day: str | None = None, db: DbSession,
               user: CurrentUser) -> Response:
    the_day = _parse_day(day, _today(db))
    report = compile_daily_report(db, user, the_day)
    blocks = report.form.blocks()
    confirm = request.query_params.get("confirm") == "lock" and user.role == Role.OFFICE
    return render(request, "report/daily.html", {
        "report": report, "blocks": blocks, "fmt": format_value,
        "status_labels": STATUS_LABELS, "flash": request.query_params.get("flash"),
        "prev_day": the_day - timedelta(days=1), "next_day": the_day + timedelta(days=1),
        "today": _today(db),
        "outstanding": outstanding_units(db, the_day) if confirm else [],
        "confirm_lock": confirm,
    })


@router.post("/report/review", include_in_schema=False)
def review(*, day: str = Form(...), unit: str = Form(...), section: str = Form(...),
           decision: str = Form(...), reason: str = Form(""), db: DbSession,
           user: OfficeUser) -> RedirectResponse:
    """The office accepts a unit's section or returns it (退回) with a reason."""
    the_day = _parse_day(day, _today(db))
    review_section(db, user, unit, section, the_day,
                   parse(ReviewIn, {"decision": decision, "reason": reason}))
    return RedirectResponse(f"/report/daily?day={the_day:%Y-%m-%d}&flash={decision}ed",
                            status_code=303)


@router.post("/report/open-unit", include_in_schema=False)
def open_unit(*, day: str = Form(...), unit: str = Form(...), section: str = Form(...),
              reason: str = Form(""), db: DbSession,
              user: OfficeUser) -> RedirectResponse:
    """Open a locked day for one unit's section (an exception)."""
    the_day = _parse_day(day, _today(db))
    open_day_for_unit(db, user, the_day, unit, section, parse(OpenIn, {"reason": reason}))
    return RedirectResponse(f"/report/daily?day={the_day:%Y-%m-%d}&flash=opened",
                            status_code=303)


@router.post("/report/lock", include_in_schema=False)
def lock(*, day: str = Form(...), confirm: str = Form(""), db: DbSession,
         user: OfficeUser) -> RedirectResponse:
    """Lock; with units outstanding the page first lists them and asks to confirm."""
    the_day = _parse_day(day, _today(db))
    try:
        lock_day(db, user, the_day, LockIn(confirm=confirm == "yes"))
    except Conflict:
        if confirm == "yes" or not outstanding_units(db, the_day):
            raise
        return RedirectResponse(f"/report/daily?day={the_day:%Y-%m-%d}&confirm=lock",
                                status_code=303)
    return RedirectResponse(f"/report/daily?day={the_day:%Y-%m-%d}&flash=locked", status_code=303)


@router.post("/report/unlock", include_in_schema=False)
def unlock(*, day: str = Form(...), reason: str = Form(""), db: DbSession,
           user: OfficeUser) -> RedirectResponse:
    the_day = _parse_day(day, _today(db))
    unlock_day(db, user, the_day, parse(UnlockIn, {"reason": reason}))
    return RedirectResponse(f"/report/daily?day={the_day:%Y-%m-%d}&flash=unlocked",
                            status_code=303)


@router.get("/report/export", include_in_schema=False)
def export(*, day: str | None = None, end: str | None = None, format: str = "xlsx",
           period: str = "day", db: DbSession,
           user: CurrentUser, settings: AppSettings) -> Response:
    """One day (xlsx/pdf/csv/json), a range (csv/json), or with ``period=week|month`` the
    周报/月报 containing ``day`` (xlsx/pdf)."""
    the_day = _parse_day(day, _today(db))
    end_day = _parse_day(end, the_day)
    return export_response(db, user, the_day, end_day, format, period=period,
                           settings=settings)


@router.get("/report/trends", include_in_schema=False)
def trends_page(
    request: Request,
    *,
    figure: str = "sea_patrol.personnel",
    period: str = "day",
    db: DbSession,
    user: CurrentUser,
) -> Response:
    form = default_form()
    fig = form.figure(figure)
    op = get_operation(db)
    today = _today(db)
    reports = compile_range(db, user, op.start_date, today)
    if period == "day":
        points = [(f"{r.report_date:%m-%d}", r.values[fig.code]) for r in reports]
    else:
        points = [(p.label, p.values[fig.code]) for p in summarize(reports, period)]
    chart = {
        "title": fig.label,
        "unit": fig.unit,
        "x": [p[0] for p in points],
        "y": [float(p[1]) for p in points],
        "cumulative": [float(r.cumulative[fig.code]) for r in reports] if period == "day" else [],
    }
    weeks = summarize(reports, "week")
    months = summarize(reports, "month")
    return render(request, "report/trends.html", {
        "form": form, "fig": fig, "period": period, "chart_json": json.dumps(chart,
                                                                             ensure_ascii=False),
        "weeks": weeks, "months": months, "fmt": format_value,
    })
