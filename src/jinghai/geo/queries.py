"""Reads of the stored geography: the zones the detectors, the map, patrols and port
reports use. Zones are not secret inside the task force, so these take no user."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.geo.models import ZoneRecord
from jinghai.geo.zones import Zone


def list_zone_records(session: Session, *, active_only: bool = False) -> list[ZoneRecord]:
    q = select(ZoneRecord).order_by(ZoneRecord.kind, ZoneRecord.id)
    if active_only:
        q = q.where(ZoneRecord.active.is_(True))
    return list(session.scalars(q))


def load_zones(session: Session) -> list[Zone]:
    """Active zones as the detectors take them."""
    return [r.to_zone() for r in list_zone_records(session, active_only=True)]


def active_zones_of_kind(session: Session, *kinds: str, by_name: bool = False
                         ) -> list[ZoneRecord]:
    """Active zones of the given kinds, by sub-district then id (the patrol phone's
    order), or by name (a form's list of ports)."""
    order = (ZoneRecord.name,) if by_name else (ZoneRecord.sub_district, ZoneRecord.id)
    return list(session.scalars(select(ZoneRecord).where(
        ZoneRecord.kind.in_(kinds), ZoneRecord.active.is_(True)).order_by(*order)))


def zones_by_id(session: Session, ids: Iterable[str | None]) -> dict[str, ZoneRecord]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {z.id: z for z in session.scalars(select(ZoneRecord).where(
        ZoneRecord.id.in_(wanted)))}


__all__ = ["active_zones_of_kind", "list_zone_records", "load_zones", "zones_by_id"]
