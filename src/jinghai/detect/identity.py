"""Identity anomalies: vessels without a believable identity (无身份船舶).

A vessel that wants to vanish in a crowd broadcasts a fake or borrowed MMSI, changes its
name, or sends no static data at all. Checks:

* **invalid MMSI**: not a 9-digit ship identity, an unallocated country code (MID, ITU
  table shipped in ``geo/data/itu_mid.csv``), or a known fake value (123456789, all one
  digit, a bare MID followed by zeros such as 412000000 — what uninstalled class-B sets
  send). Format per ITU-R M.585-9 (MID position by prefix: 00 coast, 0 group, 111 SAR
  aircraft, 8 handheld, 98/99 craft/AtoN, 970/972/974 SART/MOB/EPIRB).
* **impossible jumps / one MMSI in two places**: consecutive positions that would need
  more than ``max_speed_kn``; ``shared_min_jumps`` such jumps within ``shared_window_s`` is
  one MMSI used by two transmitters at once (GFW's gpsdio-segment splits such tracks).
* **frequent name or call-sign changes** from the static-data history.
* **never sends static data**: many positions, over a long span, and no name ever.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
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
    meta,
    param,
    round6,
)
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.geo.metric import KNOT_MS, haversine_m, sure_m

MID_TABLE = Path(__file__).resolve().parents[1] / "geo" / "data" / "itu_mid.csv"
_SHIP_REPORTS = (1, 2, 3, 18, 19, 27)


@lru_cache(maxsize=1)
def known_mids() -> frozenset[str]:
    with MID_TABLE.open(encoding="utf-8") as f:
        return frozenset(row["MID"].strip() for row in csv.DictReader(f))


def mmsi_problems(mmsi: int, fake: frozenset[int] = frozenset(), ship_report: bool = True
                  ) -> list[str]:
    """Why this MMSI is not a believable identity (empty list: it is)."""
    if mmsi <= 0 or mmsi > 999_999_999:
        return ["not 9 digits"]
    s = f"{mmsi:09d}"
    if mmsi in fake or len(set(s)) == 1:
        return ["known fake value"]
    if s.startswith(("970", "972", "974")):
        return []
    if s.startswith("00"):
        kind, mid = "coast station", s[2:5]
    elif s.startswith("0"):
        kind, mid = "group call", s[1:4]
    elif s.startswith("111"):
        kind, mid = "SAR aircraft", s[3:6]
    elif s.startswith(("98", "99")):
        kind, mid = "craft/AtoN", s[2:5]
    elif s[0] == "8":
        kind, mid = "handheld", s[1:4]
    elif s[0] in "234567":
        kind, mid = "ship", s[:3]
    else:
        return ["not a valid MMSI format"]
    problems = []
    if ship_report and kind in ("coast station", "group call"):
        problems.append(f"not 9 digits (a {kind} number sending ship positions)")
    if mid not in known_mids():
        problems.append(f"unknown MID {mid}")
    if kind == "ship" and s[3:] == "000000":
        problems.append("known fake value (MID followed by zeros)")
    return problems


@dataclass(frozen=True)
class IdentityParams(DetectorParams):
    """Parameters of :class:`IdentityAnomalyDetector`.

    fake_mmsis: values seen as defaults of unconfigured sets (123456789, 987654321,
        1193046 = 0x123456) besides all-one-digit and MID+zeros, which are checked by rule.
    max_speed_kn: knots between consecutive fixes above which a jump is impossible, 50:
        the fastest craft in these waters (high-speed ferries, go-fast boats) stay under 45.
    min_jump_m: metres; shorter jumps are GPS scatter or time rounding, 1000.
    shared_min_jumps / shared_window_s: 3 impossible jumps within 3600 s = one MMSI in two
        places (a single jump is a glitch; repeated ones are two transmitters).
    name_changes_min / name_window_s: 3 changes of name or call sign within 24 h.
    no_static_min_positions / no_static_min_span_s: 20 positions over ≥ 1 h without any
        static report: class A sends type 5 every 6 min, class B type 24 parts A and B
        every 6 min (ITU-R M.1371-5), so an hour — ten rounds — without one is not
        reception luck. The grace is judged on the report times, so live detection (static
        data arriving after the first positions) and batch detection judge alike.
    """

    fake_mmsis: frozenset[int] = field(default_factory=lambda: frozenset(
        {123456789, 987654321, 1193046, 12345678}), metadata=meta(
        "已知假 MMSI", "", "未配置设备常发的默认值；全同数字和国家码加零按规则判定",
        "设备出厂默认值"))
    max_speed_kn: float = param(
        50.0, "位置跳变航速", "节",
        "两船位间所需航速超过此值即为不可能的跳变",
        "本水域最快船艇（高速客船、走私快艇）低于 45 节")
    min_jump_m: float = param(
        1000.0, "最小跳变距离", "米",
        "更短的跳变属 GPS 散布或时间取整",
        "按推理")
    shared_min_jumps: int = param(
        3, "一号多船跳变次数", "次",
        "窗口内跳变达到此次数即为同一 MMSI 两处发射",
        "GFW gpsdio-segment 按此拆分航迹")
    shared_window_s: int = param(
        3600, "一号多船判定窗口", "秒",
        "统计跳变的时间窗口",
        "按推理：1 小时")
    name_changes_min: int = param(
        3, "改名次数", "次",
        "窗口内船名或呼号变更达到此次数即预警",
        "按推理")
    name_window_s: int = param(
        86400, "改名统计窗口", "秒",
        "统计改名的时间窗口",
        "24 小时")
    no_static_min_positions: int = param(
        20, "无静态信息船位数", "个",
        "收到至少此数量船位仍无静态信息才判定",
        "A 类每 6 分钟发送 5 号报文，B 类每 6 分钟发送 24 号 A/B 部分（ITU-R M.1371-5）")
    no_static_min_span_s: int = param(
        3600, "无静态信息宽限期", "秒",
        "首个船位后此时长内仍未收到静态信息才判定（实时与批量相同）",
        "1 小时即 10 个发送周期，不是接收偶然")


class IdentityAnomalyDetector(Detector):
    name: ClassVar[str] = "identity"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "身份异常"
    kinds: ClassVar[dict[str, str]] = {
        "invalid_mmsi": "无效MMSI", "mmsi_shared": "MMSI一号多船",
        "impossible_jump": "位置异常跳变", "identity_changes": "频繁更改船名/呼号",
        "no_static": "不发送静态信息"}
    # the patrol checks passing ships' identity (三.1 item 3); a boat that never sends
    # static data is likely a small unregistered one (三无), the vessel-control group's.
    routes: ClassVar[tuple[Route, ...]] = (
        Route("no_static", ("vessel_control",), severity="yellow"),
        Route("invalid_mmsi", ("sea_patrol",)),
        Route("mmsi_shared", ("sea_patrol",)),
        Route("impossible_jump", ("sea_patrol",), severity="yellow"),
        Route("identity_changes", ("sea_patrol",)),
    )
    Params: ClassVar[type[DetectorParams]] = IdentityParams
    _shared_in_probe: ClassVar[tuple[str, ...]] = (*Detector._shared_in_probe, "_hist")
    params: IdentityParams

    def __init__(self, params: IdentityParams | None = None, *,
                 static_history: pd.DataFrame | None = None,
                 static_times: Mapping[int, int] | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        p = self.params
        self._checked: set[int] = set()
        self._last: dict[int, tuple[int, float, float]] = {}
        self._count: dict[int, tuple[int, int]] = {}  # mmsi -> (positions, first ts)
        self._no_static_done: set[int] = set()
        self._jumps = RunTracker(
            min_duration_ms=0, grace_ms=0, grace_fixes=1, max_gap_ms=p.shared_window_s * 1000,
            snippet_cols=("lon", "lat", "plon", "plat", "pts", "dist", "kn"), snippet_ms=1000)
        hist = static_history if static_history is not None else pd.DataFrame(
            columns=["mmsi", "ts", "name", "callsign"])
        hist = hist.copy()
        if len(hist):
            hist["ts_ms"] = pd.to_datetime(hist["ts"], utc=True).dt.as_unit("ms").astype("int64")
        else:
            hist["ts_ms"] = pd.Series(dtype="int64")
        self._hist = hist.sort_values(["ts_ms", "mmsi"], kind="stable").reset_index(drop=True)
        self._static_seen: dict[int, int] = (
            self._hist.groupby("mmsi")["ts_ms"].min().to_dict() if len(self._hist) else {})
        self.note_static(static_times or {})
        self._ident: dict[int, tuple[Any, Any]] = {}
        self._changes: dict[int, deque[int]] = {}
        self._change_event: dict[int, tuple[int, int]] = {}  # mmsi -> (start, last change)

    # -- static data as it arrives (live) ---------------------------------------------
    def note_static(self, first_seen: Mapping[int, int]) -> None:
        """When each vessel's static data was first received (epoch ms). Live detection
        calls this with every batch, batch detection once with the whole store's: a
        vessel is "without static data" only if none had arrived by the time it is
        judged, so both judge alike."""
        for mmsi, t in first_seen.items():
            m, t = int(mmsi), int(t)
            if m not in self._static_seen or t < self._static_seen[m]:
                self._static_seen[m] = t

    def knows_static(self, mmsi: int) -> bool:
        return int(mmsi) in self._static_seen

    def note_static_history(self, rows: pd.DataFrame) -> None:
        """More rows of the name / call-sign history (``mmsi, ts, name, callsign``), as
        recorded at ingest; rows older than what was already decided cannot count."""
        if rows is None or not len(rows):
            return
        rows = rows.copy()
        rows["ts_ms"] = pd.to_datetime(rows["ts"], utc=True).dt.as_unit("ms").astype("int64")
        hist = pd.concat([self._hist, rows], ignore_index=True) if len(self._hist) else rows
        self._hist = hist.sort_values(["ts_ms", "mmsi"], kind="stable").reset_index(drop=True)

    # -------------------------------------------------------------------------------
    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        if len(rows):
            self._check_mmsis(rows)
            self._check_jumps(rows)
            self._check_no_static(rows)
        self._check_names(t0, t1)
        for act, run in latest_actions(self._jumps.tick(t1)):
            self._emit(self._jump_event(run, "closed"))

    def _check_mmsis(self, rows: Positions) -> None:
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows.mmsi[1:] != rows.mmsi[:-1]
        for i in np.flatnonzero(first).tolist():
            m = int(rows.mmsi[i])
            if m in self._checked:
                continue
            self._checked.add(m)
            problems = mmsi_problems(m, self.params.fake_mmsis,
                                     int(rows.msg_type[i]) in _SHIP_REPORTS)
            if problems:
                t = int(rows.ts[i])
                score = 0.8 if any("fake" in x for x in problems) else 0.6
                self._emit(self._point_event("invalid_mmsi", m, t, t, rows.lon[i], rows.lat[i],
                                             score, {"problems": problems}))

    def _check_jumps(self, rows: Positions) -> None:
        p = self.params
        n = len(rows)
        first = np.ones(n, dtype=bool)
        first[1:] = rows.mmsi[1:] != rows.mmsi[:-1]
        pts = np.empty(n, np.int64)
        plon = np.empty(n)
        plat = np.empty(n)
        pts[1:], plon[1:], plat[1:] = rows.ts[:-1], rows.lon[:-1], rows.lat[:-1]
        fi = np.flatnonzero(first)
        has_prev = np.ones(n, dtype=bool)
        for i in fi.tolist():
            prev = self._last.get(int(rows.mmsi[i]))
            if prev is None:
                has_prev[i] = False
                pts[i], plon[i], plat[i] = rows.ts[i], rows.lon[i], rows.lat[i]
            else:
                pts[i], plon[i], plat[i] = prev
        # the distance only where it may reach min_jump_m (most fixes are metres apart)
        cand = np.flatnonzero(has_prev & ~sure_m(plon, plat, rows.lon, rows.lat,
                                                 p.min_jump_m)[0])
        dist = haversine_m(plon[cand], plat[cand], rows.lon[cand], rows.lat[cand])
        dt = np.maximum((rows.ts[cand] - pts[cand]) / 1000.0, 1.0)  # AIS: whole seconds
        kn = dist / dt / KNOT_MS
        jump = (dist >= p.min_jump_m) & (kn > p.max_speed_kn)
        ji = cand[jump]
        last = np.ones(n, dtype=bool)
        last[:-1] = first[1:]
        for i in np.flatnonzero(last).tolist():
            self._last[int(rows.mmsi[i])] = (int(rows.ts[i]), float(rows.lon[i]),
                                             float(rows.lat[i]))
        actions = self._jumps.process(
            rows.mmsi[ji], rows.ts[ji], np.full(len(ji), 2, np.int8),
            {"lon": rows.lon[ji], "lat": rows.lat[ji], "plon": plon[ji], "plat": plat[ji],
             "pts": pts[ji], "dist": dist[jump], "kn": kn[jump]})
        for act, run in latest_actions(actions):
            self._emit(self._jump_event(run, "closed" if act == "close" else "open"))

    def _jump_event(self, run: Run, status: str) -> Event:
        p = self.params
        mmsi = run.key
        shared = run.n >= p.shared_min_jumps
        kind = "mmsi_shared" if shared else "impossible_jump"
        score = 0.8 if shared else 0.4
        track: list[dict[str, Any]] = []
        refs: list[tuple[int, str]] = []
        for t, lon, lat, plon, plat, pts, dist, kn in run.track:
            track.append({"mmsi": mmsi, "ts": ms_to_dt(pts).isoformat(), "lon": round6(plon),
                          "lat": round6(plat)})
            track.append({"mmsi": mmsi, "ts": ms_to_dt(t).isoformat(), "lon": round6(lon),
                          "lat": round6(lat), "implied_kn": round(kn, 1)})
            refs += [(mmsi, ms_to_dt(pts).isoformat()), (mmsi, ms_to_dt(t).isoformat())]
        start = int(run.first["pts"])
        return Event(
            id=event_id(self.name, self.version, (mmsi,), start, "jump"), detector=self.name,
            version=self.version, kind=kind, status=status, start=ms_to_dt(start),
            end=ms_to_dt(run.last_true), vessels=(mmsi,), lon=round6(run.first["lon"]),
            lat=round6(run.first["lat"]), score=score, severity=severity_of(score),
            params=self.params_snapshot, refs=list(dict.fromkeys(refs)), track=track,
            details={"jumps": run.n, "first_jump_m": round(run.first["dist"], 1),
                     "first_jump_kn": round(run.first["kn"], 1)})

    def _check_no_static(self, rows: Positions) -> None:
        p = self.params
        brk = np.flatnonzero(np.r_[True, rows.mmsi[1:] != rows.mmsi[:-1]])
        ends = np.r_[brk[1:], len(rows)]
        for s, e in zip(brk.tolist(), ends.tolist(), strict=True):
            m = int(rows.mmsi[s])
            if m in self._no_static_done or m in self.fleet.fishing_mmsis:
                continue  # the registry knows its boats' names
            if m not in self._static_seen and m in self.fleet.static:
                continue  # known from elsewhere (the caller's vessel facts), no time
            before, t_first = self._count.get(m, (0, int(rows.ts[s])))
            # the row at which both thresholds are first met, independent of batching
            k = np.arange(s, e)
            cnt = before + (k - s + 1)
            ok = (cnt >= p.no_static_min_positions) & (
                rows.ts[s:e] - t_first >= p.no_static_min_span_s * 1000)
            self._count[m] = (before + e - s, t_first)
            if not ok.any():
                continue
            i = s + int(np.argmax(ok))
            t = int(rows.ts[i])
            self._no_static_done.add(m)
            seen = self._static_seen.get(m)
            if seen is not None and seen <= t:
                continue
            self._emit(self._point_event("no_static", m, t_first, t, rows.lon[i], rows.lat[i],
                                         0.5, {"positions": int(cnt[i - s])}))

    def _check_names(self, t0: int | None, t1: int) -> None:
        p = self.params
        h = self._hist
        if not len(h):
            return
        lo = 0 if t0 is None else int(np.searchsorted(h["ts_ms"].to_numpy(), t0, side="right"))
        hi = int(np.searchsorted(h["ts_ms"].to_numpy(), t1, side="right"))
        win = p.name_window_s * 1000
        for rec in h.iloc[lo:hi].itertuples(index=False):
            m = int(rec.mmsi)
            ident = (getattr(rec, "name", None), getattr(rec, "callsign", None))
            prev = self._ident.get(m)
            self._ident[m] = ident
            if prev is None or prev == ident:
                continue
            t = int(rec.ts_ms)
            q = self._changes.setdefault(m, deque())
            q.append(t)
            while q and q[0] < t - win:
                q.popleft()
            if len(q) < p.name_changes_min:
                continue
            # changes within a window of the previous flagged change extend that event
            cur = self._change_event.get(m)
            start = cur[0] if cur is not None and t - cur[1] <= win else q[0]
            self._change_event[m] = (start, t)
            self._emit(self._point_event(
                "identity_changes", m, start, t, None, None, 0.6,
                {"changes_in_window": len(q), "latest_name": ident[0],
                 "latest_callsign": ident[1]}))

    def _point_event(self, kind: str, mmsi: int, start: int, end: int, lon: float | None,
                     lat: float | None, score: float, details: dict[str, Any]) -> Event:
        iso_s, iso_e = ms_to_dt(start).isoformat(), ms_to_dt(end).isoformat()
        return Event(
            id=event_id(self.name, self.version, (mmsi,), start, kind), detector=self.name,
            version=self.version, kind=kind, status="closed", start=ms_to_dt(start),
            end=ms_to_dt(end), vessels=(mmsi,),
            lon=None if lon is None else round6(lon), lat=None if lat is None else round6(lat),
            score=score,
            severity=severity_of(score), params=self.params_snapshot,
            refs=list(dict.fromkeys([(mmsi, iso_s), (mmsi, iso_e)])), track=[], details=details)


__all__ = ["IdentityAnomalyDetector", "IdentityParams", "known_mids", "mmsi_problems"]
