"""At-sea transfer (在公海、近海转乘): two vessels side by side, slow, for a long time.

The plan fears people transferring at sea onto domestic cargo ships, fishing boats or
passenger ships. In AIS that looks like the *encounter* of Miller et al. 2018
("Identifying global patterns of transshipment behavior", Front. Mar. Sci. 5:240) and of
Global Fishing Watch's encounters: two vessels within 500 m, both slow, for hours.

How it works, per time slot of ``slot_s``:

1. Each vessel's position at the slot end is its latest fix, dead-reckoned with its SOG and
   COG (at most ``max_fix_age_s`` old: older fixes say nothing about now). Vessels faster
   than ``max_speed_kn``, inside berths/ports/anchorages (by polygon) or own patrol boats
   are left out before pairing — a crowded anchorage is not a transfer.
2. Pairs closer than ``max_distance_m`` are found with a grid (spatial hash) keyed by
   (slot, cell): each vessel is compared with the vessels of its own and the 8 neighbouring
   cells only, never all pairs.
3. A pair that stays close for ``min_duration_s`` becomes an event, unless the pair moved
   together: if its midpoint travelled faster than ``max_drift_kn`` on average, it is a
   parallel transit (pair trawlers, convoys), not a transfer. A fly-by never lasts long
   enough and is rarely slow. Gaps up to ``grace_s`` (a missed report) do not split it;
   runs cross midnight like any other time, so an event spanning it is found whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from jinghai.detect.base import (
    Detector,
    DetectorParams,
    Route,
    Run,
    RunTracker,
    meta,
    param,
    round6,
)
from jinghai.detect.events import Event, event_id, iso_ms, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.errors import InvalidInput
from jinghai.geo.metric import KNOT_MS, M_PER_DEG_LAT, haversine_m, offset_lonlat, within_m
from jinghai.geo.zones import HARBOUR_KINDS, ZoneKind

#: AIS navigational status "at anchor" and "moored" (ITU-R M.1371-5, message 1 field 5).
AT_ANCHOR_STATUS = (1, 5)


#: Landing points where boats tie up (not uninhabited islands): a boat reporting "moored"
#: there is at its berth.
MOORING_SUBTYPES = ("港口", "岙口", "码头", "临时停靠点")


def at_harbour(zones: Any, lon: NDArray[np.float64], lat: NDArray[np.float64],
               nav_status: NDArray[np.int8], sog: NDArray[np.float32], margin_m: float,
               anchored_m: float, berth_m: float) -> NDArray[np.bool_]:
    """Per position: in a port or anchorage (grown by ``margin_m``), or reporting "at
    anchor"/"moored" within ``anchored_m`` of one, or lying still (moored, or ≤ 0.5 kn:
    class B sends no status) within ``berth_m`` of a cove, wharf or fishing-harbour landing
    point — where lying still is ordinary (landings there are the landing detector's)."""
    out = zones.inside_any(lon, lat, HARBOUR_KINDS, grow_m=margin_m)
    anch = np.flatnonzero(~out & np.isin(nav_status, AT_ANCHOR_STATUS))
    if len(anch):
        out[anch] = zones.inside_any(lon[anch], lat[anch], HARBOUR_KINDS, grow_m=anchored_m)
    still = np.flatnonzero(~out & ((nav_status == 5) | (sog <= 0.5)))
    if len(still):
        for z in zones.zones:
            if z.kind == ZoneKind.LANDING_POINT and z.subtype in MOORING_SUBTYPES:
                c = z.geometry.centroid
                near = within_m(c.x, c.y, lon[still], lat[still], berth_m)
                out[still[near]] = True
    return out

_MMSI_BITS = 30  # MMSIs are < 10**9 < 2**30: a pair fits one int64 key


def _merge_by_vessel(carry: Positions, rows: Positions) -> Positions:
    """``concat([carry, rows]).sorted_by_vessel()`` for rows sorted by (mmsi, ts) and a
    carry of one fix per vessel sorted by mmsi, all older than the rows: a stable sort by
    mmsi alone gives the same order (a vessel's carried fix first, then its rows as they
    were), and merges two sorted runs instead of sorting two keys; no carry, no sort."""
    if not len(carry):
        return rows
    allr = Positions.concat([carry, rows])
    return allr.take(np.argsort(allr.mmsi, kind="stable"))


@dataclass(frozen=True)
class EncounterParams(DetectorParams):
    """Parameters of :class:`EncounterDetector`.

    max_distance_m: metres between the two vessels. 500 = param(
        Miller et al. 2018 / GFW, "两船最大距离", "米",
        "两船相距不超过此距离才算靠帮",
        "GFW 相遇与 Miller 等 2018：≤500 米")
        encounters; the issue asks for 250–500 m, and 500 keeps transfers by small boats
        that stand off a little.
    min_duration_s: seconds close together. 1800 (30 min) = param(
        the issue; GFW uses 2 h for, "最短持续时间", "秒",
        "靠帮持续至少此时长才预警",
        "任务要求 30 分钟；GFW 渔获转运用 2 小时，人员转乘只需几分钟")
        fish transshipment, but moving people across takes minutes, not hours.
    max_speed_kn: knots, each vessel. 2.0 = param(
        Miller et al. 2018 ("< 2 knots")., "单船最高航速", "节",
        "两船航速都不超过此值才算停靠/漂航",
        "Miller 等 2018：＜2 节")
    max_drift_kn: knots, average speed of the pair's midpoint over the run. 1.0 by
        reasoning: two ships drifting together in Beilun's tidal streams (up to ~2 kn at
        springs in 金塘水道, but rarely sustained for 30 min in one direction) stay under
        it, pair trawlers and convoys under way at 1.5–2 kn do not.
    max_fix_age_s: seconds a fix is carried forward. 600: class-A at anchor reports every
        3 min (ITU-R M.1371), class-B slow every 3 min; 600 s tolerates two lost reports.
    grace_s: seconds a pair may be missing and still be the same event. 600, same reason.
    zone_max_distance_m: per zone id, a tighter distance where the pair's midpoint lies in
        that zone (e.g. 250 m in a busy channel where ships pass 400 m apart for long);
        must not exceed ``max_distance_m``. Empty by default.
    harbour_margin_m: metres around ports and anchorages (polygons; the shipped GFW
        anchorage cells and WPI port circles after ``jinghai init``) within which a pair
        is not a transfer. GFW's encounters require ≥ 10 km from any anchorage, but in the
        Zhoushan archipelago almost all water lies within 10 km of one; 500 m around GFW's
        ≈ 570 m anchorage cells keeps ships lying at anchor out and a transfer 2 km off in.
    anchored_margin_m: metres; a vessel that reports navigational status "at anchor" or
        "moored" (AIS 1 / 5) this close to a port or anchorage is at anchor, not
        transferring. 2000 by reasoning: anchor swing circles of large ships reach 300 m,
        and anchorages spill over GFW's cells when crowded.
    alongside_max_distance_m / alongside_max_speed_kn: two vessels side by side (within
        100 m) moving together at up to 3 kn are a transfer under way — the common way of
        ship-to-ship transfer — even though their midpoint drifts faster than
        ``max_drift_kn``. Pair trawlers tow 300–1,000 m apart at 3–4 kn, a pilot boat runs
        alongside at harbour speed (8–12 kn) for minutes: neither fits.
    pair_trawl_min_distance_m: two fishing vessels of the same flag (MMSI country code)
        that never come closer than this are a pair trawl (双拖), not a transfer. 250 m:
        pair trawlers keep their nets spread 300 m or more.
    slot_s: 60 (see :class:`DetectorParams`).
    """

    max_distance_m: float = param(
        500.0, "两船最大距离", "米",
        "两船相距不超过此距离才算靠帮",
        "GFW 相遇与 Miller 等 2018：≤500 米")
    min_duration_s: int = param(
        1800, "最短持续时间", "秒",
        "靠帮持续至少此时长才预警",
        "任务要求 30 分钟；GFW 渔获转运用 2 小时，人员转乘只需几分钟")
    max_speed_kn: float = param(
        2.0, "单船最高航速", "节",
        "两船航速都不超过此值才算停靠/漂航",
        "Miller 等 2018：＜2 节")
    max_drift_kn: float = param(
        1.0, "两船共同漂移上限", "节",
        "两船中点的平均移动速度超过此值视为结伴航行（如双拖、编队），不是过驳",
        "按推理：金塘水道潮流持续 30 分钟同向者少见")
    max_fix_age_s: int = param(
        600, "船位有效期", "秒",
        "最近一次船位推算至今不超过此时长",
        "锚泊 A 类与慢速 B 类每 3 分钟报告，容忍丢失两次")
    grace_s: int = param(
        600, "中断容忍", "秒",
        "两船短暂失去联系不超过此时长仍算同一事件",
        "同上：容忍两次漏报")
    zone_max_distance_m: Mapping[str, float] = field(
        default_factory=dict, metadata=meta("分区距离上限", "米",
        "在指定区域内（如繁忙航道）使用更严的距离；区域上也可设置",
        "由办公室按区域设置"))
    harbour_margin_m: float = param(
        500.0, "港口锚地外扩距离", "米",
        "港口、锚地范围外扩此距离内的靠帮不作为过驳",
        "GFW 相遇要求距锚地 ≥10 千米；舟山群岛几乎所有水域都在 10 千米内，"
        "故按 GFW 锚地格（约 570 米）外扩 500 米")
    anchored_margin_m: float = param(
        2000.0, "锚泊判定距离", "米",
        "报告“锚泊/系泊”状态且距港口锚地不超过此距离的船舶视为锚泊",
        "按推理：大船锚泊回旋半径可达 300 米，锚地拥挤时会溢出")
    berth_margin_m: float = param(
        1000.0, "泊位判定距离", "米",
        "静止（报告系泊，或航速≤0.5节）且距港口、岙口、码头类登陆点不超过此距离的船舶视为靠泊；该处的登陆由登陆点接近检测判定",
        "按推理：渔港、岙口的系泊船舶分布在数百米内；登陆点只记一个点")
    alongside_max_distance_m: float = param(
        100.0, "并靠距离", "米",
        "两船相距不超过此距离并同行时，即使在航也视为过驳",
        "在航过驳常见方式：两船并靠（数十米）1–2 节同行半小时")
    alongside_max_speed_kn: float = param(
        3.0, "并靠最高航速", "节",
        "并靠同行时每船航速上限",
        "双拖 3–4 节、引航船 8–12 节均高于此值")
    pair_trawl_min_distance_m: float = param(
        250.0, "双拖最小间距", "米",
        "同一船籍的两艘渔船始终相距不少于此距离，视为双拖作业而非过驳",
        "双拖网口间距一般 300–1000 米")


class EncounterDetector(Detector):
    name: ClassVar[str] = "encounter"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "海上过驳/靠帮"
    kinds: ClassVar[dict[str, str]] = {"encounter": "海上过驳/靠帮"}
    routes: ClassVar[tuple[Route, ...]] = (Route("encounter", ("sea_patrol",)),)
    Params: ClassVar[type[DetectorParams]] = EncounterParams
    params: EncounterParams

    def __init__(self, params: EncounterParams | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        p = self.params
        self._carry = Positions.empty()
        self._tracker = RunTracker(
            min_duration_ms=p.min_duration_s * 1000, grace_ms=p.grace_s * 1000, grace_fixes=1,
            max_gap_ms=p.grace_s * 1000,
            snippet_cols=("lon_a", "lat_a", "lon_b", "lat_b", "ts_a", "ts_b", "dist"),
            qualify=self._qualify, mins=("dist", "nfar"))
        self.pairs_tested = 0
        self._limits: list[tuple[int, float]] = []
        for zid, metres in p.zone_max_distance_m.items():
            if metres > p.max_distance_m:
                raise InvalidInput(f"zone_max_distance_m[{zid!r}] = {metres} exceeds "
                                   f"max_distance_m = {p.max_distance_m}")
            try:
                zi = next(i for i, z in enumerate(self.zones.zones) if z.id == zid)
            except StopIteration:
                raise InvalidInput(f"zone_max_distance_m: unknown zone id {zid!r}") from None
            self._limits.append((zi, float(metres)))

    def _qualify(self, run: Run) -> bool:
        p = self.params
        a, b = run.key >> _MMSI_BITS, run.key & ((1 << _MMSI_BITS) - 1)
        if (self.fleet.is_fishing(a) and self.fleet.is_fishing(b)
                and str(a)[:3] == str(b)[:3]
                and run.extra.get("min_dist", 0.0) >= p.pair_trawl_min_distance_m):
            return False  # a pair trawl: two boats of one fleet keeping their nets apart
        if run.extra.get("min_nfar", -1.0) > -0.5:
            return True  # alongside all the time: a transfer under way counts whatever drift
        d = haversine_m(run.first["lon"], run.first["lat"], run.last["lon"], run.last["lat"])
        dur_s = max((run.last_true - run.start) / 1000.0, 1.0)
        return bool(d / dur_s <= p.max_drift_kn * KNOT_MS)

    # -------------------------------------------------------------------------------
    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        slot = self._slot_ms
        allr = _merge_by_vessel(self._carry, rows)
        n = len(allr)
        if n:
            same_next = np.zeros(n, dtype=bool)
            same_next[:-1] = allr.mmsi[1:] == allr.mmsi[:-1]
            next_ts = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
            next_ts[:-1] = np.where(same_next[:-1], allr.ts[1:], next_ts[:-1])
            last_of = ~same_next
            keep = last_of & (allr.ts > t1 - p.max_fix_age_s * 1000)
            self._carry = allr.take(np.flatnonzero(keep))
            pairs = self._pairs_at_slots(allr, next_ts, t0, t1, slot)
            if pairs is not None and self._limits and len(pairs["key"]):
                pairs = self._apply_zone_limits(pairs)
        else:
            pairs = None
        actions = []
        if pairs is not None and len(pairs["key"]):
            order = np.lexsort((pairs["t"], pairs["key"]))
            pairs = {k: v[order] for k, v in pairs.items()}
            actions += self._tracker.process(
                pairs["key"], pairs["t"], np.full(len(order), 2, np.int8),
                {k: pairs[k] for k in ("lon", "lat", "lon_a", "lat_a", "lon_b", "lat_b",
                                       "ts_a", "ts_b", "dist", "nfar")})
        actions += self._tracker.tick(t1)
        self._apply(actions)

    def _apply_zone_limits(self, pairs: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        limit = np.full(len(pairs["key"]), np.inf)
        for zi, metres in self._limits:
            pi, _ = self.zones.contains(pairs["lon"], pairs["lat"], None, subset=[zi])
            limit[pi] = np.minimum(limit[pi], metres)
        keep = np.flatnonzero(pairs["dist"] <= limit)
        return {k: v[keep] for k, v in pairs.items()}

    def _pairs_at_slots(self, a: Positions, next_ts: NDArray[np.int64], t0: int | None,
                        t1: int, slot: int) -> dict[str, NDArray[Any]] | None:
        p = self.params
        # NaN (not available) is not slow
        slow = a.sog <= max(p.max_speed_kn, p.alongside_max_speed_kn)
        slow &= (a.mmsi > 0) & (a.mmsi < (1 << _MMSI_BITS))
        idx = np.flatnonzero(slow)
        if len(idx) and len(self.zones):
            idx = idx[~at_harbour(self.zones, a.lon[idx], a.lat[idx], a.nav_status[idx],
                                  a.sog[idx], p.harbour_margin_m, p.anchored_margin_m,
                                  p.berth_margin_m)]
        if not len(idx):
            return None
        ts = a.ts[idx]
        k_first = -((-ts) // slot)
        if t0 is not None:
            k_first = np.maximum(k_first, t0 // slot + 1)
        k_last = np.minimum(-((-next_ts[idx]) // slot) - 1,
                            (ts + p.max_fix_age_s * 1000) // slot)
        k_last = np.minimum(k_last, t1 // slot)
        cnt = np.maximum(k_last - k_first + 1, 0)
        rep = np.repeat(np.arange(len(idx)), cnt)
        if not len(rep):
            return None
        offs = np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        k = k_first[rep] + offs
        src = idx[rep]
        t = k * slot
        dt_s = (t - a.ts[src]) / 1000.0
        sog = np.nan_to_num(a.sog[src].astype(np.float64))
        cog = np.radians(np.nan_to_num(a.cog[src].astype(np.float64)))
        dist = sog * KNOT_MS * dt_s
        lon, lat = offset_lonlat(a.lon[src], a.lat[src], dist * np.sin(cog),
                                 dist * np.cos(cog))
        return self._close_pairs(k, t, lon, lat, a.mmsi[src], a.ts[src],
                                 a.sog[src] > p.max_speed_kn)

    def _close_pairs(self, k: NDArray[np.int64], t: NDArray[np.int64], lon: NDArray[np.float64],
                     lat: NDArray[np.float64], mmsi: NDArray[np.int64], fix_ts: NDArray[np.int64],
                     fast: NDArray[np.bool_]) -> dict[str, NDArray[Any]]:
        d = self.params.max_distance_m
        cell_lat = d / M_PER_DEG_LAT
        maxlat = min(float(np.abs(lat).max()), 80.0)
        cell_lon = cell_lat / np.cos(np.radians(maxlat))
        ix = np.floor(lon / cell_lon).astype(np.int64)
        iy = np.floor(lat / cell_lat).astype(np.int64)
        ix -= ix.min() - 1
        iy -= iy.min() - 1
        kr = k - k.min()
        bx = int(ix.max() + 2).bit_length()
        by = int(iy.max() + 2).bit_length()
        if bx + by + int(kr.max() + 1).bit_length() > 62:
            raise ValueError("encounter grid key overflow: process smaller time spans")
        key = (kr << (bx + by)) | (ix << by) | iy
        order = np.argsort(key, kind="stable")
        skey = key[order]
        ii: list[NDArray[np.int64]] = []
        jj: list[NDArray[np.int64]] = []
        pos = np.arange(len(skey))
        for dx, dy in ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1)):
            nkey = skey + (dx << by) + dy
            lo = np.searchsorted(skey, nkey, side="left")
            hi = np.searchsorted(skey, nkey, side="right")
            if dx == 0 and dy == 0:
                lo = pos + 1  # same cell: each unordered pair once
            cnt = np.maximum(hi - lo, 0)
            tot = int(cnt.sum())
            if not tot:
                continue
            i = np.repeat(pos, cnt)
            j = np.repeat(lo, cnt) + (np.arange(tot) - np.repeat(np.cumsum(cnt) - cnt, cnt))
            ii.append(order[i])
            jj.append(order[j])
        if not ii:
            return {"key": np.empty(0, np.int64)}
        i = np.concatenate(ii)
        j = np.concatenate(jj)
        self.pairs_tested += len(i)
        # the distance itself only for the pairs within d (most of those tested are not)
        near = np.flatnonzero(within_m(lon[i], lat[i], lon[j], lat[j], d))
        i, j = i[near], j[near]
        dist = haversine_m(lon[i], lat[i], lon[j], lat[j])
        alongside = dist <= self.params.alongside_max_distance_m
        # under way (faster than max_speed_kn) only counts side by side
        ok = (mmsi[i] != mmsi[j]) & (alongside | ~(fast[i] | fast[j]))
        i, j, dist, alongside = i[ok], j[ok], dist[ok], alongside[ok]
        swap = mmsi[i] > mmsi[j]
        a = np.where(swap, j, i)
        b = np.where(swap, i, j)
        return {
            "key": (mmsi[a] << _MMSI_BITS) | mmsi[b], "t": t[a],
            "lon": (lon[a] + lon[b]) / 2.0, "lat": (lat[a] + lat[b]) / 2.0,
            "lon_a": lon[a], "lat_a": lat[a], "lon_b": lon[b], "lat_b": lat[b],
            "ts_a": fix_ts[a], "ts_b": fix_ts[b], "dist": dist,
            "nfar": np.where(alongside, 0.0, -1.0),
        }

    def _apply(self, actions: list[tuple[str, Run]]) -> None:
        latest: dict[int, tuple[str, Run]] = {}
        for act, run in actions:
            if run.qualified:
                latest[id(run)] = (act, run)
        for act, run in latest.values():
            self._emit(self._event(run, "closed" if act == "close" else "open"))

    def _event(self, run: Run, status: str) -> Event:
        a, b = run.key >> _MMSI_BITS, run.key & ((1 << _MMSI_BITS) - 1)
        vessels = (a, b)
        fleet = self.fleet
        score = 0.5
        if fleet.is_fishing(a) != fleet.is_fishing(b):
            score += 0.2  # fishing boat with a non-fishing ship: the plan's transfer case
        if fleet.is_small_craft(a) or fleet.is_small_craft(b):
            score += 0.15
        if a not in fleet.static or b not in fleet.static:
            score += 0.1
        score = min(score, 1.0)
        arr = np.asarray(run.track, dtype=np.float64)
        iso, iso_a, iso_b = iso_ms(arr[:, 0]), iso_ms(arr[:, 5]), iso_ms(arr[:, 6])
        la, pa, lb, pb = (np.round(arr[:, c], 6).tolist() for c in (1, 2, 3, 4))
        track: list[dict[str, Any]] = []
        refs: list[tuple[int, str]] = []
        for i, t in enumerate(iso):
            track.append({"mmsi": a, "ts": t, "lon": la[i], "lat": pa[i]})
            track.append({"mmsi": b, "ts": t, "lon": lb[i], "lat": pb[i]})
            refs.append((a, iso_a[i]))
            refs.append((b, iso_b[i]))
        refs = list(dict.fromkeys(refs))
        return Event(
            id=event_id(self.name, self.version, vessels, run.start),
            detector=self.name, version=self.version, kind="encounter", status=status,
            start=ms_to_dt(run.start), end=ms_to_dt(run.last_true), vessels=vessels,
            lon=round6(run.first["lon"]), lat=round6(run.first["lat"]), score=round(score, 3),
            severity=severity_of(score), params=self.params_snapshot, refs=refs, track=track,
            details={"min_distance_m": round(run.extra.get("min_dist", np.nan), 1),
                     "slots": run.n, "fishing": [fleet.is_fishing(a), fleet.is_fishing(b)]},
        )


__all__ = ["EncounterDetector", "EncounterParams"]
