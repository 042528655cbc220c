"""The fast paths of batch detection give exactly the answers of the code they replaced:
loitering's companion search against its first version (``company_buckets``), and the
suite's shared conversion and sort against detectors run each on its own."""

from __future__ import annotations

import numpy as np
import pytest

from jinghai.detect import Fleet, LoiteringDetector, build_detectors
from jinghai.detect import synthetic as s
from jinghai.detect.base import _shared
from jinghai.detect.loitering import company, company_buckets
from jinghai.detect.positions import to_positions


class ReferenceLoitering(LoiteringDetector):
    company = staticmethod(company_buckets)


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
