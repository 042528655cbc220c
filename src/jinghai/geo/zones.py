"""Zones: the task force's geography as data.

A zone is any area or point the plan talks about: the jurisdiction waters and their four
management layers (梯次管理: high seas / near seas / shoreline / coastal land), ports,
berths, anchorages (incl. 国际锚地), restricted areas and landing points (港口, 岙口, 码头,
无人岛, 临时停靠点). Each carries the sub-district (街道/镇) and the named person who
answers for it, because every detector finding near it is routed to them.

Zones travel as GeoJSON (RFC 7946, WGS 84 lon/lat): import is strict and says exactly which
feature is wrong and how to fix it, because the office draws or imports these by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from jinghai.errors import InvalidInput


class ZoneKind(StrEnum):
    JURISDICTION = "jurisdiction"
    LAYER_HIGH_SEAS = "layer_high_seas"
    LAYER_NEAR_SEAS = "layer_near_seas"
    LAYER_SHORELINE = "layer_shoreline"
    LAYER_COASTAL_LAND = "layer_coastal_land"
    PORT = "port"
    BERTH = "berth"
    ANCHORAGE = "anchorage"
    INTERNATIONAL_ANCHORAGE = "international_anchorage"
    RESTRICTED = "restricted"
    LANDING_POINT = "landing_point"


#: Landing-point subtypes named by the plan.
LANDING_SUBTYPES: tuple[str, ...] = ("港口", "岙口", "码头", "无人岛", "临时停靠点")

#: Kinds where ships are expected to stop: detectors of at-sea behaviour exclude them.
HARBOUR_KINDS: frozenset[str] = frozenset(
    {ZoneKind.PORT, ZoneKind.BERTH, ZoneKind.ANCHORAGE, ZoneKind.INTERNATIONAL_ANCHORAGE}
)


@dataclass(frozen=True, eq=False)
class Zone:
    """One named area or point of the task force's geography.

    ``geometry`` is a shapely geometry in WGS 84 lon/lat. Landing points are usually points
    (a cove mouth, a wharf head, an islet); detectors use a radius around them.
    """

    id: str
    kind: str
    name: str
    geometry: BaseGeometry
    subtype: str | None = None
    sub_district: str | None = None
    responsible_person: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = _zone_problems(self)
        if problems:
            raise InvalidInput(f"区域 {self.id!r}：" + "；".join(problems), details=problems)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Zone):
            return NotImplemented
        return self.to_feature() == other.to_feature()

    def __hash__(self) -> int:
        return hash(self.id)

    def to_feature(self) -> dict[str, Any]:
        props: dict[str, Any] = {"id": self.id, "kind": str(self.kind), "name": self.name}
        for key in ("subtype", "sub_district", "responsible_person"):
            value = getattr(self, key)
            if value is not None:
                props[key] = value
        props.update(self.properties)
        return {"type": "Feature", "properties": props, "geometry": mapping(self.geometry)}


def _zone_problems(zone: Zone) -> list[str]:
    problems: list[str] = []
    if not zone.id or not isinstance(zone.id, str):
        problems.append("id 不能为空（须为文字）")
    kinds = {k.value for k in ZoneKind}
    if zone.kind not in kinds:
        problems.append(f"类型 kind {zone.kind!r} 无效，应为 {sorted(kinds)} 之一")
    if not zone.name:
        problems.append("名称 name 不能为空")
    if zone.kind == ZoneKind.LANDING_POINT:
        if zone.subtype not in LANDING_SUBTYPES:
            problems.append(f"登陆点 landing_point 须有 subtype，取 {list(LANDING_SUBTYPES)} 之一，"
                            f"收到 {zone.subtype!r}")
    elif zone.subtype is not None:
        problems.append(f"只有登陆点 landing_point 才有 subtype，{zone.kind!r} 不应填写")
    geom = zone.geometry
    if not isinstance(geom, BaseGeometry) or geom.is_empty:
        problems.append("几何图形为空")
        return problems
    if zone.kind != ZoneKind.LANDING_POINT and geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(f"{zone.kind} 须为面（Polygon 或 MultiPolygon），收到 {geom.geom_type}")
    if not geom.is_valid:
        problems.append(f"几何图形无效（{shapely.is_valid_reason(geom)}）；"
                        "请修正自相交的边，例如用 shapely.make_valid")
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        problems.append(f"坐标超出经纬度范围：{geom.bounds}；GeoJSON 须为 WGS 84 经度,纬度"
                        "（是否把经纬度写反了，或用了投影坐标？）")
    return problems


def zone_from_feature(feature: dict[str, Any], index: int = 0) -> Zone:
    """Build one zone from a GeoJSON Feature; errors name the feature and what to fix."""
    where = f"第 {index + 1} 个要素"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput(f"{where}：不是 GeoJSON Feature 对象")
    props = dict(feature.get("properties") or {})
    if "id" not in props and "id" in feature:
        props["id"] = feature["id"]
    where = f"第 {index + 1} 个要素（{props.get('id', '无 id')}）"
    missing = [k for k in ("id", "kind", "name") if not props.get(k)]
    if missing:
        raise InvalidInput(f"{where}：缺少属性 {missing}")
    try:
        geom = shape(feature.get("geometry"))
    except Exception as exc:
        raise InvalidInput(f"{where}：几何图形无法读取（{exc}）") from exc
    known = {"id", "kind", "name", "subtype", "sub_district", "responsible_person"}
    try:
        return Zone(
            id=str(props["id"]), kind=str(props["kind"]), name=str(props["name"]),
            geometry=geom, subtype=props.get("subtype"), sub_district=props.get("sub_district"),
            responsible_person=props.get("responsible_person"),
            properties={k: v for k, v in props.items() if k not in known},
        )
    except InvalidInput as exc:
        raise InvalidInput(f"{where}：{exc.message}", details=exc.details) from exc


def zones_from_geojson(source: dict[str, Any] | str | Path) -> list[Zone]:
    """Read a FeatureCollection (dict, JSON text or file path) into zones.

    Every bad feature is reported in one error (``details`` lists them), so a user fixing a
    hand-drawn file sees all problems at once, not one per attempt.
    """
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        try:
            source = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"无法读取 GeoJSON 文件 {source}：{exc}") from exc
    elif isinstance(source, str):
        try:
            source = json.loads(source)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"不是有效的 JSON：{exc}") from exc
    if not isinstance(source, dict) or source.get("type") != "FeatureCollection":
        raise InvalidInput("GeoJSON 须为 FeatureCollection（要素集合）")
    zones: list[Zone] = []
    errors: list[str] = []
    seen: set[str] = set()
    for i, feature in enumerate(source.get("features") or []):
        try:
            zone = zone_from_feature(feature, i)
        except InvalidInput as exc:
            errors.append(exc.message)
            continue
        if zone.id in seen:
            errors.append(f"第 {i + 1} 个要素（{zone.id}）：id 重复")
            continue
        seen.add(zone.id)
        zones.append(zone)
    if errors:
        raise InvalidInput(f"{len(errors)} 个区域要素有误：" + " | ".join(errors[:5]),
                           details=errors)
    return zones


def zones_to_geojson(zones: list[Zone]) -> dict[str, Any]:
    """Export zones as a FeatureCollection that :func:`zones_from_geojson` reads back."""
    return {"type": "FeatureCollection", "features": [z.to_feature() for z in zones]}


DATA_DIR = Path(__file__).with_name("data")
DEMO_ZONES_PATH = DATA_DIR / "beilun_demo_zones.geojson"


def load_demo_zones() -> list[Zone]:
    """The shipped demo geography for Beilun (see ``data/SOURCES.md``)."""
    return zones_from_geojson(DEMO_ZONES_PATH)


__all__ = [
    "DEMO_ZONES_PATH",
    "HARBOUR_KINDS",
    "LANDING_SUBTYPES",
    "Zone",
    "ZoneKind",
    "load_demo_zones",
    "zone_from_feature",
    "zones_from_geojson",
    "zones_to_geojson",
]
