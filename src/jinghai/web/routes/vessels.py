"""Vessel registry pages, exclusive-code (QR) pages and the JSON API. Thin: parse, call a
vessels service or query, render."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.errors import Conflict, InvalidInput
from jinghai.org.service import get_operation
from jinghai.schemas import parse
from jinghai.vessels.access import is_registry_keeper, require_registry_keeper
from jinghai.vessels.models import (
    THREE_NO_STATUS_LABELS,
    VESSEL_STATUS_LABELS,
    FishingVessel,
    ThreeNoVessel,
)
from jinghai.vessels.qr import qr_png, qr_svg, scan_path
from jinghai.vessels.queries import (
    contacts_visible,
    get_vessel_by_token,
    get_vessel_for,
    home_ports,
    list_three_no,
    owner_view,
    recent_inspections,
    reveal_owner,
    search_vessels,
    vessel_for_mmsi,
)
from jinghai.vessels.roster import ImportReport, export_roster, import_roster
from jinghai.vessels.schemas import (
    AdvanceIn,
    InspectionIn,
    ThreeNoIn,
    VesselIn,
    VesselPatch,
)
from jinghai.vessels.service import (
    add_vessel,
    advance_three_no,
    record_inspection,
    record_three_no,
    update_vessel,
)
from jinghai.web.deps import CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("船舶管控", "/vessels/", {"office", "liaison", "viewer", "admin"})

PAGE_SIZE = 50
MAX_UPLOAD = 5 * 1024 * 1024
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}
VESSEL_FORM_FIELDS = ("registry_no", "name", "home_port", "mmsi", "beidou_no", "length_m",
                      "tonnage", "status")


def _scan_url(request: Request, vessel: FishingVessel) -> str:
    return str(request.base_url).rstrip("/") + scan_path(vessel.qr_token)


def _local_input(db: Session, value: str, label: str) -> datetime | None:
    """A ``datetime-local`` field is wall-clock time in the operation's zone."""
    if not value.strip():
        return None
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label}格式有误") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(get_operation(db).timezone))


def _float(value: str | None, label: str) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{label}应为数字") from None


# --- pages: roster ------------------------------------------------------------------------


@router.get("/vessels/", include_in_schema=False)
def list_page(
    request: Request,
    *,
    q: str = "",
    status: str = "",
    port: str = "",
    page: int = Query(1, ge=1),
    db: DbSession,
    user: CurrentUser,
) -> Response:
    rows, total = search_vessels(db, user, q, status=status, port=port, limit=PAGE_SIZE,
                                 offset=(page - 1) * PAGE_SIZE)
    return render(request, "vessels/list.html", {
        "rows": rows, "total": total, "q": q, "status": status, "port": port, "page": page,
        "pages": max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE), "ports": home_ports(db),
        "statuses": VESSEL_STATUS_LABELS, "keeper": is_registry_keeper(db, user),
        "show_contacts": False, "owner_view": owner_view,  # lists are never unmasked
    })


@router.get("/vessels/new", include_in_schema=False)
def new_page(request: Request, db: DbSession,
             user: CurrentUser) -> Response:
    require_registry_keeper(db, user)
    return render(request, "vessels/form.html", {"vessel": None, "values": {}, "error": None,
                                                 "statuses": VESSEL_STATUS_LABELS})


@router.post("/vessels/new", include_in_schema=False)
async def new_submit(request: Request, db: DbSession,
                     user: CurrentUser) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    data: dict[str, object] = {k: values.get(k, "") for k in VESSEL_FORM_FIELDS}
    data["owner"] = {"kind": values.get("owner_kind", ""), "name": values.get("owner_name", ""),
                     "phone": values.get("owner_phone", ""),
                     "id_code": values.get("owner_id_code", "")}
    try:
        vessel = add_vessel(db, user, parse(VesselIn, data))
    except (InvalidInput, Conflict) as exc:
        return render(request, "vessels/form.html", {"vessel": None, "values": values,
                                                     "error": exc.message,
                                                     "statuses": VESSEL_STATUS_LABELS},
                      status_code=422)
    return RedirectResponse(f"/vessels/{vessel.id}?flash=created", status_code=303)


@router.get("/vessels/export", include_in_schema=False)
def export_file(*, fmt: str = "xlsx", db: DbSession,
                user: CurrentUser) -> Response:
    body = export_roster(db, user, fmt)
    name = quote(f"渔船名录.{fmt}")
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get("/vessels/import", include_in_schema=False)
def import_page(request: Request, db: DbSession,
                user: CurrentUser) -> Response:
    require_registry_keeper(db, user)
    return render(request, "vessels/import.html", {"report": None, "payload": "",
                                                   "filename": "", "error": None})


@router.post("/vessels/import", include_in_schema=False)
async def import_submit(
    request: Request,
    *,
    file: UploadFile | None = File(None),
    payload: str = Form(""),
    filename: str = Form(""),
    confirm: str = Form(""),
    db: DbSession,
    user: CurrentUser,
) -> Response:
    """Upload → dry-run preview; the preview carries the file back (base64) so that
    "confirm" applies exactly the rows that were previewed, with no server-side stash."""
    require_registry_keeper(db, user)
    try:
        if file is not None and file.filename:
            data = await file.read(MAX_UPLOAD + 1)
            filename = file.filename
        else:
            data = base64.b64decode(payload.encode(), validate=True)
        if not data:
            raise InvalidInput("请选择要导入的文件")
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件超过 5 MB")
        report = import_roster(db, user, data, filename, dry_run=not confirm)
    except (InvalidInput, binascii.Error) as exc:
        message = exc.message if isinstance(exc, InvalidInput) else "文件内容有误，请重新上传"
        return render(request, "vessels/import.html", {"report": None, "payload": "",
                                                       "filename": "", "error": message},
                      status_code=422)
    return render(request, "vessels/import.html", {
        "report": report, "filename": filename, "error": None,
        "payload": base64.b64encode(data).decode() if report.dry_run else "",
    })


@router.get("/vessels/{vessel_id:int}", include_in_schema=False)
def detail_page(request: Request, vessel_id: int, db: DbSession,
                user: CurrentUser) -> Response:
    return _detail(request, db, user, vessel_id, reveal=False)


@router.post("/vessels/{vessel_id:int}/owner/reveal", include_in_schema=False)
def detail_reveal(request: Request, vessel_id: int, db: DbSession,
                  user: CurrentUser) -> Response:
    """The owner's full phone and ID number: a logged act, so a POST with CSRF."""
    return _detail(request, db, user, vessel_id, reveal=True)


def _detail(request: Request, db: Session, user: User, vessel_id: int, reveal: bool) -> Response:
    vessel = get_vessel_for(db, user, vessel_id)
    owner = reveal_owner(db, user, vessel) if reveal else owner_view(vessel.owner, False)
    return render(request, "vessels/detail.html", {
        "v": vessel, "owner": owner, "can_reveal": contacts_visible(db, user),
        "inspections": recent_inspections(db, vessel), "keeper": is_registry_keeper(db, user),
        "scan_url": _scan_url(request, vessel), "flash": request.query_params.get("flash"),
        "statuses": VESSEL_STATUS_LABELS,
    })


@router.get("/vessels/{vessel_id:int}/edit", include_in_schema=False)
def edit_page(request: Request, vessel_id: int, db: DbSession,
              user: CurrentUser) -> Response:
    require_registry_keeper(db, user)
    vessel = get_vessel_for(db, user, vessel_id)
    values = {k: "" if getattr(vessel, k) is None else str(getattr(vessel, k))
              for k in VESSEL_FORM_FIELDS}
    return render(request, "vessels/form.html", {"vessel": vessel, "values": values,
                                                 "error": None, "statuses": VESSEL_STATUS_LABELS})


@router.post("/vessels/{vessel_id:int}/edit", include_in_schema=False)
async def edit_submit(request: Request, vessel_id: int, db: DbSession,
                      user: CurrentUser) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in VESSEL_FORM_FIELDS}
    try:
        update_vessel(db, user, vessel_id, parse(VesselPatch, values))
    except (InvalidInput, Conflict) as exc:
        vessel = get_vessel_for(db, user, vessel_id)
        return render(request, "vessels/form.html", {"vessel": vessel, "values": values,
                                                     "error": exc.message,
                                                     "statuses": VESSEL_STATUS_LABELS},
                      status_code=422)
    return RedirectResponse(f"/vessels/{vessel_id}?flash=saved", status_code=303)


@router.post("/vessels/{vessel_id:int}/inspect", include_in_schema=False)
def inspect_submit(vessel_id: int, *, place: str = Form(""), note: str = Form(""),
                   db: DbSession, user: CurrentUser) -> RedirectResponse:
    vessel = get_vessel_for(db, user, vessel_id)
    record_inspection(db, user, vessel, parse(InspectionIn, {"place": place, "note": note}),
                      via="form")
    return RedirectResponse(f"/vessels/{vessel_id}?flash=inspected", status_code=303)


@router.get("/vessels/{vessel_id:int}/qr.png", include_in_schema=False)
def qr_png_file(request: Request, vessel_id: int, db: DbSession,
                user: CurrentUser) -> Response:
    vessel = get_vessel_for(db, user, vessel_id)
    return Response(qr_png(_scan_url(request, vessel)), media_type="image/png",
                    headers={"Cache-Control": "private, no-store"})


@router.get("/vessels/{vessel_id:int}/qr.svg", include_in_schema=False)
def qr_svg_file(request: Request, vessel_id: int, db: DbSession,
                user: CurrentUser) -> Response:
    vessel = get_vessel_for(db, user, vessel_id)
    return Response(qr_svg(_scan_url(request, vessel)), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, no-store"})


@router.get("/vessels/{vessel_id:int}/card", include_in_schema=False)
def card_page(request: Request, vessel_id: int, db: DbSession,
              user: CurrentUser) -> Response:
    vessel = get_vessel_for(db, user, vessel_id)
    return render(request, "vessels/card.html", {"v": vessel})


# --- pages: the exclusive code ------------------------------------------------------------


@router.get("/v/{token}", include_in_schema=False)
def scan_page(request: Request, token: str, db: DbSession,
              user: CurrentUser) -> Response:
    """What a phone opens when it scans the card. Unsigned users are sent to the login
    page by the app's error handler and come back here afterwards."""
    vessel = get_vessel_by_token(db, user, token)
    return render(request, "vessels/scan.html", {
        "v": vessel, "owner": owner_view(vessel.owner, False),
        "inspections": recent_inspections(db, vessel, limit=5),
        "done": request.query_params.get("done") == "1",
        "can_inspect": user.role in ("office", "liaison"),
    })


@router.post("/v/{token}/inspect", include_in_schema=False)
def scan_inspect(token: str, *, place: str = Form(""), lat: str = Form(""), lon: str = Form(""),
                 db: DbSession, user: CurrentUser) -> RedirectResponse:
    vessel = get_vessel_by_token(db, user, token)
    record_inspection(db, user, vessel, parse(InspectionIn, {
        "place": place, "lat": _float(lat, "纬度"), "lon": _float(lon, "经度")}), via="qr")
    return RedirectResponse(f"/v/{token}?done=1", status_code=303)


# --- pages: three-no vessels --------------------------------------------------------------


@router.get("/vessels/three-no", include_in_schema=False)
def three_no_page(request: Request, *, status: str = "", db: DbSession,
                  user: CurrentUser) -> Response:
    return render(request, "vessels/three_no.html", {
        "cases": list_three_no(db, user, status), "status": status,
        "labels": THREE_NO_STATUS_LABELS, "keeper": is_registry_keeper(db, user),
        "flash": request.query_params.get("flash"), "error": None,
    })


@router.post("/vessels/three-no", include_in_schema=False)
def three_no_submit(
    request: Request,
    *,
    found_at: str = Form(...),
    place: str = Form(""),
    description: str = Form(""),
    seized: str = Form(""),
    db: DbSession,
    user: CurrentUser,
) -> Response:
    try:
        found = _local_input(db, found_at, "发现时间")
        if found is None:
            raise InvalidInput("请填写发现时间")
        record_three_no(db, user, parse(ThreeNoIn, {
            "found_at": found, "place": place, "description": description,
            "seized_at": found if seized else None}))
    except InvalidInput as exc:
        return render(request, "vessels/three_no.html", {
            "cases": list_three_no(db, user), "status": "", "labels": THREE_NO_STATUS_LABELS,
            "keeper": is_registry_keeper(db, user), "flash": None, "error": exc.message,
        }, status_code=422)
    return RedirectResponse("/vessels/three-no?flash=recorded", status_code=303)


@router.post("/vessels/three-no/{case_id:int}/advance", include_in_schema=False)
def three_no_advance(case_id: int, *, status: str = Form(...), at: str = Form(""),
                     note: str = Form(""), db: DbSession,
                     user: CurrentUser) -> RedirectResponse:
    advance_three_no(db, user, case_id, parse(AdvanceIn, {
        "status": status, "at": _local_input(db, at, "时间"), "note": note}))
    return RedirectResponse("/vessels/three-no?flash=advanced", status_code=303)


# --- JSON API -----------------------------------------------------------------------------


def vessel_json(db: Session, user: User, v: FishingVessel, request: Request) -> dict:
    owner = owner_view(v.owner, False)  # in full only through the logged reveal
    return {
        "id": v.id, "registry_no": v.registry_no, "name": v.name, "home_port": v.home_port,
        "mmsi": v.mmsi, "beidou_no": v.beidou_no,
        "length_m": None if v.length_m is None else float(v.length_m),
        "tonnage": None if v.tonnage is None else float(v.tonnage),
        "status": v.status, "status_label": v.status_label,
        "owner": None if owner is None else owner.__dict__,
        "scan_url": _scan_url(request, v),
        "qr_png": f"/vessels/{v.id}/qr.png", "qr_svg": f"/vessels/{v.id}/qr.svg",
        "map_url": f"/map?mmsi={v.mmsi}" if v.mmsi else None,
    }


def three_no_json(c: ThreeNoVessel) -> dict:
    return {
        "id": c.id, "found_at": c.found_at.isoformat(), "place": c.place,
        "description": c.description, "status": c.status, "status_label": c.status_label,
        "seized_at": c.seized_at.isoformat() if c.seized_at else None,
        "disposed_at": c.disposed_at.isoformat() if c.disposed_at else None,
        "found_by_unit": c.found_by_unit.name if c.found_by_unit else None,
        "lat": c.lat, "lon": c.lon,
    }


api = APIRouter(prefix="/api/vessels", tags=["vessels"])


@api.get("/")
def api_list(request: Request, *, q: str = "", status: str = "", port: str = "",
             limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
             db: DbSession, user: CurrentUser):
    rows, total = search_vessels(db, user, q, status=status, port=port, limit=limit,
                                 offset=offset)
    return {"total": total, "items": [vessel_json(db, user, v, request) for v in rows]}


@api.post("/", status_code=201)
def api_create(request: Request, body: VesselIn, db: DbSession,
               user: CurrentUser):
    vessel = add_vessel(db, user, body)
    return vessel_json(db, user, vessel, request)


@api.get("/three-no")
def api_three_no(*, status: str = "", db: DbSession,
                 user: CurrentUser):
    return {"items": [three_no_json(c) for c in list_three_no(db, user, status)]}


@api.post("/three-no", status_code=201)
def api_three_no_create(body: ThreeNoIn, db: DbSession,
                        user: CurrentUser):
    case = record_three_no(db, user, body)
    return three_no_json(case)


@api.post("/three-no/{case_id}/advance")
def api_three_no_advance(case_id: int, body: AdvanceIn, db: DbSession,
                         user: CurrentUser):
    return three_no_json(advance_three_no(db, user, case_id, body))


@api.post("/import")
async def api_import(*, file: UploadFile = File(...), dry_run: bool = True,
                     db: DbSession, user: CurrentUser):
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过 5 MB")
    report: ImportReport = import_roster(db, user, data, file.filename or "", dry_run=dry_run)
    return {
        "dry_run": report.dry_run, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged,
        "rows": [r.__dict__ for r in report.rows],
    }


@api.get("/export")
def api_export(*, fmt: str = "xlsx", db: DbSession,
               user: CurrentUser) -> Response:
    return export_file(fmt=fmt, db=db, user=user)


@api.post("/{vessel_id}/owner/unmasked")
def api_reveal_owner(vessel_id: int, db: DbSession,
                     user: CurrentUser) -> dict:
    owner = reveal_owner(db, user, get_vessel_for(db, user, vessel_id))
    return {"owner": None if owner is None else owner.__dict__}


@api.get("/by-mmsi/{mmsi}")
def api_by_mmsi(request: Request, mmsi: str, db: DbSession,
                user: CurrentUser):
    vessel = vessel_for_mmsi(db, mmsi)
    if vessel is None:
        return {"registry": None}
    return {"registry": vessel_json(db, user, get_vessel_for(db, user, vessel.id), request)}


@api.get("/{vessel_id}")
def api_get(request: Request, vessel_id: int, db: DbSession,
            user: CurrentUser):
    vessel = get_vessel_for(db, user, vessel_id)
    out = vessel_json(db, user, vessel, request)
    out["inspections"] = [
        {"at": i.inspected_at.isoformat(), "via": i.via, "place": i.place,
         "user": i.user.display_name if i.user else None,
         "unit": i.unit.name if i.unit else None}
        for i in recent_inspections(db, vessel)
    ]
    return out


@api.patch("/{vessel_id}")
def api_update(request: Request, vessel_id: int, body: VesselPatch,
               db: DbSession, user: CurrentUser):
    vessel = update_vessel(db, user, vessel_id, body)
    return vessel_json(db, user, vessel, request)


@api.post("/{vessel_id}/inspections", status_code=201)
def api_inspect(vessel_id: int, body: InspectionIn, db: DbSession,
                user: CurrentUser):
    """Record an inspection. With ``token`` (a scanned code) it must match the vessel, so a
    client cannot claim a scan of a card it never saw."""
    if body.token is not None:
        vessel = get_vessel_by_token(db, user, body.token)
        if vessel.id != vessel_id:
            raise InvalidInput("专属码与船舶不符")
        via = "qr"
    else:
        vessel = get_vessel_for(db, user, vessel_id)
        via = "form"
    inspection = record_inspection(db, user, vessel, body, via=via)
    return {"id": inspection.id, "at": inspection.inspected_at.isoformat(), "via": via}


router.include_router(api)
