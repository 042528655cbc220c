"""The live map (海图): the page, and the JSON it polls — vessels since a version, one
vessel's identity and registry record, its track from the store, search, map layers.

Signed-in users only. The AIS runtime (feeds, ingestor, live tracker) lives for the app's
lifetime, started by the app's lifespan (:mod:`jinghai.rounds`), so the map works the
moment the app is up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from jinghai.ais.live import KIND_LABELS, VesselState, classify
from jinghai.ais.queries import vessel_static
from jinghai.ais.runtime import AisRuntime
from jinghai.errors import InvalidInput, NotFound
from jinghai.geo.coast import COASTLINE_PATH
from jinghai.geo.gazetteer import place_labels
from jinghai.geo.queries import load_zones
from jinghai.geo.zones import zones_to_geojson
from jinghai.vessels.models import VESSEL_STATUS_LABELS
from jinghai.vessels.queries import (
    get_vessel_for,
    owner_view,
    search_vessels,
    vessel_for_mmsi,
)
from jinghai.web.deps import CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("海图", "/map", {"office", "liaison", "viewer", "admin"})

TZ = ZoneInfo("Asia/Shanghai")
MAX_TRACK_DAYS = 31
MAX_TRACK_POINTS = 5000
NAV_STATUS = {0: "在航（机动）", 1: "锚泊", 2: "失控", 3: "操纵受限", 4: "吃水受限", 5: "系泊",
              6: "搁浅", 7: "捕捞作业", 8: "在航（帆动）", 14: "AIS-SART", 15: "未说明"}
ZONE_KINDS = {"jurisdiction", "port", "berth", "anchorage", "international_anchorage",
              "restricted", "landing_point"}


def ship_type_label(code: int | None) -> str:
    if code is None or code == 0:
        return ""
    named = {30: "渔船", 31: "拖带船", 32: "拖带船", 33: "疏浚/水下作业", 34: "潜水作业",
             35: "军事行动", 36: "帆船", 37: "游艇", 50: "引航船", 51: "搜救船", 52: "拖轮",
             53: "港口供应船", 54: "防污染船", 55: "执法船", 58: "医疗船"}
    if code in named:
        return named[code]
    decade = {2: "地效翼船", 4: "高速船", 6: "客船", 7: "货船", 8: "油轮", 9: "其他"}
    return decade.get(code // 10, f"类型 {code}")


def runtime_of(request: Request) -> AisRuntime:
    """The app's AIS runtime; started on first use when the app runs without a lifespan
    (a test client used outside ``with``)."""
    runtime = getattr(request.app.state, "ais_runtime", None)
    if runtime is None:
        runtime = AisRuntime(request.app.state.settings, request.app.state.session_factory)
        runtime.start()
        request.app.state.ais_runtime = runtime
    return runtime


def _vessel_json(st: VesselState) -> dict:
    return {"mmsi": st.mmsi, "name": st.name, "kind": st.kind, "lat": round(st.lat, 6),
            "lon": round(st.lon, 6), "sog": st.sog, "cog": st.cog, "heading": st.heading,
            "nav_status": st.nav_status, "ts": st.ts.isoformat(),
            "registry_no": st.registry_no, "vessel_id": st.vessel_id,
            "receivers": st.receivers}


def _aware(value: datetime | None) -> datetime | None:
    """Times from the page's datetime inputs are local (Asia/Shanghai) when naive."""
    if value is None:
        return None
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


# --- page ----------------------------------------------------------------------------------


@router.get("/map", include_in_schema=False)
def map_page(request: Request, user: CurrentUser) -> Response:
    settings = request.app.state.settings
    return render(request, "map.html", {
        "tile_url": settings.map_tile_url,
        "kinds": KIND_LABELS,
        "feeds": len(settings.ais_feeds),
    })


# --- JSON ----------------------------------------------------------------------------------


@router.get("/api/map/vessels", tags=["map"])
def vessels(request: Request, *, since: int = Query(0, ge=0),
            user: CurrentUser) -> dict:
    """Vessels changed after version ``since`` (0: all). ``full`` tells the client to drop
    what it holds; ``removed`` lists MMSIs that left the live picture."""
    ch = runtime_of(request).tracker.changes(since)
    return {"version": ch["version"], "full": ch["full"], "removed": ch["removed"],
            "vessels": [_vessel_json(s) for s in ch["vessels"]]}


@router.get("/api/map/vessels/{mmsi}", tags=["map"])
def vessel_detail(request: Request, mmsi: int, db: DbSession,
                  user: CurrentUser) -> dict:
    """Identity (AIS static data), registry record, last message of one MMSI."""
    runtime = runtime_of(request)
    st = runtime.tracker.get(mmsi)
    static = _static(db, mmsi)
    reg = vessel_for_mmsi(db, str(mmsi))
    if st is None and static is None and reg is None:
        raise NotFound("没有这艘船的AIS记录")
    if st is not None:
        kind = st.kind
    else:  # not heard lately: classified as it would be on the map
        kind = classify(mmsi, runtime.tracker.own_mmsis,
                        {mmsi: True} if reg is not None else None)
    out: dict = {"mmsi": mmsi, "kind": kind, "kind_label": KIND_LABELS.get(kind, ""),
                 "name": (st.name if st else None) or (static or {}).get("name"),
                 "static": static, "last": None, "registry": None}
    if st is not None:
        out["last"] = {**_vessel_json(st), "msg_type": st.msg_type,
                       "nav_status_label": NAV_STATUS.get(st.nav_status, "")}
    if reg is not None:
        vessel = get_vessel_for(db, user, reg.id)
        owner = owner_view(vessel.owner, False)
        out["registry"] = {
            "id": vessel.id, "registry_no": vessel.registry_no, "name": vessel.name,
            "home_port": vessel.home_port, "status": vessel.status,
            "status_label": VESSEL_STATUS_LABELS.get(vessel.status, vessel.status),
            "beidou_no": vessel.beidou_no, "owner": owner.name if owner else "",
            "owner_kind": owner.kind_label if owner else "",
            "url": f"/vessels/{vessel.id}", "qr_svg": f"/vessels/{vessel.id}/qr.svg",
            "card_url": f"/vessels/{vessel.id}/card"}
    return out


def _static(db: Session, mmsi: int) -> dict | None:
    row = vessel_static(db, mmsi)
    if row is None:
        return None
    return {"name": row.name, "callsign": row.callsign, "imo": row.imo,
            "ship_type": row.ship_type, "ship_type_label": ship_type_label(row.ship_type),
            "length": row.length, "beam": row.beam, "destination": row.destination,
            "first_seen": row.first_seen.isoformat() if row.first_seen else None,
            "last_static_at": row.last_static_at.isoformat() if row.last_static_at else None}


@router.get("/api/map/track/{mmsi}", tags=["map"])
def track(request: Request, mmsi: int, *, start: datetime | None = None,
          end: datetime | None = None, user: CurrentUser) -> dict:
    """Positions of one MMSI from the store, ``[ts_ms, lon, lat, sog, cog]`` in time order
    (last 24 h by default; naive times are Beijing time). Thinned evenly beyond
    MAX_TRACK_POINTS so a month of a busy vessel still draws."""
    end = _aware(end) or datetime.now(UTC)
    start = _aware(start) or end - timedelta(hours=24)
    if start >= end:
        raise InvalidInput("开始时间必须早于结束时间")
    if end - start > timedelta(days=MAX_TRACK_DAYS):
        raise InvalidInput(f"航迹查询最长 {MAX_TRACK_DAYS} 天，请缩短时间范围")
    store = runtime_of(request).store
    points: list[list] = []
    total = 0
    if store is not None and store.days():
        t = store.track(mmsi, start.astimezone(UTC), end.astimezone(UTC))
        total = t.num_rows
        if total:
            idx = np.arange(total)
            if total > MAX_TRACK_POINTS:
                idx = np.unique(np.linspace(0, total - 1, MAX_TRACK_POINTS).astype(int))
            t = t.take(idx)
            ts = t.column("ts").cast("int64").to_numpy() // 1000
            cols = [t.column(c).to_pylist() for c in ("lon", "lat", "sog", "cog")]
            points = [[int(ms), lo, la, sg, cg] for ms, lo, la, sg, cg in zip(ts, *cols,
                                                                                 strict=True)]
    return {"mmsi": mmsi, "start": start.astimezone(UTC).isoformat(),
            "end": end.astimezone(UTC).isoformat(), "count": total, "points": points}


@router.get("/api/map/search", tags=["map"])
def search(request: Request, *, q: str = Query("", max_length=60), db: DbSession,
           user: CurrentUser) -> dict:
    """Vessels by name (AIS or registry), MMSI or registry number: live ones first, then
    registry vessels not heard lately."""
    q = q.strip()
    if not q:
        return {"q": q, "results": []}
    tracker = runtime_of(request).tracker
    results = []
    seen: set[int] = set()
    for st in tracker.search(q, limit=20):
        seen.add(st.mmsi)
        results.append({**_vessel_json(st), "live": True,
                        "kind_label": KIND_LABELS.get(st.kind, "")})
    rows, _ = search_vessels(db, user, q, limit=20)
    for v in rows:
        mmsi = int(v.mmsi) if v.mmsi and v.mmsi.isdigit() else None
        if mmsi is not None and mmsi in seen:
            continue
        st = tracker.get(mmsi) if mmsi is not None else None
        entry = {"mmsi": mmsi, "name": v.name, "registry_no": v.registry_no,
                 "vessel_id": v.id, "kind": "fishing", "kind_label": KIND_LABELS["fishing"],
                 "live": st is not None}
        if st is not None:
            entry.update(lat=st.lat, lon=st.lon, ts=st.ts.isoformat())
        results.append(entry)
    return {"q": q, "results": results[:30]}


@router.get("/api/map/layers", tags=["map"])
def layers(db: DbSession, user: CurrentUser) -> dict:
    """The active zones in the database: exactly the geography the detectors use."""
    zones = [z for z in load_zones(db) if z.kind in ZONE_KINDS]
    return {"zones": zones_to_geojson(zones)}


@router.get("/api/map/places", tags=["map"])
def places(user: CurrentUser) -> dict:
    """Place names (islands, ports, waters) from the shipped gazetteer, as GeoJSON points
    with the least zoom at which each is shown."""
    return place_labels()


@router.get("/api/map/coastline.geojson", tags=["map"])
def coastline(user: CurrentUser) -> FileResponse:
    """The shipped GSHHS coastline (Ningbo–Zhoushan), drawn when no tile server is set."""
    return FileResponse(COASTLINE_PATH, media_type="application/geo+json",
                        headers={"Cache-Control": "private, max-age=86400"})
