"""Benchmark the detectors: batch throughput, memory, live latency, all-pairs baseline.

    .venv/bin/python benchmarks/bench_detect.py            # ≥ 10 M positions, ~3–5 min
    .venv/bin/python benchmarks/bench_detect.py --quick    # a smoke run

What it measures, in one run:

1. Batch throughput (positions/s) of every detector over synthetic Beilun traffic
   (``random_traffic``: vessels on straight courses, 30 % drifting slowly, a report every
   10 s), with the demo zones; the process's peak RSS after each, and the encounter
   detector's peak traced allocation (tracemalloc, numpy included) in a separate run.
2. Live mode: the first ``--live-minutes`` of the same traffic fed in 1-second batches to
   all detectors; for every event opened live, the data-time wait (time of the newest
   position fed when the event came out, minus the time at which the condition was met)
   and the wall time of the ``feed`` call that produced it.
3. The encounter detector's grid pairing against a naive all-pairs-per-slot baseline on a
   smaller subset, in the same run: both must find identical events; the ratio is printed.
4. The same batch on the previous code path (each detector converting and sorting the
   batch itself, loitering's bucket companion search): CPU seconds per detector and the
   ratio, in the same run (``--skip reference`` leaves it out).
5. Both cores: the traffic written to a Parquet store and run as partition plans on local
   processes (``partition.run_processes``): the whole suite on 1, the suite cut in two
   detector groups on 2, and 2 vessel shards plus ``--tile-deg`` tiles with their halo on
   2; positions/s of each and whether the events equal the one-process run.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jinghai.detect import EncounterDetector, Fleet, LoiteringDetector, build_detectors
from jinghai.detect.base import _shared
from jinghai.detect.loitering import company_buckets
from jinghai.detect.partition import TWO_GROUPS, make_plan, run_chain, run_processes
from jinghai.detect.positions import Positions
from jinghai.detect.registry import DETECTORS
from jinghai.detect.synthetic import random_traffic
from jinghai.geo import ZoneIndex, haversine_m, load_demo_zones


class NaiveEncounterDetector(EncounterDetector):
    """The same detector with pairs found by comparing every vessel with every other vessel
    in each slot (O(n²) per slot) instead of the grid."""

    def _close_pairs(self, k, t, lon, lat, mmsi, fix_ts, fast):  # type: ignore[override]
        p = self.params
        d = p.max_distance_m
        order = np.argsort(k, kind="stable")
        ks = k[order]
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        ends = np.r_[starts[1:], len(ks)]
        ii, jj = [], []
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            idx = order[s:e]
            n = len(idx)
            if n < 2:
                continue
            a, b = np.triu_indices(n, 1)
            i, j = idx[a], idx[b]
            self.pairs_tested += len(i)
            dist = haversine_m(lon[i], lat[i], lon[j], lat[j])
            # as the grid detector: under way only counts side by side
            ok = ((dist <= d) & (mmsi[i] != mmsi[j])
                  & ((dist <= p.alongside_max_distance_m) | ~(fast[i] | fast[j])))
            ii.append(i[ok])
            jj.append(j[ok])
        if not ii:
            return {"key": np.empty(0, np.int64)}
        i, j = np.concatenate(ii), np.concatenate(jj)
        dist = haversine_m(lon[i], lat[i], lon[j], lat[j])
        swap = mmsi[i] > mmsi[j]
        a, b = np.where(swap, j, i), np.where(swap, i, j)
        return {"key": (mmsi[a] << 30) | mmsi[b], "t": t[a], "lon": (lon[a] + lon[b]) / 2,
                "lat": (lat[a] + lat[b]) / 2, "lon_a": lon[a], "lat_a": lat[a],
                "lon_b": lon[b], "lat_b": lat[b], "ts_a": fix_ts[a], "ts_b": fix_ts[b],
                "dist": dist,
                "nfar": np.where(dist <= p.alongside_max_distance_m, 0.0, -1.0)}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def head(p: Positions, minutes: float) -> Positions:
    cut = p.ts[0] + int(minutes * 60_000)
    return p.take(np.flatnonzero(p.ts < cut))


def subset(p: Positions, n_vessels: int, hours: float) -> Positions:
    keep = (p.mmsi < p.mmsi.min() + n_vessels) & (p.ts < p.ts[0] + int(hours * 3_600_000))
    return p.take(np.flatnonzero(keep))


class ReferenceLoiteringDetector(LoiteringDetector):
    """Loitering with the companion search it was first written with (time buckets)."""

    company = staticmethod(company_buckets)


def batch(pos: Positions, zones: ZoneIndex, reference: bool = False) -> float:
    """Every detector over ``pos`` in one process; returns the suite's CPU seconds.
    ``reference``: the code path before issue 14's work — each detector converting and
    sorting the batch itself, loitering's bucket search — for the ratio in the same run."""
    label = "previous code path" if reference else "this code"
    print(f"\n== batch ({label}): {len(pos):,} positions, {len(np.unique(pos.mmsi)):,} "
          f"vessels, {(pos.ts[-1] - pos.ts[0]) / 3.6e6:.1f} h ==")
    total = 0.0
    dets = build_detectors(zones, Fleet())
    if reference:
        dets["loitering"] = ReferenceLoiteringDetector(zones=zones, fleet=Fleet())
    for name, det in dets.items():
        gc.collect()
        if reference:
            _shared.clear()
        c, t = time.process_time(), time.perf_counter()
        events = det.run(pos)
        dc, dt = time.process_time() - c, time.perf_counter() - t
        total += dc
        print(f"{name:20s} {dc:7.1f} s CPU ({dt:6.1f} s wall)  {len(pos) / dc:12,.0f} pos/CPU s"
              f"  events {len(events):6d}  peak RSS so far {rss_mb():7,.0f} MiB", flush=True)
        del det, events
    dets.clear()
    _shared.clear()
    print(f"{'all detectors':20s} {total:7.1f} s CPU  {len(pos) / total:12,.0f} positions/CPU s"
          f"  (one process, one core)")
    return total


def write_store(root: Path, pos: Positions) -> None:
    """``pos`` as the AIS store holds it: a part file per hour under ``day=``."""
    ts = pos.ts.astype("datetime64[ms]")
    hour = (pos.ts - pos.ts.min()) // 3_600_000
    for k in np.unique(hour):
        sel = np.flatnonzero(hour == k)
        day = str(ts[sel[0]].astype("datetime64[D]"))
        out = root / "positions" / f"day={day}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({
            "mmsi": pos.mmsi[sel], "ts": pa.array(ts[sel].astype("datetime64[us]"),
                                                   type=pa.timestamp("us", tz="UTC")),
            "lon": pos.lon[sel], "lat": pos.lat[sel], "sog": pos.sog[sel],
            "cog": pos.cog[sel], "heading": pos.heading[sel],
            "nav_status": pos.nav_status[sel], "msg_type": pos.msg_type[sel]}),
            out / f"part-{int(k):06d}.parquet")


def processes(pos: Positions, zones: ZoneIndex, tile_deg: float, one_cpu: float) -> None:
    """Partition plans read from a Parquet store, on 1 and 2 local processes: the suite cut
    in two detector groups (``partition.TWO_GROUPS``, each reading every position), and
    2 vessel shards plus spatial tiles with their halo. Wall positions/s of each, and the
    events compared with the one-process run."""
    print(f"\n== partitions on local processes: {len(pos):,} positions from a Parquet store ==")
    start = datetime.fromtimestamp(int(pos.ts.min()) // 1000, UTC)
    end = datetime.fromtimestamp(int(pos.ts.max()) // 1000 + 1, UTC)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_store(root, pos)
        reference = None
        walls = {}
        for label, n_proc, kw in (
                ("whole suite, 1 process", 1, {"groups": [tuple(DETECTORS)]}),
                ("2 detector groups, 2 processes", 2, {"groups": TWO_GROUPS}),
                (f"shards + {tile_deg}° tiles, 2 processes", 2, {"tile_deg": tile_deg})):
            p = make_plan(root, start, end, build_detectors(zones, Fleet()), shards=2, **kw)
            gc.collect()
            t = time.perf_counter()
            events, n = run_processes(p, n_proc)
            dt = time.perf_counter() - t
            walls[label] = dt
            same = reference is None or events == reference
            reference = reference or events
            print(f"{label:34s} {dt:7.1f} s wall  {n / dt:12,.0f} positions/s  "
                  f"({len(p.chains)} partitions, {sum(map(len, events.values()))} events, "
                  f"same as 1 process: {same})", flush=True)
            if not same:
                sys.exit(f"{label}: events differ from the one-process run")
        # On a loaded machine the wall clock of 2 processes says little: the CPU seconds
        # of each group, run here one after the other, give the wall 2 idle cores need,
        # and the whole suite's chain, run here too, what one core needs for the same.
        whole = make_plan(root, start, end, build_detectors(zones, Fleet()),
                          groups=[tuple(DETECTORS)])
        c = time.process_time()
        run_chain(whole.chains[0], whole.suite_bytes)
        c_whole = time.process_time() - c
        p = make_plan(root, start, end, build_detectors(zones, Fleet()), groups=TWO_GROUPS)
        cpus = []
        for chain in p.chains:
            c = time.process_time()
            run_chain(chain, p.suite_bytes)
            cpus.append(time.process_time() - c)
        print(f"CPU s per detector group: {', '.join(f'{c:.1f}' for c in cpus)} (whole suite "
              f"in one chain: {c_whole:.1f}); on 2 idle cores: "
              f"{len(pos) / max(cpus):,.0f} positions/s, {c_whole / max(cpus):.2f}x the "
              f"whole suite on one core ({sum(cpus) / max(cpus):.2f}x one core running both "
              f"groups: each group reads and sorts every position)")
        w1 = walls["whole suite, 1 process"]
        print("speed-up over 1 process: " + ", ".join(
            f"{k}: {w1 / v:.2f}x" for k, v in walls.items() if v != w1)
            + f"; in-memory one process: {len(pos) / one_cpu:,.0f} positions/CPU s")


def memory(pos: Positions, zones: ZoneIndex) -> None:
    """tracemalloc slows Python-level code a lot, so it is measured apart from timing, on
    the encounter detector (numpy-heavy, the largest working set)."""
    gc.collect()
    tracemalloc.start()
    EncounterDetector(zones=zones).run(pos)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"encounter detector traced peak allocation over {len(pos):,} positions: "
          f"{peak / 2**20:,.0f} MiB ({peak / len(pos):.0f} bytes/position)")


def live(pos: Positions, zones: ZoneIndex) -> None:
    print(f"\n== live: {len(pos):,} positions fed in 1-s batches to all detectors ==")
    dets = build_detectors(zones, Fleet())
    sec = (pos.ts - pos.ts[0]) // 1000
    cuts = np.flatnonzero(np.r_[True, sec[1:] != sec[:-1]])
    ends = np.r_[cuts[1:], len(sec)]
    waits: list[float] = []
    walls: list[float] = []
    feed_walls: list[float] = []
    seen: set[str] = set()
    t_all = time.perf_counter()
    for s, e in zip(cuts.tolist(), ends.tolist(), strict=True):
        chunk = pos.take(np.arange(s, e))
        newest = int(chunk.ts.max())
        for det in dets.values():
            t = time.perf_counter()
            changed = det.feed(chunk)
            w = time.perf_counter() - t
            feed_walls.append(w)
            for ev in changed:
                if ev.id in seen:
                    continue
                seen.add(ev.id)
                # the event's end when first reported = the position that met the condition
                waits.append((newest - ev.end.timestamp() * 1000) / 1000.0)
                walls.append(w)
    wall_all = time.perf_counter() - t_all
    fw = np.array(feed_walls) * 1000
    print(f"replay {wall_all:.1f} s wall for {(pos.ts[-1] - pos.ts[0]) / 60000:.0f} min of data "
          f"({len(pos) / wall_all:,.0f} pos/s, all detectors)")
    print(f"feed() wall per detector call: p50 {np.percentile(fw, 50):.2f} ms, "
          f"p99 {np.percentile(fw, 99):.1f} ms, max {fw.max():.0f} ms")
    if waits:
        w = np.array(waits)
        ww = np.array(walls) * 1000
        slot = dets["encounter"].params.slot_s
        print(f"events opened live: {len(w)}; message-to-event latency: data-time wait "
              f"from the decisive slot's end p50 {np.percentile(w, 50):.0f} s / p95 "
              f"{np.percentile(w, 95):.0f} s (plus up to {slot} s between the last message "
              f"and the end of its {slot} s slot), processing wall of the feed() that "
              f"emitted it p50 {np.percentile(ww, 50):.0f} ms / max {ww.max():.0f} ms")
    else:
        print("no events opened in the live window")


def baseline(pos: Positions, zones: ZoneIndex) -> None:
    n = len(np.unique(pos.mmsi))
    print(f"\n== encounter: grid vs naive all-pairs, {len(pos):,} positions, {n} vessels ==")
    grid = EncounterDetector(zones=zones)
    t = time.perf_counter()
    eg = grid.run(pos)
    tg = time.perf_counter() - t
    naive = NaiveEncounterDetector(zones=zones)
    t = time.perf_counter()
    en = naive.run(pos)
    tn = time.perf_counter() - t
    same = [e.id for e in eg] == [e.id for e in en]
    print(f"grid   {tg:7.2f} s  {len(pos) / tg:12,.0f} pos/s  pairs tested {grid.pairs_tested:,}")
    print(f"naive  {tn:7.2f} s  {len(pos) / tn:12,.0f} pos/s  pairs tested {naive.pairs_tested:,}")
    print(f"speed-up {tn / tg:.1f}x, same events: {same} ({len(eg)} events)")
    if not same:
        sys.exit("grid and naive encounter results differ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vessels", type=int, default=3500)
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--every", type=float, default=10.0, help="seconds between reports")
    ap.add_argument("--live-minutes", type=float, default=45.0)
    ap.add_argument("--naive-vessels", type=int, default=3500)
    ap.add_argument("--naive-hours", type=float, default=1.0)
    ap.add_argument("--tile-deg", type=float, default=0.25)
    ap.add_argument("--skip", default="", help="sections to leave out, comma-separated: "
                    "naive,live,reference,processes,memory")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    a = ap.parse_args()
    skip = set(filter(None, a.skip.split(",")))
    if a.quick:
        a.vessels, a.hours, a.live_minutes, a.naive_vessels, a.naive_hours = 300, 1, 35, 200, 1
    zones = ZoneIndex(load_demo_zones())
    t = time.perf_counter()
    pos = random_traffic(a.vessels, a.hours, a.every)
    print(f"generated {len(pos):,} positions in {time.perf_counter() - t:.1f} s; "
          f"peak RSS so far {rss_mb():,.0f} MiB")
    if "naive" not in skip:
        baseline(subset(pos, a.naive_vessels, a.naive_hours), zones)
    if "live" not in skip:
        live(head(pos, a.live_minutes), zones)
    cpu = batch(pos, zones)
    if "reference" not in skip:
        ref = batch(pos, zones, reference=True)
        print(f"this code / previous code path: {ref / cpu:.2f}x fewer CPU seconds")
    if "processes" not in skip:
        processes(pos, zones, a.tile_deg, cpu)
    if "memory" not in skip:
        memory(pos, zones)
    print(f"\npeak RSS of the whole run {rss_mb():,.0f} MiB "
          f"(includes the {len(pos) * 44 / 2**20:,.0f} MiB of input columns)")


if __name__ == "__main__":
    main()
