"""Memory of batch detection: whole days vs time windows, the same events, one run.

    .venv/bin/python benchmarks/bench_windows.py [--vessels 400] [--hours 24] [--window-min 60]

Synthetic traffic (``random_traffic``, a report every 10 s) is written to a Parquet store
with many part files per day, as live ingest writes them (one per ``--part-min`` minutes);
then each mode runs every detector in its own process (so peak RSS is the mode's own):
``run_batch``'s day-at-a-time reading, and ``iter_windows`` with ``--window-min``. Prints
peak RSS, positions per CPU second, and whether the events are identical (by id, status and
times).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

START = datetime(2026, 11, 1, tzinfo=UTC)


def write_store(root: Path, vessels: int, hours: float, part_min: int) -> int:
    from jinghai.detect.synthetic import random_traffic

    pos = random_traffic(vessels, hours, every_s=10.0, start=START)
    ts = pos.ts.astype("datetime64[ms]")
    part = (pos.ts - pos.ts.min()) // (part_min * 60_000)
    for k in np.unique(part):
        sel = part == k
        day = str(ts[sel][0].astype("datetime64[D]"))
        out = root / "positions" / f"day={day}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({
            "mmsi": pos.mmsi[sel], "ts": pa.array(ts[sel].astype("datetime64[us]"),
                                                   type=pa.timestamp("us", tz="UTC")),
            "lon": pos.lon[sel], "lat": pos.lat[sel], "sog": pos.sog[sel], "cog": pos.cog[sel],
            "heading": pos.heading[sel], "nav_status": pos.nav_status[sel],
            "msg_type": pos.msg_type[sel], "receivers": pa.array(["b"] * int(sel.sum()))}),
            out / f"part-{int(k):06d}.parquet")
    return len(pos.ts)


def phase(root: Path, hours: float, window_min: int) -> dict:
    from jinghai.detect import Fleet, build_detectors
    from jinghai.detect.suite import feed_all
    from jinghai.detect.windows import iter_days, iter_windows
    from jinghai.geo import ZoneIndex, load_demo_zones

    suite = build_detectors(ZoneIndex(load_demo_zones()), Fleet())
    end = START + timedelta(hours=hours)
    tables = iter_windows(root, START, end, timedelta(minutes=window_min)) if window_min \
        else iter_days(root, START, end)
    cpu = time.process_time()
    n = feed_all(tables, suite)
    cpu = time.process_time() - cpu
    events = sorted((e.id, e.status, e.start.isoformat(), e.end.isoformat())
                    for d in suite.values() for e in d.events())
    return {"n": n, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            / 1024, "events": events}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vessels", type=int, default=400)
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--window-min", type=int, default=60)
    ap.add_argument("--part-min", type=int, default=10)
    ap.add_argument("--phase", default=None)
    ap.add_argument("--root", type=Path, default=None)
    args = ap.parse_args()
    if args.phase is not None:
        print(json.dumps(phase(args.root, args.hours, int(args.phase))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n = write_store(root, args.vessels, args.hours, args.part_min)
        print(f"{n:,} positions, {args.vessels} vessels, {args.hours} h, a part file per "
              f"{args.part_min} min")
        out = {}
        for label, w in (("whole days", 0), (f"{args.window_min}-min windows", args.window_min)):
            r = subprocess.run([sys.executable, __file__, "--phase", str(w), "--root", str(root),
                                "--hours", str(args.hours)], capture_output=True, text=True,
                               check=True)
            out[label] = json.loads(r.stdout.strip().splitlines()[-1])
            res = out[label]
            print(f"{label:<18} peak RSS {res['peak_mb']:8.0f} MB  {res['n'] / res['cpu']:>10,.0f} "
                  f"positions/CPU s  {len(res['events'])} events")
        a, b = out.values()
        print(f"same events: {a['events'] == b['events']}; peak RSS windows / days: "
              f"{b['peak_mb'] / a['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
