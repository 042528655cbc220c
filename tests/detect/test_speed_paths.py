"""The fast paths of batch detection give exactly the answers of the code they replaced:
loitering's companion search against its first version (``company_buckets``), its
circling test against the sort it was first written with, and the suite's shared
conversion and sort against detectors run each on its own."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from jinghai.detect import Fleet, LoiteringDetector, build_detectors
from jinghai.detect import synthetic as s
from jinghai.detect.base import _shared
from jinghai.detect.loitering import company, company_buckets
from jinghai.detect.positions import Positions, to_positions
from jinghai.geo import haversine_m


class ReferenceLoitering(LoiteringDetector):
    company = staticmethod(company_buckets)


class SortCircling(LoiteringDetector):
    """Circling as first written: the kept fixes and the rows sorted together by one key,
    each row's fix a window back found in that order."""

    def _circling(self, rows, t1):
        p = self.params
        w = p.circling_window_s * 1000
        allp = Positions.concat([self._recent, rows])
        n_old = len(self._recent)
        self._recent = allp.take(np.flatnonzero(allp.ts > t1 - 2 * w))
        out = np.zeros(len(rows), dtype=bool)
        moving = np.flatnonzero(rows.sog > p.max_speed_kn)
        if not len(moving) or not len(allp):
            return out
        _, rank = np.unique(allp.mmsi, return_inverse=True)
        comp = (rank.astype(np.int64).reshape(-1) << 40) | (allp.ts - allp.ts.min())
        order = np.argsort(comp, kind="stable")
        j = np.searchsorted(comp[order], comp[n_old + moving] - w, side="right") - 1
        ok = j >= 0
        ref = order[np.where(ok, j, 0)]
        ok &= (allp.mmsi[ref] == rows.mmsi[moving]) & (allp.ts[ref] >= rows.ts[moving] - 2 * w)
        ok &= allp.sog[ref] > p.max_speed_kn
        d = haversine_m(allp.lon[ref], allp.lat[ref], rows.lon[moving], rows.lat[moving])
        out[moving] = ok & (d <= p.circling_max_disp_m)
        return out


def _circling_traffic(negative: bool) -> Positions:
    """Vessels going round (radius 50–800 m), straight or jittering, 0–6 kn, some fixes
    repeated at the same second; MMSIs negative for some if ``negative``."""
    rng = np.random.default_rng(7)
    cols = []
    for v in range(120):
        m = (-1 if negative and v % 7 == 0 else 1) * (413000000 + v)
        t = np.sort(rng.choice(3 * 3600, size=int(rng.integers(50, 900)), replace=False))
        if v % 5 == 0:
            t = np.sort(np.r_[t, t[::17]])
        t = t.astype(np.int64) * 1000
        lon0, lat0 = rng.uniform(121.8, 122.2), rng.uniform(29.8, 30.0)
        ang = t / 1000.0 * (2 * np.pi / rng.uniform(300, 1500))
        r = rng.uniform(50, 800) / 111_000.0
        lon, lat = [(lon0 + r * np.cos(ang), lat0 + r * np.sin(ang)),
                    (lon0 + t / 1e8, lat0 + t / 2e8),
                    (lon0 + rng.normal(0, 0.003, len(t)), lat0 + rng.normal(0, 0.003, len(t)))
                    ][v % 3]
        sog = rng.uniform(0, 6, len(t)).astype(np.float32)
        sog[rng.random(len(t)) < 0.05] = np.nan
        cols.append((np.full(len(t), m, np.int64), t + 1_700_000_000_000, lon, lat, sog))
    mmsi, ts, lon, lat, sog = (np.concatenate(c) for c in zip(*cols, strict=True))
    n = len(ts)
    pos = Positions(mmsi=mmsi, ts=ts, lon=lon, lat=lat, sog=sog, cog=np.zeros(n, np.float32),
                    heading=np.full(n, 511, np.int16), nav_status=np.full(n, 15, np.int8),
                    msg_type=np.ones(n, np.int8))
    return pos.take(np.argsort(pos.ts, kind="stable"))


@pytest.mark.parametrize("negative", [False, True])
def test_circling_equals_the_sort_search(negative) -> None:
    pos = _circling_traffic(negative)
    found = 0
    for slot_min in (1, 11, 400):
        new, old = LoiteringDetector(), SortCircling()
        slot = slot_min * 60_000
        edges = range(int(pos.ts.min()) // slot * slot, int(pos.ts.max()) + slot, slot)
        for lo, hi in pairwise(edges):
            rows = pos.take(np.flatnonzero((pos.ts > lo) & (pos.ts <= hi))).sorted_by_vessel()
            got = new._circling(rows, hi)
            np.testing.assert_array_equal(got, old._circling(rows, hi))
            found += int(got.sum())
    assert found > 1000


def _slow(pos, kn=3.0):
    return pos.take(np.flatnonzero(pos.sog <= kn)).sorted_by_vessel()


@pytest.mark.parametrize("window_s", [60, 600, 3600])
def test_company_equals_the_bucket_search_on_random_traffic(window_s) -> None:
    pool = _slow(s.random_traffic(800, 1.0, 10.0, seed=3))
    w, d = window_s * 1000, 500.0
    new = company(pool, pool.mmsi, pool.ts, pool.lon, pool.lat, w, d)
    old = company_buckets(pool, pool.mmsi, pool.ts, pool.lon, pool.lat, w, d)
    assert 0 < new.sum() < len(pool)  # some company, not everywhere: the test can fail
    np.testing.assert_array_equal(new, old)


def test_company_equals_the_bucket_search_on_the_scenario(scenario) -> None:
    pos = to_positions(scenario.positions)
    pool = _slow(pos)
    q = pos.take(np.arange(0, len(pos), 3))  # queries that are not all in the pool
    new = company(pool, q.mmsi, q.ts, q.lon, q.lat, 600_000, 500.0)
    old = company_buckets(pool, q.mmsi, q.ts, q.lon, q.lat, 600_000, 500.0)
    assert new.any()
    np.testing.assert_array_equal(new, old)


def test_loitering_events_equal_the_reference_detector(scenario, zones) -> None:
    fleet = Fleet.build(scenario.own_mmsis, scenario.fishing_mmsis, scenario.static)
    traffic = s.random_traffic(600, 2.0, 10.0, seed=5)
    for data in (scenario.positions, traffic):
        new = LoiteringDetector(zones=zones, fleet=fleet).run(data)
        old = ReferenceLoitering(zones=zones, fleet=fleet).run(data)
        assert new
        assert new == old


def test_shared_pass_gives_each_detector_its_own_result(scenario, zones) -> None:
    """Fed in turn (sharing conversion and sort) or each with the cache emptied before
    every call (computing its own), the suite finds the same events."""
    fleet = Fleet.build(scenario.own_mmsis, scenario.fishing_mmsis, scenario.static)
    kw = {"reports": scenario.reports, "static_history": scenario.static_history}
    pieces = [g for _, g in scenario.positions.groupby(
        scenario.positions.ts.astype("int64") // (1800 * 10**9), sort=True)]
    shared = build_detectors(zones, fleet, **kw)
    alone = build_detectors(zones, fleet, **kw)
    for piece in pieces:
        for det in shared.values():
            det.feed(piece)
        for det in alone.values():
            _shared.clear()
            det.feed(piece)
    for name in shared:
        shared[name].flush()
        _shared.clear()
        alone[name].flush()
        assert shared[name].events() == alone[name].events(), name
    assert sum(len(d.events()) for d in shared.values()) > 10


def test_drain_hands_over_closed_events_and_keeps_the_rest(scenario, zones) -> None:
    """Draining after every piece gives, with what stays, exactly the events of a run that
    holds them all; what stays is open."""
    fleet = Fleet.build(scenario.own_mmsis, scenario.fishing_mmsis, scenario.static)
    kw = {"reports": scenario.reports, "static_history": scenario.static_history}
    pieces = [g for _, g in scenario.positions.groupby(
        scenario.positions.ts.astype("int64") // (3600 * 10**9), sort=True)]
    held = build_detectors(zones, fleet, **kw)
    drained = build_detectors(zones, fleet, **kw)
    handed: dict[str, list] = {name: [] for name in drained}
    for piece in pieces:
        for det in held.values():
            det.feed(piece)
        for name, det in drained.items():
            det.feed(piece)
            handed[name] += det.drain()
    for name in held:
        assert all(e.status == "open" for e in drained[name].events())
        held[name].flush()
        drained[name].flush()
        got = sorted(handed[name] + drained[name].events(), key=lambda e: (e.start, e.id))
        assert got == held[name].events(), name
    assert sum(map(len, handed.values())) > 5
