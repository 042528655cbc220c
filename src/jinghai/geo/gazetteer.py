"""Place names for the maps: a small gazetteer of the Beilun waters shipped with the code
(``data/beilun_gazetteer.geojson``), to which the maps add the names of the zones.

The shipped file is built by ``python -m jinghai.geo.gazetteer`` from three sources, each
recorded per feature in ``source``:

- islands: the name is ours, the position is the representative point of the GSHHS land
  polygon that contains (or lies nearest to) a hand-placed seed — so the label sits on the
  island as the shipped coastline draws it;
- ports: the NGA World Port Index (Pub. 150, public domain) positions of Ningbo, Zhen Hai
  and Zhoushan (Dinghai);
- waters and the district seat: hand-placed, approximate.

Approximate positions for reading a map, not a chart.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from shapely.geometry import Point, shape

GAZETTEER = "beilun_gazetteer.geojson"

ISLAND_SEEDS = {
    "舟山岛": (122.10, 30.05), "金塘岛": (121.89, 30.03), "大榭岛": (121.95, 29.92),
    "梅山岛": (121.97, 29.77), "六横岛": (122.14, 29.73), "桃花岛": (122.28, 29.82),
    "虾峙岛": (122.25, 29.75), "朱家尖": (122.38, 29.93), "普陀山": (122.39, 30.01),
    "长白岛": (122.05, 30.19), "岱山岛": (122.20, 30.27),
}
#: WPI Pub. 150 entries near Beilun: (name, lon, lat, WPI number).
WPI_PORTS = [("宁波港", 121.5500, 29.8833, 59940), ("镇海港", 121.7000, 29.9500, 59950),
             ("定海（舟山港）", 122.1000, 30.0000, 59960)]
WATERS = {"金塘水道": (121.93, 29.99), "螺头水道": (122.02, 29.95), "峙头洋": (122.12, 29.86),
          "佛渡水道": (122.06, 29.79), "虾峙门": (122.27, 29.77), "册子水道": (121.97, 30.04),
          "西堠门": (121.93, 30.06)}
TOWNS = {"北仑": (121.84, 29.90)}


def build() -> dict:
    land = json.loads((resources.files("jinghai.geo") / "data" /
                       "gshhs_f_land_ningbo_zhoushan.geojson").read_text("utf-8"))
    polys = [shape(f["geometry"]) for f in land["features"]]
    features = []

    def add(name: str, kind: str, lon: float, lat: float, zoom: int, source: str) -> None:
        features.append({"type": "Feature", "properties": {
            "name": name, "kind": kind, "min_zoom": zoom, "source": source},
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}})

    for name, (lon, lat) in ISLAND_SEEDS.items():
        seed = Point(lon, lat)
        poly = min(polys, key=lambda p: p.distance(seed))
        if poly.distance(seed) > 0.01:
            continue
        at = poly.representative_point()
        add(name, "island", at.x, at.y, 9 if poly.area > 0.004 else 10, "GSHHS polygon")
    for name, lon, lat, number in WPI_PORTS:
        add(name, "port", lon, lat, 9, f"WPI {number}")
    for name, (lon, lat) in WATERS.items():
        add(name, "water", lon, lat, 10, "hand-placed, approximate")
    for name, (lon, lat) in TOWNS.items():
        add(name, "town", lon, lat, 9, "hand-placed, approximate")
    return {"type": "FeatureCollection", "features": features}


@cache
def _shipped() -> tuple[dict, ...]:
    text = (resources.files("jinghai.geo") / "data" / GAZETTEER).read_text("utf-8")
    return tuple(json.loads(text)["features"])


def place_labels() -> dict:
    """The shipped gazetteer as GeoJSON points (``name``, ``kind``, ``min_zoom``); the maps
    add the zones' own names to it."""
    return {"type": "FeatureCollection", "features": [dict(f) for f in _shipped()]}


if __name__ == "__main__":
    out = resources.files("jinghai.geo") / "data" / GAZETTEER
    text = json.dumps(build(), ensure_ascii=False, indent=1)
    with open(str(out), "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(f"wrote {out}")
