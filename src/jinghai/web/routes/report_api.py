"""The daily report as a JSON API: the same services and checks as the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from jinghai.reporting.form import default_form
from jinghai.reporting.queries import compile_daily_report, compile_range, completeness_board
from jinghai.reporting.schemas import EntryIn, LockIn, OpenIn, ReviewIn, UnlockIn
from jinghai.reporting.service import (
    EntryView,
    entry_view,
    lock_day,
    open_day_for_unit,
    remind_missing,
    review_section,
    save_section,
    submit_nil,
    unlock_day,
)
from jinghai.web.deps import AppSettings, CurrentUser, DbSession, OfficeUser, reads_first
from jinghai.web.exports import export_response

router = APIRouter(prefix="/api/report", tags=["daily report"])
#: Locking, unlocking and reminders are the office's; refused before the body is read.


def _dec(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def _view_json(view: EntryView) -> dict:
    return {
        "unit": view.unit_key,
        "unit_name": view.unit_name,
        "section": view.section_key,
        "section_label": view.section_label,
        "date": view.report_date.isoformat(),
        "status": view.status,
        "late": view.late,
        "locked": view.locked,
        "deadline": view.deadline.isoformat(),
        "submitted_at": view.submitted_at.isoformat() if view.submitted_at else None,
        "draft": view.draft,
        "accepted": view.accepted,
        "review_reason": view.review_reason,
        "open_for_unit": view.exception_open,
        "figures": [
            {
                "key": f.key, "label": f.label, "unit": f.unit, "kind": f.kind,
                "value": _dec(f.value), "previous": _dec(f.previous),
                "computed": _dec(f.computed), "comment": f.comment,
                "override_reason": f.override_reason,
                "submitted": _dec(f.submitted),
                "changed_after_submission": f.changed_after_submission,
                "issues": [{"severity": i.severity.value, "message": i.message} for i in f.issues],
            }
            for f in view.fields
        ],
    }


@router.get("/form")
def api_form(user: CurrentUser):
    """The form definition: sections, figures (label, unit, kind) and validation rules."""
    form = default_form()
    return {
        "version": form.version,
        "block_size": form.block_size,
        "sections": [
            {"key": s.key, "label": s.label, "figures": [
                {"code": f.code, "key": f.key, "number": f.number, "label": f.label,
                 "unit": f.unit, "kind": f.kind.value, "decimals": f.decimals, "of": f.of,
                 "rules": [{"type": r.type, "severity": r.severity.value, "message": r.message}
                           for r in f.rules]}
                for f in s.figures]}
            for s in form.sections
        ],
    }


@router.get("/entries/{unit}/{section}/{day}")
def api_entry(unit: str, section: str, day: date, db: DbSession,
              user: CurrentUser):
    return _view_json(entry_view(db, user, unit, section, day))


@router.put("/entries/{unit}/{section}/{day}")
@reads_first  # save_section serialises on the section (takes SQLite's lock) after counting
def api_save_entry(unit: str, section: str, day: date, body: EntryIn,
                   db: DbSession, user: CurrentUser):
    """Save a draft, or submit (``submit: true``). A blank is not a zero: a submission
    with figures missing is refused (422) and ``missing`` names them. A value that is not a
    number is not saved and named in ``unsaved``. Whatever else was sent is kept as a draft;
    the submitted figures keep counting until a submission replaces them."""
    result = save_section(db, user, unit, section, day, dict(body.values),
                          comments=body.comments, reasons=body.reasons,
                          correction_reason=body.correction_reason, submit=body.submit)
    out = _view_json(result.view) | {"submitted": result.submitted, "problems": result.problems,
                                     "missing": result.missing, "unsaved": result.unsaved,
                                     "saved": result.saved}
    if result.problems and not result.submitted:  # the draft is kept (committed) all the same
        detail = "未能报送" if body.submit else "部分数值未保存"
        if result.missing and body.submit:
            labels = default_form().section(section)
            names = "、".join(next(f.short for f in labels.typed_figures if f.key == k)
                             for k in result.missing)
            detail = f"未能报送：以下指标未填写：{names}"
        return JSONResponse({"detail": detail, **out}, status_code=422)
    return out


@router.post("/entries/{unit}/{section}/{day}/nil")
@reads_first  # as a save
def api_nil(unit: str, section: str, day: date, db: DbSession,
            user: CurrentUser):
    """无情况报告: nothing happened today (distinct from not reporting)."""
    return _view_json(submit_nil(db, user, unit, section, day))


@router.get("/board")
def api_board(start: date, end: date, db: DbSession,
              user: CurrentUser):
    board = completeness_board(db, user, start, end)
    return {
        "days": [d.isoformat() for d in board.days],
        "rows": [{"unit": r.unit_key, "unit_name": r.unit_name, "section": r.section,
                  "cells": r.cells} for r in board.rows],
        "counts": board.counts(),
    }


@router.get("/daily/{day}")
def api_daily(day: date, db: DbSession, user: CurrentUser):
    r = compile_daily_report(db, user, day)
    return {
        "date": day.isoformat(),
        "locked": r.locked,
        "state": r.state_mark,
        "sections": {k: {"expected": st.expected, "reported": st.reported,
                         "missing": st.missing, "returned": st.returned}
                     for k, st in r.sections.items()},
        "not_reported": [f.code for f in r.form.figures if r.not_reported(f)],
        "office_name": r.office_name,
        "caption": r.caption,
        "values": {k: float(v) for k, v in r.values.items()},
        "cumulative": {k: float(v) for k, v in r.cumulative.items()},
        "warnings": [w.__dict__ for w in r.warnings],
        "units": [u.__dict__ for u in r.units],
    }


@router.get("/series")
def api_series(figure: str, start: date, end: date, db: DbSession,
               user: CurrentUser):
    default_form().figure(figure)
    reports = compile_range(db, user, start, end)
    return [{"date": r.report_date.isoformat(), "value": float(r.values[figure]),
             "cumulative": float(r.cumulative[figure])} for r in reports]


@router.post("/days/{day}/lock")
def api_lock(day: date, *, body: LockIn | None = None, db: DbSession,
             user: OfficeUser):
    """Lock the day. With units not reported, in draft or returned it answers 409 naming
    them (``details``) unless ``{"confirm": true}``."""
    lock_day(db, user, day, body)
    return {"date": day.isoformat(), "locked": True}


@router.post("/entries/{unit}/{section}/{day}/review")
def api_review(unit: str, section: str, day: date, body: ReviewIn,
               db: DbSession, user: OfficeUser):
    """The office accepts a unit's section, or returns it (退回) with a reason."""
    sub = review_section(db, user, unit, section, day, body)
    return {"unit": unit, "section": section, "date": day.isoformat(), "status": sub.status,
            "accepted": sub.accepted, "review_reason": sub.review_reason}


@router.post("/entries/{unit}/{section}/{day}/open")
def api_open_unit(unit: str, section: str, day: date, body: OpenIn,
                  db: DbSession, user: OfficeUser):
    """Open a locked day for one unit's section; its next submission re-locks it."""
    open_day_for_unit(db, user, day, unit, section, body)
    return {"unit": unit, "section": section, "date": day.isoformat(), "open": True}


@router.post("/days/{day}/unlock")
def api_unlock(day: date, body: UnlockIn, db: DbSession,
               user: OfficeUser):
    unlock_day(db, user, day, body)
    return {"date": day.isoformat(), "locked": False}


@router.post("/days/{day}/remind")
def api_remind(day: date, db: DbSession, user: OfficeUser):
    return {"date": day.isoformat(), "units_reminded": remind_missing(db, user, day)}


@router.get("/export")
def api_export(start: date, *, end: date | None = None,
               format: str = Query("xlsx", pattern="^(xlsx|pdf|csv|json)$"),
               period: str = Query("day", pattern="^(day|week|month)$"),
               db: DbSession, user: CurrentUser, settings: AppSettings) -> Response:
    """A day, a range (csv/json), or the 周报/月报 (``period=week|month``, xlsx/pdf)
    containing ``start``. A future date or one before the operation's start is refused."""
    return export_response(db, user, start, end or start, format, period=period,
                           settings=settings)
