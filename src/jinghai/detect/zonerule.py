"""Zone rules: entry, exit and dwell for any zone, with filters.

The office writes rules such as "any foreign vessel entering the near-seas layer at night",
"any vessel in the restricted area", "a small craft dwelling 20 min in the shoreline layer".
One rule gives one event per visit: opened at entry (or when the dwell is reached), updated
while inside, closed at exit. Hysteresis (exit only ``hysteresis_m`` beyond the border) and
a grace period (``grace_fixes`` contrary fixes over ``grace_s``) keep one bad GPS fix from
making or ending a visit; a visit needs ``confirm_fixes`` fixes inside to exist at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from jinghai.detect.base import (
    Detector,
    DetectorParams,
    Route,
    Run,
    RunTracker,
    latest_actions,
    local_hour,
    meta,
    param,
    round6,
    segment_cond,
    vessel_track,
)
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.errors import InvalidInput
from jinghai.geo.zones import ZoneKind

_ZBITS = 12


@dataclass(frozen=True)
class ZoneRule:
    """One rule. Empty filters match everything.

    zone_ids / kinds: the zones it watches (by id, or every zone of these kinds).
    min_dwell_s: 0 = an entry rule; > 0 = a dwell rule (event once inside this long).
    flags / exclude_flags: MIDs (first three MMSI digits, e.g. "412") to include / exclude;
        China is 412, 413, 414.
    ship_types: AIS ship-type codes (e.g. 30 fishing, 70–79 cargo); vessels with unknown
        type match only if ``include_unknown_type``.
    min_length_m / max_length_m: length limits; unknown length passes.
    local_hours: (from, to) local hours Asia/Shanghai when the entry must happen, e.g.
        (18, 6) for night.
    """

    id: str
    zone_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    min_dwell_s: int = 0
    flags: tuple[str, ...] = ()
    exclude_flags: tuple[str, ...] = ()
    ship_types: tuple[int, ...] = ()
    include_unknown_type: bool = True
    min_length_m: float | None = None
    max_length_m: float | None = None
    local_hours: tuple[int, int] | None = None
    score: float = 0.6


@dataclass(frozen=True)
class ZoneRuleParams(DetectorParams):
    """Parameters of :class:`ZoneRuleDetector`.

    rules: the rules; the default watches every restricted zone for any vessel.
    hysteresis_m: metres beyond the border before a visit ends, 200: about the scatter of
        AIS positions of a vessel at rest (GPS + antenna offset + multipath).
    confirm_fixes: fixes inside before a visit exists, 2: one fix is not evidence.
    confirm_s: seconds inside before a visit exists, 30.
    grace_s / grace_fixes: contrary fixes tolerated: 120 s and 2 fixes.
    max_gap_s: silence that ends a visit, 1800 s.
    """

    rules: tuple[ZoneRule, ...] = field(default_factory=lambda: (
        ZoneRule(id="restricted-any", kinds=(ZoneKind.RESTRICTED.value,), score=0.7),),
        metadata=meta("区域规则", "",
        "监视的区域及船舶条件；默认监视所有禁航/限制区",
        "服务器配置 JINGHAI_DETECTOR_PARAMS"))
    hysteresis_m: float = param(
        200.0, "离开滞后距离", "米",
        "越过边界此距离才算离开",
        "静止船舶 AIS 位置散布")
    confirm_fixes: int = param(
        2, "确认船位数", "个",
        "区域内至少此数量船位才算进入",
        "一个船位不足为证")
    confirm_s: int = param(
        30, "确认时长", "秒",
        "区域内至少此时长才算进入",
        "按推理")
    grace_s: int = param(
        120, "中断容忍", "秒",
        "容忍的区域外船位时长",
        "按推理")
    grace_fixes: int = param(
        2, "中断容忍船位数", "个",
        "容忍的区域外船位个数",
        "按推理")
    max_gap_s: int = param(
        1800, "最长静默", "秒",
        "超过即结束一次进入",
        "按推理")


class ZoneRuleDetector(Detector):
    name: ClassVar[str] = "zone_rule"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "区域规则"
    kinds: ClassVar[dict[str, str]] = {"zone_entry": "进入管控区域", "zone_dwell": "区域内逗留"}
    # a landing point or the coastal land layer is the coast's; ports, berths and
    # anchorages are the port-area group's; restricted waters are patrolled.
    routes: ClassVar[tuple[Route, ...]] = tuple(
        Route(kind, groups, sub_district=sub, zone_kinds=zk)
        for kind in ("zone_entry", "zone_dwell")
        for groups, sub, zk in (
            (("coastal",), True, ("landing_point", "layer_coastal_land", "layer_shoreline")),
            (("port_area",), False, ("port", "berth", "anchorage", "international_anchorage")),
            (("sea_patrol",), True, ())))
    Params: ClassVar[type[DetectorParams]] = ZoneRuleParams
    params: ZoneRuleParams

    def __init__(self, params: ZoneRuleParams | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        p = self.params
        self._rule_zones: list[list[int]] = []
        self._trackers: list[RunTracker] = []
        if len(self.zones) >= (1 << _ZBITS):
            raise InvalidInput(f"too many zones ({len(self.zones)}) for zone rules")
        ids = {z.id: i for i, z in enumerate(self.zones.zones)}
        for rule in p.rules:
            unknown = [z for z in rule.zone_ids if z not in ids]
            if unknown:
                raise InvalidInput(f"rule {rule.id}: unknown zone ids {unknown}")
            zs = sorted({ids[z] for z in rule.zone_ids} | set(self.zones.ids_of(rule.kinds)))
            self._rule_zones.append(zs)
            self._trackers.append(RunTracker(
                min_duration_ms=max(rule.min_dwell_s, p.confirm_s) * 1000,
                grace_ms=p.grace_s * 1000, grace_fixes=p.grace_fixes,
                max_gap_ms=p.max_gap_s * 1000, min_rows=p.confirm_fixes,
                snippet_cols=("lon", "lat", "sog"), snippet_ms=60_000,
                qualify=self._time_filter(rule)))

    @staticmethod
    def _time_filter(rule: ZoneRule) -> Any:
        if rule.local_hours is None:
            return None
        a, b = rule.local_hours

        def ok(run: Run) -> bool:
            h = local_hour(run.start)
            return (h >= a or h < b) if a > b else (a <= h < b)
        return ok

    def _vessel_ok(self, rule: ZoneRule, mmsi: int) -> bool:
        mid = f"{mmsi:09d}"[:3]
        if rule.flags and mid not in rule.flags:
            return False
        if mid in rule.exclude_flags:
            return False
        st = self.fleet.static.get(mmsi)
        if rule.ship_types:
            if st is None or st.ship_type is None:
                if not rule.include_unknown_type:
                    return False
            elif st.ship_type not in rule.ship_types:
                return False
        if st is not None and st.length is not None:
            if rule.min_length_m is not None and st.length < rule.min_length_m:
                return False
            if rule.max_length_m is not None and st.length > rule.max_length_m:
                return False
        return True

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        for r, (rule, zs, tracker) in enumerate(zip(p.rules, self._rule_zones, self._trackers,
                                                    strict=True)):
            actions = []
            if len(rows) and zs:
                um = np.unique(rows.mmsi)
                ok_m = um[[self._vessel_ok(rule, int(m)) for m in um]]
                # a rule for every vessel (the usual case) keeps all rows: no copy
                sub = rows if len(ok_m) == len(um) else rows.take(
                    np.flatnonzero(np.isin(rows.mmsi, ok_m)))
                actions = self._rule_rows(sub, zs, tracker)
            actions += tracker.tick(t1)
            for act, run in latest_actions(actions):
                self._emit(self._event(r, run, "closed" if act == "close" else "open"))

    def _rule_rows(self, rows: Positions, zs: list[int], tracker: RunTracker) -> list[Any]:
        p = self.params
        pi_o, zi_o = self.zones.contains(rows.lon, rows.lat, None, p.hysteresis_m, subset=zs)
        pi_i, zi_i = self.zones.contains(rows.lon, rows.lat, None, subset=zs)
        inner = np.isin(pi_o * (1 << _ZBITS) + zi_o, pi_i * (1 << _ZBITS) + zi_i)
        # rows away from the zones still count against open visits of their vessel
        outside = np.ones(len(rows), bool)
        outside[pi_o] = False
        cand = np.concatenate([np.fromiter(tracker.runs.keys(), np.int64, len(tracker.runs)),
                               rows.mmsi[pi_o] * (1 << _ZBITS) + zi_o])
        cand = np.unique(cand)
        cm, cz = cand >> _ZBITS, cand & ((1 << _ZBITS) - 1)
        out_idx = np.flatnonzero(outside & np.isin(rows.mmsi, cm))
        lo = np.searchsorted(cm, rows.mmsi[out_idx], "left")
        hi = np.searchsorted(cm, rows.mmsi[out_idx], "right")
        cnt = hi - lo
        extra_p = np.repeat(out_idx, cnt)
        extra_z = cz[np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt,
                                                                           cnt))]
        pi = np.concatenate([pi_o, extra_p]).astype(np.int64)
        zi = np.concatenate([zi_o, extra_z]).astype(np.int64)
        cond = np.concatenate([segment_cond(inner, np.ones(len(inner), bool)),
                               np.zeros(len(extra_p), np.int8)])
        key = rows.mmsi[pi] * (1 << _ZBITS) + zi
        order = np.lexsort((rows.ts[pi], key))
        pi, key, cond = pi[order], key[order], cond[order]
        return tracker.process(key, rows.ts[pi], cond,
                               {"lon": rows.lon[pi], "lat": rows.lat[pi], "sog": rows.sog[pi]})

    def _event(self, r: int, run: Run, status: str) -> Event:
        rule = self.params.rules[r]
        mmsi, zi = run.key >> _ZBITS, run.key & ((1 << _ZBITS) - 1)
        zone = self.zones.zones[zi]
        track, refs = vessel_track(run, mmsi)
        kind = "zone_dwell" if rule.min_dwell_s else "zone_entry"
        return Event(
            id=event_id(self.name, self.version, (mmsi,), run.start, f"{rule.id}|{zone.id}"),
            detector=self.name, version=self.version, kind=kind, status=status,
            start=ms_to_dt(run.start), end=ms_to_dt(run.last_true), vessels=(mmsi,),
            lon=round6(run.first["lon"]), lat=round6(run.first["lat"]), score=rule.score,
            severity=severity_of(rule.score), params=self.params_snapshot, zone_id=zone.id,
            refs=refs, track=track,
            details={"rule": rule.id, "zone": zone.name, "zone_kind": str(zone.kind),
                     "entry": ms_to_dt(run.start).isoformat(),
                     "exit": ms_to_dt(run.last_true).isoformat() if status == "closed" else None,
                     "dwell_s": (run.last_true - run.start) / 1000.0,
                     "sub_district": zone.sub_district,
                     "responsible_person": zone.responsible_person})


__all__ = ["ZoneRule", "ZoneRuleDetector", "ZoneRuleParams"]
