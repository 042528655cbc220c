"""Inbound ships and crews (入境船舶日报) and outreach (宣传): pages and /api/inbound,
/api/outreach. Crew lists are typed one person per line: 姓名,国籍,证件号码[,健康状况]."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as FormFile

from jinghai.alerts.service import AlertConfig
from jinghai.cases.evidence import MAX_BYTES
from jinghai.errors import InvalidInput
from jinghai.inbound.models import HEALTH, InboundShip
from jinghai.inbound.schemas import DepartureIn, ShipIn
from jinghai.inbound.service import get_ship, list_ships, record_departure, record_ship
from jinghai.org.service import get_operation
from jinghai.outreach.models import AUDIENCES
from jinghai.outreach.schemas import OutreachIn
from jinghai.outreach.service import list_outreach, record_outreach
from jinghai.supervision.records import local_today
from jinghai.supervision.schemas import parse
from jinghai.web.deps import AppSettings, CurrentUser, DbSession, discard_writes
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("入境船舶", "/inbound/", {"office", "liaison", "viewer", "admin"})
register_nav("宣传", "/outreach/", {"office", "liaison", "viewer", "admin"})

HEALTH_WORDS = {v: k for k, v in HEALTH.items()} | {k: k for k in HEALTH}


def parse_crew(text: str) -> list[dict[str, str]]:
    """One person per line, fields split by a comma (either width) or a tab."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) < 3:
            raise InvalidInput(f"船员名单第{n}行应为：姓名,国籍,证件号码[,健康状况]")
        health = HEALTH_WORDS.get(parts[3], None) if len(parts) > 3 and parts[3] else "well"
        if health is None:
            raise InvalidInput(f"船员名单第{n}行的健康状况应为：{'、'.join(HEALTH.values())}")
        out.append({"name": parts[0], "nationality": parts[1], "document": parts[2],
                    "health": health})
    return out


def _local(db: Session, value: str, label: str) -> datetime:
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"请填写{label}（YYYY-MM-DDTHH:MM）") from None
    return naive if naive.tzinfo else naive.replace(tzinfo=ZoneInfo(get_operation(db).timezone))


async def _values(request: Request) -> tuple[dict[str, str], Any]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()
            if k != "csrf_token" and not isinstance(v, FormFile)}, form


@router.get("/inbound/", include_in_schema=False)
def ships_page(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    return render(request, "inbound/list.html", {"rows": list_ships(db, user), "values": {},
                                                 "error": None, "today": local_today(db)})


@router.post("/inbound/", include_in_schema=False)
async def ship_submit(request: Request, db: DbSession,
                      user: CurrentUser,
                      settings: AppSettings) -> Response:
    values, _ = await _values(request)
    try:
        data = parse(ShipIn, {**values, "eta": _local(db, values.get("eta", ""), "抵港时间"),
                              "crew_change_requested": values.get("crew_change") == "1",
                              "crew": parse_crew(values.get("crew", ""))})
        ship = record_ship(db, user, data, config=AlertConfig.from_settings(settings))
    except InvalidInput as exc:
        discard_writes(request)
        return render(request, "inbound/list.html", {
            "rows": list_ships(db, user), "values": values, "error": exc.message,
            "today": local_today(db)}, status_code=422)
    return RedirectResponse(f"/inbound/{ship.id}", status_code=303)


@router.get("/inbound/{ship_id}", include_in_schema=False)
def ship_page(request: Request, ship_id: int, db: DbSession,
              user: CurrentUser) -> Response:
    return render(request, "inbound/detail.html", {"ship": get_ship(db, user, ship_id)})


@router.post("/inbound/{ship_id}/departure", include_in_schema=False)
async def departure_submit(request: Request, ship_id: int, db: DbSession,
                           user: CurrentUser,
                           settings: AppSettings) -> RedirectResponse:
    values, _ = await _values(request)
    data = parse(DepartureIn, {"departed_at": _local(db, values.get("departed_at", ""),
                                                     "离港时间"),
                               "crew": parse_crew(values.get("crew", ""))})
    record_departure(db, user, ship_id, data, config=AlertConfig.from_settings(settings))
    return RedirectResponse(f"/inbound/{ship_id}", status_code=303)


@router.get("/outreach/", include_in_schema=False)
def outreach_page(request: Request, db: DbSession,
                  user: CurrentUser) -> Response:
    return render(request, "outreach/list.html", {
        "rows": list_outreach(db, user), "audiences": AUDIENCES, "values": {}, "error": None,
        "today": local_today(db)})


@router.post("/outreach/", include_in_schema=False)
async def outreach_submit(request: Request, db: DbSession,
                          user: CurrentUser,
                          settings: AppSettings) -> Response:
    values, form = await _values(request)
    photos = []
    for item in form.getlist("photos"):
        if isinstance(item, FormFile):
            data = await item.read(MAX_BYTES + 1)
            if data:
                photos.append((item.filename or "", data))
    try:
        record_outreach(db, user, parse(OutreachIn, values), photos=photos,
                        data_dir=settings.data_dir)
    except InvalidInput as exc:
        discard_writes(request)
        return render(request, "outreach/list.html", {
            "rows": list_outreach(db, user), "audiences": AUDIENCES, "values": values,
            "error": exc.message, "today": local_today(db)}, status_code=422)
    return RedirectResponse("/outreach/", status_code=303)


# -- JSON API ------------------------------------------------------------------------------
def _ship_json(s: InboundShip) -> dict[str, Any]:
    return {"id": s.id, "unit": s.unit.key, "report_date": s.report_date.isoformat(),
            "name": s.name, "imo": s.imo, "mmsi": s.mmsi, "flag": s.flag,
            "eta": s.eta.isoformat(), "berth": s.berth, "last_port": s.last_port,
            "crew_change_requested": s.crew_change_requested, "alert_id": s.alert_id,
            "departed_at": s.departed_at.isoformat() if s.departed_at else None,
            "crew": [{"phase": c.phase, "name": c.name, "nationality": c.nationality,
                      "document": c.document_masked, "health": c.health} for c in s.crew]}


@router.get("/api/inbound/ships")
def api_ships(db: DbSession,
              user: CurrentUser) -> list[dict[str, Any]]:
    return [_ship_json(s) for s in list_ships(db, user)]


@router.post("/api/inbound/ships", status_code=201)
def api_ship(body: dict[str, Any], db: DbSession,
             user: CurrentUser,
             settings: AppSettings) -> dict[str, Any]:
    return _ship_json(record_ship(db, user, parse(ShipIn, body),
                                  config=AlertConfig.from_settings(settings)))


@router.post("/api/inbound/ships/{ship_id}/departure")
def api_departure(ship_id: int, body: dict[str, Any], db: DbSession,
                  user: CurrentUser,
                  settings: AppSettings) -> dict[str, Any]:
    return _ship_json(record_departure(db, user, ship_id, parse(DepartureIn, body),
                                       config=AlertConfig.from_settings(settings)))


@router.post("/api/outreach", status_code=201)
def api_outreach(body: dict[str, Any], db: DbSession,
                 user: CurrentUser) -> dict[str, Any]:
    v = record_outreach(db, user, parse(OutreachIn, body))
    return {"id": v.id, "day": v.day.isoformat(), "audience": v.audience, "count": v.count}


@router.get("/api/outreach")
def api_outreach_list(db: DbSession,
                      user: CurrentUser) -> list[dict[str, Any]]:
    return [{"id": v.id, "day": v.day.isoformat(), "audience": v.audience, "count": v.count,
             "place": v.place, "unit": v.unit.key, "photos": len(v.file_ids or [])}
            for v in list_outreach(db, user)]
