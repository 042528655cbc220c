"""Synthetic AIS tracks with planted behaviour, for tests, benchmarks and demos.

Real recordings of transfers at sea in Beilun do not exist in the open, so the scenario
tests plant each behaviour the plan fears into otherwise ordinary traffic and check that
each detector finds what it must and nothing it must not. Every track is built from
waypoints (time, lon, lat); speed and course are derived from the legs, so SOG/COG agree
with the movement as they do in real AIS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from jinghai.detect.positions import COLUMNS, Positions
from jinghai.geo.metric import KNOT_MS, M_PER_DEG_LAT, haversine_m

Waypoint = tuple[float, float, float]  # (seconds from scenario start, lon, lat)


def waypoint_track(mmsi: int, waypoints: list[Waypoint], t0: datetime, every_s: float = 30.0,
                   msg_type: int = 1, nav_status: int = 0, drop: list[tuple[float, float]]
                   | None = None) -> pd.DataFrame:
    """Positions every ``every_s`` seconds along straight legs between waypoints.

    ``drop``: (from_s, to_s) windows with no transmission (a vessel going dark)."""
    wt = np.array([w[0] for w in waypoints], dtype=np.float64)
    wlon = np.array([w[1] for w in waypoints])
    wlat = np.array([w[2] for w in waypoints])
    t = np.arange(wt[0], wt[-1] + 1e-9, every_s)
    for a, b in drop or []:
        t = t[(t < a) | (t > b)]
    lon = np.interp(t, wt, wlon)
    lat = np.interp(t, wt, wlat)
    leg = np.clip(np.searchsorted(wt, t, side="right") - 1, 0, len(wt) - 2)
    dist = haversine_m(wlon[leg], wlat[leg], wlon[leg + 1], wlat[leg + 1])
    dur = np.maximum(wt[leg + 1] - wt[leg], 1.0)
    sog = dist / dur / KNOT_MS
    dx = (wlon[leg + 1] - wlon[leg]) * np.cos(np.radians(wlat[leg]))
    dy = wlat[leg + 1] - wlat[leg]
    cog = (np.degrees(np.arctan2(dx, dy)) + 360.0) % 360.0
    ts = pd.to_datetime([t0 + timedelta(seconds=float(s)) for s in t], utc=True)
    return pd.DataFrame({
        "mmsi": np.int64(mmsi), "ts": ts, "lon": lon, "lat": lat,
        "sog": np.round(sog, 1).astype(np.float32), "cog": cog.astype(np.float32),
        "heading": np.round(cog).astype(np.int16), "nav_status": np.int8(nav_status),
        "msg_type": np.int8(msg_type)})


def hold(t_from: float, t_to: float, lon: float, lat: float) -> list[Waypoint]:
    return [(t_from, lon, lat), (t_to, lon, lat)]


@dataclass
class Scenario:
    """Planted AIS picture plus what the detectors must and must not find."""

    positions: pd.DataFrame
    t0: datetime
    fishing_mmsis: set[int]
    own_mmsis: set[int]
    static: dict[int, dict[str, Any]]
    static_history: pd.DataFrame
    reports: list[dict[str, Any]]
    expect: dict[str, Any] = field(default_factory=dict)


# MMSIs of the Beilun scenario. 412/413 are China's MIDs.
F_TRANSFER, C_TRANSFER = 412300001, 413500001
F_MIDNIGHT, C_MIDNIGHT = 412300004, 413500002
FLYBY_A, FLYBY_B = 413600001, 413600002
PAIR_A, PAIR_B = 412300005, 412300006
F_UNREPORTED, F_REPORTED = 412300002, 412300003
DARK, DARK_FAR = 413700001, 413700002
LANDER = 413800001
INTRUDER, BAD_FIX = 413900001, 413900002
PATROL = 413000099
FAKE, UNKNOWN_MID = 123456789, 200123456
SHARED, RENAMER, GHOST = 413555555, 413666666, 413777777
LOITERER, CIRCLER = 413750001, 413750002
ANCHORED = [413400001 + i for i in range(8)]
TRANSITS = [413450001 + i for i in range(4)]


def beilun_scenario(day: datetime = datetime(2026, 11, 20, tzinfo=UTC)) -> Scenario:
    """One day (+2 h past midnight) of Beilun traffic with every planted case of issue 4."""
    h = 3600.0
    end = 26 * h
    parts: list[pd.DataFrame] = []

    def add(mmsi: int, wps: list[Waypoint], every: float = 30.0, **kw: Any) -> None:
        parts.append(waypoint_track(mmsi, wps, day, every, **kw))

    # 1. Transfer: fishing boat and cargo ship side by side, drifting, 10:00–10:50 UTC.
    sx, sy = 122.100, 29.830
    add(F_TRANSFER, [(9 * h, 122.06, 29.80), (10 * h - 300, sx, sy), (10 * h, sx, sy + 0.0005),
                     (10 * h + 50 * 60, sx + 0.002, sy + 0.0010), (11 * h, 122.06, 29.80)])
    add(C_TRANSFER, [(8 * h, 122.19, 29.86), (10 * h - 300, sx + 0.001, sy),
                     (10 * h, sx + 0.001, sy + 0.0008), (10 * h + 50 * 60, sx + 0.003, sy + 0.0012),
                     (12 * h, 122.15, 29.76)])
    # own patrol boat arrives and stays alongside the fishing boat: never flagged itself.
    add(PATROL, [(10 * h - 900, sx - 0.03, sy), (10 * h + 300, sx - 0.001, sy + 0.0005),
                 (11 * h + 600, sx - 0.001, sy + 0.0008), (12 * h, sx - 0.05, sy)])
    # 2. Fly-by: two ships pass 150 m apart at 12 kn.
    add(FLYBY_A, [(5 * h, 122.07, 29.930), (5 * h + 1800, 122.19, 29.9315)])
    add(FLYBY_B, [(5 * h, 122.19, 29.930), (5 * h + 1800, 122.07, 29.9310)])
    # 3. Parallel transit: pair trawlers 300 m apart at ~1.8 kn eastward for 80 min.
    add(PAIR_A, [(13 * h, 122.060, 29.815), (13 * h + 4800, 122.102, 29.815)])
    add(PAIR_B, [(13 * h, 122.060, 29.8177), (13 * h + 4800, 122.102, 29.8177)])
    # 4. Crowded anchorage: eight ships at anchor in 北仑锚地 all day, 150–300 m apart.
    for i, m in enumerate(ANCHORED):
        lon = 121.866 + 0.003 * (i % 4)
        lat = 29.957 + 0.0025 * (i // 4)
        add(m, hold(0, end, lon, lat), every=180.0, nav_status=1)
    # background transits through 金塘水道 and the outer channel (coverage for going dark)
    for i, m in enumerate(TRANSITS):
        t = (2 + 5 * i) * h
        route = [(121.71, 29.985), (121.80, 29.984), (121.83, 29.966), (122.00, 29.966),
                 (122.01, 29.93), (122.10, 29.925), (122.17, 29.92), (122.19, 29.88)]
        add(m, [(t + j * 1500, lo, la) for j, (lo, la) in enumerate(route)], every=20.0)
    for i in range(12):
        add(413460001 + i, [(i * 2 * h, 122.19, 29.87), (i * 2 * h + 0.5 * h, 122.12, 29.93),
                            (i * 2 * h + 1 * h, 122.19, 29.87)], every=20.0)
    # 5. Going dark near 郭巨外无名岛: silent 14:00–16:00 UTC, reappears 4 km away.
    add(DARK, [(13.5 * h, 122.19, 29.92), (14 * h, 122.155, 29.905), (16 * h, 122.16, 29.87),
               (16.25 * h, 122.19, 29.86)], every=30.0, drop=[(14 * h + 1, 16 * h - 1)],
        msg_type=18)
    # ...and one going dark far offshore where nobody else is heard: not "in coverage".
    add(DARK_FAR, [(13.5 * h, 122.55, 29.55), (14 * h, 122.58, 29.53), (16.3 * h, 122.60, 29.52)],
        every=30.0, drop=[(14 * h + 1, 16 * h - 1)])
    # 6. Port visits to 梅山港区 (unreported) and 北仑港 (reported).
    add(F_UNREPORTED, [(3 * h, 122.08, 29.79), (3.5 * h, 122.04, 29.79), (3.6 * h, 122.03, 29.79),
                       (6 * h, 122.03, 29.79), (6.1 * h, 122.04, 29.79), (6.4 * h, 122.08, 29.79)])
    add(F_REPORTED, [(3 * h, 121.95, 29.975), (4 * h, 121.862, 29.942), (6 * h, 121.862, 29.942),
                     (7 * h, 121.95, 29.975)])
    # 7. Fake and unknown-country MMSIs, one MMSI used by two ships, a renamer, a ghost.
    add(FAKE, [(1 * h, 122.15, 29.84), (3 * h, 122.05, 29.82)])
    add(UNKNOWN_MID, [(1 * h, 122.15, 29.85), (3 * h, 122.05, 29.83)])
    shared_a = waypoint_track(SHARED, [(6 * h, 122.15, 29.86), (7 * h, 122.18, 29.84)], day, 60)
    shared_b = waypoint_track(SHARED, [(6 * h + 30, 121.72, 29.985), (6.5 * h + 30, 121.80, 29.984),
                                        (7 * h + 30, 121.83, 29.966)],
                              day, 60)
    parts += [shared_a, shared_b]
    add(RENAMER, [(2 * h, 122.15, 29.80), (3 * h, 122.07, 29.795)], every=60.0)
    add(GHOST, [(2 * h, 122.17, 29.815), (3 * h, 122.08, 29.845)], every=60.0)
    # 8. Transfer across midnight: 23:40–00:30 UTC, north of Daxie.
    mx, my = 121.99, 29.968
    add(F_MIDNIGHT, [(22.5 * h, 122.10, 29.925), (23 * h, 122.01, 29.93), (23.6 * h, mx, my),
                     (24.6 * h, mx + 0.001, my), (25.1 * h, 122.01, 29.93),
                     (25.6 * h, 122.10, 29.925)])
    add(C_MIDNIGHT, [(22 * h, 121.83, 29.966), (23.6 * h, mx + 0.002, my - 0.001),
                     (24.55 * h, mx + 0.002, my - 0.0015), (25 * h, 122.01, 29.93),
                     (26 * h, 122.10, 29.925)])
    # 9. Landing approach at night (22:20 local = 14:20 UTC): small craft slows at 郭巨峙南岙口.
    add(LANDER, [(13.5 * h, 122.16, 29.845), (14 * h + 600, 122.112, 29.862),
                 (14 * h + 1500, 122.108, 29.867), (15 * h, 122.16, 29.845)], every=30.0,
        msg_type=18)
    # 11. Loitering: a boat drifting at ~0.5 kn off 六横 for two hours, then leaving.
    add(LOITERER, [(18 * h, 122.13, 29.80), (20 * h, 122.14, 29.805), (20.3 * h, 122.17, 29.83)])
    # ...and a boat circling at ~5 kn on a 250 m circle for 90 min, 20:00–21:30 UTC.
    ang = np.linspace(0, 2 * np.pi * 9, 9 * 24 + 1)
    cx, cy, r = 122.11, 29.81, 250.0 / M_PER_DEG_LAT
    add(CIRCLER, [(19.5 * h, 122.17, 29.83)] + [
        (20 * h + k * 25.0, cx + r * np.sin(a) / np.cos(np.radians(cy)), cy + r * np.cos(a))
        for k, a in enumerate(ang)] + [(21.9 * h, 122.17, 29.83)])
    # 10. Zone rule: one ship enters the restricted area; another shows one bad fix in it.
    add(INTRUDER, [(8 * h, 121.83, 29.966), (8 * h + 900, 121.90, 29.966),
                   (8 * h + 1500, 121.935, 29.956), (8 * h + 2700, 121.936, 29.956),
                   (9 * h, 121.98, 29.966)])
    bad = waypoint_track(BAD_FIX, [(9 * h, 121.83, 29.966), (10 * h, 121.98, 29.966)], day, 30)
    k = len(bad) // 2
    bad.loc[k, ["lon", "lat"]] = [121.935, 29.956]
    parts.append(bad)

    positions = pd.concat(parts, ignore_index=True).sort_values(["ts", "mmsi"],
                                                                 kind="stable")
    positions = positions.reset_index(drop=True)
    fishing = {F_TRANSFER, F_MIDNIGHT, PAIR_A, PAIR_B, F_UNREPORTED, F_REPORTED}
    static: dict[int, dict[str, Any]] = {}
    for m in positions.mmsi.unique().tolist():
        if m in (FAKE, UNKNOWN_MID, GHOST):
            continue
        if m in fishing:
            static[m] = {"name": f"浙甬渔{m % 10000:05d}", "ship_type": 30, "length": 38.0}
        elif m in (LANDER, DARK):
            static[m] = {"name": f"快艇{m % 100}", "ship_type": 37, "length": 9.0}
        else:
            static[m] = {"name": f"SHIP {m}", "ship_type": 70, "length": 120.0}
    history = pd.DataFrame({
        "mmsi": [RENAMER] * 5,
        "ts": pd.to_datetime([day + timedelta(hours=x) for x in (2, 3, 4, 5, 5.5)], utc=True),
        "name": ["HAI XING 1", "HAI XING 8", "MING YANG", "HAI XING 1", "DONG FANG"],
        "callsign": ["BXXA", "BXXA", "BXXB", "BXXC", "BXXD"],
    })
    reports = [{"mmsi": F_REPORTED, "port": "port-beilun", "time": day + timedelta(hours=3.5)},
               {"mmsi": F_UNREPORTED, "port": "port-beilun", "time": day + timedelta(hours=3.5)}]
    return Scenario(positions=positions, t0=day, fishing_mmsis=fishing, own_mmsis={PATROL},
                    static=static, static_history=history, reports=reports)


def random_traffic(n_vessels: int, hours: float, every_s: float = 10.0, seed: int = 1,
                   box: tuple[float, float, float, float] = (121.70, 29.75, 122.40, 30.10),
                   start: datetime = datetime(2026, 11, 1, tzinfo=UTC),
                   slow_share: float = 0.3, offset_h: float = 0.0) -> Positions:
    """Many vessels on straight courses (or drifting), vectorised: for benchmarks.

    Rows are in time order, as a live feed delivers them. ``slow_share`` of the vessels
    drift at < 1 kn (anchored and fishing vessels), which is where the encounter detector
    does its work. ``offset_h``: the same traffic (same seed) continued from that many hours
    after ``start``, so a long period can be generated in pieces that join without a seam.
    """
    rng = np.random.default_rng(seed)
    steps = int(hours * 3600 / every_s)
    first = round(offset_h * 3600 / every_s)
    lon0 = rng.uniform(box[0], box[2], n_vessels)
    lat0 = rng.uniform(box[1], box[3], n_vessels)
    slow = rng.random(n_vessels) < slow_share
    sog = np.where(slow, rng.uniform(0.0, 1.0, n_vessels), rng.uniform(5, 18, n_vessels))
    cog = rng.uniform(0, 360, n_vessels)
    phase = rng.integers(0, int(every_s * 1000), n_vessels)
    t = (np.arange(first, first + steps, dtype=np.int64)[:, None] * int(every_s * 1000)
         + phase[None, :])
    dist = sog[None, :] * KNOT_MS * t / 1000.0
    north = dist * np.cos(np.radians(cog))[None, :]
    east = dist * np.sin(np.radians(cog))[None, :]
    lat = lat0[None, :] + north / M_PER_DEG_LAT
    lon = lon0[None, :] + east / (M_PER_DEG_LAT * np.cos(np.radians(lat0)))[None, :]
    # bounce inside the box so density stays constant
    w, hgt = box[2] - box[0], box[3] - box[1]
    lon = box[0] + np.abs(((lon - box[0]) + w) % (2 * w) - w)
    lat = box[1] + np.abs(((lat - box[1]) + hgt) % (2 * hgt) - hgt)
    t0 = int(start.timestamp() * 1000)
    ts = t0 + t
    mmsi = np.broadcast_to(413_000_000 + np.arange(n_vessels, dtype=np.int64), (steps, n_vessels))
    n = steps * n_vessels
    order = np.argsort(ts.ravel(), kind="stable")
    cols = {
        "mmsi": mmsi.ravel()[order], "ts": ts.ravel()[order], "lon": lon.ravel()[order],
        "lat": lat.ravel()[order],
        "sog": np.broadcast_to(sog, (steps, n_vessels)).ravel()[order].astype(np.float32),
        "cog": np.broadcast_to(cog, (steps, n_vessels)).ravel()[order].astype(np.float32),
        "heading": np.full(n, 511, np.int16), "nav_status": np.zeros(n, np.int8),
        "msg_type": np.ones(n, np.int8),
    }
    return Positions(**{c: np.ascontiguousarray(cols[c], dtype=t_) for c, t_ in COLUMNS.items()})


__all__ = ["Scenario", "beilun_scenario", "hold", "random_traffic", "waypoint_track"]
