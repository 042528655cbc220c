"""Patrol pages (missions, coverage) for the office and units, the phone page for the patrol
leader, and the JSON API the phone page talks to. Thin: parse, call a patrol service or
query, render."""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.errors import InvalidInput, NotFound, PermissionDenied
from jinghai.geo.queries import active_zones_of_kind, zones_by_id
from jinghai.notify.webhooks import webhook_targets
from jinghai.org.service import get_operation, local_today, reporting_slots
from jinghai.patrol.coverage import SWEEP_WIDTHS
from jinghai.patrol.models import MISSION_KIND_LABELS
from jinghai.patrol.queries import (
    REQUIRED_INTERVAL_DAYS,
    active_missions,
    ais_density,
    blind_spots,
    effort_grid,
    get_checkin_photo_for,
    get_mission_for,
    landing_point_status,
    list_missions,
    mission_geojson,
    mission_inspections,
    work_section,
)
from jinghai.patrol.service import (
    add_track_points,
    check_in,
    end_mission,
    notify_overdue,
    record_patrol_inspection,
    start_mission,
)
from jinghai.reporting.computed import computed_values
from jinghai.reporting.form import default_form
from jinghai.web.deps import AppSettings, CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("巡查巡航", "/patrol/", {"office", "liaison", "viewer", "admin"})

PATROL_FIGURES = ("sea_patrol", "port_area", "coastal", "vessel_control")
MAX_PERIOD_DAYS = 92


def _today(db: Session) -> date:
    from jinghai.db import utcnow

    return local_today(get_operation(db), utcnow())


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD") from None


def _period(db: Session, start: str | None, end: str | None) -> tuple[date, date]:
    today = _today(db)
    lo = _day(start, today - timedelta(days=6))
    hi = _day(end, today)
    if hi < lo:
        raise InvalidInput("结束日期早于开始日期")
    if (hi - lo).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"时间段最长 {MAX_PERIOD_DAYS} 天")
    return lo, hi


def day_figures(db: Session, user: User, day: date) -> list[dict[str, Any]]:
    """The day's counted patrol figures per unit (each unit sees its own; the office,
    leaders and admins see all), marked as counted."""
    form = default_form()
    rows = []
    for slot in reporting_slots(db):
        if slot.section not in PATROL_FIGURES or work_section(db, slot.unit.id) != slot.section:
            continue
        if user.role == Role.LIAISON and slot.unit.id != user.unit_id:
            continue
        values = computed_values(db, slot.unit, slot.section, day)
        if not values:
            continue
        section = form.section(slot.section)
        rows.append({"unit": slot.unit.key, "unit_name": slot.unit.name,
                     "section": slot.section, "section_label": section.label,
                     "figures": [{"key": f.key, "label": f.short, "value": float(values[f.key]),
                                  "source": "counted"}
                                 for f in section.typed_figures if f.key in values]})
    return rows


# --- pages ---------------------------------------------------------------------------------


@router.get("/patrol/", include_in_schema=False)
def patrol_home(request: Request, *, start: str | None = None, end: str | None = None,
                unit: str = "", db: DbSession,
                user: CurrentUser) -> Response:
    lo, hi = _period(db, start, end)
    missions = list_missions(db, user, lo, hi, unit or None)
    return render(request, "patrol/list.html", {
        "missions": missions, "start": lo, "end": hi, "unit": unit,
        "figures": day_figures(db, user, hi), "figures_day": hi,
        "units": sorted({(s.unit.key, s.unit.name) for s in reporting_slots(db)
                         if s.section in PATROL_FIGURES}),
    })


@router.get("/patrol/missions/{mission_id}", include_in_schema=False)
def mission_page(request: Request, mission_id: int, db: DbSession,
                 user: CurrentUser) -> Response:
    mission = get_mission_for(db, user, mission_id)
    inspections = mission_inspections(db, mission)
    zones = zones_by_id(db, (c.zone_id for c in mission.checkins))
    return render(request, "patrol/detail.html", {
        "m": mission, "inspections": inspections, "zones": zones,
        "widths": SWEEP_WIDTHS,
    })


@router.get("/patrol/checkins/{checkin_id}/photo", include_in_schema=False)
def checkin_photo(checkin_id: int, db: DbSession,
                  user: CurrentUser,
                  settings: AppSettings) -> FileResponse:
    row = get_checkin_photo_for(db, user, checkin_id)
    path = (settings.data_dir / row.photo_path).resolve()
    if not path.is_file() or settings.data_dir.resolve() not in path.parents:
        raise NotFound("照片文件缺失")
    return FileResponse(path, media_type=row.photo_type)


@router.get("/patrol/coverage", include_in_schema=False)
def coverage_page(request: Request, *, start: str | None = None, end: str | None = None,
                  day: str | None = None, db: DbSession,
                  user: CurrentUser) -> Response:
    lo, hi = _period(db, start, end or day)
    points = landing_point_status(db, hi)
    by_district: dict[str, dict[str, Any]] = {}
    for p in points:
        d = by_district.setdefault(p.unit_name or p.sub_district or "未指定",
                                   {"total": 0, "overdue": 0, "kinds": {}})
        d["total"] += 1
        d["overdue"] += int(p.overdue)
        d["kinds"][p.subtype] = d["kinds"].get(p.subtype, 0) + 1
    return render(request, "patrol/coverage.html", {
        "start": lo, "end": hi, "points": points, "districts": by_district,
        "overdue": [p for p in points if p.overdue], "intervals": REQUIRED_INTERVAL_DAYS,
        "sent": request.query_params.get("sent"),
    })


@router.post("/patrol/coverage/notify", include_in_schema=False)
def coverage_notify(request: Request, db: DbSession,
                    user: CurrentUser,
                    settings: AppSettings) -> RedirectResponse:
    if user.role != Role.OFFICE:
        raise PermissionDenied("只有专班办公室可以发送逾期提醒")
    n = notify_overdue(db, _today(db), targets=webhook_targets(settings))
    return RedirectResponse(f"/patrol/coverage?sent={n}", status_code=303)


@router.get("/patrol/m", include_in_schema=False)
def phone_page(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    if user.role != Role.LIAISON:
        raise PermissionDenied("手机巡查页面供单位联络员（带队人）使用")
    return render(request, "patrol/phone.html", {
        "active": active_missions(db, user), "kinds": MISSION_KIND_LABELS,
        "boat_types": {k: v.label for k, v in SWEEP_WIDTHS.items()},
    })


@router.get("/patrol/sw.js", include_in_schema=False)
def phone_service_worker() -> Response:
    """The phone page's service worker, served under /patrol/ so its scope covers the page."""
    from importlib import resources

    path = resources.files("jinghai.web") / "static" / "js" / "patrol_sw.js"
    return Response(path.read_text(encoding="utf-8"), media_type="text/javascript",
                    headers={"Cache-Control": "no-cache"})


# --- JSON API -------------------------------------------------------------------------------


def _mission_json(m) -> dict[str, Any]:
    return {"id": m.id, "unit": m.unit.key, "unit_name": m.unit.name, "kind": m.kind,
            "kind_label": m.kind_label, "crew_count": m.crew_count, "status": m.status,
            "start_at": m.start_at.isoformat(),
            "end_at": m.end_at.isoformat() if m.end_at else None,
            "swept_km2": float(m.swept_km2) if m.swept_km2 is not None else None,
            "entered_anchorage": m.entered_anchorage,
            "boats": [{"name": b.name, "mmsi": b.mmsi, "boat_type": b.boat_type}
                      for b in m.boats]}


@router.post("/api/patrol/missions")
def api_start(body: dict[str, Any], db: DbSession,
              user: CurrentUser):
    return _mission_json(start_mission(db, user, body))


@router.get("/api/patrol/missions/{mission_id}")
def api_mission(mission_id: int, db: DbSession,
                user: CurrentUser):
    return _mission_json(get_mission_for(db, user, mission_id))


@router.get("/api/patrol/missions/{mission_id}/geojson")
def api_mission_geojson(mission_id: int, db: DbSession,
                        user: CurrentUser):
    return mission_geojson(db, get_mission_for(db, user, mission_id))


@router.post("/api/patrol/missions/{mission_id}/track")
def api_track(mission_id: int, body: dict[str, Any], db: DbSession,
              user: CurrentUser):
    return {"added": add_track_points(db, user, mission_id, body)}


@router.post("/api/patrol/missions/{mission_id}/end")
def api_end(mission_id: int, body: dict[str, Any], db: DbSession,
            user: CurrentUser, settings: AppSettings):
    """End a mission; the own boats' AIS positions (``own_mmsis``) during it are read from
    the position store and become its track."""
    store = None
    store_dir = settings.resolved_ais_store_dir()
    if settings.own_mmsis and store_dir.is_dir():
        from jinghai.ais.store import PositionStore

        store = PositionStore(store_dir)
    return _mission_json(end_mission(db, user, mission_id, body, store=store,
                                     own_mmsis=settings.own_mmsis))


@router.post("/api/patrol/checkins")
def api_checkin(body: dict[str, Any], db: DbSession,
                user: CurrentUser,
                settings: AppSettings):
    """A check-in from the phone, possibly sent late from its offline queue; ``photo_b64``
    is the photo (base64, optionally as a data: URL)."""
    raw = str(body.pop("photo_b64", "") or "")
    photo = None
    if raw:
        try:
            photo = base64.b64decode(raw.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("照片数据无法读取") from None
    result = check_in(db, user, body, photo=photo, data_dir=settings.data_dir)
    c = result.checkin
    return {"id": c.id, "client_id": c.client_id, "duplicate": result.duplicate,
            "zone_id": c.zone_id, "distance_m": c.distance_m, "at": c.at.isoformat(),
            "clue_id": c.clue_id}


@router.post("/api/patrol/inspections")
def api_inspection(body: dict[str, Any], db: DbSession,
                   user: CurrentUser):
    result = record_patrol_inspection(db, user, body)
    i = result.inspection
    return {"id": i.id, "duplicate": result.duplicate, "vessel_id": i.vessel_id,
            "illegal": i.illegal}


@router.get("/api/patrol/landing-points")
def api_landing_points(db: DbSession, user: CurrentUser):
    """Where one may check in (landing points and international anchorages): the phone keeps
    this list so it can check in without signal."""
    rows = active_zones_of_kind(db, "landing_point", "international_anchorage")
    out = []
    for z in rows:
        c = z.to_zone().geometry.centroid
        out.append({"id": z.id, "name": z.name, "kind": z.kind, "subtype": z.subtype or "",
                    "sub_district": z.sub_district or "", "lon": c.x, "lat": c.y})
    return out


@router.get("/api/patrol/coverage")
def api_coverage(*, start: str | None = None, end: str | None = None,
                 db: DbSession, user: CurrentUser,
                 settings: AppSettings):
    lo, hi = _period(db, start, end)
    effort = effort_grid(db, user, lo, hi)
    from jinghai.patrol.queries import local_day_bounds

    density = []
    store_dir = settings.resolved_ais_store_dir()
    if store_dir.is_dir():
        from jinghai.ais.store import PositionStore

        t0, _ = local_day_bounds(db, lo)
        _, t1 = local_day_bounds(db, hi)
        density = ais_density(PositionStore(store_dir), t0, t1,
                              exclude_mmsis=set(settings.own_mmsis))
    show_person = user.role in (Role.OFFICE, Role.ADMIN, Role.VIEWER)
    return {
        "start": lo.isoformat(), "end": hi.isoformat(),
        "cell_deg": 0.02,
        "effort": [{"lon": c.lon0, "lat": c.lat0, "hours": c.hours} for c in effort],
        "density": [{"lon": c.lon0, "lat": c.lat0, "positions": int(c.hours)} for c in density],
        "blind_spots": [{"lon": c.lon0, "lat": c.lat0, "positions": int(c.hours)}
                        for c in blind_spots(effort, density)],
        "landing_points": [{
            "zone_id": p.zone_id, "name": p.name, "subtype": p.subtype, "lon": p.lon,
            "lat": p.lat, "sub_district": p.sub_district, "unit": p.unit_name,
            "responsible_person": p.responsible_person if show_person else "",
            "last_checkin_at": p.last_checkin_at.isoformat() if p.last_checkin_at else None,
            "days_since": p.days_since, "required_days": p.required_days,
            "overdue": p.overdue} for p in landing_point_status(db, hi)],
    }


@router.get("/api/patrol/figures/{day}")
def api_figures(day: date, db: DbSession, user: CurrentUser):
    """The day's patrol figures counted from missions, check-ins and inspections."""
    return {"date": day.isoformat(), "units": day_figures(db, user, day)}
