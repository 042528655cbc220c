"""Zones in the database: import from GeoJSON (with the same checks as the files), list,
and load as detector-ready :class:`Zone` objects. Only the office changes the geography."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import InvalidInput, NotFound, PermissionDenied
from jinghai.geo.models import ZoneRecord
from jinghai.geo.zones import Zone, load_demo_zones, zones_from_geojson


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
                 *, check_user: bool = True) -> ZoneImportResult:
    """Add or replace zones by id from a GeoJSON FeatureCollection. All-or-nothing: one bad
    feature rejects the file, with every problem listed (see ``zones_from_geojson``)."""
    if check_user:
        require_zone_editor(user)
    zones = source if isinstance(source, list) else zones_from_geojson(source)
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


def set_zone_active(session: Session, user: User, zone_id: str, active: bool) -> ZoneRecord:
    require_zone_editor(user)
    rec = session.get(ZoneRecord, zone_id)
    if rec is None:
        raise NotFound("没有这个区域")
    record(session, user, "update", "zone", zone_id, field="active", old=rec.active, new=active)
    rec.active = active
    rec.updated_at = utcnow()
    return rec


def list_zone_records(session: Session, *, active_only: bool = False) -> list[ZoneRecord]:
    q = select(ZoneRecord).order_by(ZoneRecord.kind, ZoneRecord.id)
    if active_only:
        q = q.where(ZoneRecord.active.is_(True))
    return list(session.scalars(q))


def load_zones(session: Session) -> list[Zone]:
    """Active zones as the detectors take them."""
    return [r.to_zone() for r in list_zone_records(session, active_only=True)]


__all__ = ["ZoneImportResult", "import_zones", "list_zone_records", "load_zones",
           "seed_demo_zones", "set_zone_active"]
