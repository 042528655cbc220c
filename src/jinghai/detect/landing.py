"""Landing-point approach: a vessel slowing near a cove, wharf or islet outside any port.

Illegal entry ends on land. The plan names the places where it can end — 岙口, 码头, 无人岛,
临时停靠点 — and gives each a sub-district and a responsible person, so a boat slowing near
one must reach them quickly. Night (Asia/Shanghai) and small craft weigh the finding up:
that is when and how landings are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from jinghai.detect.base import (
    Detector,
    DetectorParams,
    Route,
    Run,
    RunTracker,
    is_night,
    latest_actions,
    param,
    round6,
    segment_cond,
    vessel_track,
)
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.geo.metric import haversine_m
from jinghai.geo.zones import ZoneKind

_ZBITS = 12


@dataclass(frozen=True)
class LandingApproachParams(DetectorParams):
    """Parameters of :class:`LandingApproachDetector`.

    radius_m: metres around a landing point, 1000 by reasoning: a small boat covers it in
        about 5 min at 6 kn, the time a sub-district needs to be warned usefully.
    max_speed_kn: knots to count as slowing for a landing, 5.0: craft approaching a beach
        or an unlit wharf come in at walking-to-jogging pace; transits pass at 8+ kn.
    continue_speed_kn: hysteresis once started, 7.0.
    min_duration_s / min_fixes: 180 s and 3 fixes near the point, so one slow fix of a
        passing boat is not an approach.
    grace_s / grace_fixes: 120 s and 2 contrary fixes tolerated.
    max_gap_s: silence that ends an approach, 900 s.
    night_start_h / night_end_h: local night, 18–6 (sunset in Ningbo is 17:00–19:00 over
        the year; 6 h is dawn in winter).
    """

    radius_m: float = param(
        1000.0, "登陆点半径", "米",
        "距登陆点此范围内算接近",
        "小船 6 节约 5 分钟驶过，足够通知街道")
    max_speed_kn: float = param(
        5.0, "接近航速", "节",
        "低于此航速算减速靠近",
        "靠滩、无灯码头的小船慢速进入；过境船 8 节以上")
    continue_speed_kn: float = param(
        7.0, "持续航速", "节",
        "开始后容忍的航速（滞后）",
        "按推理")
    min_duration_s: int = param(
        180, "最短持续时间", "秒",
        "接近至少此时长才预警",
        "排除驶过船舶的单个慢速船位")
    min_fixes: int = param(
        3, "最少船位数", "个",
        "至少此数量船位",
        "同上")
    grace_s: int = param(
        120, "中断容忍", "秒",
        "容忍的反向船位时长",
        "按推理")
    grace_fixes: int = param(
        2, "中断容忍船位数", "个",
        "容忍的反向船位个数",
        "按推理")
    max_gap_s: int = param(
        900, "最长静默", "秒",
        "超过即结束一次接近",
        "按推理")
    night_start_h: int = param(
        18, "夜间开始", "时",
        "当地时间；夜间接近为红色预警",
        "宁波日落 17–19 时")
    night_end_h: int = param(
        6, "夜间结束", "时",
        "当地时间",
        "冬季 6 时天亮")


class LandingApproachDetector(Detector):
    name: ClassVar[str] = "landing_approach"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "登陆点接近"
    kinds: ClassVar[dict[str, str]] = {"landing_approach": "登陆点接近"}
    routes: ClassVar[tuple[Route, ...]] = (
        Route("landing_approach", ("coastal",), sub_district=True, night_red=True),)
    Params: ClassVar[type[DetectorParams]] = LandingApproachParams
    params: LandingApproachParams

    def __init__(self, params: LandingApproachParams | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        p = self.params
        self._tracker = RunTracker(
            min_duration_ms=p.min_duration_s * 1000, grace_ms=p.grace_s * 1000,
            grace_fixes=p.grace_fixes, max_gap_ms=p.max_gap_s * 1000, min_rows=p.min_fixes,
            snippet_cols=("lon", "lat", "sog"), snippet_ms=30_000, mins=("dist",))

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        actions = []
        if len(rows):
            zi, dist = self.zones.nearest_point_zone(rows.lon, rows.lat,
                                                     [ZoneKind.LANDING_POINT], p.radius_m)
            near = zi >= 0
            if near.any() and len(self.zones):
                idx = np.flatnonzero(near)
                in_port = self.zones.inside_any(rows.lon[idx], rows.lat[idx],
                                                [ZoneKind.PORT, ZoneKind.BERTH])
                near[idx[in_port]] = False
            # rows of vessels with an open approach keep their zone so they can end it
            open_keys = np.fromiter(self._tracker.runs.keys(), np.int64, len(self._tracker.runs))
            if len(open_keys):
                om = open_keys >> _ZBITS
                oz = open_keys & ((1 << _ZBITS) - 1)
                lost = ~near & np.isin(rows.mmsi, om)
                li = np.flatnonzero(lost)
                zmap = dict(zip(om.tolist(), oz.tolist(), strict=True))
                zi[li] = [zmap[m] for m in rows.mmsi[li].tolist()]
                keep = near | lost
            else:
                keep = near
            idx = np.flatnonzero(keep)
            slow = rows.sog[idx] <= p.max_speed_kn
            cont = rows.sog[idx] <= p.continue_speed_kn
            cond = segment_cond(slow & near[idx], cont & near[idx])
            key = rows.mmsi[idx] * (1 << _ZBITS) + zi[idx]
            order = np.lexsort((rows.ts[idx], key))
            idx, key, cond = idx[order], key[order], cond[order]
            d = np.where(np.isfinite(dist[idx]), dist[idx], p.radius_m)
            actions = self._tracker.process(
                key, rows.ts[idx], cond,
                {"lon": rows.lon[idx], "lat": rows.lat[idx], "sog": rows.sog[idx],
                 "dist": d, "msg_type": rows.msg_type[idx]})
        actions += self._tracker.tick(t1)
        for act, run in latest_actions(actions):
            self._emit(self._event(run, "closed" if act == "close" else "open"))

    def _event(self, run: Run, status: str) -> Event:
        p = self.params
        mmsi, zi = run.key >> _ZBITS, run.key & ((1 << _ZBITS) - 1)
        lp = self.zones.zones[zi]
        night = is_night(run.start, p.night_start_h, p.night_end_h)
        small = self.fleet.is_small_craft(mmsi, run.first["msg_type"])
        score = 0.4 + 0.3 * night + 0.2 * small + 0.1 * (mmsi not in self.fleet.static)
        track, refs = vessel_track(run, mmsi)
        closest = run.extra.get("min_dist", float(haversine_m(
            run.first["lon"], run.first["lat"], lp.geometry.x, lp.geometry.y)))
        return Event(
            id=event_id(self.name, self.version, (mmsi,), run.start, lp.id), detector=self.name,
            version=self.version, kind="landing_approach", status=status,
            start=ms_to_dt(run.start), end=ms_to_dt(run.last_true), vessels=(mmsi,),
            lon=round6(run.first["lon"]), lat=round6(run.first["lat"]),
            score=round(min(score, 1.0), 3), severity=severity_of(score),
            params=self.params_snapshot, zone_id=lp.id, refs=refs, track=track,
            details={"landing_point": lp.name, "subtype": lp.subtype,
                     "sub_district": lp.sub_district, "responsible_person": lp.responsible_person,
                     "closest_m": round(float(closest), 1), "night": night, "small_craft": small})


__all__ = ["LandingApproachDetector", "LandingApproachParams"]
