"""Batch detection cut into vessel shards and spatial tiles (one task per partition and
day, state handed from day to day) finds exactly the events of one process: run here and
on a Dask LocalCluster with 2 workers, on the Beilun scenario with a tile edge laid through
a transfer and a transfer across midnight."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jinghai.detect import Fleet, build_detectors
from jinghai.detect import synthetic as s
from jinghai.detect.partition import (
    TWO_GROUPS,
    encounter_halo_m,
    feed_day,
    finish,
    make_plan,
    run_local,
    run_processes,
    start_state,
)
from jinghai.detect.windows import iter_days
from jinghai.geo import ZoneIndex, load_demo_zones

SCHEMA = pa.schema([
    ("mmsi", pa.int64()), ("ts", pa.timestamp("us", tz="UTC")), ("lon", pa.float64()),
    ("lat", pa.float64()), ("sog", pa.float32()), ("cog", pa.float32()),
    ("heading", pa.int16()), ("nav_status", pa.int8()), ("msg_type", pa.int8()),
    ("receivers", pa.string())])


@pytest.fixture(scope="module")
def store(scenario, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ais")
    df = scenario.positions.copy()
    df["receivers"] = "test"
    df["ts"] = df["ts"].dt.as_unit("us")
    for day, part in df.groupby(df["ts"].dt.strftime("%Y-%m-%d"), sort=True):
        d = root / "positions" / f"day={day}"
        d.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(part.reset_index(drop=True), schema=SCHEMA,
                                            preserve_index=False), d / "part-000001.parquet")
    return root


def _suite(scenario):
    fleet = Fleet.build(scenario.own_mmsis, scenario.fishing_mmsis, scenario.static)
    return build_detectors(ZoneIndex(load_demo_zones()), fleet, reports=scenario.reports,
                           static_history=scenario.static_history)


@pytest.fixture(scope="module")
def single(scenario, store):
    """The reference: one process, every day in order (as run_batch does)."""
    suite = _suite(scenario)
    for table in iter_days(store, scenario.t0, scenario.t0 + timedelta(days=2)):
        for det in suite.values():
            det.feed(table)
    for det in suite.values():
        det.flush()
    return {n: sorted(d.events(), key=lambda e: (e.start, e.id)) for n, d in suite.items()}


def _edge_through_transfer(single) -> tuple[float, float]:
    """A grid origin that puts a tile edge between the two vessels of the transfer."""
    enc = [e for e in single["encounter"] if set(e.vessels) == {s.F_TRANSFER, s.C_TRANSFER}]
    assert len(enc) == 1
    return (enc[0].lon - 0.0002, 0.0)


def test_partitions_equal_one_process(scenario, store, single) -> None:
    start, end = scenario.t0, scenario.t0 + timedelta(days=2)
    origin = _edge_through_transfer(single)
    p = make_plan(store, start, end, _suite(scenario), shards=3, tile_deg=0.1, origin=origin)
    kinds = {c[0].part.kind for c in p.chains}
    assert kinds == {"vessels", "tile"} and all(len(c) == 2 for c in p.chains)  # 2 days each
    events, n = run_local(p)
    assert n == len(scenario.positions)
    assert sum(map(len, single.values())) > 10
    assert events == single
    # the transfer on the tile edge is found by both tiles beside it and kept once
    tiles_with_it = 0
    enc_id = next(e.id for e in single["encounter"] if s.F_TRANSFER in e.vessels)
    for chain in p.chains:
        part = chain[0].part
        if part.kind != "tile":
            continue
        state = start_state(part, p.suite_bytes)
        for task in chain:
            state, _ = feed_day(task, state)
        raw = finish(part.__class__(part.kind, part.index, part.detectors,
                                    bbox=(-180.0, -90.0, 180.0, 90.0), halo_m=part.halo_m), state)
        tiles_with_it += any(e.id == enc_id for e in raw["encounter"])
    assert tiles_with_it >= 2
    # the transfer across midnight is one event
    mid = [e for e in events["encounter"] if set(e.vessels) == {s.F_MIDNIGHT, s.C_MIDNIGHT}]
    assert len(mid) == 1 and mid[0].start.date() != mid[0].end.date()


def test_halo_covers_the_encounter_distance(scenario) -> None:
    suite = _suite(scenario)
    assert encounter_halo_m(suite) >= suite["encounter"].params.max_distance_m


@pytest.mark.timeout(300)
def test_dask_local_cluster_with_two_workers_equals_one_process(scenario, store, single) -> None:
    from distributed import Client, LocalCluster

    from jinghai.detect.distributed import run_dask

    start, end = scenario.t0, scenario.t0 + timedelta(days=2)
    p = make_plan(store, start, end, _suite(scenario), shards=2, tile_deg=0.1,
                  origin=_edge_through_transfer(single))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        events, n = run_dask(p, client)
    assert n == len(scenario.positions)
    assert events == single


@pytest.mark.timeout(300)
def test_two_local_processes_equal_one_process(scenario, store, single) -> None:
    start, end = scenario.t0, scenario.t0 + timedelta(days=2)
    p = make_plan(store, start, end, _suite(scenario), shards=2, tile_deg=0.1,
                  origin=_edge_through_transfer(single))
    events, n = run_processes(p, processes=2)
    assert n == len(scenario.positions)
    assert events == single


def test_detector_groups_equal_one_process(scenario, store, single) -> None:
    start, end = scenario.t0, scenario.t0 + timedelta(days=2)
    p = make_plan(store, start, end, _suite(scenario), groups=TWO_GROUPS)
    assert [c[0].part.kind for c in p.chains] == ["group", "group"]
    assert sorted(n for c in p.chains for n in c[0].part.detectors) == sorted(single)
    events, n = run_local(p)
    assert n == len(scenario.positions)  # every group reads them all, counted once
    assert events == single
