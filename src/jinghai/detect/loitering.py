"""Loitering: a vessel slow, drifting or stopped at sea, outside anchorages, for long.

A vessel that waits at sea is how a transfer or a landing is prepared (waiting for the
other boat, for the dark, for the patrol to pass). Harbour polygons (ports, berths,
anchorages, international anchorages) and the first few hundred metres off the coast are
excluded: waiting there is ordinary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

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
            snippet_cols=("lon", "lat", "sog"), snippet_ms=300_000)

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        cand = rows.sog <= p.continue_speed_kn
        idx = np.flatnonzero(cand)
        if len(idx):
            at_sea = np.ones(len(idx), dtype=bool)
            if len(self.zones):
                at_sea &= ~self.zones.inside_any(rows.lon[idx], rows.lat[idx], HARBOUR_KINDS)
            # 5e-4° grid (≈ 50 m): error ≤ 40 m against a 500 m threshold, 10× fewer queries
            d = self.coastline.distance_to_shore_m(rows.lon[idx], rows.lat[idx], 5e-4)
            at_sea &= ~(d < p.min_shore_m)  # NaN (outside the coastline extract) = at sea
            cand[idx] = at_sea
        cond = segment_cond(cand & (rows.sog <= p.max_speed_kn), cand)
        actions = self._tracker.process(rows.mmsi, rows.ts, cond,
                                        {"lon": rows.lon, "lat": rows.lat, "sog": rows.sog})
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
            details={"fixes": run.n, "night": night})


__all__ = ["LoiteringDetector", "LoiteringParams"]
