"""Swept area and patrol effort, from tracks, in an equal-area projection.

The swept area (巡航面积) of a track is the track buffered by half the sweep width of the
boat on each side, cut to the sea with the shipped GSHHS coastline (``jinghai.geo.coast``)
and measured in a Lambert azimuthal equal-area projection centred on Beilun, so a km² is a
km² wherever the boat went. Several tracks of one unit on one day are merged first, so
water covered twice that day counts once.

Effort per grid cell (hours present) is the time between consecutive positions, put in the
cell of the first one; gaps longer than ``MAX_GAP_S`` are not effort (the boat was in port
or the phone off). Pure computation: no database, no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from jinghai.errors import InvalidInput
from jinghai.geo.coast import default_coastline
from jinghai.geo.metric import KNOT_MS, haversine_m

#: Lambert azimuthal equal-area centred on Beilun (areas exact, shapes near-true locally).
EQUAL_AREA_CRS = "+proj=laea +lat_0=29.9 +lon_0=121.9 +x_0=0 +y_0=0 +datum=WGS84 +units=m"
#: Faster than this between two positions is a bad fix or a wrong point, not a patrol boat
#: (fast patrol craft reach ~45 kn; 60 kn leaves a margin).
MAX_SPEED_KN = 60.0
#: Two fixes are a jump only beyond what position error explains: a phone's GPS is good to
#: 5–50 m, so up to this distance is allowed whatever the time between them.
JUMP_TOLERANCE_M = 100.0
#: A gap longer than this splits a track: no effort and no sweep is assumed across it.
MAX_GAP_S = 30 * 60.0
#: Grid cell of the effort map, degrees (≈ 2 km here).
CELL_DEG = 0.02


@dataclass(frozen=True)
class SweepWidth:
    """Sweep width of a searcher (the width of water it effectively watches), metres."""

    width_m: float
    label: str
    source: str


#: Per boat type. Search theory's sweep width (IAMSAR Manual Vol. II, visual search of small
#: craft by surface vessels) is of the order of 1–3 NM for boats of 5–10 m in moderate
#: visibility; the defaults take the low end of that order so the area is not overstated.
#: Changed here (one place: missions, counters and pages all read this table);
#: ``service.mission_tracks`` also takes overrides for a what-if computation.
SWEEP_WIDTHS: dict[str, SweepWidth] = {
    "patrol_boat": SweepWidth(3704.0, "巡逻船（2 海里）",
                              "IAMSAR Vol. II 小型船只目视搜寻扫海宽度量级（约1–3海里），取2海里"),
    "speedboat": SweepWidth(1852.0, "快艇（1 海里）",
                            "IAMSAR Vol. II 同上，快艇观察高度低，取1海里"),
    "fishery_boat": SweepWidth(1852.0, "渔政船（1 海里）", "同快艇"),
    "on_foot": SweepWidth(200.0, "步巡/车巡（200 米）",
                          "岸线步行或车辆巡查，视距按200米计（专班默认值，可调整）"),
}
DEFAULT_BOAT_TYPE = "patrol_boat"


@lru_cache(maxsize=2)
def _to_ea(inverse: bool = False) -> Transformer:
    if inverse:
        return Transformer.from_crs(EQUAL_AREA_CRS, "EPSG:4326", always_xy=True)
    return Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def project(geom: BaseGeometry) -> BaseGeometry:
    fwd = _to_ea()
    return shapely.transform(geom, lambda c: np.column_stack(fwd.transform(c[:, 0], c[:, 1])))


def unproject(geom: BaseGeometry) -> BaseGeometry:
    inv = _to_ea(True)
    return shapely.transform(geom, lambda c: np.column_stack(inv.transform(c[:, 0], c[:, 1])))


@lru_cache(maxsize=1)
def _land() -> tuple[list[BaseGeometry], shapely.STRtree]:
    land = [project(g) for g in default_coastline().land_lonlat]
    for g in land:
        shapely.prepare(g)
    return land, shapely.STRtree(land)


def sea_only(geom_ea: BaseGeometry) -> BaseGeometry:
    """``geom_ea`` (equal-area metres) minus the land of the shipped coastline."""
    land, tree = _land()
    hits = tree.query(geom_ea, predicate="intersects")
    if len(hits) == 0:
        return geom_ea
    return geom_ea.difference(shapely.union_all([land[i] for i in hits]))


def check_track(ts: Sequence[datetime], lons: Sequence[float], lats: Sequence[float]) -> None:
    """Refuse a track with positions out of range, time going backwards or a jump faster
    than ``MAX_SPEED_KN`` — with the place of the first problem, in Chinese."""
    lon = np.asarray(lons, dtype=float)
    lat = np.asarray(lats, dtype=float)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise InvalidInput("轨迹中有无效的经纬度")
    if ((lon < -180) | (lon > 180) | (lat < -90) | (lat > 90)).any():
        raise InvalidInput("轨迹中有超出范围的经纬度")
    if len(ts) < 2:
        return
    secs = np.array([t.timestamp() for t in ts])
    dt = np.diff(secs)
    if (dt < 0).any():
        i = int(np.argmax(dt < 0))
        raise InvalidInput(f"轨迹时间倒退：第{i + 2}个点早于前一个点")
    dist = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    speed_kn = dist / np.maximum(dt, 1.0) / KNOT_MS
    bad = np.flatnonzero((dist - JUMP_TOLERANCE_M) / np.maximum(dt, 1.0) / KNOT_MS
                         > MAX_SPEED_KN)
    if len(bad):
        i = int(bad[0])
        raise InvalidInput(
            f"轨迹有不可能的跳点：第{i + 1}到第{i + 2}个点 {dist[i] / 1000:.1f} 公里只用了 "
            f"{dt[i]:.0f} 秒（约 {speed_kn[i]:.0f} 节，超过 {MAX_SPEED_KN:.0f} 节）")


def _pieces(ts: Sequence[datetime], lons: Sequence[float], lats: Sequence[float]
            ) -> list[BaseGeometry]:
    """The track in equal-area metres, split at gaps longer than MAX_GAP_S."""
    if not len(lons):
        return []
    x, y = _to_ea().transform(np.asarray(lons, float), np.asarray(lats, float))
    secs = np.array([t.timestamp() for t in ts])
    cut = np.flatnonzero(np.diff(secs) > MAX_GAP_S) + 1
    out: list[BaseGeometry] = []
    for idx in np.split(np.arange(len(x)), cut):
        if len(idx) == 1:
            out.append(Point(x[idx[0]], y[idx[0]]))
        else:
            out.append(LineString(np.column_stack([x[idx], y[idx]])))
    return out


@dataclass(frozen=True)
class Track:
    """Positions of one boat (or one phone) with the sweep width that applies to it."""

    ts: Sequence[datetime]
    lons: Sequence[float]
    lats: Sequence[float]
    width_m: float


def swept_geometry(tracks: Iterable[Track]) -> BaseGeometry:
    """The sea swept by ``tracks`` together (equal-area metres): each buffered by half its
    width, merged (overlaps once), land removed."""
    parts = [piece.buffer(t.width_m / 2.0, quad_segs=16)
             for t in tracks for piece in _pieces(t.ts, t.lons, t.lats)]
    if not parts:
        return shapely.Polygon()
    return sea_only(shapely.union_all(parts))


def swept_area_km2(tracks: Iterable[Track]) -> float:
    return swept_geometry(tracks).area / 1e6


def effort_cells(ts: Sequence[datetime], lons: Sequence[float], lats: Sequence[float],
                 cell_deg: float = CELL_DEG) -> dict[tuple[int, int], float]:
    """Hours present per grid cell ``(floor(lon/cell), floor(lat/cell))``."""
    out: dict[tuple[int, int], float] = {}
    if len(ts) < 2:
        return out
    secs = np.array([t.timestamp() for t in ts])
    dt = np.diff(secs)
    for i in np.flatnonzero((dt > 0) & (dt <= MAX_GAP_S)):
        key = (int(np.floor(lons[i] / cell_deg)), int(np.floor(lats[i] / cell_deg)))
        out[key] = out.get(key, 0.0) + float(dt[i]) / 3600.0
    return out


def distance_to_zone_m(geometry: BaseGeometry, lon: float, lat: float) -> float:
    """Metres from a position to a zone (0 inside a polygon), in the equal-area plane
    (distances there are within 0.1 % over the few km that matter for a check-in)."""
    return float(project(geometry).distance(project(Point(lon, lat))))


def touches(geometry: BaseGeometry, lons: Sequence[float], lats: Sequence[float]) -> bool:
    """Whether any position lies inside ``geometry`` (lon/lat)."""
    if not len(lons):
        return False
    return bool(shapely.contains_xy(geometry, np.asarray(lons, float),
                                    np.asarray(lats, float)).any())


__all__ = [
    "CELL_DEG",
    "EQUAL_AREA_CRS",
    "MAX_GAP_S",
    "MAX_SPEED_KN",
    "SWEEP_WIDTHS",
    "SweepWidth",
    "Track",
    "check_track",
    "distance_to_zone_m",
    "effort_cells",
    "swept_area_km2",
    "swept_geometry",
]
