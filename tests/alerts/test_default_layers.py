"""Geography out of the box: after a plain init (the operation and the shipped default
layers) a crowd at anchor at a real GFW anchorage raises no encounter and no loitering,
while a transfer 5 km off that anchorage list is found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from jinghai.alerts.pipeline import build_suite
from jinghai.detect.suite import run_all
from jinghai.geo.layers import ANCHORAGES_PATH
from jinghai.geo.metric import haversine_m, offset_lonlat
from jinghai.geo.service import load_zones, seed_default_layers

T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
ANCHORAGE = (122.273628, 29.929656)  # a ZHOUSHAN cell of GFW's list, 24 cells within 1.5 km
TRANSFER = (122.34, 30.17)  # open water, 5.07 km from the nearest GFW anchorage cell
CROWD = [413600001 + i for i in range(8)]
PAIR = (412400001, 413600101)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["ts"] = pd.to_datetime(df["ts"], utc=True)
    return df


def _scenario() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for k, mmsi in enumerate(CROWD):  # 4 h at anchor, class A every 3 min, swinging
        ang = 2 * np.pi * k / len(CROWD)
        lon0, lat0 = offset_lonlat(np.array([ANCHORAGE[0]]), np.array([ANCHORAGE[1]]),
                                   np.array([450 * np.sin(ang)]), np.array([450 * np.cos(ang)]))
        for i in range(80):
            dx, dy = rng.normal(0, 30, 2)
            lon, lat = offset_lonlat(lon0, lat0, np.array([dx]), np.array([dy]))
            rows.append({"mmsi": mmsi, "ts": T0 + timedelta(minutes=3 * i, seconds=k),
                         "lon": float(lon[0]), "lat": float(lat[0]),
                         "sog": float(rng.uniform(0, 0.4)), "cog": float(rng.uniform(0, 360)),
                         "heading": 511, "nav_status": 1 if k % 2 else 0, "msg_type": 1})
    for k, mmsi in enumerate(PAIR):  # 90 min side by side, 40 m apart, drifting slowly
        for i in range(90):
            lon, lat = offset_lonlat(np.array([TRANSFER[0]]), np.array([TRANSFER[1]]),
                                     np.array([40.0 * k + 2.0 * i]), np.array([0.0]))
            rows.append({"mmsi": mmsi, "ts": T0 + timedelta(minutes=i, seconds=5 * k),
                         "lon": float(lon[0]), "lat": float(lat[0]), "sog": 0.3, "cog": 90.0,
                         "heading": 90, "nav_status": 0, "msg_type": 1})
    return _frame(rows)


def test_anchorages_shipped_and_loaded(session, operation) -> None:
    assert seed_default_layers(session) > 200
    assert seed_default_layers(session) == 0  # idempotent: nothing twice
    zones = load_zones(session)
    kinds = {z.kind for z in zones}
    assert {"anchorage", "port"} <= kinds
    anchorage = pd.read_csv(ANCHORAGES_PATH)
    nearest = haversine_m(TRANSFER[0], TRANSFER[1], anchorage.longitude.to_numpy(),
                          anchorage.latitude.to_numpy()).min()
    assert 5000 < nearest < 5200


@pytest.fixture()
def found(session, operation):
    seed_default_layers(session)
    suite = build_suite(session)
    return run_all(_scenario(), suite)


def test_crowd_at_anchor_raises_nothing_transfer_off_it_is_found(found) -> None:
    crowd = set(CROWD)
    for name in ("encounter", "loitering"):
        hits = [e for e in found[name] if set(e.vessels) & crowd]
        assert hits == [], f"{name}: {[e.vessels for e in hits]}"
    pairs = [tuple(sorted(e.vessels)) for e in found["encounter"]]
    assert pairs == [tuple(sorted(PAIR))]
    # the transfer's two vessels keep each other company: not loitering
    assert not [e for e in found["loitering"] if set(e.vessels) & set(PAIR)]


def test_without_the_layers_the_crowd_would_be_flagged(session, operation) -> None:
    """The control: the same crowd with no geography loaded is what the inbox used to show."""
    found = run_all(_scenario(), build_suite(session))
    assert any(set(e.vessels) <= set(CROWD) for e in found["encounter"])


def test_reference_ports_make_no_port_calls(session, operation) -> None:
    """A fishing boat lying in a shipped WPI port circle is in harbour water, but calls
    there are not the owners' reporting duty: no visit, no unreported arrival."""
    seed_default_layers(session)
    rows = [{"mmsi": 412400999, "ts": T0 + timedelta(minutes=i), "lon": 122.10, "lat": 30.0,
             "sog": 0.1, "cog": 0.0, "heading": 511, "nav_status": 5, "msg_type": 1}
            for i in range(120)]  # two hours moored in the WPI 舟山港（定海）circle
    from jinghai.detect.positions import Fleet

    suite = build_suite(session)
    fleet = Fleet.build(fishing_mmsis=[412400999])
    for name in ("port_visit", "unreported_arrival"):
        suite[name].fleet = fleet
    found = run_all(_frame(rows), suite)
    assert found["port_visit"] == [] and found["unreported_arrival"] == []
    assert found["loitering"] == []
