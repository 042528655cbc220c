"""Loitering: a vessel slow, drifting, stopped or circling at sea, outside anchorages.

*Circling* is a vessel under way (faster than ``max_speed_kn``) that, ``circling_window_s``
later, is still within ``circling_max_disp_m`` of where it was: it is going round or back
and forth, not going anywhere — a boat holding a rendez-vous point against the tide, or
waiting off a cove with the engine running.

A vessel that waits at sea is how a transfer or a landing is prepared (waiting for the
other boat, for the dark, for the patrol to pass). Harbour polygons (ports, berths,
anchorages, international anchorages) and the first few hundred metres off the coast are
excluded: waiting there is ordinary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from jinghai.detect.base import (
    Detector,
    DetectorParams,
    Run,
    RunTracker,
    is_night,
    latest_actions,
    round6,
    segment_cond,
    vessel_track,
)
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.geo.coast import Coastline, default_coastline
from jinghai.geo.metric import haversine_m
from jinghai.geo.zones import HARBOUR_KINDS


@dataclass(frozen=True)
class LoiteringParams(DetectorParams):
    """Parameters of :class:`LoiteringDetector`.

    max_speed_kn: knots to start a loitering run. 2.0, as GFW's loitering events and the
        encounter speed of Miller et al. 2018.
    continue_speed_kn: knots a run tolerates once started (hysteresis), 3.0: drifting boats
        in tidal streams swing between 1 and 3 kn; without it one run breaks into many.
    min_duration_s: seconds, 3600. GFW publishes loitering from 1 h for carriers; a coastal
        boat waiting for a rendez-vous waits at least that long.
    min_shore_m: metres off the GSHHS coast below which slow is ordinary (moored, beached),
        500 by reasoning: it is the width of the 岸线 layer's inner half in the demo plan.
    grace_s / grace_fixes: a run survives 600 s and 3 contrary fixes (one fast GPS glitch).
    max_gap_s: silence that ends a run, 1800 s; longer silence is the going-dark detector's.
    night_start_h / night_end_h: local (Asia/Shanghai) night for the severity hint, 18–6.
    circling_window_s / circling_max_disp_m: 900 s and 600 m. Going straight at the
        slowest "under way" speed here (2 kn) covers 930 m in 15 min, so a vessel faster
        than that which has moved less than 600 m net is turning back on itself.
    """

    max_speed_kn: float = 2.0
    continue_speed_kn: float = 3.0
    min_duration_s: int = 3600
    min_shore_m: float = 500.0
    grace_s: int = 600
    grace_fixes: int = 3
    max_gap_s: int = 1800
    night_start_h: int = 18
    night_end_h: int = 6
    circling_window_s: int = 900
    circling_max_disp_m: float = 600.0


class LoiteringDetector(Detector):
    name: ClassVar[str] = "loitering"
    version: ClassVar[str] = "1.0"
    Params: ClassVar[type[DetectorParams]] = LoiteringParams
    params: LoiteringParams

    def __init__(self, params: LoiteringParams | None = None, *,
                 coastline: Coastline | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        p = self.params
        self.coastline = coastline if coastline is not None else default_coastline()
        self._tracker = RunTracker(
            min_duration_ms=p.min_duration_s * 1000, grace_ms=p.grace_s * 1000,
            grace_fixes=p.grace_fixes, max_gap_ms=p.max_gap_s * 1000,
            snippet_cols=("lon", "lat", "sog"), snippet_ms=300_000, first_true=("circling",))
        # positions of the last two windows, to look back one window from each new fix
        self._recent = Positions.empty()

    def _circling(self, rows: Positions, t1: int) -> NDArray[np.bool_]:
        """Per row: under way now and one window ago, yet within ``circling_max_disp_m`` of
        its position then (the last fix at least a window old, at most two windows old)."""
        p = self.params
        w = p.circling_window_s * 1000
        allp = Positions.concat([self._recent, rows])
        n_old = len(self._recent)
        self._recent = allp.take(np.flatnonzero(allp.ts > t1 - 2 * w))
        out = np.zeros(len(rows), dtype=bool)
        moving = np.flatnonzero(rows.sog > p.max_speed_kn)
        if not len(moving) or not len(allp):
            return out
        order = np.lexsort((allp.ts, allp.mmsi))
        _, rank = np.unique(allp.mmsi, return_inverse=True)
        rel = allp.ts - allp.ts.min()
        comp = (rank.astype(np.int64) << 40) | rel
        scomp = comp[order]
        q = comp[n_old + moving] - w
        j = np.searchsorted(scomp, q, side="right") - 1
        ok = j >= 0
        ref = order[np.where(ok, j, 0)]
        ok &= (rank[ref] == rank[n_old + moving]) & (allp.ts[ref] >= rows.ts[moving] - 2 * w)
        # under way at both ends: a vessel just leaving a stop is not circling
        ok &= allp.sog[ref] > p.max_speed_kn
        d = haversine_m(allp.lon[ref], allp.lat[ref], rows.lon[moving], rows.lat[moving])
        out[moving] = ok & (d <= p.circling_max_disp_m)
        return out

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        circling = self._circling(rows, t1)
        cand = (rows.sog <= p.continue_speed_kn) | circling
        idx = np.flatnonzero(cand)
        if len(idx):
            at_sea = np.ones(len(idx), dtype=bool)
            if len(self.zones):
                at_sea &= ~self.zones.inside_any(rows.lon[idx], rows.lat[idx], HARBOUR_KINDS)
            # 5e-4° grid (≈ 50 m): error ≤ 40 m against a 500 m threshold, 10× fewer queries
            d = self.coastline.distance_to_shore_m(rows.lon[idx], rows.lat[idx], 5e-4)
            at_sea &= ~(d < p.min_shore_m)  # NaN (outside the coastline extract) = at sea
            cand[idx] = at_sea
        cond = segment_cond(cand & ((rows.sog <= p.max_speed_kn) | circling), cand)
        actions = self._tracker.process(rows.mmsi, rows.ts, cond,
                                        {"lon": rows.lon, "lat": rows.lat, "sog": rows.sog,
                                         "circling": circling})
        actions += self._tracker.tick(t1)
        for act, run in latest_actions(actions):
            self._emit(self._event(run, "closed" if act == "close" else "open"))

    def _event(self, run: Run, status: str) -> Event:
        mmsi = run.key
        night = is_night(run.start, self.params.night_start_h, self.params.night_end_h)
        score = 0.3 + 0.2 * night + 0.2 * self.fleet.is_small_craft(mmsi) + 0.1 * (
            mmsi not in self.fleet.static)
        track, refs = vessel_track(run, mmsi)
        return Event(
            id=event_id(self.name, self.version, (mmsi,), run.start), detector=self.name,
            version=self.version, kind="loitering", status=status, start=ms_to_dt(run.start),
            end=ms_to_dt(run.last_true), vessels=(mmsi,), lon=round6(run.first["lon"]),
            lat=round6(run.first["lat"]), score=round(score, 3), severity=severity_of(score),
            params=self.params_snapshot, refs=refs, track=track,
            details={"fixes": run.n, "night": night,
                     "circling": "first_circling" in run.extra})


__all__ = ["LoiteringDetector", "LoiteringParams"]
