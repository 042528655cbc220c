"""Memory of batch detection over a long period: N positions through every detector.

    .venv/bin/python benchmarks/bench_memory.py --positions 2_000_000     # CI-sized, ~1 min
    nice .venv/bin/python benchmarks/bench_memory.py                      # 100 M, ~20–40 min

A synthetic Parquet store (``random_traffic`` continued hour after hour with ``offset_h``,
so tracks run on without a seam; one part file per hour under ``day=YYYY-MM-DD``, as live
ingest writes them) is written in one-hour pieces, so the generator never holds more than
an hour of traffic. Then, in a child process (so its peak RSS is the detection's own),
every detector is fed the store in ``--window-min`` windows with state carried across
windows and days (``iter_windows``, as ``jinghai detect run --window-min``); with
``--drain`` closed events are handed over after each window (``Detector.drain``), as a run
that records them as it goes would, instead of all being held to the end. Printed: the
store's size, positions/s (wall and CPU), the child's peak RSS, and its RSS at the end of
each day (a state that grows with the period shows as a rising line), events per detector.

``--cli`` then runs the real command on the same store, in a child process: ``jinghai init``
into a fresh SQLite database, then ``jinghai detect run --from --to`` over the whole period
(1-hour windows, closed events spilled to disk as they close, every event recorded as an
alert), and prints its peak RSS and time beside the detection-only child above.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

START = datetime(2026, 11, 1, tzinfo=UTC)
GIB = 2**30


def rss_now() -> int:
    """Resident set size of this process now, in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def write_store(root: Path, positions: int, vessels: int, every_s: float) -> tuple[int, float]:
    """A store of about ``positions`` rows, one hour (one part file) at a time; returns the
    rows written and the hours they cover."""
    from jinghai.detect.synthetic import random_traffic

    per_hour = int(3600 / every_s) * vessels
    hours = max(1, -(-positions // per_hour))
    n = 0
    for h in range(hours):
        pos = random_traffic(vessels, 1.0, every_s, start=START, offset_h=float(h))
        ts = pos.ts.astype("datetime64[ms]")
        day = str(ts[0].astype("datetime64[D]"))
        out = root / "positions" / f"day={day}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({
            "mmsi": pos.mmsi, "ts": pa.array(ts.astype("datetime64[us]"),
                                              type=pa.timestamp("us", tz="UTC")),
            "lon": pos.lon, "lat": pos.lat, "sog": pos.sog, "cog": pos.cog,
            "heading": pos.heading, "nav_status": pos.nav_status, "msg_type": pos.msg_type,
            "receivers": pa.array(["b"] * len(pos), type=pa.string())}),
            out / f"part-{h:06d}.parquet")
        n += len(pos)
        del pos, ts
    return n, float(hours)


def phase(root: Path, hours: float, window_min: int, drain: bool) -> dict:
    """Run in the child: every detector over the store in windows."""
    from jinghai.detect import Fleet, build_detectors
    from jinghai.detect.windows import iter_windows
    from jinghai.geo import ZoneIndex, load_demo_zones

    suite = build_detectors(ZoneIndex(load_demo_zones()), Fleet())
    end = START + timedelta(hours=hours)
    cpu, wall = time.process_time(), time.perf_counter()
    n = 0
    per_day: list[tuple[str, int, float]] = []
    drained: dict[str, int] = {}
    day = None
    for table in iter_windows(root, START, end, timedelta(minutes=window_min)):
        d = str(table.column("ts")[0].as_py().date())
        if day is not None and d != day:
            per_day.append((day, n, rss_now() / GIB))
            print(f"  {day}: {n:,} positions so far, RSS {rss_now() / GIB:.2f} GiB",
                  file=sys.stderr, flush=True)
        day = d
        n += table.num_rows
        for det in suite.values():
            det.feed(table)
            if drain:
                drained[det.name] = drained.get(det.name, 0) + len(det.drain())
        del table
    for det in suite.values():
        det.flush()
    per_day.append((day or "", n, rss_now() / GIB))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"n": n, "cpu": cpu, "wall": wall,
            "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB,
            "per_day": per_day,
            "events": {name: len(det.events()) + drained.get(name, 0)
                       for name, det in suite.items()}}


def run_cli(root: Path, hours: float, window_min: int, limit_gib: float,
            detection_peak: float) -> bool:
    """``jinghai detect run`` over the store as a user runs it; True if over the limit."""
    # the installed command's own code, with its peak RSS and CPU printed as it exits
    wrapper = ("import atexit, resource, sys\n"
               "def report():\n"
               "    u = resource.getrusage(resource.RUSAGE_SELF)\n"
               "    print('RUSAGE', u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr)\n"
               "atexit.register(report)\n"
               "from jinghai.cli.main import app\n"
               "app(sys.argv[1:], prog_name='jinghai')\n")
    with tempfile.TemporaryDirectory(prefix="bench-memory-cli-") as data:
        env = {**os.environ, "JINGHAI_DATA_DIR": data, "JINGHAI_AIS_STORE_DIR": str(root),
               "JINGHAI_DATABASE_URL": "", "JINGHAI_DASK_SCHEDULER": ""}
        subprocess.run([sys.executable, "-c", wrapper, "init"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = START + timedelta(hours=hours)
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", wrapper, "detect", "run",
                            "--from", START.isoformat(), "--to", end.isoformat(),
                            "--window-min", str(window_min)],
                           env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
    kib, cpu = [line.split()[1:] for line in r.stderr.splitlines()
                if line.startswith("RUSAGE")][-1]
    peak = int(kib) * 1024 / GIB
    print("\n== jinghai detect run (init'd SQLite database, every event recorded; its own zones "
          "and parameters, so its events differ from the child above) ==")
    print(r.stdout.strip().splitlines()[-1])
    print(f"peak RSS {peak:.2f} GiB in {wall:.0f} s wall / {float(cpu):.0f} s CPU; "
          f"the detection-only child above: "
          f"{detection_peak:.2f} GiB (ratio {peak / detection_peak:.2f}; "
          f"limit {limit_gib:g} GiB: {'within' if peak <= limit_gib else 'OVER'})")
    return peak > limit_gib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--positions", type=lambda s: int(s.replace("_", "")),
                    default=100_000_000)
    ap.add_argument("--vessels", type=int, default=1200,
                    help="vessels at once (1,200 every 10 s ≈ 10.4 M positions a day)")
    ap.add_argument("--every", type=float, default=10.0, help="seconds between reports")
    ap.add_argument("--window-min", type=int, default=60)
    ap.add_argument("--limit-gib", type=float, default=8.0)
    ap.add_argument("--root", type=Path, default=None,
                    help="keep the store here (reused if it already holds one)")
    ap.add_argument("--drain", action="store_true",
                    help="hand over closed events after each window (Detector.drain), as a "
                         "run that records them as it goes")
    ap.add_argument("--cli", action="store_true",
                    help="also run `jinghai init` + `jinghai detect run` over the store and "
                         "print that process's peak RSS")
    ap.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--hours", type=float, default=0.0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        print(json.dumps(phase(a.root, a.hours, a.window_min, a.drain)))
        return
    tmp = None
    root = a.root
    if root is None:
        tmp = tempfile.mkdtemp(prefix="bench-memory-")
        root = Path(tmp)
    try:
        meta = root / "bench_memory.json"
        if meta.exists():
            info = json.loads(meta.read_text())
            n, hours = info["n"], info["hours"]
            print(f"reusing the store at {root}: {n:,} positions, {hours:.0f} h")
        else:
            t = time.perf_counter()
            n, hours = write_store(root, a.positions, a.vessels, a.every)
            meta.write_text(json.dumps({"n": n, "hours": hours}))
            print(f"wrote {n:,} positions ({a.vessels:,} vessels, a report every "
                  f"{a.every:g} s, {hours / 24:.1f} days) in {time.perf_counter() - t:.0f} s; "
                  f"generator peak RSS "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB:.2f} GiB")
        size = sum(p.stat().st_size for p in (root / "positions").rglob("*.parquet"))
        print(f"store {size / GIB:.2f} GiB of Parquet ({size / n:.1f} bytes/position)")
        r = subprocess.run([sys.executable, __file__, "--phase", "--root", str(root),
                            "--hours", str(hours), "--window-min", str(a.window_min),
                            *(["--drain"] if a.drain else [])],
                           stdout=subprocess.PIPE, text=True, check=True)
        res = json.loads(r.stdout.strip().splitlines()[-1])
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / GIB
        rss = [x[2] for x in res["per_day"]]
        print(f"\n== all detectors, {a.window_min}-min windows, state carried"
              f"{', closed events handed over after each window' if a.drain else ''} ==")
        print(f"{res['n']:,} positions in {res['wall']:.0f} s wall / {res['cpu']:.0f} s CPU: "
              f"{res['n'] / res['wall']:,.0f} positions/s wall, "
              f"{res['n'] / res['cpu']:,.0f} positions/CPU s")
        print(f"peak RSS of the detection process {child_peak:.2f} GiB "
              f"(limit {a.limit_gib:g} GiB: {'within' if child_peak <= a.limit_gib else 'OVER'})")
        print(f"RSS at each day's end: first {rss[0]:.2f} GiB, last {rss[-1]:.2f} GiB, "
              f"max {max(rss):.2f} GiB over {len(rss)} days")
        print("events: " + ", ".join(f"{k} {v}" for k, v in res["events"].items()))
        over = child_peak > a.limit_gib
        if a.cli:
            over |= run_cli(root, hours, a.window_min, a.limit_gib, child_peak)
        if over:
            sys.exit(1)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
