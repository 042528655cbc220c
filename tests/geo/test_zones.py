"""Zones in and out of GeoJSON, lookups, distance to shore, and the Beilun demo geography."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import Point, box

from jinghai.errors import InvalidInput
from jinghai.geo import (
    LANDING_SUBTYPES,
    Zone,
    ZoneIndex,
    ZoneKind,
    default_coastline,
    haversine_m,
    load_demo_zones,
    zones_from_geojson,
    zones_to_geojson,
)

SUB_DISTRICTS = {"新碶", "小港", "大碶", "霞浦", "柴桥", "戚家山", "春晓", "梅山", "白峰", "郭巨"}


def test_geojson_round_trip_keeps_every_field() -> None:
    zones = load_demo_zones()
    again = zones_from_geojson(json.dumps(zones_to_geojson(zones), ensure_ascii=False))
    assert again == zones


def test_import_reports_every_bad_feature_at_once() -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "a", "kind": "harbour", "name": "x"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
        {"type": "Feature", "properties": {"id": "b", "kind": "port", "name": "y"},
         "geometry": bowtie},
        {"type": "Feature", "properties": {"id": "c", "kind": "landing_point", "name": "z"},
         "geometry": {"type": "Point", "coordinates": [121.9, 29.9]}},
        {"type": "Feature", "properties": {"id": "d", "kind": "port", "name": "w"},
         "geometry": {"type": "Polygon", "coordinates": [[[29.9, 121.9], [29.95, 121.9],
                                                          [29.95, 121.95], [29.9, 121.9]]]}},
    ]}
    with pytest.raises(InvalidInput) as err:
        zones_from_geojson(data)
    details = "\n".join(err.value.details)
    assert "kind 'harbour' 无效" in details
    assert "几何图形无效" in details
    assert "landing_point 须有 subtype" in details
    assert "经纬度写反" in details


def test_zone_needs_polygon_except_landing_point() -> None:
    with pytest.raises(InvalidInput, match="须为面"):
        Zone("p", ZoneKind.PORT, "港", Point(121.9, 29.9))
    Zone("l", ZoneKind.LANDING_POINT, "岙", Point(121.9, 29.9), subtype="岙口")


def test_index_finds_zones_of_a_point() -> None:
    zi = ZoneIndex(load_demo_zones())
    ids = {z.id for z in zi.zones_at(121.862, 29.942)}
    assert {"port-beilun", "jurisdiction-beilun"} <= ids
    inside = zi.inside_any([121.862, 122.10], [29.942, 29.83], [ZoneKind.PORT])
    assert inside.tolist() == [True, False]
    # hysteresis buffer: 100 m outside the restricted area is inside its 200 m buffer
    r = zi.by_id("restricted-jintang").geometry
    p = (r.bounds[0] - 0.001, (r.bounds[1] + r.bounds[3]) / 2)  # ~96 m west
    assert not zi.inside_any([p[0]], [p[1]], [ZoneKind.RESTRICTED])[0]
    assert zi.inside_any([p[0]], [p[1]], [ZoneKind.RESTRICTED], grow_m=200)[0]


def test_distance_to_shore_is_metric() -> None:
    coast = default_coastline()
    d = coast.distance_to_shore_m([122.10, 121.80, 130.0], [29.83, 29.90, 0.0])
    assert 2500 < d[0] < 4000  # open water south-east of 郭巨
    assert d[1] == 0.0  # on the mainland
    assert d[2] != d[2]  # outside the extract: unknown (NaN)
    # against a direct projected computation for a point 0.01° (≈ 965 m) east of a shore pt
    lon, lat = coast.nearest_shore_point(122.10, 29.83)
    assert coast.distance_to_shore_m(lon, lat)[0] < 15


def test_demo_geography_is_complete_and_placed_on_the_coast() -> None:
    zones = load_demo_zones()
    kinds = {z.kind for z in zones}
    assert kinds == {k.value for k in ZoneKind}
    lps = [z for z in zones if z.kind == ZoneKind.LANDING_POINT]
    assert {z.sub_district for z in lps} == SUB_DISTRICTS
    assert {z.subtype for z in lps} == set(LANDING_SUBTYPES)
    assert all(z.responsible_person for z in lps)
    coast = default_coastline()
    d = coast.distance_to_shore_m([z.geometry.x for z in lps], [z.geometry.y for z in lps])
    assert (d < 50).all(), d  # on the shore or on the islet
    names = {z.name for z in zones if z.kind == ZoneKind.PORT}
    assert names == {"北仑港", "大榭港区", "梅山港区"}
    j = next(z for z in zones if z.kind == ZoneKind.JURISDICTION).geometry
    assert j.equals_exact(box(121.7, 29.75, 122.2, 30.0), 1e-6) or j.area == pytest.approx(
        0.125, rel=1e-3)
    # the sea layers do not overlap and cover the jurisdiction's water
    sea = [z.geometry for z in zones if z.kind in ("layer_high_seas", "layer_near_seas",
                                                    "layer_shoreline")]
    union = shapely.union_all(sea)
    assert sum(g.area for g in sea) == pytest.approx(union.area, rel=0.01)
    land = shapely.union_all(coast.land_lonlat).intersection(j)
    assert union.area == pytest.approx(j.area - land.area, rel=0.03)


def test_haversine_matches_a_known_distance() -> None:
    # one minute of latitude is one nautical mile (1852 m) to within 0.5 %
    assert haversine_m(122.0, 29.9, 122.0, 29.9 + 1 / 60) == pytest.approx(1852, rel=0.005)


def test_a_drawn_zone_is_checked_like_an_import(session, office, make_liaison):
    import pytest as _pytest

    from jinghai.errors import InvalidInput, PermissionDenied
    from jinghai.geo.models import ZoneRecord
    from jinghai.geo.service import draw_zone

    square = {"type": "Polygon", "coordinates": [[[121.9, 29.9], [122.0, 29.9], [122.0, 30.0],
                                                  [121.9, 30.0], [121.9, 29.9]]]}
    zone_id = draw_zone(session, office, square, kind="restricted", name="测试管控水域",
                        sub_district="郭巨街道")
    rec = session.get(ZoneRecord, zone_id)
    assert (rec.kind, rec.name, rec.sub_district) == ("restricted", "测试管控水域", "郭巨街道")
    cove = draw_zone(session, office, '{"type": "Point", "coordinates": [121.95, 29.88]}',
                     kind="landing_point", name="小岙口", subtype="岙口")
    assert session.get(ZoneRecord, cove).subtype == "岙口"

    bow_tie = {"type": "Polygon", "coordinates": [[[121.9, 29.9], [122.0, 30.0], [122.0, 29.9],
                                                   [121.9, 30.0], [121.9, 29.9]]]}
    with _pytest.raises(InvalidInput) as err:
        draw_zone(session, office, bow_tie, kind="restricted", name="自相交")
    assert "无效" in err.value.message or any("无效" in d for d in err.value.details)
    with _pytest.raises(InvalidInput, match="请先在地图上画出区域"):
        draw_zone(session, office, "", kind="restricted", name="空")
    with _pytest.raises(PermissionDenied):
        draw_zone(session, make_liaison("sd_guoju", "gj1"), square, kind="restricted", name="x")
