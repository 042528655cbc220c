"""Going dark: a vessel falls silent where it should still be heard.

Switching the AIS off hides a rendez-vous or a landing. Silence alone proves nothing —
vessels leave receiver range all the time — so a silence counts only *inside coverage*:
other vessels near the last position were still heard in the first half of the silence,
and other vessels near where it would be by dead reckoning (last SOG/COG) in the second
half (a receiver that dies silences everybody; a ship sailing out of range is not heard
near its predicted position either). The event opens when the
silence reaches ``min_gap_s``, carries the area the vessel could have reached (last speed ×
time, and ``max_speed_kn`` × time), stays open, and closes when the vessel reappears.
The idea follows Welch et al. 2022 ("Hot spots of unseen fishing vessels", Sci. Adv. 8),
which judged AIS disabling by reception quality around the gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from jinghai.detect.base import Detector, DetectorParams, Route, is_night, param, round6
from jinghai.detect.events import Event, event_id, ms_to_dt, severity_of
from jinghai.detect.positions import Positions
from jinghai.geo.metric import KNOT_MS, haversine_m, offset_lonlat
from jinghai.geo.zones import ZoneKind

_JUDGED = "judged"


@dataclass(frozen=True)
class GoingDarkParams(DetectorParams):
    """Parameters of :class:`GoingDarkDetector`.

    min_gap_s: seconds of silence, 3600. Class A reports every ≤ 10 s under way and every
        3 min at anchor, class B every 30 s–3 min (ITU-R M.1371-5): an hour is 20+ missed
        reports even for the slowest, far beyond normal loss inside coverage. (Welch et al.
        2022 used 12 h on the high seas, where satellite revisits set the floor.)
    coverage_radius_m: metres around the last position where other vessels must still be
        heard, 10 000: within that distance of a shore station two vessels share reception
        conditions (class-B range to a shore station is ~10–20 nm).
    min_neighbours: distinct other vessels heard in each half of the silence window, 2.
    max_speed_kn: knots for the outer reachable radius, 30: fast boats used for smuggling.
    """

    min_gap_s: int = param(
        3600, "最短消失时长", "秒",
        "船舶静默至少此时长才算关闭AIS",
        "A 类航行中 ≤10 秒、B 类 30 秒–3 分钟报告一次（ITU-R M.1371-5）；1 小时即漏报 20 次以上")
    coverage_radius_m: float = param(
        10_000.0, "覆盖判定半径", "米",
        "最后位置周围此范围内须仍能收到其他船舶",
        "B 类到岸台通信距离约 10–20 海里")
    min_neighbours: int = param(
        2, "邻船数", "艘",
        "静默期前后半段各须收到的其他船舶数",
        "按推理：证明该处有信号覆盖")
    max_speed_kn: float = param(
        30.0, "最高航速", "节",
        "推算可达范围所用航速",
        "走私快艇")


class GoingDarkDetector(Detector):
    name: ClassVar[str] = "going_dark"
    version: ClassVar[str] = "1.0"
    label: ClassVar[str] = "关闭AIS（消失）"
    kinds: ClassVar[dict[str, str]] = {"going_dark": "关闭AIS（消失）"}
    routes: ClassVar[tuple[Route, ...]] = (Route("going_dark", ("sea_patrol",)),)
    Params: ClassVar[type[DetectorParams]] = GoingDarkParams
    params: GoingDarkParams

    def __init__(self, params: GoingDarkParams | None = None, **kw: Any) -> None:
        super().__init__(params, **kw)
        self._last: dict[int, tuple[int, float, float, float, int, float]] = {}
        self._state: dict[int, str] = {}  # mmsi -> open event id or _JUDGED for its last fix
        self._buffer = Positions.empty()

    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        p = self.params
        gap_ms = p.min_gap_s * 1000
        pool: list[Positions | None] = [None]

        def coverage(prev: tuple[int, float, float, float, int, float]) -> bool:
            if pool[0] is None:
                allp = Positions.concat([self._buffer, rows])
                pool[0] = allp.take(np.argsort(allp.ts, kind="stable"))
            t, lon, lat, sog, _, cog = prev
            mid = t + gap_ms // 2
            d = (0.0 if math.isnan(sog) else sog) * KNOT_MS * gap_ms / 1000.0
            c = np.radians(0.0 if math.isnan(cog) else cog)
            plon, plat = offset_lonlat(lon, lat, d * np.sin(c), d * np.cos(c))
            return (self._heard(pool[0], mmsi_of[0], lon, lat, t, mid)
                    and self._heard(pool[0], mmsi_of[0], float(plon), float(plat), mid,
                                    t + gap_ms))

        mmsi_of = [0]

        if len(rows):
            n = len(rows)
            first = np.ones(n, dtype=bool)
            first[1:] = rows.mmsi[1:] != rows.mmsi[:-1]
            prev_ts = np.empty(n, dtype=np.int64)
            prev_ts[1:] = rows.ts[:-1]
            fi = np.flatnonzero(first)
            prev_ts[fi] = [self._last.get(m, (rows.ts[i],))[0]
                           for m, i in zip(rows.mmsi[fi].tolist(), fi.tolist(), strict=True)]
            for i in np.flatnonzero(rows.ts - prev_ts >= gap_ms).tolist():
                mmsi = int(rows.mmsi[i])
                if first[i]:
                    prev = self._last[mmsi]
                else:
                    prev = (int(rows.ts[i - 1]), float(rows.lon[i - 1]), float(rows.lat[i - 1]),
                            float(rows.sog[i - 1]), int(rows.msg_type[i - 1]),
                            float(rows.cog[i - 1]))
                    self._state.pop(mmsi, None)
                state = self._state.pop(mmsi, None)
                back = (int(rows.ts[i]), float(rows.lon[i]), float(rows.lat[i]))
                if state == _JUDGED:
                    continue
                if state is None:
                    mmsi_of[0] = mmsi
                    if self._excluded(prev) or not coverage(prev):
                        continue
                self._emit(self._event(mmsi, prev, back[0], back))
            last = np.ones(n, dtype=bool)
            last[:-1] = rows.mmsi[1:] != rows.mmsi[:-1]
            for i in np.flatnonzero(last).tolist():
                m = int(rows.mmsi[i])
                self._last[m] = (int(rows.ts[i]), float(rows.lon[i]), float(rows.lat[i]),
                                 float(rows.sog[i]), int(rows.msg_type[i]), float(rows.cog[i]))
                if int(rows.ts[i]) > int(prev_ts[i]) or first[i]:
                    self._state.pop(m, None)
        for mmsi in sorted(self._last):
            prev = self._last[mmsi]
            if t1 - prev[0] < gap_ms:
                continue
            state = self._state.get(mmsi)
            if state == _JUDGED:
                continue
            mmsi_of[0] = mmsi
            if state is None and (self._excluded(prev) or not coverage(prev)):
                self._state[mmsi] = _JUDGED
                continue
            ev = self._event(mmsi, prev, t1, None)
            self._state[mmsi] = ev.id
            if self._events.get(ev.id) != ev:
                self._emit(ev)
        keep = self._buffer.ts > t1 - gap_ms
        rkeep = rows.ts > t1 - gap_ms
        self._buffer = Positions.concat([self._buffer.take(np.flatnonzero(keep)),
                                         rows.take(np.flatnonzero(rkeep))])

    def _excluded(self, prev: tuple[int, float, float, float, int, float]) -> bool:
        if not len(self.zones):
            return False
        return bool(self.zones.inside_any([prev[1]], [prev[2]],
                                          [ZoneKind.PORT, ZoneKind.BERTH])[0])

    def _heard(self, pool: Positions, mmsi: int, lon: float, lat: float, a: int, b: int
               ) -> bool:
        """At least ``min_neighbours`` other vessels heard within the radius in (a, b]."""
        p = self.params
        lo = np.searchsorted(pool.ts, a, side="right")
        hi = np.searchsorted(pool.ts, b, side="right")
        sl = slice(lo, hi)
        dlat = p.coverage_radius_m / 111_000.0
        dlon = dlat / max(np.cos(np.radians(lat)), 0.01)
        m = ((pool.mmsi[sl] != mmsi) & (np.abs(pool.lat[sl] - lat) <= dlat)
             & (np.abs(pool.lon[sl] - lon) <= dlon))
        idx = np.flatnonzero(m) + lo
        if not len(idx):
            return False
        near = haversine_m(pool.lon[idx], pool.lat[idx], lon, lat) <= p.coverage_radius_m
        return len(np.unique(pool.mmsi[idx[near]])) >= p.min_neighbours

    def _event(self, mmsi: int, prev: tuple[int, float, float, float, int, float], now: int,
               back: tuple[int, float, float] | None) -> Event:
        p = self.params
        t_last, lon, lat, sog, msg_type, _ = prev
        dt_s = (now - t_last) / 1000.0
        sog = 0.0 if math.isnan(sog) else sog
        small = self.fleet.is_small_craft(mmsi, msg_type)
        night = is_night(t_last, 18, 6)
        score = 0.5 + 0.2 * small + 0.1 * night + 0.1 * (mmsi not in self.fleet.static)
        details: dict[str, Any] = {
            "silent_s": dt_s,
            "reach_radius_m": round(sog * KNOT_MS * dt_s, 1),
            "reach_radius_max_m": round(p.max_speed_kn * KNOT_MS * dt_s, 1),
            "last_sog_kn": round(sog, 1),
        }
        refs = [(mmsi, ms_to_dt(t_last).isoformat())]
        track = [{"mmsi": mmsi, "ts": ms_to_dt(t_last).isoformat(), "lon": round6(lon),
                  "lat": round6(lat), "sog": round(sog, 1)}]
        if back is not None:
            moved = float(haversine_m(lon, lat, back[1], back[2]))
            details.update({"reappeared_lon": round6(back[1]), "reappeared_lat": round6(back[2]),
                            "moved_m": round(moved, 1),
                            "implied_speed_kn": round(moved / max(dt_s, 1) / KNOT_MS, 2)})
            refs.append((mmsi, ms_to_dt(back[0]).isoformat()))
            track.append({"mmsi": mmsi, "ts": ms_to_dt(back[0]).isoformat(),
                          "lon": round6(back[1]), "lat": round6(back[2]), "sog": None})
        return Event(
            id=event_id(self.name, self.version, (mmsi,), t_last), detector=self.name,
            version=self.version, kind="going_dark",
            status="closed" if back is not None else "open", start=ms_to_dt(t_last),
            end=ms_to_dt(now), vessels=(mmsi,), lon=round6(lon), lat=round6(lat),
            score=round(min(score, 1.0), 3), severity=severity_of(score),
            params=self.params_snapshot, refs=refs, track=track, details=details)


__all__ = ["GoingDarkDetector", "GoingDarkParams"]
