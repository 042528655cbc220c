"""进出港报告 pages: the office/fisheries form, import, owners' report links (issued here,
used on /r/{token} without an account), and /api/portcalls."""

from __future__ import annotations

import base64

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.errors import InvalidInput
from jinghai.geo.models import ZoneRecord
from jinghai.geo.queries import active_zones_of_kind
from jinghai.portcalls.schemas import PortReportIn
from jinghai.portcalls.service import (
    file_owner_report,
    file_port_report,
    import_port_reports,
    issue_owner_link,
    list_port_reports,
    require_report_reader,
    vessel_for_owner_token,
)
from jinghai.schemas import parse
from jinghai.vessels.access import is_registry_keeper
from jinghai.vessels.qr import qr_png
from jinghai.vessels.queries import vessel_by_registry_no
from jinghai.web.deps import CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("进出港报告", "/portcalls/", {"office"})

MAX_UPLOAD = 5 * 1024 * 1024
FIELDS = ("vessel", "direction", "port", "event_time", "crew_count", "reporter_name",
          "reporter_phone", "note")


def _ports(db: Session) -> list[ZoneRecord]:
    return active_zones_of_kind(db, "port", by_name=True)


def _page(request: Request, db: Session, user: User, **extra) -> Response:
    ctx = {"reports": list_port_reports(db, user), "ports": _ports(db), "values": {},
           "keeper": is_registry_keeper(db, user),
           "error": None, "imported": None, "link": None, "notice": None}
    ctx.update(extra)
    return render(request, "portcalls/list.html", ctx,
                  status_code=400 if ctx["error"] else 200)


@router.get("/portcalls/", include_in_schema=False)
def page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    require_report_reader(db, user)
    return _page(request, db, user)


@router.post("/portcalls/new", include_in_schema=False)
async def new(request: Request, db: DbSession,
              user: CurrentUser) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in FIELDS}
    try:
        with db.begin_nested():
            r = file_port_report(db, user, parse(PortReportIn, values))
    except InvalidInput as exc:
        return _page(request, db, user, values=values, error=exc.message)
    return _page(request, db, user, notice=f"已登记：{r.vessel.registry_no} {r.direction_label}")


@router.post("/portcalls/import", include_in_schema=False)
async def import_file(request: Request, *, file: UploadFile = File(...),
                      db: DbSession, user: CurrentUser) -> Response:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件不能超过 5 MB")
    try:
        report = import_port_reports(db, user, data, file.filename or "")
    except InvalidInput as exc:
        return _page(request, db, user, error=exc.message)
    return _page(request, db, user, imported=report)


@router.post("/portcalls/links", include_in_schema=False)
async def issue_link(request: Request, db: DbSession,
                     user: CurrentUser) -> Response:
    form = await request.form()
    ref = str(form.get("registry_no", "")).strip()
    vessel = vessel_by_registry_no(db, ref)
    if vessel is None:
        return _page(request, db, user, error=f"名录中没有渔船“{ref}”")
    _, token = issue_owner_link(db, user, vessel.id)
    url = str(request.base_url).rstrip("/") + f"/r/{token}"
    qr = "data:image/png;base64," + base64.b64encode(qr_png(url, scale=5)).decode()
    return _page(request, db, user, link={"vessel": vessel, "url": url, "qr": qr})


# -- the owner's phone page --------------------------------------------------------------
@router.get("/r/{token}", include_in_schema=False)
def owner_page(request: Request, token: str, db: DbSession) -> Response:
    _, vessel = vessel_for_owner_token(db, token)
    return render(request, "portcalls/owner.html", {"vessel": vessel, "ports": _ports(db),
                                                    "values": {}, "error": None, "done": None})


@router.post("/r/{token}", include_in_schema=False)
async def owner_submit(request: Request, token: str, db: DbSession) -> Response:
    form = await request.form()
    _, vessel = vessel_for_owner_token(db, token)
    values = {k: str(form.get(k, "")) for k in FIELDS if k != "vessel"}
    try:
        with db.begin_nested():
            report = file_owner_report(db, token, parse(PortReportIn, values))
    except InvalidInput as exc:
        return render(request, "portcalls/owner.html", {
            "vessel": vessel, "ports": _ports(db), "values": values, "error": exc.message,
            "done": None}, status_code=400)
    return render(request, "portcalls/owner.html", {"vessel": vessel, "ports": _ports(db),
                                                    "values": {}, "error": None,
                                                    "done": report})


# -- API ---------------------------------------------------------------------------------
def _row(r) -> dict:
    return {"id": r.id, "vessel": r.vessel.registry_no, "mmsi": r.mmsi,
            "direction": r.direction, "port_zone_id": r.port_zone_id, "port": r.port_name,
            "event_time": r.event_time.isoformat(), "crew_count": r.crew_count, "via": r.via}


@router.get("/api/portcalls", tags=["portcalls"])
def api_list(db: DbSession, user: CurrentUser):
    return {"reports": [_row(r) for r in list_port_reports(db, user)]}


@router.post("/api/portcalls", tags=["portcalls"], status_code=201)
def api_file(body: PortReportIn, db: DbSession,
             user: CurrentUser):
    return _row(file_port_report(db, user, body))


