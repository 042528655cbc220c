"""The office's working mechanisms: responsibility, problem and rectification lists,
supervision visits, listed rectification, circulars, joint meetings; and /api/supervision.
Routes parse, call a service or a query, and render."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as FormFile

from jinghai.accounts.models import User
from jinghai.cases.evidence import MAX_BYTES, open_file
from jinghai.errors import InvalidInput, JinghaiError
from jinghai.notify.webhooks import webhook_targets
from jinghai.org.service import list_groups, list_units
from jinghai.supervision import queries, service
from jinghai.supervision.circulars import (
    circular_pdf,
    get_circular,
    issue_circular,
    visible_circulars,
)
from jinghai.supervision.minutes import minutes_docx
from jinghai.supervision.models import (
    CIRCULAR_KINDS,
    LISTING_TARGETS,
    PLACE_KINDS,
    PROBLEM_KINDS,
    PROBLEM_SOURCES,
    PROBLEM_STATES,
    TASK_STATES,
    Meeting,
    Problem,
)
from jinghai.supervision.records import local_today
from jinghai.supervision.schemas import (
    AssignTaskIn,
    CircularIn,
    ListingIn,
    MeetingIn,
    NoteIn,
    ProblemIn,
    SignOffIn,
    TaskProgressIn,
    VisitIn,
    parse,
)
from jinghai.web.deps import AppSettings, CurrentUser, DbSession, discard_writes
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("督导整改", "/supervision/", {"office", "liaison", "viewer", "admin"})

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _labels(db: Session) -> dict[str, Any]:
    return {"units": list_units(db), "groups": list_groups(db),
            "place_kinds": PLACE_KINDS, "problem_states": PROBLEM_STATES,
            "problem_kinds": PROBLEM_KINDS, "problem_sources": PROBLEM_SOURCES,
            "task_states": TASK_STATES, "listing_targets": LISTING_TARGETS,
            "circular_kinds": CIRCULAR_KINDS, "today": local_today(db)}


async def _form(request: Request) -> tuple[dict[str, str], Any]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()
            if k != "csrf_token" and not isinstance(v, FormFile)}, form


async def _upload(form, field: str = "file") -> tuple[str, bytes] | None:
    item = form.get(field)
    if isinstance(item, FormFile):
        data = await item.read(MAX_BYTES + 1)
        if data:
            return item.filename or "", data
    return None


def _blank_none(values: dict[str, str], *keys: str) -> dict[str, Any]:
    out: dict[str, Any] = dict(values)
    for k in keys:
        if not out.get(k, "").strip():
            out[k] = None
    return out


def _again(request: Request, db: Session, template: str, values: dict, exc: JinghaiError,
           **extra) -> Response:
    discard_writes(request)  # nothing of a rejected form is kept
    return render(request, template, {"values": values, "error": exc.message,
                                      **_labels(db), **extra}, status_code=exc.status_code)


@router.get("/supervision/", include_in_schema=False)
def home(user: CurrentUser) -> RedirectResponse:
    return RedirectResponse("/supervision/problems", status_code=303)


# -- responsibility list -------------------------------------------------------------------
@router.get("/supervision/tasks", include_in_schema=False)
def tasks_page(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    return render(request, "supervision/tasks.html",
                  {"rows": queries.responsibility_list(db, user), **_labels(db)})


@router.post("/supervision/tasks/assign", include_in_schema=False)
async def tasks_assign(request: Request, db: DbSession,
                       user: CurrentUser) -> RedirectResponse:
    values, _ = await _form(request)
    service.assign_task(db, user, parse(AssignTaskIn, values))
    return RedirectResponse("/supervision/tasks", status_code=303)


@router.post("/supervision/tasks/{task_id}", include_in_schema=False)
async def tasks_update(request: Request, task_id: int, db: DbSession,
                       user: CurrentUser) -> RedirectResponse:
    values, _ = await _form(request)
    service.update_task(db, user, task_id, parse(TaskProgressIn, values))
    return RedirectResponse("/supervision/tasks", status_code=303)


# -- problems ------------------------------------------------------------------------------
@router.get("/supervision/problems", include_in_schema=False)
def problems_page(request: Request, *, kind: str = "", status: str = "active",
                  overdue: str = "", db: DbSession,
                  user: CurrentUser) -> Response:
    today = local_today(db)
    rows = queries.list_problems(db, user, kind=kind, status=status,
                                 overdue_on=today if overdue else None)
    return render(request, "supervision/problems.html", {
        "rows": rows, "kind": kind, "status": status, "overdue": overdue,
        "flash": request.query_params.get("flash", ""), **_labels(db)})


@router.post("/supervision/problems", include_in_schema=False)
async def problems_new(request: Request, db: DbSession,
                       user: CurrentUser) -> RedirectResponse:
    values, _ = await _form(request)
    problem = service.add_problem(db, user, parse(ProblemIn, _blank_none(values, "source_id")))
    return RedirectResponse(f"/supervision/problems/{problem.id}", status_code=303)


@router.post("/supervision/remind", include_in_schema=False)
def remind(db: DbSession, user: CurrentUser,
           settings: AppSettings) -> RedirectResponse:
    from jinghai.accounts.access import require_office

    require_office(user)
    done = service.remind_overdue(db, local_today(db), webhook_targets(settings))
    n = len(done.problems) + len(done.listings)
    return RedirectResponse(f"/supervision/problems?overdue=1&flash={n}", status_code=303)


@router.get("/supervision/problems/{problem_id}", include_in_schema=False)
def problem_page(request: Request, problem_id: int, db: DbSession,
                 user: CurrentUser) -> Response:
    return render(request, "supervision/problem.html",
                  {"p": service.get_problem(db, user, problem_id), **_labels(db)})


@router.post("/supervision/problems/{problem_id}/notes", include_in_schema=False)
async def problem_note(request: Request, problem_id: int, db: DbSession,
                       user: CurrentUser,
                       settings: AppSettings) -> RedirectResponse:
    values, form = await _form(request)
    service.add_note(db, user, problem_id, parse(NoteIn, values),
                     upload=await _upload(form), data_dir=settings.data_dir,
                     submit=values.get("submit") == "1")
    return RedirectResponse(f"/supervision/problems/{problem_id}", status_code=303)


@router.post("/supervision/problems/{problem_id}/sign-off", include_in_schema=False)
async def problem_sign_off(request: Request, problem_id: int, db: DbSession,
                           user: CurrentUser) -> RedirectResponse:
    values, _ = await _form(request)
    service.sign_off(db, user, problem_id, parse(SignOffIn, {
        "accept": values.get("accept") == "1", "note": values.get("note", "")}))
    return RedirectResponse(f"/supervision/problems/{problem_id}", status_code=303)


@router.get("/supervision/files/{file_id}", include_in_schema=False)
def file_download(file_id: int, db: DbSession,
                  user: CurrentUser,
                  settings: AppSettings) -> FileResponse:
    row, path = open_file(db, user, file_id, settings.data_dir)
    inline = row.content_type.startswith("image/") or row.content_type == "application/pdf"
    return FileResponse(path, media_type=row.content_type, filename=row.filename,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"Cache-Control": "private, no-store"})


# -- supervision visits --------------------------------------------------------------------
@router.get("/supervision/visits", include_in_schema=False)
def visits_page(request: Request, db: DbSession,
                user: CurrentUser) -> Response:
    return render(request, "supervision/visits.html",
                  {"rows": queries.list_visits(db, user), **_labels(db)})


@router.get("/supervision/visits/new", include_in_schema=False)
def visit_form(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    return render(request, "supervision/visit_form.html",
                  {"values": {}, "error": None, **_labels(db)})


def _visit_in(values: dict[str, str]) -> VisitIn:
    findings = []
    for i in range(1, 4):
        title = values.get(f"finding_{i}", "").strip()
        if title:
            findings.append({"title": title, "description": values.get(f"finding_{i}_desc", ""),
                             "deadline": values.get(f"finding_{i}_deadline", "")})
    data: dict[str, Any] = {k: v for k, v in values.items() if not k.startswith("finding_")}
    data["findings"] = findings
    return parse(VisitIn, _blank_none(data, "zone_id"))


@router.post("/supervision/visits/new", include_in_schema=False)
async def visit_submit(request: Request, db: DbSession,
                       user: CurrentUser) -> Response:
    values, _ = await _form(request)
    try:
        visit = service.record_visit(db, user, _visit_in(values))
    except InvalidInput as exc:
        return _again(request, db, "supervision/visit_form.html", values, exc)
    return RedirectResponse(f"/supervision/visits/{visit.id}", status_code=303)


@router.get("/supervision/visits/{visit_id}", include_in_schema=False)
def visit_page(request: Request, visit_id: int, db: DbSession,
               user: CurrentUser) -> Response:
    visit = queries.get_visit(db, user, visit_id)
    if visit is None:
        raise InvalidInput("督导记录不存在")
    return render(request, "supervision/visit.html", {
        "visit": visit, "problems": queries.list_problems(
            db, user, source="supervision", source_id=visit.id), **_labels(db)})


# -- listed rectification ------------------------------------------------------------------
@router.get("/supervision/listings", include_in_schema=False)
def listings_page(request: Request, db: DbSession,
                  user: CurrentUser,
                  settings: AppSettings) -> Response:
    return render(request, "supervision/listings.html", {
        "rows": queries.list_listings(db, user), "values": {}, "error": None,
        "tiles": settings.map_tile_url, **_labels(db)})


@router.post("/supervision/listings", include_in_schema=False)
async def listing_submit(request: Request, db: DbSession,
                         user: CurrentUser) -> Response:
    values, _ = await _form(request)
    try:
        listing = service.list_for_rectification(db, user, parse(ListingIn, _blank_none(
            values, "zone_id", "lon", "lat", "listed_on")))
    except InvalidInput as exc:
        return _again(request, db, "supervision/listings.html", values, exc,
                      rows=queries.list_listings(db, user))
    return RedirectResponse(f"/supervision/listings/{listing.id}", status_code=303)


@router.get("/supervision/listings/{listing_id}", include_in_schema=False)
def listing_page(request: Request, listing_id: int, db: DbSession,
                 user: CurrentUser) -> Response:
    return render(request, "supervision/listing.html",
                  {"x": service.get_listing(db, user, listing_id), **_labels(db)})


@router.post("/supervision/listings/{listing_id}/reviews", include_in_schema=False)
async def listing_review(request: Request, listing_id: int, db: DbSession,
                         user: CurrentUser,
                         settings: AppSettings) -> RedirectResponse:
    values, form = await _form(request)
    service.review_listing(db, user, listing_id, values.get("text", ""),
                           upload=await _upload(form), data_dir=settings.data_dir)
    return RedirectResponse(f"/supervision/listings/{listing_id}", status_code=303)


@router.post("/supervision/listings/{listing_id}/delist", include_in_schema=False)
async def listing_delist(request: Request, listing_id: int, db: DbSession,
                         user: CurrentUser) -> RedirectResponse:
    values, _ = await _form(request)
    service.delist(db, user, listing_id, values.get("note", ""))
    return RedirectResponse(f"/supervision/listings/{listing_id}", status_code=303)


# -- circulars -----------------------------------------------------------------------------
@router.get("/supervision/circulars", include_in_schema=False)
def circulars_page(request: Request, db: DbSession,
                   user: CurrentUser) -> Response:
    return render(request, "supervision/circulars.html", {
        "rows": visible_circulars(db, user), "values": {}, "error": None, **_labels(db)})


@router.post("/supervision/circulars", include_in_schema=False)
async def circular_submit(request: Request, db: DbSession,
                          user: CurrentUser) -> Response:
    values, _ = await _form(request)
    try:
        circular = issue_circular(db, user, parse(CircularIn, _blank_none(
            values, "unit_key", "issued_on")))
    except InvalidInput as exc:
        return _again(request, db, "supervision/circulars.html", values, exc,
                      rows=visible_circulars(db, user))
    return RedirectResponse(f"/supervision/circulars/{circular.id}", status_code=303)


@router.get("/supervision/circulars/{circular_id}", include_in_schema=False)
def circular_page(request: Request, circular_id: int, db: DbSession,
                  user: CurrentUser) -> Response:
    import json

    c = get_circular(db, user, circular_id)
    return render(request, "supervision/circular.html",
                  {"c": c, "blocks": json.loads(c.body), **_labels(db)})


@router.get("/supervision/circulars/{circular_id}/file.{ext}", include_in_schema=False)
def circular_file(circular_id: int, ext: str, db: DbSession,
                  user: CurrentUser, settings: AppSettings) -> Response:
    c = get_circular(db, user, circular_id)
    name = f"circular-{c.year}-{c.seq}.{ext}"
    if ext == "docx":
        return Response(c.docx, media_type=DOCX,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    if ext == "pdf":
        data = circular_pdf(db, c, font=settings.doc_font, fallback_font=settings.pdf_font)
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    raise InvalidInput("只能下载 docx 或 pdf")


# -- joint meetings ------------------------------------------------------------------------
@router.get("/supervision/meetings", include_in_schema=False)
def meetings_page(request: Request, db: DbSession,
                  user: CurrentUser) -> Response:
    return render(request, "supervision/meetings.html", {
        "rows": queries.list_meetings(db, user), "values": {}, "error": None, **_labels(db)})


def _meeting_in(form, values: dict[str, str]) -> MeetingIn:
    decisions = []
    for i in range(1, 4):
        title = values.get(f"decision_{i}", "").strip()
        if title:
            decisions.append({"title": title, "unit_key": values.get(f"decision_{i}_unit", ""),
                              "deadline": values.get(f"decision_{i}_deadline", "")})
    data: dict[str, Any] = {k: v for k, v in values.items()
                            if not k.startswith("decision_") and k != "unit_keys"}
    data["unit_keys"] = [str(v) for v in form.getlist("unit_keys")]
    data["decisions"] = decisions
    return parse(MeetingIn, data)


@router.post("/supervision/meetings", include_in_schema=False)
async def meeting_submit(request: Request, db: DbSession,
                         user: CurrentUser) -> Response:
    values, form = await _form(request)
    try:
        meeting = service.record_meeting(db, user, _meeting_in(form, values))
    except InvalidInput as exc:
        return _again(request, db, "supervision/meetings.html", values, exc,
                      rows=queries.list_meetings(db, user))
    return RedirectResponse(f"/supervision/meetings/{meeting.id}", status_code=303)


def _meeting_for(db: Session, user: User, meeting_id: int) -> Meeting:
    meeting = next((m for m in queries.list_meetings(db, user) if m.id == meeting_id), None)
    if meeting is None:
        raise InvalidInput("会商记录不存在或无权查看")
    return meeting


@router.get("/supervision/meetings/{meeting_id}", include_in_schema=False)
def meeting_page(request: Request, meeting_id: int, db: DbSession,
                 user: CurrentUser) -> Response:
    meeting = _meeting_for(db, user, meeting_id)
    return render(request, "supervision/meeting.html", {
        "m": meeting, "attending": queries.meeting_units(db, meeting),
        "decisions": queries.list_problems(db, user, source="meeting", source_id=meeting.id),
        **_labels(db)})


@router.get("/supervision/meetings/{meeting_id}/minutes.docx", include_in_schema=False)
def meeting_minutes(meeting_id: int, db: DbSession,
                    user: CurrentUser) -> Response:
    meeting = _meeting_for(db, user, meeting_id)
    name = f"minutes-{meeting.year}-{meeting.seq}.docx"
    return Response(minutes_docx(db, user, meeting), media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- JSON API ------------------------------------------------------------------------------
def _problem_json(p: Problem) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind, "source": p.source, "source_id": p.source_id,
            "title": p.title, "description": p.description, "unit": p.unit.key,
            "deadline": p.deadline.isoformat(), "status": p.status,
            "notes": [{"text": n.text, "at": n.at.isoformat(), "file_id": n.file_id}
                      for n in p.notes]}


@router.get("/api/supervision/problems")
def api_problems(*, kind: str = "", status: str = "", db: DbSession,
                 user: CurrentUser) -> list[dict[str, Any]]:
    return [_problem_json(p) for p in queries.list_problems(db, user, kind=kind,
                                                            status=status)]


@router.post("/api/supervision/problems", status_code=201)
def api_problem_new(body: dict[str, Any], db: DbSession,
                    user: CurrentUser) -> dict[str, Any]:
    return _problem_json(service.add_problem(db, user, parse(ProblemIn, body)))


@router.post("/api/supervision/problems/{problem_id}/notes", status_code=201)
def api_problem_note(problem_id: int, body: dict[str, Any], db: DbSession,
                     user: CurrentUser) -> dict[str, Any]:
    service.add_note(db, user, problem_id, parse(NoteIn, body),
                     submit=bool(body.get("submit")))
    return _problem_json(service.get_problem(db, user, problem_id))


@router.post("/api/supervision/problems/{problem_id}/sign-off")
def api_problem_sign_off(problem_id: int, body: dict[str, Any],
                         db: DbSession,
                         user: CurrentUser) -> dict[str, Any]:
    return _problem_json(service.sign_off(db, user, problem_id, parse(SignOffIn, body)))


@router.post("/api/supervision/visits", status_code=201)
def api_visit(body: dict[str, Any], db: DbSession,
              user: CurrentUser) -> dict[str, Any]:
    visit = service.record_visit(db, user, parse(VisitIn, body))
    return {"id": visit.id, "problems": [_problem_json(p) for p in queries.list_problems(
        db, user, source="supervision", source_id=visit.id)]}


@router.get("/api/supervision/listings")
def api_listings(db: DbSession,
                 user: CurrentUser) -> dict[str, Any]:
    """Listed places as GeoJSON, for the map."""
    return queries.listings_geojson(db, user)


@router.post("/api/supervision/listings", status_code=201)
def api_listing(body: dict[str, Any], db: DbSession,
                user: CurrentUser) -> dict[str, Any]:
    x = service.list_for_rectification(db, user, parse(ListingIn, body))
    return {"id": x.id, "status": x.status, "deadline": x.deadline.isoformat()}


@router.post("/api/supervision/meetings", status_code=201)
def api_meeting(body: dict[str, Any], db: DbSession,
                user: CurrentUser) -> dict[str, Any]:
    m = service.record_meeting(db, user, parse(MeetingIn, body))
    return {"id": m.id, "number": m.number, "actions": [_problem_json(p) for p in
                                                          queries.list_problems(
                                                              db, user, source="meeting",
                                                              source_id=m.id)]}


@router.post("/api/supervision/circulars", status_code=201)
def api_circular(body: dict[str, Any], db: DbSession,
                 user: CurrentUser) -> dict[str, Any]:
    c = issue_circular(db, user, parse(CircularIn, body))
    return {"id": c.id, "number": c.number, "title": c.title,
            "docx": f"/supervision/circulars/{c.id}/file.docx"}


@router.get("/api/supervision/tasks")
def api_tasks(db: DbSession,
              user: CurrentUser) -> list[dict[str, Any]]:
    return [{"group": r.group.key, "item_no": r.item_no, "text": r.text,
             "unit": r.assignment.unit.key if r.assignment else None,
             "person": r.assignment.person if r.assignment else "",
             "deadline": r.assignment.deadline.isoformat()
             if r.assignment and r.assignment.deadline else None,
             "status": r.assignment.status if r.assignment else None,
             "id": r.assignment.id if r.assignment else None}
            for r in queries.responsibility_list(db, user)]


@router.post("/api/supervision/tasks", status_code=201)
def api_task_assign(body: dict[str, Any], db: DbSession,
                    user: CurrentUser) -> dict[str, Any]:
    t = service.assign_task(db, user, parse(AssignTaskIn, body))
    return {"id": t.id, "unit": t.unit.key, "status": t.status}


@router.post("/api/supervision/tasks/{task_id}")
def api_task_update(task_id: int, body: dict[str, Any], db: DbSession,
                    user: CurrentUser) -> dict[str, Any]:
    t = service.update_task(db, user, task_id, parse(TaskProgressIn, body))
    return {"id": t.id, "status": t.status, "evidence": t.evidence}


@router.post("/api/supervision/listings/{listing_id}/reviews", status_code=201)
def api_listing_review(listing_id: int, body: dict[str, Any], db: DbSession,
                       user: CurrentUser) -> dict[str, Any]:
    r = service.review_listing(db, user, listing_id, str(body.get("text", "")))
    return {"id": r.id, "text": r.text}


@router.post("/api/supervision/listings/{listing_id}/delist")
def api_listing_delist(listing_id: int, body: dict[str, Any], db: DbSession,
                       user: CurrentUser) -> dict[str, Any]:
    x = service.delist(db, user, listing_id, str(body.get("note", "")))
    return {"id": x.id, "status": x.status, "delisted_on": x.delisted_on.isoformat()}


@router.get("/api/supervision/circulars")
def api_circulars(db: DbSession,
                  user: CurrentUser) -> list[dict[str, Any]]:
    return [{"id": c.id, "number": c.number, "kind": c.kind, "title": c.title,
             "issued_on": c.issued_on.isoformat(),
             "docx": f"/supervision/circulars/{c.id}/file.docx"}
            for c in visible_circulars(db, user)]
