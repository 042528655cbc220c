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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

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
from jinghai.detect.encounter import at_harbour
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.geo.coast import Coastline, default_coastline
from jinghai.geo.metric import M_PER_DEG_LAT, haversine_m, within_m

#: Queries per step of the companion join (bounds its memory, not its result).
COMPANION_CHUNK = 8192


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
    harbour_margin_m / anchored_margin_m: as the encounter detector's: 500 m around ports
        and anchorages, 2000 m for a vessel reporting "at anchor"/"moored" — a vessel
        waiting there is at anchor, not loitering.
    companion_distance_m / companion_window_s: a slow vessel with another slow vessel
        within 500 m (a fix in the last 600 s) is not waiting alone: that is an
        encounter (or a pair at work), judged by the encounter detector, not loitering.
        500 m = the encounter distance of Miller et al. 2018; 600 s = two lost reports.
    """

    max_speed_kn: float = param(
        2.0, "起算航速", "节",
        "低于此航速开始计算徘徊",
        "GFW 徘徊事件与 Miller 等 2018：＜2 节")
    continue_speed_kn: float = param(
        3.0, "持续航速", "节",
        "徘徊开始后容忍的航速（滞后）",
        "潮流中漂航的小船航速在 1–3 节间摆动")
    min_duration_s: int = param(
        3600, "最短持续时间", "秒",
        "徘徊至少此时长才预警",
        "GFW 运输船徘徊从 1 小时起算")
    min_shore_m: float = param(
        500.0, "离岸最小距离", "米",
        "距岸线不足此距离的低速属正常（靠泊、搁滩）",
        "按推理：示范岸线层内半宽")
    grace_s: int = param(
        600, "中断容忍", "秒",
        "容忍的反向船位时长",
        "排除单次 GPS 跳点")
    grace_fixes: int = param(
        3, "中断容忍船位数", "个",
        "容忍的反向船位个数",
        "同上")
    max_gap_s: int = param(
        1800, "最长静默", "秒",
        "超过此时长无船位即结束（更长的静默由关闭AIS检测）",
        "按推理")
    night_start_h: int = param(
        18, "夜间开始", "时",
        "当地时间，用于夜间加重",
        "宁波日落 17–19 时")
    night_end_h: int = param(
        6, "夜间结束", "时",
        "当地时间",
        "冬季 6 时天亮")
    circling_window_s: int = param(
        900, "绕圈判定窗口", "秒",
        "在航船舶此时长后仍在原地附近即为绕圈",
        "2 节直航 15 分钟约 930 米")
    circling_max_disp_m: float = param(
        600.0, "绕圈最大位移", "米",
        "窗口内净位移不超过此值",
        "同上")
    harbour_margin_m: float = param(
        500.0, "港口锚地外扩距离", "米",
        "港口、锚地外扩此距离内的低速不算徘徊",
        "同海上过驳")
    anchored_margin_m: float = param(
        2000.0, "锚泊判定距离", "米",
        "报告锚泊/系泊且距港口锚地不超过此距离的船舶视为锚泊",
        "同海上过驳")
    berth_margin_m: float = param(
        1000.0, "泊位判定距离", "米",
        "静止（报告系泊，或航速≤0.5节）且距港口、岙口、码头类登陆点不超过此距离的船舶视为靠泊",
        "同海上过驳")
    companion_distance_m: float = param(
        500.0, "伴随船距离", "米",
        "此距离内另有低速船舶的不算单船徘徊（属过驳或结伴作业，由过驳检测判定）",
        "Miller 等 2018 的相遇距离 500 米")
    companion_window_s: int = param(
        600, "伴随判定窗口", "秒",
        "在此时长内出现过的伴随船计入",
        "容忍两次漏报")


def company(pool: Positions, q_mmsi: NDArray[np.int64], q_ts: NDArray[np.int64],
            q_lon: NDArray[np.float64], q_lat: NDArray[np.float64], w: int, d: float
            ) -> NDArray[np.bool_]:
    """Per query (a vessel's fix): another vessel has a fix in ``pool`` within ``d`` metres,
    at a time in ``(q_ts - w, q_ts]``.

    The pool is sorted once by (grid cell of ``d``, time), so the fixes of one cell within
    a query's time window are one contiguous range found by two binary searches; a query
    looks at the 3×3 cells around it, the nearest first, and stops at the first company
    found. Cells that only its own vessel ever visits are skipped without looking at
    their fixes: a slow vessel's own trail (a fix every few seconds) is most of what a
    cell holds, and :func:`company_buckets` (the previous algorithm, kept as the
    reference) spent most of its time discarding it.
    """
    n = len(q_ts)
    out = np.zeros(n, dtype=bool)
    if not n or not len(pool):
        return out
    cell_lat = d / M_PER_DEG_LAT
    widest = min(max(float(np.abs(pool.lat).max()), float(np.abs(q_lat).max())), 80.0)
    cell_lon = cell_lat / np.cos(np.radians(widest))
    x0 = min(float(pool.lon.min()), float(q_lon.min()))
    y0 = min(float(pool.lat.min()), float(q_lat.min()))
    px = np.floor((pool.lon - x0) / cell_lon).astype(np.int64) + 1
    py = np.floor((pool.lat - y0) / cell_lat).astype(np.int64) + 1
    qx = np.floor((q_lon - x0) / cell_lon).astype(np.int64) + 1
    qy = np.floor((q_lat - y0) / cell_lat).astype(np.int64) + 1
    by = int(max(int(py.max()), int(qy.max())) + 2).bit_length()
    bx = int(max(int(px.max()), int(qx.max())) + 2).bit_length()
    if bx + by > 62:
        raise ValueError("loitering companion cell key overflow")
    cells, rank = np.unique((px << by) | py, return_inverse=True)
    tmin = min(int(pool.ts.min()), int(q_ts.min()))
    span = max(int(pool.ts.max()), int(q_ts.max())) - tmin + 2
    if len(cells) * span >= 2**62:
        raise ValueError("loitering companion key overflow: process smaller time spans")
    comp = rank.astype(np.int64).reshape(-1) * span + (pool.ts - tmin)
    order = np.argsort(comp, kind="stable")
    scomp = comp[order]
    s_mmsi, s_lon, s_lat = pool.mmsi[order], pool.lon[order], pool.lat[order]
    first = np.searchsorted(scomp, np.arange(len(cells), dtype=np.int64) * span)
    lo_m = np.minimum.reduceat(s_mmsi, first)
    solo = np.where(lo_m == np.maximum.reduceat(s_mmsi, first), lo_m, -1)
    lat_reach = 1.001 * d / M_PER_DEG_LAT
    cos_min = float(np.cos(np.radians(max(float(np.abs(pool.lat).max()),
                                          float(np.abs(q_lat).max())))))
    lon_reach = min(1.001 * d / (M_PER_DEG_LAT * cos_min), 5.0) if cos_min > 1e-3 else 5.0
    q_lo = np.clip(q_ts - w - tmin, -1, None)
    q_hi = q_ts - tmin
    # Queries go in chunks to bound the candidate pairs held at once.
    for c0 in range(0, n, COMPANION_CHUNK):
        c1 = min(c0 + COMPANION_CHUNK, n)
        for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1),
                       (1, 1)):
            a = np.flatnonzero(~out[c0:c1]) + c0
            if not len(a):
                break
            nk = ((qx[a] + dx) << by) | (qy[a] + dy)
            ci = np.minimum(np.searchsorted(cells, nk), len(cells) - 1)
            there = (cells[ci] == nk) & (solo[ci] != q_mmsi[a])
            a, ci = a[there], ci[there]
            if not len(a):
                continue
            base = ci * span
            lo = np.searchsorted(scomp, base + q_lo[a], side="right")
            hi = np.searchsorted(scomp, base + q_hi[a], side="right")
            cnt = hi - lo
            tot = int(cnt.sum())
            if not tot:
                continue
            qi = np.repeat(a, cnt)
            pj = np.repeat(lo, cnt) + (np.arange(tot) - np.repeat(np.cumsum(cnt) - cnt, cnt))
            other = np.flatnonzero(s_mmsi[pj] != q_mmsi[qi])
            qi, pj = qi[other], pj[other]
            plon, plat = s_lon[pj], s_lat[pj]
            # Lower bounds of the great-circle distance prune most pairs before the exact
            # (costlier) haversine: R·|Δφ|, and 2R·cos φ_max·sin(|Δλ|/2) ≥ 0.9996·R·cos
            # φ_max·|Δλ| for |Δλ| < 0.1 rad; with a 0.1 % margin on top, what is pruned is
            # farther than d, so the answers are the haversine test's.
            maybe = np.flatnonzero((np.abs(plat - q_lat[qi]) <= lat_reach)
                                   & (np.abs(plon - q_lon[qi]) <= lon_reach))
            qi = qi[maybe]
            near = within_m(plon[maybe], plat[maybe], q_lon[qi], q_lat[qi], d)
            out[qi[near]] = True
    return out


def company_buckets(pool: Positions, q_mmsi: NDArray[np.int64], q_ts: NDArray[np.int64],
                    q_lon: NDArray[np.float64], q_lat: NDArray[np.float64], w: int, d: float
                    ) -> NDArray[np.bool_]:
    """:func:`company` as it was first written (grid cells and time buckets of one window:
    every fix of the 3×3 cells in the query's bucket and the one before is compared):
    the reference the tests and ``benchmarks/bench_detect.py`` compare against."""
    out = np.zeros(len(q_ts), dtype=bool)
    if not len(q_ts) or not len(pool):
        return out
    cell_lat = d / M_PER_DEG_LAT
    cell_lon = cell_lat / np.cos(np.radians(min(float(np.abs(pool.lat).max()), 80.0)))
    x0, y0 = float(pool.lon.min()), float(pool.lat.min())
    b0 = int(pool.ts.min()) // w - 1
    px = np.floor((pool.lon - x0) / cell_lon).astype(np.int64) + 1
    py = np.floor((pool.lat - y0) / cell_lat).astype(np.int64) + 1
    pb = pool.ts // w - b0
    qx = np.floor((q_lon - x0) / cell_lon).astype(np.int64) + 1
    qy = np.floor((q_lat - y0) / cell_lat).astype(np.int64) + 1
    qb = q_ts // w - b0
    by = int(max(int(py.max()), int(qy.max())) + 2).bit_length()
    bx = int(max(int(px.max()), int(qx.max())) + 2).bit_length()
    if bx + by + int(max(int(pb.max()), int(qb.max())) + 2).bit_length() > 62:
        raise ValueError("loitering companion key overflow: process smaller time spans")
    key = (pb << (bx + by)) | (px << by) | py
    order = np.argsort(key, kind="stable")
    skey = key[order]
    for c0 in range(0, len(q_ts), COMPANION_CHUNK):
        c = slice(c0, c0 + COMPANION_CHUNK)
        for dt in (0, 1):
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    nk = ((qb[c] - dt) << (bx + by)) | ((qx[c] + dx) << by) | (qy[c] + dy)
                    lo = np.searchsorted(skey, nk, side="left")
                    hi = np.searchsorted(skey, nk, side="right")
                    cnt = hi - lo
                    tot = int(cnt.sum())
                    if not tot:
                        continue
                    qi = np.repeat(np.arange(c0, c0 + len(nk)), cnt)
                    pj = order[np.repeat(lo, cnt)
                               + (np.arange(tot) - np.repeat(np.cumsum(cnt) - cnt, cnt))]
                    ok = ((pool.mmsi[pj] != q_mmsi[qi]) & (pool.ts[pj] <= q_ts[qi])
                          & (pool.ts[pj] > q_ts[qi] - w))
                    qi, pj = qi[ok], pj[ok]
                    near = haversine_m(pool.lon[pj], pool.lat[pj], q_lon[qi], q_lat[qi]) <= d
                    out[qi[near]] = True
    return out


def _keep_sorted(old: Positions, c_old: NDArray[np.int64], rows: Positions,
                 c_rows: NDArray[np.int64], after: int) -> Positions:
    """The fixes of ``old`` and ``rows`` (each sorted by its key) later than ``after``, in
    the order of their keys: a stable merge of the two sorted runs (equal keys — the same
    vessel and time — keep old before new, as a stable sort of the two together would)."""
    ko = np.flatnonzero(old.ts > after)
    kr = np.flatnonzero(rows.ts > after)
    if not len(ko):
        return rows.take(kr)
    if not len(kr):
        return old.take(ko)
    both = Positions.concat([old.take(ko), rows.take(kr)])
    return both.take(np.argsort(np.concatenate([c_old[ko], c_rows[kr]]), kind="stable"))


class LoiteringDetector(Detector):
    name: ClassVar[str] = "loitering"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "海上徘徊"
    kinds: ClassVar[dict[str, str]] = {"loitering": "海上徘徊"}
    routes: ClassVar[tuple[Route, ...]] = (Route("loitering", ("sea_patrol",)),)
    Params: ClassVar[type[DetectorParams]] = LoiteringParams
    _shared_in_probe: ClassVar[tuple[str, ...]] = (*Detector._shared_in_probe, "coastline")
    params: LoiteringParams
    #: How company is looked for (:func:`company_buckets` gives the same answers, slower).
    company: ClassVar[Callable[..., NDArray[np.bool_]]] = staticmethod(company)

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
        # slow positions of the last companion window, to find company across batches
        self._slow_recent = Positions.empty()

    def __getstate__(self) -> dict[str, Any]:
        # The shipped coastline is the same in every process: pickle a reference to it,
        # not its geometry (0.7 s a round trip, paid by every task of a partition plan).
        state = self.__dict__.copy()
        if state["coastline"] is default_coastline():
            state["coastline"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["coastline"] is None:
            state["coastline"] = default_coastline()
        self.__dict__.update(state)

    def _circling(self, rows: Positions, t1: int) -> NDArray[np.bool_]:
        """Per row: under way now and one window ago, yet within ``circling_max_disp_m`` of
        its position then (the last fix at least a window old, at most two windows old).

        The rows and the fixes kept from earlier batches (``_recent``, older than every
        row) are each sorted by (mmsi, ts), so a row's fix one window back is found by a
        binary search in each, the rows' own first (a vessel's rows are later than its
        kept fixes): no sort of the two together."""
        p = self.params
        w = p.circling_window_s * 1000
        old = self._recent
        out = np.zeros(len(rows), dtype=bool)
        if not len(old) and not len(rows):
            return out
        tmin = min(int(a.ts.min()) for a in (old, rows) if len(a))
        span = max(int(a.ts.max()) for a in (old, rows) if len(a)) - tmin
        shift = max(span.bit_length(), 1)
        mm = [a.mmsi for a in (old, rows) if len(a)]
        if (min(int(m.min()) for m in mm) < 0
                or max(int(m.max()) for m in mm).bit_length() + shift > 62):
            return self._circling_unique(rows, t1)
        # one int64 key per fix, ordered as (mmsi, ts)
        c_old = (old.mmsi << shift) | (old.ts - tmin)
        c_rows = (rows.mmsi << shift) | (rows.ts - tmin)
        self._recent = _keep_sorted(old, c_old, rows, c_rows, t1 - 2 * w)
        moving = np.flatnonzero(rows.sog > p.max_speed_kn)
        if not len(moving):
            return out
        m_mmsi = rows.mmsi[moving]
        q = c_rows[moving] - w
        jr = np.searchsorted(c_rows, q, side="right") - 1
        in_rows = jr >= 0
        jr = np.maximum(jr, 0)
        in_rows &= rows.mmsi[jr] == m_mmsi
        if len(old):
            jo = np.searchsorted(c_old, q, side="right") - 1
            in_old = ~in_rows & (jo >= 0)
            jo = np.maximum(jo, 0)
            in_old &= old.mmsi[jo] == m_mmsi
            ok = in_rows | in_old

            def ref(col: str) -> NDArray[Any]:
                return np.where(in_rows, getattr(rows, col)[jr], getattr(old, col)[jo])
        else:  # nothing kept (a batch run's first step): every reference is a row
            ok = in_rows

            def ref(col: str) -> NDArray[Any]:
                return getattr(rows, col)[jr]

        ok &= ref("ts") >= rows.ts[moving] - 2 * w
        # under way at both ends: a vessel just leaving a stop is not circling
        ok &= ref("sog") > p.max_speed_kn
        out[moving] = ok & within_m(ref("lon"), ref("lat"), rows.lon[moving],
                                    rows.lat[moving], p.circling_max_disp_m)
        return out

    def _circling_unique(self, rows: Positions, t1: int) -> NDArray[np.bool_]:
        """:meth:`_circling` for MMSIs that do not fit its key (negative, or too many
        bits with the time span): vessels ranked first."""
        p = self.params
        w = p.circling_window_s * 1000
        allp = Positions.concat([self._recent, rows])
        n_old = len(self._recent)
        self._recent = allp.take(np.flatnonzero(allp.ts > t1 - 2 * w)).sorted_by_vessel()
        out = np.zeros(len(rows), dtype=bool)
        moving = np.flatnonzero(rows.sog > p.max_speed_kn)
        if not len(moving) or not len(allp):
            return out
        rel = allp.ts - allp.ts.min()
        _, rank = np.unique(allp.mmsi, return_inverse=True)
        rank = rank.astype(np.int64).reshape(-1)
        comp = (rank << 40) | rel
        order = np.argsort(comp, kind="stable")
        scomp = comp[order]
        q = comp[n_old + moving] - w
        j = np.searchsorted(scomp, q, side="right") - 1
        ok = j >= 0
        ref = order[np.where(ok, j, 0)]
        ok &= (rank[ref] == rank[n_old + moving]) & (allp.ts[ref] >= rows.ts[moving] - 2 * w)
        ok &= allp.sog[ref] > p.max_speed_kn
        out[moving] = ok & within_m(allp.lon[ref], allp.lat[ref], rows.lon[moving],
                                    rows.lat[moving], p.circling_max_disp_m)
        return out

    def _accompanied(self, rows: Positions, idx: NDArray[np.int64], t1: int
                     ) -> NDArray[np.bool_]:
        """Per candidate row: another slow vessel had a fix within ``companion_distance_m``
        in the ``companion_window_s`` up to this row's time (only fixes at or before the
        row count, so the answer does not depend on how batches were cut)."""
        p = self.params
        w = p.companion_window_s * 1000
        slow_now = rows.take(np.flatnonzero(rows.sog <= p.continue_speed_kn))
        pool = Positions.concat([self._slow_recent, slow_now])
        self._slow_recent = pool.take(np.flatnonzero(pool.ts > t1 - w))
        if not len(idx) or len(pool) < 2:
            return np.zeros(len(idx), dtype=bool)
        q = rows.take(idx)
        return self.company(pool, q.mmsi, q.ts, q.lon, q.lat, w, p.companion_distance_m)

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        circling = self._circling(rows, t1)
        cand = (rows.sog <= p.continue_speed_kn) | circling
        idx = np.flatnonzero(cand)
        # The three exclusions, cheapest first: the companion search (the costliest) only
        # asks about the candidates still at sea, away from harbours and the shore.
        at_sea = np.ones(len(idx), dtype=bool)
        if len(idx) and len(self.zones):
            at_sea &= ~at_harbour(self.zones, rows.lon[idx], rows.lat[idx],
                                  rows.nav_status[idx], rows.sog[idx],
                                  p.harbour_margin_m, p.anchored_margin_m, p.berth_margin_m)
        if len(idx):
            sea = idx[at_sea]
            # 5e-4° grid (≈ 50 m): error ≤ 40 m against a 500 m threshold, 10× fewer queries
            # (NaN, outside the coastline extract, = at sea)
            at_sea[at_sea] = ~self.coastline.near_shore(rows.lon[sea], rows.lat[sea],
                                                        p.min_shore_m, 5e-4)
        at_sea[at_sea] = ~self._accompanied(rows, idx[at_sea], t1)
        if len(idx):
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
