"""Partitioned batch detection: one process vs the same tasks on Dask with 1 and 2 workers.

    .venv/bin/python benchmarks/bench_dask.py [--vessels 400] [--hours 36] [--tile-deg 1.0]

Synthetic Beilun traffic (``random_traffic``: vessels on straight courses, 30 % drifting,
a report every 30 s) from 12:00 UTC over ``--hours`` (so it crosses midnight), written to a
Parquet store in the AIS layout; then, in one run, every detector over the period:

1. ``run_batch``'s loop in this process (the reference), by whole days and by 1-hour
   windows;
2. the partitioned plan (:mod:`jinghai.detect.partition`) run in this process;
3. the same plan on a Dask ``LocalCluster`` of 1 worker process, then of 2 (one thread
   each; worker processes, so that two cores can work).

Prints positions per wall second for each (worker CPU is in other processes; the machine
is shared, so compare the rows of one run), and checks that every run found the same
events as the reference.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jinghai.detect import Fleet, build_detectors
from jinghai.detect.partition import make_plan, run_local
from jinghai.detect.synthetic import random_traffic
from jinghai.detect.windows import iter_days, iter_windows
from jinghai.geo import ZoneIndex, load_demo_zones


def write_store(root: Path, pos) -> int:
    ts = pos.ts.astype("datetime64[ms]")
    day = ts.astype("datetime64[D]")
    for d in np.unique(day):
        sel = day == d
        table = pa.table({
            "mmsi": pos.mmsi[sel], "ts": pa.array(ts[sel].astype("datetime64[us]"),
                                                   type=pa.timestamp("us", tz="UTC")),
            "lon": pos.lon[sel], "lat": pos.lat[sel], "sog": pos.sog[sel], "cog": pos.cog[sel],
            "heading": pos.heading[sel], "nav_status": pos.nav_status[sel],
            "msg_type": pos.msg_type[sel], "receivers": pa.array(["bench"] * int(sel.sum()))})
        out = root / "positions" / f"day={d!s}"
        out.mkdir(parents=True)
        pq.write_table(table, out / "part-000001.parquet")
    return len(pos.ts)


def suite():
    return build_detectors(ZoneIndex(load_demo_zones()), Fleet())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vessels", type=int, default=400)
    ap.add_argument("--hours", type=float, default=36)
    ap.add_argument("--tile-deg", type=float, default=1.0)
    ap.add_argument("--shards", type=int, default=2)
    args = ap.parse_args()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    end = start + timedelta(hours=args.hours)
    pos = random_traffic(args.vessels, args.hours, every_s=30.0, start=start)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n = write_store(root, pos)
        print(f"{n:,} positions, {args.vessels} vessels, {args.hours} h from {start:%Y-%m-%d %H:%M}Z")

        t = time.perf_counter()
        ref = suite()
        for table in iter_days(root, start, end):
            for det in ref.values():
                det.feed(table)
        for det in ref.values():
            det.flush()
        reference = {k: sorted(d.events(), key=lambda e: (e.start, e.id)) for k, d in ref.items()}
        single = time.perf_counter() - t
        print(f"one process (run_batch loop)     {n / single:>10,.0f} positions/s  "
              f"({single:.1f} s, {sum(map(len, reference.values()))} events)")

        # the tile grid anchored at the traffic's corner (121.70E 29.75N)
        t = time.perf_counter()
        ref_w = suite()
        for table in iter_windows(root, start, end, timedelta(hours=1)):
            for det in ref_w.values():
                det.feed(table)
        for det in ref_w.values():
            det.flush()
        windowed = time.perf_counter() - t
        same = {k: sorted(d.events(), key=lambda e: (e.start, e.id))
                for k, d in ref_w.items()} == reference
        print(f"one process, 1-hour windows      {n / windowed:>10,.0f} positions/s  "
              f"({windowed:.1f} s)  same events: {same}")

        p = make_plan(root, start, end, suite(), shards=args.shards, tile_deg=args.tile_deg,
                      origin=(121.70, 29.75))
        kinds = [c[0].part.kind for c in p.chains]
        print(f"plan: {kinds.count('vessels')} vessel shards, {kinds.count('tile')} tiles, "
              f"{len(p.chains[0])} days each")
        t = time.perf_counter()
        events, _ = run_local(p)
        local = time.perf_counter() - t
        print(f"partitioned, in this process     {n / local:>10,.0f} positions/s  ({local:.1f} s)"
              f"  same events: {events == reference}")

        from distributed import Client, LocalCluster

        from jinghai.detect.distributed import run_dask

        rates = {}
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                client.run(lambda: None)  # workers up before timing
                t = time.perf_counter()
                events, _ = run_dask(p, client)
                wall = time.perf_counter() - t
            rates[workers] = n / wall
            print(f"Dask LocalCluster, {workers} worker(s)     {n / wall:>10,.0f} positions/s  "
                  f"({wall:.1f} s)  same events: {events == reference}")
        print(f"ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x; 2 workers / one "
              f"process (whole days): {rates[2] / (n / single):.2f}x; 2 workers / one process "
              f"(1-hour windows): {rates[2] / (n / windowed):.2f}x")


if __name__ == "__main__":
    main()
