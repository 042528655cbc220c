"""Port visits of fishing vessels, and arrivals nobody reported (未报告进港).

The plan keeps the fishing fleet under 24-hour control: every registry fishing vessel
entering port must be announced by its owner (进出港报告). A *visit* is entry into a port
polygon, usually a stop, and exit; hysteresis keeps a boat idling on the port limit from
making a visit a minute. :class:`UnreportedArrivalDetector` matches each visit with the
owners' entry reports and raises an event for a visit without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from jinghai.detect.base import (
    Detector,
    DetectorParams,
    Route,
    Run,
    RunTracker,
    latest_actions,
    param,
    round6,
    segment_cond,
    vessel_track,
)
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.errors import InvalidInput
from jinghai.geo.zones import ZoneKind

_ZBITS = 12  # zone index bits in a (mmsi, zone) key


@dataclass(frozen=True)
class PortVisitParams(DetectorParams):
    """Parameters of :class:`PortVisitDetector`.

    hysteresis_m: metres outside the port polygon a vessel must go before the visit ends,
        300 by reasoning: twice typical AIS position scatter near quays (multipath, ~50–
        150 m) plus a boat's swing at a buoy.
    min_inside_s / min_fixes: a visit counts after 300 s and 3 fixes inside, so a fishing
        boat cutting a corner of the port limit makes no visit.
    stop_speed_kn: knots under which the vessel is "stopped" (moored), 0.5 (GFW's port-stop
        threshold in the anchorages pipeline is 0.5 kn).
    grace_s / grace_fixes: fixes outside the buffer tolerated: 300 s and 3 fixes.
    max_gap_s: silence that ends a visit, 12 h: boats switch AIS off at the quay overnight;
        a longer silence is a new visit when it shows up again.
    fishing_only: only registry fishing vessels (and AIS type 30) make visits, as the plan
        controls the fishing fleet; set False to track every vessel.
    """

    hysteresis_m: float = param(
        300.0, "出港滞后距离", "米",
        "离开港区至此距离才算出港",
        "码头附近 AIS 位置误差约 50–150 米的两倍")
    min_inside_s: int = param(
        300, "最短在港时长", "秒",
        "在港至少此时长才算一次进港",
        "排除擦边驶过的渔船")
    min_fixes: int = param(
        3, "最少在港船位", "个",
        "在港至少此数量船位",
        "同上")
    stop_speed_kn: float = param(
        0.5, "停泊航速", "节",
        "低于此航速视为停泊",
        "GFW 锚地算法：0.5 节")
    grace_s: int = param(
        300, "中断容忍", "秒",
        "容忍的港外船位时长",
        "按推理")
    grace_fixes: int = param(
        3, "中断容忍船位数", "个",
        "容忍的港外船位个数",
        "按推理")
    max_gap_s: int = param(
        12 * 3600, "最长静默", "秒",
        "靠泊时关机过夜常见；超过即算新的一次进港",
        "按推理：12 小时")
    fishing_only: bool = param(
        True, "只看渔船", "开关",
        "只记录名录渔船和 AIS 类型 30 的进出港",
        "行动方案：渔船 24 小时管控")


class PortVisitDetector(Detector):
    name: ClassVar[str] = "port_visit"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "进出港（记录）"
    # a visit is a record, not an alert: the arrival and departure detectors below judge
    # it against the owners' reports
    kinds: ClassVar[dict[str, str]] = {"port_visit": "进出港（记录）"}
    Params: ClassVar[type[DetectorParams]] = PortVisitParams
    _shared_in_probe: ClassVar[tuple[str, ...]] = (*Detector._shared_in_probe, "_ports")
    params: PortVisitParams

    def __init__(self, params: PortVisitParams | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        p = self.params
        # reference ports (the shipped World Port Index layer) are where ships stop, not
        # ports whose calls the owners must report: no visits there
        self._ports = [i for i in self.zones.ids_of([ZoneKind.PORT])
                       if self.zones.zones[i].properties.get("report_calls", True)]
        if len(self.zones) >= (1 << _ZBITS):
            raise InvalidInput(f"too many zones ({len(self.zones)}) for the port detector")
        self._tracker = RunTracker(
            min_duration_ms=p.min_inside_s * 1000, grace_ms=p.grace_s * 1000,
            grace_fixes=p.grace_fixes, max_gap_ms=p.max_gap_s * 1000, min_rows=p.min_fixes,
            snippet_cols=("lon", "lat", "sog"), snippet_ms=300_000, first_true=("stopped",))

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        actions = []
        if len(rows) and self._ports:
            if p.fishing_only:
                um = np.unique(rows.mmsi)
                fishing = um[[self.fleet.is_fishing(int(m)) for m in um]]
                rows = rows.take(np.flatnonzero(np.isin(rows.mmsi, fishing)))
            kinds = [ZoneKind.PORT]
            pi_o, zi_o = self.zones.contains(rows.lon, rows.lat, kinds, p.hysteresis_m,
                                             subset=self._ports)
            pi_i, zi_i = self.zones.contains(rows.lon, rows.lat, kinds, subset=self._ports)
            # one row per (position, port it is near); inner flag where strictly inside
            key_o = pi_o * (1 << _ZBITS) + zi_o
            inner = np.isin(key_o, pi_i * (1 << _ZBITS) + zi_i)
            # positions outside every port buffer still matter to ongoing visits (exit):
            # they are added once per port the vessel has an open visit in.
            open_keys = np.fromiter(self._tracker.runs.keys(), np.int64, len(self._tracker.runs))
            extra_p, extra_z = _outside_rows(rows, pi_o, zi_o, open_keys)
            pi = np.concatenate([pi_o, extra_p])
            zi = np.concatenate([zi_o, extra_z])
            cond = np.concatenate([segment_cond(inner, np.ones(len(inner), bool)),
                                   np.zeros(len(extra_p), np.int8)])
            key = rows.mmsi[pi] * (1 << _ZBITS) + zi
            order = np.lexsort((rows.ts[pi], key))
            pi, key, cond = pi[order], key[order], cond[order]
            actions = self._tracker.process(
                key, rows.ts[pi], cond,
                {"lon": rows.lon[pi], "lat": rows.lat[pi], "sog": rows.sog[pi],
                 "stopped": rows.sog[pi] <= p.stop_speed_kn})
        actions += self._tracker.tick(t1)
        for act, run in latest_actions(actions):
            self._on_visit(run, "closed" if act == "close" else "open")

    def _on_visit(self, run: Run, status: str) -> None:
        self._emit(self._visit_event(run, status))

    def _visit_event(self, run: Run, status: str, kind: str = "port_visit",
                     score: float = 0.2, extra: Mapping[str, Any] | None = None) -> Event:
        mmsi, zi = run.key >> _ZBITS, run.key & ((1 << _ZBITS) - 1)
        port = self.zones.zones[zi]
        track, refs = vessel_track(run, mmsi)
        stop = run.extra.get("first_stopped")
        details = {"port": port.name, "entry": ms_to_dt(run.start).isoformat(),
                   "stop": ms_to_dt(stop).isoformat() if stop is not None else None,
                   "exit": ms_to_dt(run.last_true).isoformat() if status == "closed" else None,
                   "sub_district": port.sub_district,
                   "responsible_person": port.responsible_person}
        details.update(extra or {})
        return Event(
            id=event_id(self.name, self.version, (mmsi,), run.start, port.id),
            detector=self.name, version=self.version, kind=kind, status=status,
            start=ms_to_dt(run.start), end=ms_to_dt(run.last_true), vessels=(mmsi,),
            lon=round6(run.first["lon"]), lat=round6(run.first["lat"]), score=score,
            severity=severity_of(score), params=self.params_snapshot, zone_id=port.id,
            refs=refs, track=track, details=details)


def _outside_rows(rows: Positions, pi_o: np.ndarray, zi_o: np.ndarray, open_keys: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(row, zone) pairs for rows outside the buffer of ports where their vessel may have an
    open visit — open now, or opened by earlier rows of this batch (any port it touched)."""
    outside = np.ones(len(rows), dtype=bool)
    outside[pi_o] = False
    cand_m = np.concatenate([open_keys >> _ZBITS, rows.mmsi[pi_o]])
    cand_z = np.concatenate([open_keys & ((1 << _ZBITS) - 1), zi_o])
    if not len(cand_m):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.column_stack([cand_m, cand_z]), axis=0)
    out_idx = np.flatnonzero(outside & np.isin(rows.mmsi, pairs[:, 0]))
    if not len(out_idx):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # join rows (mmsi) with the vessel's candidate ports
    om = rows.mmsi[out_idx]
    order = np.argsort(pairs[:, 0], kind="stable")
    pm, pz = pairs[order, 0], pairs[order, 1]
    lo = np.searchsorted(pm, om, "left")
    hi = np.searchsorted(pm, om, "right")
    cnt = hi - lo
    r = np.repeat(out_idx, cnt)
    j = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    return r.astype(np.int64), pz[j].astype(np.int64)


@dataclass(frozen=True)
class EntryReport:
    """An owner's entry report (进港报告): which vessel, which port, when."""

    mmsi: int
    port: str  # zone id or zone name
    time: datetime


@dataclass(frozen=True)
class UnreportedArrivalParams(PortVisitParams):
    """Parameters of :class:`UnreportedArrivalDetector` (plus :class:`PortVisitParams`).

    report_before_s: a report filed up to 24 h before entry covers it (owners announce the
        return trip when leaving the fishing ground, often the day before).
    report_after_s: a report filed up to 2 h after entry still counts (owners phone it in
        on arrival); later than that the arrival was unreported.
    """

    require_stop: bool = param(
        True, "须停泊", "开关",
        "只有在港内停泊过（低于停泊航速）的进港才核对报告；穿越港区水域不算进出港",
        "按推理：渔船常穿越港区水域往返渔场")
    report_before_s: int = param(
        24 * 3600, "报告提前量", "秒",
        "进港前此时长内的报告有效",
        "船东常在离开渔场时即报告返港")
    report_after_s: int = param(
        2 * 3600, "报告补报期", "秒",
        "进港后此时长内补报仍有效",
        "船东常在到港时电话报告")


class UnreportedArrivalDetector(PortVisitDetector):
    name: ClassVar[str] = "unreported_arrival"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "未报告进港"
    kinds: ClassVar[dict[str, str]] = {"unreported_arrival": "未报告进港"}
    routes: ClassVar[tuple[Route, ...]] = (
        Route("unreported_arrival", ("vessel_control",), severity="orange"),)
    Params: ClassVar[type[DetectorParams]] = UnreportedArrivalParams
    _shared_in_probe: ClassVar[tuple[str, ...]] = (*PortVisitDetector._shared_in_probe,
                                                   "_reports")
    params: UnreportedArrivalParams

    def __init__(self, params: UnreportedArrivalParams | None = None, *,
                 reports: Iterable[EntryReport | Mapping[str, Any]] | pd.DataFrame = (),
                 **kw: Any) -> None:
        super().__init__(params, **kw)
        if isinstance(reports, pd.DataFrame):
            reports = reports.to_dict("records")
        self._reports: dict[int, list[tuple[str, int]]] = {}
        for r in reports:
            if not isinstance(r, EntryReport):
                r = EntryReport(int(r["mmsi"]), str(r["port"]), pd.Timestamp(r["time"])
                                .to_pydatetime())
            if r.time.tzinfo is None:
                raise InvalidInput(f"entry report for {r.mmsi} has a naive time; give UTC")
            self._reports.setdefault(r.mmsi, []).append((r.port, int(r.time.timestamp() * 1000)))

    def _reported(self, mmsi: int, port_id: str, port_name: str, entry_ms: int) -> bool:
        p = self.params
        for port, t in self._reports.get(mmsi, []):
            if port in (port_id, port_name) and (
                    entry_ms - p.report_before_s * 1000 <= t <= entry_ms + p.report_after_s * 1000):
                return True
        return False

    def _on_visit(self, run: Run, status: str) -> None:
        mmsi, zi = run.key >> _ZBITS, run.key & ((1 << _ZBITS) - 1)
        port = self.zones.zones[zi]
        if self.params.require_stop and "first_stopped" not in run.extra:
            return  # passing through the port's waters is not a port call (yet)
        if self._reported(mmsi, port.id, port.name, run.start):
            return
        self._emit(self._visit_event(run, status, kind="unreported_arrival", score=0.8,
                                     extra={"reports_on_file": len(self._reports.get(mmsi, []))}))


@dataclass(frozen=True)
class UnreportedDepartureParams(UnreportedArrivalParams):
    """Parameters of :class:`UnreportedDepartureDetector`: the arrival detector's, with the
    report window around the exit."""

    report_before_s: int = param(
        24 * 3600, "报告提前量", "秒", "出港前此时长内的出港报告有效",
        "船东常在前一天报告出海计划")
    report_after_s: int = param(
        2 * 3600, "报告补报期", "秒", "出港后此时长内补报的出港报告仍有效",
        "船东常在离港后电话报告")


class UnreportedDepartureDetector(UnreportedArrivalDetector):
    """A finished port visit with no exit report (未报告出港): the same visits as
    :class:`PortVisitDetector`, matched at their end with the owners' exit reports
    (``reports`` are exit reports here; the time windows are the arrival detector's)."""

    name: ClassVar[str] = "unreported_departure"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "未报告出港"
    kinds: ClassVar[dict[str, str]] = {"unreported_departure": "未报告出港"}
    routes: ClassVar[tuple[Route, ...]] = (
        Route("unreported_departure", ("vessel_control",), severity="orange"),)
    Params: ClassVar[type[DetectorParams]] = UnreportedDepartureParams

    def _on_visit(self, run: Run, status: str) -> None:
        if status != "closed":
            return
        if self.params.require_stop and "first_stopped" not in run.extra:
            return
        mmsi, zi = run.key >> _ZBITS, run.key & ((1 << _ZBITS) - 1)
        port = self.zones.zones[zi]
        if self._reported(mmsi, port.id, port.name, run.last_true):
            return
        self._emit(self._visit_event(run, status, kind="unreported_departure", score=0.7,
                                     extra={"reports_on_file": len(self._reports.get(mmsi, []))}))


__all__ = [
    "EntryReport",
    "PortVisitDetector",
    "PortVisitParams",
    "UnreportedArrivalDetector",
    "UnreportedArrivalParams",
    "UnreportedDepartureDetector",
    "UnreportedDepartureParams",
]
