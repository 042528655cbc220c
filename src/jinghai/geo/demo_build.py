"""Build the Beilun demo geography (``data/beilun_demo_zones.geojson``).

Kept in the package so the shipped file can be regenerated and reviewed: every shape below
is derived from the GSHHS coastline plus a few hand-placed seeds. It is DEMO data: the
places are real Beilun names, but boundaries, anchorage outlines and the responsible persons
(fictional names) are illustrative, not official. Run ``jinghai zones build-demo``.

Layers (梯次管理), measured in UTM 51N from the GSHHS coast, inside the jurisdiction box:
coastal land = land within 2 km of the coast; shoreline = water within 1 km of land;
near seas = water 1–3 km from land; high seas = water beyond 3 km (the plan's outermost
layer; in this small demo area it is the open water of the outer channels, not 公海 in the
law-of-the-sea sense).
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import Point, box

from jinghai.geo.coast import default_coastline
from jinghai.geo.metric import utm_transformer
from jinghai.geo.zones import DEMO_ZONES_PATH, Zone, ZoneKind, zones_to_geojson

JURISDICTION_BOX = (121.70, 29.75, 122.20, 30.00)

#: (id, name, subtype, sub_district, responsible person, seed lon, seed lat, on island)
LANDING_SEEDS: list[tuple[str, str, str, str, str, float, float, bool]] = [
    ("lp-qjs-01", "戚家山笠山岙口", "岙口", "戚家山", "张伟", 121.755, 29.963, False),
    ("lp-qjs-02", "戚家山外无名岛礁", "无人岛", "戚家山", "张伟", 121.7475, 29.978, True),
    ("lp-xg-01", "小港渡口码头", "码头", "小港", "王芳", 121.725, 29.966, False),
    ("lp-xq-01", "新碶塘角临时停靠点", "临时停靠点", "新碶", "李强", 121.830, 29.935, False),
    ("lp-dq-01", "大碶岩河口码头", "码头", "大碶", "刘洋", 121.795, 29.947, False),
    ("lp-xp-01", "霞浦外峙岙口", "岙口", "霞浦", "陈静", 121.905, 29.925, False),
    ("lp-cq-01", "柴桥穿山码头", "码头", "柴桥", "杨磊", 121.945, 29.893, False),
    ("lp-bf-01", "白峰上阳岙口", "岙口", "白峰", "赵敏", 122.020, 29.890, False),
    ("lp-gj-01", "郭巨峙南岙口", "岙口", "郭巨", "黄勇", 122.100, 29.880, False),
    ("lp-gj-02", "郭巨外无名岛", "无人岛", "郭巨", "黄勇", 122.1275, 29.909, True),
    ("lp-cx-01", "春晓洋沙山岙口", "岙口", "春晓", "周涛", 121.930, 29.775, False),
    ("lp-ms-01", "梅山下湾临时停靠点", "临时停靠点", "梅山", "吴霞", 121.990, 29.770, False),
    ("lp-ms-02", "梅山渔港", "港口", "梅山", "吴霞", 122.010, 29.800, False),
    ("lp-ms-03", "梅山外无名岛", "无人岛", "梅山", "吴霞", 122.0925, 29.784, True),
]

#: (id, kind, name, sub_district, person, lon0, lat0, lon1, lat1, coast band metres or 0)
AREA_SEEDS: list[tuple[str, str, str, str, str, float, float, float, float, float]] = [
    ("port-beilun", ZoneKind.PORT, "北仑港", "新碶", "李强",
     121.800, 29.920, 121.890, 29.965, 1000),
    ("port-daxie", ZoneKind.PORT, "大榭港区", "霞浦", "陈静",
     121.940, 29.920, 122.000, 29.955, 800),
    ("port-meishan", ZoneKind.PORT, "梅山港区", "梅山", "吴霞",
     122.010, 29.760, 122.040, 29.800, 800),
    ("anch-beilun", ZoneKind.ANCHORAGE, "北仑锚地", "新碶", "李强",
     121.860, 29.952, 121.900, 29.970, 0),
    ("anch-daxie", ZoneKind.ANCHORAGE, "大榭东锚地", "白峰", "赵敏",
     122.020, 29.920, 122.050, 29.940, 0),
    ("anch-intl-xiazhimen", ZoneKind.INTERNATIONAL_ANCHORAGE, "虾峙门口外国际锚地", "梅山",
     "吴霞", 122.130, 29.825, 122.180, 29.860, 0),
    ("restricted-jintang", ZoneKind.RESTRICTED, "金塘水道施工禁航区", "戚家山", "张伟",
     121.920, 29.950, 121.950, 29.962, 0),
]

#: (id, name, port id, lon, lat): berths are 200 m discs on the coast inside their port.
BERTH_SEEDS = [
    ("berth-beilun-2", "北仑二期集装箱泊位", "port-beilun", 121.860, 29.937),
    ("berth-daxie-1", "大榭招商码头泊位", "port-daxie", 121.975, 29.940),
    ("berth-meishan-1", "梅山一号泊位", "port-meishan", 122.025, 29.775),
]


def build_demo_zones() -> list[Zone]:
    coast = default_coastline()
    fwd, inv = utm_transformer(), utm_transformer(inverse=True)

    def to_xy(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda c: shapely.get_coordinates(shapely.points(
            *fwd.transform(c[:, 0], c[:, 1]))))

    def to_ll(g: shapely.Geometry) -> shapely.Geometry:
        g = shapely.transform(g, lambda c: shapely.get_coordinates(shapely.points(
            *inv.transform(c[:, 0], c[:, 1]))))
        return shapely.set_precision(shapely.make_valid(g), 1e-6)

    jbox = to_xy(box(*JURISDICTION_BOX))
    land = shapely.union_all(coast.land_xy).intersection(jbox)
    water = jbox.difference(land)
    near = lambda m: land.buffer(m, quad_segs=4)

    def clean(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.make_valid(g.simplify(25)).buffer(0)

    zones: list[Zone] = [Zone("jurisdiction-beilun", ZoneKind.JURISDICTION, "北仑辖区海域",
                              to_ll(jbox), responsible_person="北仑区专班办公室")]
    layers = [
        ("layer-coastal-land", ZoneKind.LAYER_COASTAL_LAND, "沿海陆域",
         land.intersection(water.buffer(2000, quad_segs=4))),
        ("layer-shoreline", ZoneKind.LAYER_SHORELINE, "岸线海域", water.intersection(near(1000))),
        ("layer-near-seas", ZoneKind.LAYER_NEAR_SEAS, "近海", water.intersection(near(3000))
         .difference(near(1000))),
        ("layer-high-seas", ZoneKind.LAYER_HIGH_SEAS, "外海", water.difference(near(3000))),
    ]
    for zid, kind, name, geom in layers:
        zones.append(Zone(zid, kind, name, to_ll(clean(geom)),
                          responsible_person="北仑区专班办公室"))
    areas: dict[str, shapely.Geometry] = {}
    for zid, kind, name, sub, person, x0, y0, x1, y1, band in AREA_SEEDS:
        g = to_xy(box(x0, y0, x1, y1))
        if band:
            g = g.intersection(land.boundary.buffer(band, quad_segs=4))
        else:
            g = g.intersection(water)
        g = clean(g)
        areas[zid] = g
        zones.append(Zone(zid, kind, name, to_ll(g), sub_district=sub,
                          responsible_person=person))
    for zid, name, port, lon, lat in BERTH_SEEDS:
        slon, slat = coast.nearest_shore_point(lon, lat)
        g = to_xy(Point(slon, slat)).buffer(200, quad_segs=8).intersection(areas[port])
        port_zone = next(z for z in zones if z.id == port)
        zones.append(Zone(zid, ZoneKind.BERTH, name, to_ll(g), sub_district=port_zone
                          .sub_district, responsible_person=port_zone.responsible_person))
    for zid, name, sub_t, sub, person, lon, lat, island in LANDING_SEEDS:
        if island:
            # The islet under (or nearest to) the seed: its representative point is on land.
            p = to_xy(Point(lon, lat))
            islets = [g for g in coast.land_xy if g.area < 2e6]
            islet = min(islets, key=lambda g: g.distance(p))
            pt = to_ll(islet.representative_point())
        else:
            pt = Point(*coast.nearest_shore_point(lon, lat))
        zones.append(Zone(zid, ZoneKind.LANDING_POINT, name, pt, subtype=sub_t,
                          sub_district=sub, responsible_person=person,
                          properties={"demo": True}))
    return zones


def write_demo_zones(path: Path = DEMO_ZONES_PATH) -> Path:
    """Write the demo geography as GeoJSON (``jinghai zones build-demo``)."""
    zones = build_demo_zones()
    data = zones_to_geojson(zones)
    data["name"] = "Beilun demo geography (illustrative; see geo/data/SOURCES.md)"
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return path
