"""Zone pages: the geography on a map, import from GeoJSON, switch a zone off; /api/zones."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from jinghai.accounts.models import User
from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.geo.models import ZONE_KIND_LABELS
from jinghai.geo.service import (
    draw_zone,
    export_zones,
    import_zones,
    list_zone_records,
    set_layer_active,
    set_zone_active,
    zone_layers,
)
from jinghai.geo.zones import LANDING_SUBTYPES, zones_to_geojson
from jinghai.web.deps import CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("区域", "/zones/", {"office", "liaison", "viewer", "admin"})

MAX_UPLOAD = 5 * 1024 * 1024


def _reader(user: User) -> None:
    if not user.active:
        raise PermissionDenied("账号已停用")


@router.get("/zones/", include_in_schema=False)
def zones_page(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    _reader(user)
    return render(request, "zones/list.html", {"zones": list_zone_records(db), "result": None,
                                               "error": None, "kinds": ZONE_KIND_LABELS,
                                               "subtypes": LANDING_SUBTYPES,
                                               "layers": zone_layers(db),
                                               "drawn": request.query_params.get("drawn")})


@router.post("/zones/import", include_in_schema=False)
async def zones_import(request: Request, *, file: UploadFile | None = File(None),
                       geojson: str = Form(""), db: DbSession,
                       user: CurrentUser) -> Response:
    text = geojson
    if file is not None and file.filename:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件不能超过 5 MB")
        text = data.decode("utf-8-sig", errors="replace")
    result, error = None, None
    try:
        if not text.strip():
            raise InvalidInput("请上传 GeoJSON 文件或粘贴 GeoJSON 内容")
        with db.begin_nested():
            result = import_zones(db, user, text)
    except InvalidInput as exc:
        error = {"message": exc.message, "details": exc.details or []}
    return render(request, "zones/list.html", {"zones": list_zone_records(db), "result": result,
                                               "error": error, "kinds": ZONE_KIND_LABELS,
                                               "subtypes": LANDING_SUBTYPES,
                                               "layers": zone_layers(db)},
                  status_code=200 if error is None else 400)


@router.post("/zones/draw", include_in_schema=False)
async def zones_draw(request: Request, db: DbSession,
                     user: CurrentUser) -> Response:
    """A zone drawn on the map; a mistake shows the page again with the message."""
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in (
        "geometry", "kind", "name", "subtype", "sub_district", "responsible_person",
        "responsible_phone")}
    try:
        with db.begin_nested():
            draw_zone(db, user, values.pop("geometry"), **values)
    except InvalidInput as exc:
        return render(request, "zones/list.html", {
            "zones": list_zone_records(db), "result": None, "kinds": ZONE_KIND_LABELS,
            "subtypes": LANDING_SUBTYPES,
            "layers": zone_layers(db),
            "error": {"message": exc.message, "details": exc.details or []}}, status_code=400)
    return RedirectResponse("/zones/?drawn=1", status_code=303)


@router.post("/zones/{zone_id}/active", include_in_schema=False)
async def zones_active(request: Request, zone_id: str, db: DbSession,
                       user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    set_zone_active(db, user, zone_id, form.get("active") == "1")
    return RedirectResponse("/zones/", status_code=303)


@router.post("/zones/layers/{layer}/active", include_in_schema=False)
async def zones_layer_active(request: Request, layer: str, db: DbSession,
                             user: CurrentUser) -> RedirectResponse:
    """Switch a whole layer (e.g. the shipped GFW anchorages) off or on."""
    form = await request.form()
    set_layer_active(db, user, layer, form.get("active") == "1")
    return RedirectResponse("/zones/", status_code=303)


@router.get("/api/zones/export", tags=["zones"])
def api_zones_export(db: DbSession, user: CurrentUser) -> JSONResponse:
    """Every zone (active or not) as GeoJSON that the import reads back."""
    _reader(user)
    return JSONResponse(export_zones(db), headers={
        "Content-Disposition": 'attachment; filename="zones.geojson"'})


@router.get("/api/zones", tags=["zones"])
def api_zones(*, all: bool = False, db: DbSession,
              user: CurrentUser):
    """The zones as a GeoJSON FeatureCollection (active ones unless ``all``)."""
    _reader(user)
    recs = list_zone_records(db, active_only=not all)
    fc = zones_to_geojson([r.to_zone() for r in recs])
    for f, r in zip(fc["features"], recs, strict=True):
        f["properties"].update(kind_label=r.kind_label, active=r.active)
    return fc
