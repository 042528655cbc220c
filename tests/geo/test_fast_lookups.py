"""The bulk lookups' fast paths give exactly the answers of the exact computation they
stand in for: within_m against haversine_m, ZoneIndex.inside_any's grid against its
point-by-point test, Coastline.near_shore against distance_to_shore_m, and
nearest_point_zone's cell filter against every landing point's distance."""

from __future__ import annotations

import numpy as np
import pytest

from jinghai.detect import synthetic as s
from jinghai.geo import ZoneIndex, ZoneKind, default_coastline, haversine_m, load_demo_zones
from jinghai.geo.metric import sure_m, within_m
from jinghai.geo.zones import HARBOUR_KINDS


def _pairs(seed: int, n: int, lat: tuple[float, float], spread: float):
    rng = np.random.default_rng(seed)
    lon1 = rng.uniform(121.7, 122.4, n)
    lat1 = rng.uniform(*lat, n)
    return lon1, lat1, lon1 + rng.normal(0, spread, n), lat1 + rng.normal(0, spread, n)


@pytest.mark.parametrize("spread", [0.002, 0.01, 0.5])
@pytest.mark.parametrize("lat", [(29.7, 30.1), (-60.0, -59.0), (-0.5, 0.5), (79.0, 80.0)])
def test_within_m_is_the_haversine_test(spread, lat) -> None:
    lon1, lat1, lon2, lat2 = _pairs(1, 200_000, lat, spread)
    h = haversine_m(lon1, lat1, lon2, lat2)
    for d in (100.0, 500.0, *np.quantile(h, [0.1, 0.5, 0.9])):
        np.testing.assert_array_equal(within_m(lon1, lat1, lon2, lat2, d), h <= d)
        below, beyond = sure_m(lon1, lat1, lon2, lat2, d)
        assert (h[below] < d).all() and (h[beyond] > d).all()


def test_within_m_across_the_antimeridian_and_from_one_point() -> None:
    lon1, lat1, lon2, lat2 = _pairs(2, 50_000, (29.7, 30.1), 0.003)
    lon2[:100] = lon1[:100] - 359.999  # 0.001° apart across ±180°
    np.testing.assert_array_equal(within_m(lon1, lat1, lon2, lat2, 500.0),
                                  haversine_m(lon1, lat1, lon2, lat2) <= 500.0)
    np.testing.assert_array_equal(within_m(121.9, 29.9, lon1, lat1, 5000.0),
                                  haversine_m(121.9, 29.9, lon1, lat1) <= 5000.0)


@pytest.fixture(scope="module")
def traffic():
    return s.random_traffic(1500, 0.25, 10.0, seed=11)


@pytest.mark.parametrize("kinds,grow_m", [(HARBOUR_KINDS, 0.0), (HARBOUR_KINDS, 500.0),
                                          (HARBOUR_KINDS, 2000.0),
                                          ([ZoneKind.PORT, ZoneKind.BERTH], 0.0)])
def test_inside_any_grid_is_the_point_test(traffic, kinds, grow_m) -> None:
    zi = ZoneIndex(load_demo_zones())
    pi, _ = zi.contains(traffic.lon, traffic.lat, kinds, grow_m)
    exact = np.zeros(len(traffic), dtype=bool)
    exact[pi] = True
    got = zi.inside_any(traffic.lon, traffic.lat, kinds, grow_m)
    assert 0 < exact.sum() < len(exact)
    np.testing.assert_array_equal(got, exact)


@pytest.mark.parametrize("metres,resolution", [(500.0, 5e-4), (100.0, 1e-4), (2000.0, 1e-4)])
def test_near_shore_is_the_distance_test(traffic, metres, resolution) -> None:
    coast = default_coastline()
    exact = coast.distance_to_shore_m(traffic.lon, traffic.lat, resolution) < metres
    assert 0 < exact.sum() < len(exact)
    np.testing.assert_array_equal(coast.near_shore(traffic.lon, traffic.lat, metres,
                                                   resolution), exact)


def test_nearest_point_zone_is_the_nearest_landing_point(traffic) -> None:
    zi = ZoneIndex(load_demo_zones())
    got, dist = zi.nearest_point_zone(traffic.lon, traffic.lat, [ZoneKind.LANDING_POINT],
                                      1000.0)
    ids = zi.ids_of([ZoneKind.LANDING_POINT])
    d = np.stack([haversine_m(zi.zones[i].geometry.x, zi.zones[i].geometry.y,
                              traffic.lon, traffic.lat) for i in ids])
    best = np.asarray(ids)[np.argmin(d, axis=0)]
    near = d.min(axis=0) <= 1000.0
    assert 0 < near.sum() < len(near)
    np.testing.assert_array_equal(got, np.where(near, best, -1))
    np.testing.assert_array_equal(dist[near], d.min(axis=0)[near])
