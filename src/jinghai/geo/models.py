"""Zones kept in the database: the office's geography, edited and imported at run time.

The detectors work on :class:`jinghai.geo.zones.Zone` objects; a :class:`ZoneRecord` is the
stored form of one, plus what the office needs beside the shape (the responsible person's
phone, detector parameters per zone). ``to_zone`` turns a record back into a validated Zone,
so a record that was imported through the GeoJSON checks is always usable by a detector.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shapely.geometry import shape
from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.geo.zones import Zone

ZONE_KIND_LABELS: dict[str, str] = {
    "jurisdiction": "管辖海域",
    "layer_high_seas": "梯次：公海/外海层",
    "layer_near_seas": "梯次：近海层",
    "layer_shoreline": "梯次：岸线层",
    "layer_coastal_land": "梯次：沿岸陆域层",
    "port": "港口",
    "berth": "泊位",
    "anchorage": "锚地",
    "international_anchorage": "国际锚地",
    "restricted": "禁航/限制区",
    "landing_point": "登陆点",
}


class ZoneRecord(Base):
    """One zone of the task force's geography (a port, an anchorage, a cove where a boat
    could land people…), with the sub-district (街道) and the named person who answers for
    it. ``geometry`` is GeoJSON (WGS 84 lon/lat); ``params`` holds per-zone detector
    settings and routing hints (e.g. ``report_unit``: the customs unit whose daily figures
    an abnormal arrival in this port counts into)."""

    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    subtype: Mapped[str | None] = mapped_column(String(20), nullable=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    sub_district: Mapped[str | None] = mapped_column(String(100), nullable=True)
    responsible_person: Mapped[str | None] = mapped_column(String(100), nullable=True)
    responsible_phone: Mapped[str] = mapped_column(String(40), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return ZONE_KIND_LABELS.get(self.kind, self.kind)

    def to_zone(self) -> Zone:
        props = dict(self.params or {})
        if self.responsible_phone:
            props["responsible_phone"] = self.responsible_phone
        return Zone(id=self.id, kind=self.kind, name=self.name, geometry=shape(self.geometry),
                    subtype=self.subtype, sub_district=self.sub_district,
                    responsible_person=self.responsible_person, properties=props)

    def to_feature(self) -> dict[str, Any]:
        feature = self.to_zone().to_feature()
        feature["properties"]["kind_label"] = self.kind_label
        return feature
