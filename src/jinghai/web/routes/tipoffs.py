"""Public tip-off pages (no login) and the office's tip-off inbox and JSON API."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jinghai.accounts.access import require_office
from jinghai.accounts.models import User
from jinghai.cases.access import mask_text
from jinghai.errors import InvalidInput, NotFound, TooManyRequests
from jinghai.geo.gazetteer import place_labels
from jinghai.org.service import get_operation, list_units
from jinghai.schemas import parse
from jinghai.settings import Settings
from jinghai.tipoffs import service
from jinghai.tipoffs.models import TIPOFF_STATUS, TipOff
from jinghai.tipoffs.schemas import ConvertIn, RewardIn, StatusIn, TipOffIn
from jinghai.web.deps import AppSettings, CurrentUser, DbSession
from jinghai.web.render import register_nav, render, templates

router = APIRouter()
templates.env.filters["masktext"] = mask_text
register_nav("群众举报", "/tipoffs/", {"office", "viewer"})

LEAFLET = resources.files("jinghai.web") / "static" / "vendor" / "leaflet" / "leaflet.js"
COASTLINE = resources.files("jinghai.geo") / "data" / "gshhs_f_land_ningbo_zhoushan.geojson"

# Served from here (not inline) because the CSP allows scripts from 'self' only.
MAP_JS = """
(function () {
  var box = document.getElementById('tipmap');
  if (!box || !window.L) { return; }
  box.hidden = false;
  var lon = document.getElementById('lon'), lat = document.getElementById('lat');
  var typed = document.getElementById('lonlat'), picked = document.getElementById('picked');
  if (typed) { typed.hidden = true; typed.style.display = 'none'; }
  if (picked) { picked.hidden = false; }
  var map = L.map(box, {minZoom: 8, maxZoom: 17}).setView([29.87, 121.95], 10);
  var tiles = box.getAttribute('data-tiles');
  if (tiles) { L.tileLayer(tiles, {maxZoom: 18}).addTo(map); }
  fetch('/tip/coastline.geojson').then(function (r) { return r.json(); }).then(function (g) {
    L.geoJSON(g, {interactive: false, style: {color: '#8a7650', weight: 1,
      fillColor: '#efe6cf', fillOpacity: tiles ? 0 : 1}}).addTo(map);
  }).catch(function () {});
  if (window.JinghaiPlaces) { window.JinghaiPlaces.attach(map, '/tip/places.geojson'); }
  var marker = null, text = document.getElementById('picked-text');
  function show() {
    var y = parseFloat(lat.value), x = parseFloat(lon.value);
    text.textContent = Math.abs(y).toFixed(4) + '°' + (y >= 0 ? 'N' : 'S') + ' ' +
      Math.abs(x).toFixed(4) + '°' + (x >= 0 ? 'E' : 'W') + '（再点地图可更改）';
  }
  map.on('click', function (e) {
    lat.value = e.latlng.lat.toFixed(5); lon.value = e.latlng.lng.toFixed(5);
    if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
    show();
  });
  if (lat.value && lon.value) {
    marker = L.marker([parseFloat(lat.value), parseFloat(lon.value)]).addTo(map); show();
  }
  var clear = document.getElementById('picked-clear');
  if (clear) {
    clear.addEventListener('click', function () {
      lat.value = ''; lon.value = ''; text.textContent = '未选择（可选）';
      if (marker) { map.removeLayer(marker); marker = null; }
    });
  }
})();
"""

def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _float(value: object, label: str) -> float | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{label}应为数字") from None


def _local(db: Session, value: object) -> datetime | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("时间格式有误") from None
    return naive if naive.tzinfo else naive.replace(tzinfo=ZoneInfo(get_operation(db).timezone))


def _tip_context(settings: Settings) -> dict:
    return {"has_map": LEAFLET.is_file(), "tiles": settings.map_tile_url,
            "max_mb": service.MAX_PHOTO_BYTES // (1024 * 1024)}


# --- public --------------------------------------------------------------------------------


@router.get("/tip", include_in_schema=False)
def tip_page(request: Request, settings: AppSettings) -> Response:
    return render(request, "tipoffs/public_form.html",
                  {"values": {}, "error": None, **_tip_context(settings)})


@router.get("/tip/map.js", include_in_schema=False)
def tip_map_js() -> Response:
    return Response(MAP_JS, media_type="application/javascript")


@router.get("/tip/coastline.geojson", include_in_schema=False)
def tip_coastline() -> FileResponse:
    """The shipped coastline, public: the tip-off page's map draws it without tiles."""
    return FileResponse(str(COASTLINE), media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/tip/places.geojson", include_in_schema=False)
def tip_places():
    """Island, port and water names (the shipped gazetteer; no zones, which are the task
    force's own)."""
    return place_labels()


@router.post("/tip", include_in_schema=False)
async def tip_submit(request: Request, db: DbSession,
                     settings: AppSettings) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        photo = None
        upload = form.get("photo")
        if isinstance(upload, UploadFile) and upload.filename:
            photo = await upload.read(service.MAX_PHOTO_BYTES + 1)
        data = parse(TipOffIn, {
            "content": values.get("content", ""), "place": values.get("place", ""),
            "lon": _float(values.get("lon"), "经度"), "lat": _float(values.get("lat"), "纬度"),
            "occurred_at": _local(db, values.get("occurred_at")),
            "contact_name": "" if values.get("anonymous") else values.get("contact_name", ""),
            "contact_phone": "" if values.get("anonymous") else values.get("contact_phone", ""),
            "photo": photo or None})
        tip = service.submit_tipoff(db, data, client_ip=_client_ip(request),
                                    salt=settings.secret_key, data_dir=settings.data_dir)
    except (InvalidInput, TooManyRequests) as exc:
        return render(request, "tipoffs/public_form.html",
                      {"values": values, "error": exc.message, **_tip_context(settings)},
                      status_code=exc.status_code)
    return render(request, "tipoffs/public_done.html", {"code": tip.receipt_code})


@router.get("/tip/status", include_in_schema=False)
def tip_status(request: Request, *, code: str = "", db: DbSession) -> Response:
    status, error = None, None
    if code.strip():
        try:
            status = service.tipoff_status(db, code[:40])
        except NotFound as exc:
            error = exc.message
    return render(request, "tipoffs/public_status.html",
                  {"code": code[:40], "status": status, "error": error})


# --- office: inbox ---------------------------------------------------------------------------


@router.get("/tipoffs/", include_in_schema=False)
def inbox(request: Request, *, status: str = "", db: DbSession,
          user: CurrentUser) -> Response:
    rows = service.list_tipoffs(db, user, status)
    return render(request, "tipoffs/inbox.html",
                  {"rows": rows, "status": status, "statuses": TIPOFF_STATUS})


@router.get("/tipoffs/{tipoff_id}", include_in_schema=False)
def detail(request: Request, tipoff_id: int, db: DbSession,
           user: CurrentUser) -> Response:
    return _detail(request, db, user, tipoff_id, show_identity=False)


@router.post("/tipoffs/{tipoff_id}/identity", include_in_schema=False)
def detail_identity(request: Request, tipoff_id: int, db: DbSession,
                    user: CurrentUser) -> Response:
    """The tipster's name and phone, logged: a POST with the CSRF token, never a link."""
    return _detail(request, db, user, tipoff_id, show_identity=True)


def _detail(request: Request, db: Session, user: User, tipoff_id: int,
            show_identity: bool) -> Response:
    tip = service.get_tipoff_for(db, user, tipoff_id)
    identity = service.view_identity(db, user, tip.id) if show_identity else None
    units = list_units(db, kind="agency")
    return render(request, "tipoffs/detail.html", {
        "tip": tip, "identity": identity, "shown": show_identity, "units": units,
        "statuses": TIPOFF_STATUS})


@router.get("/tipoffs/{tipoff_id}/photo", include_in_schema=False)
def photo(tipoff_id: int, db: DbSession, user: CurrentUser,
          settings: AppSettings) -> FileResponse:
    tip = service.get_tipoff_for(db, user, tipoff_id)
    if not tip.photo_path:
        raise NotFound("没有照片")
    path = (settings.data_dir / tip.photo_path).resolve()
    if settings.data_dir.resolve() not in path.parents or not path.is_file():
        raise NotFound("照片不存在")
    return FileResponse(path)


@router.post("/tipoffs/{tipoff_id}/convert", include_in_schema=False)
async def convert(request: Request, tipoff_id: int, db: DbSession,
                  user: CurrentUser,
                  settings: AppSettings) -> RedirectResponse:
    form = await request.form()
    clue = service.convert_to_clue(db, user, tipoff_id, parse(ConvertIn, {
        "unit_key": str(form.get("unit_key", "")),
        "reliability": str(form.get("reliability", "F"))}), data_dir=settings.data_dir)
    return RedirectResponse(f"/clues/{clue.id}", status_code=303)


@router.post("/tipoffs/{tipoff_id}/status", include_in_schema=False)
async def change_status(request: Request, tipoff_id: int, db: DbSession,
                        user: CurrentUser) -> RedirectResponse:
    require_office(user)  # before the form is read: a liaison learns nothing from its errors
    form = await request.form()
    service.set_status(db, user, tipoff_id, parse(StatusIn, {
        "status": str(form.get("status", "")), "reply": str(form.get("reply", ""))}))
    return RedirectResponse(f"/tipoffs/{tipoff_id}", status_code=303)


def _form_id(value) -> int:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput("奖励编号有误")
    return int(text)


@router.post("/tipoffs/{tipoff_id}/rewards", include_in_schema=False)
async def reward(request: Request, tipoff_id: int, db: DbSession,
                 user: CurrentUser) -> RedirectResponse:
    require_office(user)  # before the form is read, as for the status
    form = await request.form()
    action = str(form.get("action", "propose"))
    if action == "propose":
        service.propose_reward(db, user, tipoff_id, parse(RewardIn, {
            "amount": str(form.get("amount", "")), "note": str(form.get("note", ""))}))
    elif action == "approve":
        service.approve_reward(db, user, _form_id(form.get("reward_id")))
    elif action == "pay":
        service.pay_reward(db, user, _form_id(form.get("reward_id")))
    return RedirectResponse(f"/tipoffs/{tipoff_id}", status_code=303)


# --- JSON API --------------------------------------------------------------------------------


class TipOffOut(BaseModel):
    id: int
    receipt_code: str
    content: str
    place: str
    lon: float | None
    lat: float | None
    occurred_at: datetime | None
    status: str
    has_photo: bool
    anonymous: bool
    clue_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, t: TipOff) -> TipOffOut:
        return cls(id=t.id, receipt_code=t.receipt_code, content=t.content, place=t.place,
                   lon=t.lon, lat=t.lat, occurred_at=t.occurred_at, status=t.status,
                   has_photo=bool(t.photo_path), anonymous=t.anonymous, clue_id=t.clue_id,
                   created_at=t.created_at)


@router.get("/api/tipoffs")
def api_list(*, status: str = "", db: DbSession,
             user: CurrentUser) -> list[TipOffOut]:
    return [TipOffOut.of(t) for t in service.list_tipoffs(db, user, status)]


@router.get("/api/tipoffs/{tipoff_id}")
def api_get(tipoff_id: int, db: DbSession,
            user: CurrentUser) -> TipOffOut:
    return TipOffOut.of(service.get_tipoff_for(db, user, tipoff_id))


@router.post("/api/tipoffs/{tipoff_id}/convert")
def api_convert(tipoff_id: int, body: ConvertIn, db: DbSession,
                user: CurrentUser,
                settings: AppSettings) -> dict:
    clue = service.convert_to_clue(db, user, tipoff_id, body, data_dir=settings.data_dir)
    return {"clue_id": clue.id}

