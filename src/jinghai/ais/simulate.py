"""A simulated AIS feed for the Beilun waters, so the map is alive out of the box.

Real NMEA 0183 sentences (``!AIVDM``, encoded with pyais, checksums included) behind
IEC 61162-450 tag blocks (``\\s:<receiver>,c:<unix time>*hh\\``), as a shore network
serves them. The traffic is what the Ningbo–Zhoushan approaches look like:

* merchant ships (Chinese and foreign) come in from the sea, wait at an anchorage, go
  alongside at Beilun, Daxie or Meishan, leave again and drop out of range for a while;
* ships lying at the anchorages, swinging round their anchor;
* fishing boats (the registry's, by MMSI) leave their home port, steam to a fishing
  ground, fish there at trawling speed and come back to port;
* the task force's own coast-guard patrol boats running a patrol loop.

Every track is planned on the shipped GSHHS coastline (``jinghai.geo``): routes are found
on a water grid that keeps ``MARGIN_M`` off land, and each straight leg is checked against
the exact polygons, so no vessel ever crosses land. Positions are a pure function of the
seed and the time (each vessel runs a periodic plan from a fixed epoch), so the feed is
deterministic and a test can regenerate any moment.

Message types: class A vessels send type 1 (type 3 when at anchor or moored) and type 5;
class B boats send type 18 and type 24 (parts A and B). See
https://gpsd.gitlab.io/gpsd/AIVDM.html for the fields.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import random
import socket
import socketserver
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import pyarrow as pa
import shapely
from pyais.encode import encode_dict
from pyais.stream import IterMessages

from jinghai.ais.schema import POSITION_SCHEMA
from jinghai.geo.coast import default_coastline
from jinghai.geo.metric import KNOT_MS, haversine_m, offset_lonlat

log = logging.getLogger(__name__)

__all__ = [
    "PATROL_MMSIS",
    "FeedServer",
    "FishingSpec",
    "SimVessel",
    "Simulation",
    "iter_sentences",
    "serve_feed",
]

#: Plans repeat from this instant, so a position depends only on (seed, time).
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
#: The water grid: box (lon0, lat0, lon1, lat1), cell size in degrees, margin off land.
GRID_BOX = (121.60, 29.58, 122.56, 30.22)
GRID_STEP = 0.004
MARGIN_M = 200.0
#: A straight leg must keep at least this far from land at every sample.
LEG_CLEARANCE_M = 60.0
#: Report intervals (s): class A underway / at anchor, class B, static data.
EVERY_A_MOVING = 10.0
EVERY_A_STILL = 180.0
EVERY_B = 30.0
EVERY_STATIC = 360.0

#: Receivers of the demo shore network: id, lon, lat, range (m).
STATIONS = [
    ("BL-AIS01", 121.870, 29.935, 35_000.0),  # Beilun, on the port's hill
    ("ZS-AIS02", 122.200, 29.960, 35_000.0),  # Zhoushan side, over the outer channels
]

#: Own coast-guard boats of the demo (the map's 本方巡逻船); settings.own_mmsis lists them.
PATROL_MMSIS = (412900101, 412900102, 412900103)

# Named places (lon, lat); each is snapped to the nearest cell of open water.
SEA_SE = (122.45, 29.70)       # outside Xiazhimen, towards the open sea
SEA_E = (122.55, 30.10)        # east of Zhoushan
SEA_N = (121.80, 30.20)        # Hangzhou Bay side, north of Jintang
ANCH_INTL = (122.155, 29.842)  # 虾峙门口外国际锚地
ANCH_BEILUN = (121.880, 29.961)
ANCH_DAXIE = (122.035, 29.930)
BERTH_BEILUN = (121.857, 29.935)
BERTH_DAXIE = (121.978, 29.940)
BERTH_MEISHAN = (122.030, 29.780)
HOME_PORTS = {  # the registry's home ports (jinghai.vessels.demo.PORTS) -> harbour water
    "郭巨": (122.107, 29.870),
    "梅山": (122.017, 29.794),
    "白峰": (122.020, 29.890),
    "穿山": (121.945, 29.892),
}
FISHING_GROUNDS = [(122.50, 29.86), (122.35, 29.64), (122.52, 30.16), (122.25, 29.75)]
#: Trawling circuits on the grounds (boats share them, as they share the good grounds).
TRAWLS = [[(g[0] + dx, g[1] + dy) for dx, dy in pattern] for g in FISHING_GROUNDS
          for pattern in ([(-0.03, -0.02), (0.03, -0.01), (0.0, 0.03)],
                          [(0.02, 0.025), (-0.025, 0.01), (0.01, -0.03)])]
PATROL_LOOPS = [
    [ANCH_BEILUN, (121.95, 29.975), ANCH_DAXIE, (122.12, 29.90), ANCH_INTL, (122.06, 29.92)],
    [ANCH_INTL, (122.08, 29.80), BERTH_MEISHAN, (122.10, 29.86), (122.22, 29.92)],
    [(121.78, 30.02), (121.84, 29.985), ANCH_BEILUN, (121.93, 29.985), (121.80, 30.08)],
]

# Pinyin for the characters of registry numbers, so a registry name fits AIS's 6-bit text.
PINYIN = {"浙": "ZHE", "甬": "YONG", "渔": "YU", "北": "BEI", "沪": "HU", "闽": "MIN",
          "苏": "SU", "舟": "ZHOU", "象": "XIANG", "奉": "FENG", "运": "YUN", "海": "HAI",
          "警": "JING", "中": "ZHONG", "国": "GUO"}


def ais_text(name: str, limit: int = 20) -> str:
    """A name as AIS 6-bit text: Chinese characters of registry numbers in pinyin."""
    out = []
    for ch in name:
        if ch in PINYIN:
            out.append(PINYIN[ch])
        elif ch.isascii() and (ch.isalnum() or ch in " -."):
            out.append(ch.upper())
    return "".join(out)[:limit]


# --- the water grid ------------------------------------------------------------------------


@dataclass
class WaterGrid:
    """Cells of open water (centre ≥ MARGIN_M from land) connected to the open sea."""

    lons: np.ndarray
    lats: np.ndarray
    water: np.ndarray  # bool (ny, nx)
    dist: np.ndarray   # metres to land of each cell centre

    def cell(self, lon: float, lat: float) -> tuple[int, int]:
        return (round((lat - self.lats[0]) / GRID_STEP),
                round((lon - self.lons[0]) / GRID_STEP))

    def centre(self, c: tuple[int, int]) -> tuple[float, float]:
        return float(self.lons[c[1]]), float(self.lats[c[0]])

    def snap(self, lon: float, lat: float) -> tuple[int, int]:
        """The nearest open-water cell to a place (a port on the shore, a seed point)."""
        iy, ix = np.nonzero(self.water)
        d = (self.lons[ix] - lon) ** 2 * 0.75 + (self.lats[iy] - lat) ** 2
        k = int(np.argmin(d))
        return int(iy[k]), int(ix[k])


@lru_cache(maxsize=1)
def water_grid() -> WaterGrid:
    x0, y0, x1, y1 = GRID_BOX
    lons = np.round(np.arange(x0, x1 + 1e-9, GRID_STEP), 6)
    lats = np.round(np.arange(y0, y1 + 1e-9, GRID_STEP), 6)
    glon, glat = np.meshgrid(lons, lats)
    dist = default_coastline().distance_to_shore_m(glon.ravel(), glat.ravel(),
                                                   resolution_deg=0.0005).reshape(glon.shape)
    dist = np.nan_to_num(dist, nan=10_000.0)
    water = dist >= MARGIN_M
    # Keep only the water connected to the open sea (no lakes, no enclosed docks).
    ny, nx = water.shape
    seen = np.zeros_like(water)
    start = (ny // 2, nx - 1)
    while not water[start]:
        start = (start[0] + 1, start[1])
    stack = [start]
    seen[start] = True
    while stack:
        y, x = stack.pop()
        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            q = (y + dy, x + dx)
            if 0 <= q[0] < ny and 0 <= q[1] < nx and water[q] and not seen[q]:
                seen[q] = True
                stack.append(q)
    return WaterGrid(lons, lats, seen, dist)


# 8-connected moves; a cell is 0.004° of latitude by 0.004° of longitude (cos 30° ≈ 0.866).
_NEIGHBOURS = [(dy, dx, math.hypot(dy, dx * 0.866))
               for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]


def _astar(grid: WaterGrid, a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """Shortest water path between two cells; cells near land cost more, so ships keep to
    the middle of a channel as pilots do."""
    water, dist = grid.water, grid.dist
    ny, nx = water.shape

    def h(c: tuple[int, int]) -> float:
        return math.hypot(c[0] - b[0], (c[1] - b[1]) * 0.866)

    best = {a: 0.0}
    came: dict[tuple[int, int], tuple[int, int]] = {}
    heap = [(h(a), 0.0, a)]
    while heap:
        _, g, c = heapq.heappop(heap)
        if c == b:
            path = [c]
            while c in came:
                c = came[c]
                path.append(c)
            return path[::-1]
        if g > best.get(c, math.inf):
            continue
        for dy, dx, step in _NEIGHBOURS:
            q = (c[0] + dy, c[1] + dx)
            if not (0 <= q[0] < ny and 0 <= q[1] < nx) or not water[q]:
                continue
            ng = g + step * (1.0 + 400.0 / dist[q])
            if ng < best.get(q, math.inf):
                best[q] = ng
                came[q] = c
                heapq.heappush(heap, (ng + h(q), ng, q))
    raise ValueError(f"no water route between cells {a} and {b}")


@lru_cache(maxsize=1)
def _land_tree() -> shapely.STRtree:
    return shapely.STRtree(default_coastline().land_lonlat)


def _clear(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True if the straight leg a→b keeps LEG_CLEARANCE_M off land (the polygons, not the
    grid), measured in degrees of latitude (a degree of longitude is shorter here, so the
    clearance across a north–south leg is a little more than asked)."""
    line = shapely.linestrings([a, b])
    hits = _land_tree().query(line, predicate="dwithin", distance=LEG_CLEARANCE_M / 111_000.0)
    return len(hits) == 0


def water_route(a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """A route at sea from place a to place b: a few straight legs (string-pulled A*).
    The way back is the way out reversed."""
    if b < a:
        return _water_route(b, a)[::-1]
    return _water_route(a, b)


@lru_cache(maxsize=512)
def _water_route(a: tuple[float, float], b: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    grid = water_grid()
    cells = _astar(grid, grid.snap(*a), grid.snap(*b))
    pts = [grid.centre(c) for c in cells]
    out = [pts[0]]
    i = 0
    while i < len(pts) - 1:
        j = len(pts) - 1
        while j > i + 1 and not _clear(pts[i], pts[j]):
            # Try far first, then halve: legs are long in open water, short in channels.
            j = i + 1 + (j - i - 1) // 2 if j - i > 8 else j - 1
        out.append(pts[j])
        i = j
    return tuple(out)


def snap_place(p: tuple[float, float]) -> tuple[float, float]:
    grid = water_grid()
    return grid.centre(grid.snap(*p))


# --- vessel plans --------------------------------------------------------------------------


@dataclass
class Leg:
    """One stage of a vessel's periodic plan: moving along a path, lying still, or away
    (out of range: no reports)."""

    kind: str  # move | stay | away
    duration: float
    path: np.ndarray | None = None  # (n, 2) lon/lat
    cum: np.ndarray | None = None   # metres along path at each vertex
    speed_kn: float = 0.0
    nav_status: int = 0


def _move(path: Iterable[tuple[float, float]], speed_kn: float, nav_status: int = 0) -> Leg:
    arr = np.asarray(list(path), dtype=np.float64)
    seg = haversine_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    return Leg("move", max(float(cum[-1]) / (speed_kn * KNOT_MS), 1.0), arr, cum, speed_kn,
               nav_status)


def _stay(at: tuple[float, float], seconds: float, nav_status: int) -> Leg:
    return Leg("stay", seconds, np.asarray([at], dtype=np.float64), None, 0.0, nav_status)


def _route(*places: tuple[float, float]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(places):
        leg = list(water_route(a, b))
        pts.extend(leg if not pts else leg[1:])
    return pts


@dataclass(frozen=True)
class FishingSpec:
    """A fishing boat to simulate: the registry's MMSI, name and home port."""

    mmsi: int
    name: str
    home_port: str = "郭巨"
    class_b: bool = True


@dataclass
class SimVessel:
    """A simulated vessel: identity (what its type 5/24 says) and its periodic plan."""

    mmsi: int
    name: str
    kind: str  # cargo | tanker | anchored | fishing | patrol
    ship_type: int
    class_b: bool
    length: int
    beam: int
    callsign: str
    destination: str
    legs: list[Leg]
    phase: float
    imo: int = 0
    period: float = field(init=False)
    _ends: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ends = np.cumsum([leg.duration for leg in self.legs])
        self.period = float(self._ends[-1])

    def state(self, t: float) -> dict | None:
        """Position report fields at ``t`` (seconds since EPOCH), or None if away."""
        tau = (t + self.phase) % self.period
        k = int(np.searchsorted(self._ends, tau, side="right"))
        k = min(k, len(self.legs) - 1)
        leg = self.legs[k]
        into = tau - (self._ends[k] - leg.duration)
        # Deterministic small noise per (vessel, second): GPS jitter, helm, swell.
        rng = random.Random(self.mmsi * 1_000_003 + int(t))
        if leg.kind == "away":
            return None
        if leg.kind == "stay":
            lon0, lat0 = leg.path[0]
            if leg.nav_status == 1:  # at anchor: swing on the cable with the tide
                ang = 2 * math.pi * (t % 22_357) / 22_357 + self.mmsi % 7
                lon, lat = offset_lonlat(lon0, lat0, 80 * math.sin(ang), 80 * math.cos(ang))
                heading = int((math.degrees(ang) + 180) % 360)
            else:
                lon, lat = offset_lonlat(lon0, lat0, rng.uniform(-3, 3), rng.uniform(-3, 3))
                heading = (self.mmsi % 360)
            return {"lon": float(lon), "lat": float(lat), "sog": round(rng.uniform(0, 0.2), 1),
                    "cog": float(rng.randrange(0, 3600)) / 10, "heading": heading,
                    "status": leg.nav_status, "moving": False}
        d = min(into * leg.speed_kn * KNOT_MS, float(leg.cum[-1]))
        i = int(np.clip(np.searchsorted(leg.cum, d, side="right") - 1, 0, len(leg.cum) - 2))
        seg = max(leg.cum[i + 1] - leg.cum[i], 1e-9)
        f = (d - leg.cum[i]) / seg
        (lon0, lat0), (lon1, lat1) = leg.path[i], leg.path[i + 1]
        lon = lon0 + f * (lon1 - lon0)
        lat = lat0 + f * (lat1 - lat0)
        cog = (math.degrees(math.atan2((lon1 - lon0) * math.cos(math.radians(lat0)),
                                       lat1 - lat0)) + 360.0) % 360.0
        cog_n = (cog + rng.uniform(-2.0, 2.0)) % 360.0
        return {"lon": float(lon), "lat": float(lat),
                "sog": round(max(leg.speed_kn + rng.uniform(-0.4, 0.4), 0.1), 1),
                "cog": round(cog_n, 1), "heading": round(cog + rng.uniform(-3, 3)) % 360,
                "status": leg.nav_status, "moving": True}

    def interval(self, state: dict) -> float:
        if self.class_b:
            return EVERY_B
        return EVERY_A_MOVING if state["moving"] else EVERY_A_STILL

    def position_message(self, state: dict) -> dict:
        if self.class_b:
            return {"type": 18, "mmsi": self.mmsi, "lon": state["lon"], "lat": state["lat"],
                    "speed": state["sog"], "course": state["cog"],
                    "heading": state["heading"], "accuracy": 1, "cs": 1}
        return {"type": 3 if state["status"] in (1, 5) else 1, "mmsi": self.mmsi,
                "status": state["status"], "lon": state["lon"], "lat": state["lat"],
                "speed": state["sog"], "course": state["cog"], "heading": state["heading"],
                "accuracy": 1, "turn": 0}

    def static_messages(self) -> list[dict]:
        bow = self.length * 2 // 3
        port = self.beam // 2
        dims = {"to_bow": bow, "to_stern": self.length - bow, "to_port": port,
                "to_starboard": self.beam - port}
        if self.class_b:
            return [{"type": 24, "mmsi": self.mmsi, "partno": 0, "shipname": self.name},
                    {"type": 24, "mmsi": self.mmsi, "partno": 1, "shiptype": self.ship_type,
                     "vendorid": "JHSIM", "callsign": self.callsign, **dims}]
        return [{"type": 5, "mmsi": self.mmsi, "ais_version": 0, "imo": self.imo,
                 "callsign": self.callsign, "shipname": self.name, "ship_type": self.ship_type,
                 **dims, "epfd": 1, "month": 0, "day": 0, "hour": 24, "minute": 60,
                 "draught": 8.5 if self.length > 100 else 2.0,
                 "destination": self.destination, "dte": 0}]


# --- the fleet -----------------------------------------------------------------------------

#: Merchant ships: (name, MID, ship type, length, beam, home berth). Fictional names.
MERCHANTS = [
    ("ZHONG YUAN HAI 17", 413, 70, 294, 40, BERTH_BEILUN),
    ("NING BO GANG 6", 413, 70, 180, 28, BERTH_DAXIE),
    ("YONG XIN 18", 412, 70, 120, 20, BERTH_BEILUN),
    ("HAI HE TONG DA", 414, 80, 229, 32, BERTH_DAXIE),
    ("DONG FANG XING", 413, 70, 199, 32, BERTH_MEISHAN),
    ("XIN NING 9", 412, 80, 140, 22, BERTH_BEILUN),
    ("ZHE HAI 508", 413, 70, 190, 32, BERTH_MEISHAN),
    ("PACIFIC HARMONY", 351, 70, 300, 48, BERTH_BEILUN),
    ("OCEAN TRUST", 636, 80, 250, 44, BERTH_DAXIE),
    ("KOTA PERMATA", 563, 70, 260, 40, BERTH_MEISHAN),
    ("HANBIT PIONEER", 440, 70, 172, 27, BERTH_BEILUN),
    ("SAKURA MARU", 431, 80, 105, 18, BERTH_DAXIE),
]
#: Ships lying at anchor for the whole demo: (name, MID, type, length, beam, anchorage).
AT_ANCHOR = [
    ("HUA YANG 2", 413, 70, 180, 30, ANCH_BEILUN),
    ("JIN HAI 66", 412, 80, 120, 20, ANCH_DAXIE),
    ("MARE NOSTRUM", 538, 70, 225, 32, ANCH_INTL),
    ("GOLDEN BRIDGE", 477, 70, 189, 30, ANCH_INTL),
    ("LIAN HE 3", 413, 70, 160, 26, ANCH_INTL),
    ("PAN ASIA", 357, 80, 183, 32, ANCH_DAXIE),
]


def demo_fishing_fleet(n: int = 24, seed: int = 1) -> list[FishingSpec]:
    """Fishing boats with registry-like numbers, for tests and a demo without a registry."""
    rng = random.Random(seed)
    ports = list(HOME_PORTS)
    return [FishingSpec(412400000 + rng.randrange(10**5, 10**6), f"浙甬渔{rng.randrange(10000, 99999)}",
                        ports[i % len(ports)], class_b=i % 4 != 0) for i in range(n)]


def _mmsi(rng: random.Random, mid: int, used: set[int]) -> int:
    while True:
        m = mid * 1_000_000 + rng.randrange(100_000, 999_999)
        if m not in used:
            used.add(m)
            return m


class Simulation:
    """The simulated Beilun traffic for a seed. ``fishing`` are the fishing boats to run
    (the registry's, by MMSI); patrol boats use ``patrol_mmsis``."""

    def __init__(self, seed: int = 20261129, fishing: list[FishingSpec] | None = None,
                 patrol_mmsis: Iterable[int] = PATROL_MMSIS) -> None:
        rng = random.Random(seed)
        self.seed = seed
        fishing = demo_fishing_fleet() if fishing is None else fishing
        used: set[int] = {f.mmsi for f in fishing} | set(patrol_mmsis)
        self.vessels: list[SimVessel] = []
        entries = [SEA_SE, SEA_E, SEA_N]
        for name, mid, stype, length, beam, berth in MERCHANTS:
            entry = rng.choice(entries)
            anch = ANCH_INTL if berth != BERTH_BEILUN or entry != SEA_N else ANCH_BEILUN
            inbound_sea = _route(entry, anch)
            inbound_port = _route(anch, berth)
            exit_ = rng.choice(entries)
            outbound = _route(berth, exit_)
            legs = [
                Leg("away", rng.uniform(2, 6) * 3600),
                _move(inbound_sea, rng.uniform(11, 14)),
                _stay(snap_place(anch), rng.uniform(1, 4) * 3600, 1),
                _move(inbound_port, rng.uniform(7, 9)),
                _stay(snap_place(berth), rng.uniform(5, 10) * 3600, 5),
                _move(outbound, rng.uniform(10, 13)),
            ]
            self.vessels.append(self._ship(rng, used, name, mid, stype, length, beam, legs,
                                           "cargo" if stype == 70 else "tanker", "NINGBO"))
        for name, mid, stype, length, beam, anch in AT_ANCHOR:
            here = snap_place(anch)
            legs = [_stay(here, 86_400.0, 1)]
            self.vessels.append(self._ship(rng, used, name, mid, stype, length, beam, legs,
                                           "anchored", "ZHOUSHAN ANCH"))
        for spec in fishing:
            home = HOME_PORTS.get(spec.home_port, HOME_PORTS["郭巨"])
            spots = rng.choice(TRAWLS)
            legs = [
                _stay(snap_place(home), rng.uniform(3, 10) * 3600, 5),
                _move(_route(home, spots[0]), rng.uniform(7, 9)),
                _move(_route(*spots, spots[0]), rng.uniform(2.5, 3.5), 7),
                _move(_route(spots[0], home), rng.uniform(7, 9)),
            ]
            length = rng.randrange(18, 45)
            vessel = SimVessel(spec.mmsi, ais_text(spec.name), "fishing", 30, spec.class_b,
                               length, max(4, length // 5), f"BZ{rng.randrange(1000, 9999)}",
                               "", legs, phase=0.0)
            vessel.phase = rng.uniform(0, vessel.period)
            self.vessels.append(vessel)
        for k, mmsi in enumerate(patrol_mmsis):
            loop = PATROL_LOOPS[k % len(PATROL_LOOPS)]
            legs = [_move(_route(*loop, loop[0]), rng.uniform(14, 18)),
                    _stay(snap_place(loop[0]), 1800.0, 5)]
            vessel = SimVessel(mmsi, f"HAIJING {31101 + k}", "patrol", 55, False, 40,
                               7, f"BHJ{k + 1:03d}", "PATROL", legs, phase=0.0)
            vessel.phase = rng.uniform(0, vessel.period)
            self.vessels.append(vessel)

    def _ship(self, rng: random.Random, used: set[int], name: str, mid: int, stype: int,
              length: int, beam: int, legs: list[Leg], kind: str, dest: str) -> SimVessel:
        mmsi = _mmsi(rng, mid, used)
        callsign = ("B" if mid in (412, 413, 414) else "V") + "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(4))
        vessel = SimVessel(mmsi, name, kind, stype, False, length, beam, callsign, dest, legs,
                           phase=0.0, imo=9_000_000 + rng.randrange(100_000, 999_999))
        vessel.phase = rng.uniform(0, vessel.period)
        return vessel

    def by_mmsi(self, mmsi: int) -> SimVessel:
        return next(v for v in self.vessels if v.mmsi == mmsi)


# --- NMEA ----------------------------------------------------------------------------------


def nmea_checksum(body: str) -> str:
    cs = 0
    for ch in body.encode("ascii"):
        cs ^= ch
    return f"{cs:02X}"


def tag_block(station: str, at: float) -> str:
    """IEC 61162-450 tag block: source station and receiver time (``at``: seconds since
    EPOCH, written as Unix seconds)."""
    body = f"s:{station},c:{int(at + EPOCH.timestamp())}"
    return f"\\{body}*{nmea_checksum(body)}\\"


class _Encoder:
    """Encodes messages as VDM sentences, cycling sequence ids and radio channels."""

    def __init__(self) -> None:
        self.seq = 0
        self.channel = 0

    def encode(self, msg: dict) -> list[str]:
        # pyais takes the class from "type" but the bits from "msg_type" (default 1).
        msg = {**msg, "msg_type": msg["type"]}
        self.channel ^= 1
        channel = "AB"[self.channel]
        if msg["type"] == 5:
            self.seq = (self.seq + 1) % 10
            return encode_dict(msg, talker_id="AI", sentence_type="VDM", radio_channel=channel,
                               seq_id=self.seq)
        return encode_dict(msg, talker_id="AI", sentence_type="VDM", radio_channel=channel)


def _receivers(lon: float, lat: float) -> list[str]:
    d = [(haversine_m(lon, lat, slon, slat), sid, rng_m) for sid, slon, slat, rng_m in STATIONS]
    heard = [sid for dist, sid, rng_m in d if dist <= rng_m]
    return heard or [min(d)[1]]


class Feed:
    """Steps the simulation in time and turns what is due into tag-blocked sentences."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.encoder = _Encoder()
        self.next_pos: dict[int, float] = {}
        self.next_static: dict[int, float] = {}

    def static_burst(self, t: float) -> list[str]:
        """Every vessel in range: its static data and where it is now, as an aggregator
        sends a client that just connected (else a ship at anchor, reporting every three
        minutes, would stay off a new client's picture that long)."""
        lines: list[str] = []
        for v in self.sim.vessels:
            state = v.state(t)
            if state is not None:
                lines.extend(self._lines(v, [*v.static_messages(), v.position_message(state)],
                                         state, t))
        return lines

    def _lines(self, v: SimVessel, msgs: list[dict], state: dict, t: float) -> list[str]:
        out = []
        stations = _receivers(state["lon"], state["lat"])
        for msg in msgs:
            sentences = self.encoder.encode(msg)
            for sid in stations:
                out.extend(tag_block(sid, t) + s for s in sentences)
        return out

    def tick(self, t: float) -> list[str]:
        """Sentences for everything due at ``t`` (seconds since EPOCH)."""
        out: list[str] = []
        for v in self.sim.vessels:
            due = self.next_pos.get(v.mmsi)
            if due is None:  # stagger first reports over the first interval
                due = t + (v.mmsi % 97) / 97.0 * (EVERY_B if v.class_b else EVERY_A_MOVING)
                self.next_pos[v.mmsi] = due
                self.next_static[v.mmsi] = t
            if due > t:
                continue
            state = v.state(t)
            if state is None:
                self.next_pos[v.mmsi] = t + 60.0
                continue
            self.next_pos[v.mmsi] = t + v.interval(state)
            out.extend(self._lines(v, [v.position_message(state)], state, t))
            if self.next_static[v.mmsi] <= t:
                self.next_static[v.mmsi] = t + EVERY_STATIC
                out.extend(self._lines(v, v.static_messages(), state, t))
        return out


def _seconds(at: datetime) -> float:
    if at.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return (at - EPOCH).total_seconds()


def iter_sentences(start: datetime, duration: timedelta | float, step: float = 1.0, *,
                   sim: Simulation | None = None) -> Iterator[tuple[datetime, str]]:
    """(time, sentence) for the simulated traffic from ``start`` for ``duration``, ticking
    every ``step`` seconds. Each sentence carries its receiver time in the tag block."""
    sim = sim or Simulation()
    feed = Feed(sim)
    total = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    t0 = _seconds(start)
    n = int(total / step)
    for k in range(n):
        t = t0 + k * step
        at = EPOCH + timedelta(seconds=t)
        for line in feed.tick(t):
            yield at, line


# --- TCP server ----------------------------------------------------------------------------


class FeedServer:
    """Serves the simulated feed on TCP to any number of clients, as a shore station or an
    aggregator does: one sentence a line (CRLF). ``speed`` > 1 runs the clock faster."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, speed: float = 1.0,
                 sim: Simulation | None = None, start: datetime | None = None) -> None:
        self.sim = sim or Simulation()
        self.speed = speed
        self.feed = Feed(self.sim)
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wall0 = time.monotonic()
        self._sim0 = _seconds(start or datetime.now(UTC))
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                burst = server.feed_burst()
                try:
                    conn.sendall(("\r\n".join(burst) + "\r\n").encode("ascii"))
                except OSError:
                    return
                with server._lock:
                    server._clients.append(conn)
                # Keep the handler alive while the client is connected.
                while not server._stop.is_set():
                    try:
                        conn.settimeout(1.0)
                        if conn.recv(1024) == b"":
                            break
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                with server._lock:
                    if conn in server._clients:
                        server._clients.remove(conn)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server((host, port), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def now(self) -> float:
        return self._sim0 + (time.monotonic() - self._wall0) * self.speed

    def feed_burst(self) -> list[str]:
        with self._lock:
            return self.feed.static_burst(self.now())

    def _pump(self) -> None:
        tick = 1.0
        t = self.now()
        while not self._stop.is_set():
            lines = self.feed.tick(t)
            if lines:
                data = ("\r\n".join(lines) + "\r\n").encode("ascii")
                with self._lock:
                    clients = list(self._clients)
                for conn in clients:
                    try:
                        conn.sendall(data)
                    except OSError:
                        with self._lock:
                            if conn in self._clients:
                                self._clients.remove(conn)
            t += tick
            wait = (t - self.now()) / self.speed
            if wait > 0:
                self._stop.wait(wait)

    def start(self) -> FeedServer:
        for target in (self._server.serve_forever, self._pump):
            th = threading.Thread(target=target, name=f"ais-sim-{target.__name__}", daemon=True)
            th.start()
            self._threads.append(th)
        log.info("simulated AIS feed on %s (speed %.1f×, %d vessels)", self.url, self.speed,
                 len(self.sim.vessels))
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for conn in self._clients:
                try:
                    conn.close()
                except OSError:
                    pass
            self._clients.clear()
        for th in self._threads:
            th.join(timeout=5)


def serve_feed(host: str = "127.0.0.1", port: int = 0, speed: float = 1.0, *,
               sim: Simulation | None = None) -> FeedServer:
    """Start the simulated feed in background threads; returns the running server (its
    ``port`` is the bound one when 0 was asked). Stop it with ``.stop()``."""
    return FeedServer(host, port, speed=speed, sim=sim).start()


def decoded_positions(lines: Iterable[str]) -> pa.Table:
    """The feed's sentences decoded with plain pyais into the position contract, one row per
    receiver (no de-duplication): a reference independent of our own decoder, for tests and
    tools that want to check what the feed says."""
    rows = []
    for msg in IterMessages.from_strings(list(lines)):
        m = msg.decode()
        if m.msg_type not in (1, 2, 3, 18):
            continue
        tb = msg.tag_block
        tb.init()
        rows.append({"mmsi": m.mmsi, "lon": m.lon, "lat": m.lat, "sog": m.speed,
                     "cog": m.course, "heading": m.heading,
                     "nav_status": getattr(m, "status", 15), "msg_type": m.msg_type,
                     "ts": datetime.fromtimestamp(int(tb.receiver_timestamp), UTC),
                     "receivers": tb.source_station})
    return pa.Table.from_pylist(rows, schema=POSITION_SCHEMA)
