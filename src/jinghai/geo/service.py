"""Zones in the database: import from GeoJSON (with the same checks as the files), list,
and load as detector-ready :class:`Zone` objects. Only the office changes the geography."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import InvalidInput, NotFound, PermissionDenied
from jinghai.geo.layers import LAYERS, default_layer_zones
from jinghai.geo.models import ZoneRecord
from jinghai.geo.queries import list_zone_records, load_zones  # re-exported
from jinghai.geo.zones import Zone, load_demo_zones, zones_from_geojson, zones_to_geojson


def require_zone_editor(user: User | None) -> None:
    if user is None or not user.active or user.role != Role.OFFICE:
        raise PermissionDenied("只有专班办公室可以修改区域")


@dataclass(frozen=True)
class ZoneImportResult:
    created: int
    updated: int


def _apply(rec: ZoneRecord, zone: Zone) -> None:
    props = dict(zone.properties)
    phone = props.pop("responsible_phone", None)
    props.pop("kind_label", None)
    rec.kind = str(zone.kind)
    rec.name = zone.name
    rec.subtype = zone.subtype
    rec.geometry = zone.to_feature()["geometry"]
    rec.sub_district = zone.sub_district
    rec.responsible_person = zone.responsible_person
    if phone is not None:
        rec.responsible_phone = str(phone)
    rec.params = props
    rec.active = True
    rec.updated_at = utcnow()


def import_zones(session: Session, user: User | None, source: dict[str, Any] | str | list[Zone],
                 *, check_user: bool = True, dry_run: bool = False) -> ZoneImportResult:
    """Add or replace zones by id from a GeoJSON FeatureCollection. All-or-nothing: one bad
    feature rejects the file, with every problem listed (see ``zones_from_geojson``).
    ``dry_run`` checks and counts without writing anything."""
    if check_user:
        require_zone_editor(user)
    zones = source if isinstance(source, list) else zones_from_geojson(source)
    if dry_run:
        known = {z.id for z in zones if session.get(ZoneRecord, z.id) is not None}
        return ZoneImportResult(len(zones) - len(known), len(known))
    created = updated = 0
    for zone in zones:
        rec = session.get(ZoneRecord, zone.id)
        if rec is None:
            rec = ZoneRecord(id=zone.id, created_at=utcnow(), responsible_phone="")
            session.add(rec)
            created += 1
            action = "create"
        else:
            updated += 1
            action = "update"
        _apply(rec, zone)
        record(session, user, action, "zone", zone.id, new=zone.name)
    session.flush()
    return ZoneImportResult(created, updated)


def draw_zone(session: Session, user: User | None, geometry: dict[str, Any] | str, *,
              kind: str, name: str, subtype: str = "", sub_district: str = "",
              responsible_person: str = "", responsible_phone: str = "") -> str:
    """A zone the office drew on the map: the same checks as an import (kind, subtype,
    valid WGS 84 geometry), an id made from the kind and the time. Returns the id."""
    require_zone_editor(user)
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError as exc:
            raise InvalidInput("请先在地图上画出区域") from exc
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise InvalidInput("请先在地图上画出区域")
    zone_id = f"{kind}-{utcnow():%Y%m%d%H%M%S}-{secrets.token_hex(2)}"
    props = {"id": zone_id, "kind": kind, "name": name.strip(),
             "subtype": subtype.strip() or None, "sub_district": sub_district.strip() or None,
             "responsible_person": responsible_person.strip() or None,
             "responsible_phone": responsible_phone.strip() or None}
    feature = {"type": "Feature", "geometry": geometry,
               "properties": {k: v for k, v in props.items() if v is not None}}
    import_zones(session, user, {"type": "FeatureCollection", "features": [feature]})
    return zone_id


def seed_demo_zones(session: Session) -> int:
    """The shipped Beilun demo geography, with the customs unit each port reports to."""
    zones = load_demo_zones()
    report_units = {"port-beilun": "cu_beilun", "port-daxie": "cu_daxie",
                    "port-meishan": "cu_meishan"}
    out = []
    for z in zones:
        if z.id in report_units:
            z = Zone(id=z.id, kind=z.kind, name=z.name, geometry=z.geometry, subtype=z.subtype,
                     sub_district=z.sub_district, responsible_person=z.responsible_person,
                     properties={**z.properties, "report_unit": report_units[z.id]})
        out.append(z)
    return import_zones(session, None, out, check_user=False).created


def seed_default_layers(session: Session) -> int:
    """The shipped default layers (GFW anchorages, WPI ports; see ``geo/layers.py``) for a
    new operation. Only zones not yet in the database are added: a zone or layer the office
    switched off or edited stays as the office left it. Returns how many were added."""
    missing = [z for z in default_layer_zones() if session.get(ZoneRecord, z.id) is None]
    if not missing:
        return 0
    return import_zones(session, None, missing, check_user=False).created


@dataclass(frozen=True)
class LayerSummary:
    key: str
    label: str
    source: str
    licence: str
    zones: int
    active: int


def zone_layers(session: Session) -> list[LayerSummary]:
    """The shipped layers and the office's own zones (``own``), with how many are on."""
    counts: dict[str, list[int]] = {}
    for rec in list_zone_records(session):
        key = str((rec.params or {}).get("layer") or "own")
        c = counts.setdefault(key, [0, 0])
        c[0] += 1
        c[1] += bool(rec.active)
    out = [LayerSummary(k, lay.label, lay.source, lay.licence, *counts.get(k, [0, 0]))
           for k, lay in LAYERS.items()]
    own = counts.get("own", [0, 0])
    out.append(LayerSummary("own", "本行动自绘或导入的区域", "专班办公室", "—", *own))
    return out


def set_layer_active(session: Session, user: User, layer: str, active: bool) -> int:
    """Switch every zone of a layer on or off (audited per zone); returns how many changed."""
    require_zone_editor(user)
    if layer not in LAYERS and layer != "own":
        raise InvalidInput(f"没有图层“{layer}”，可选：{'、'.join([*LAYERS, 'own'])}")
    n = 0
    for rec in list_zone_records(session):
        if str((rec.params or {}).get("layer") or "own") != layer or rec.active == active:
            continue
        set_zone_active(session, user, rec.id, active)
        n += 1
    session.flush()
    return n


def export_zones(session: Session, *, active_only: bool = False) -> dict[str, Any]:
    """The stored zones as a FeatureCollection that ``import_zones`` reads back."""
    return zones_to_geojson([r.to_zone() for r in list_zone_records(session,
                                                                    active_only=active_only)])


def set_zone_active(session: Session, user: User, zone_id: str, active: bool) -> ZoneRecord:
    require_zone_editor(user)
    rec = session.get(ZoneRecord, zone_id)
    if rec is None:
        raise NotFound("没有这个区域")
    record(session, user, "update", "zone", zone_id, field="active", old=rec.active, new=active)
    rec.active = active
    rec.updated_at = utcnow()
    return rec


__all__ = ["LayerSummary", "ZoneImportResult", "export_zones", "import_zones",
           "list_zone_records", "load_zones", "seed_default_layers", "seed_demo_zones",
           "set_layer_active", "set_zone_active", "zone_layers"]
