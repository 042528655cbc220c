"""Message-to-alert latency live: the planted Beilun scenario replayed through the AIS
Ingestor (NMEA lines, one second of data per flush) into the LiveRunner, which records
alerts in a real SQLite database file. Measured: the wall time of every listener call
(detectors + alert writes + commit), and of those that created alerts. The data-time wait
inside the detectors (up to one 60 s slot) is measured by bench_detect.py.
Run: python benchmarks/bench_alerts.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from pyais import encode_dict
from sqlalchemy import select

from jinghai.ais.ingest import Ingestor
from jinghai.ais.store import PositionStore
from jinghai.alerts.models import Alert
from jinghai.alerts.pipeline import LiveRunner, build_suite
from jinghai.db import session_scope
from jinghai.detect import synthetic as s

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_latency import build_site  # the same site: zones, office user, registry


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    _url, factory = build_site(tmp, copies=1)
    sc = s.beilun_scenario()
    settings = type("S", (), {"own_mmsis": sorted(sc.own_mmsis), "detector_params": {},
                              "alert_webhooks": [], "webhook_urls": [],
                              "alert_escalation_minutes": 15})()
    with session_scope(factory) as x:
        suite = build_suite(x, settings, static=sc.static)
    runner = LiveRunner(lambda: session_scope(factory), settings, suite=suite)
    calls: list[tuple[float, float, int]] = []  # (wall s, newest data ms, alerts before)

    def listener(table) -> None:
        with session_scope(factory) as x:
            before = len(x.scalars(select(Alert.id)).all())
        t = time.perf_counter()
        runner.on_positions(table)
        calls.append((time.perf_counter() - t, table.column("ts")[-1].value / 1000, before))

    store = PositionStore(tmp / "ais")
    ing = Ingestor(store, batch_rows=10**9)
    ing.add_listener(listener)
    lines = []
    for r in sc.positions.itertuples(index=False):
        msg = {"type": 18 if r.msg_type == 18 else 1, "mmsi": int(r.mmsi), "lon": r.lon,
               "lat": r.lat, "speed": 0.0 if np.isnan(r.sog) else float(r.sog),
               "course": float(r.cog), "heading": int(r.heading) % 360}
        lines += [(line, r.ts.timestamp()) for line in encode_dict(msg, talker_id="AI")]
    t_all = time.perf_counter()
    last_sec = None
    for line, at in lines:
        if last_sec is not None and int(at) != last_sec:
            ing.flush()  # the live runtime flushes every second
        ing.feed_line(line, arrived=at, source="bench")
        last_sec = int(at)
    ing.flush()
    ing.close()
    runner.flush()
    wall = time.perf_counter() - t_all
    with session_scope(factory) as x:
        alerts = list(x.scalars(select(Alert)))
        created = sorted(a.created_at for a in alerts)
    walls = np.array([c[0] for c in calls]) * 1000
    print(f"{len(sc.positions):,} positions as {len(lines):,} NMEA lines, {len(calls):,} "
          f"listener batches, {len(alerts)} alerts; replay {wall:.1f} s wall")
    print(f"listener wall per batch (detectors + alerts + commit): p50 "
          f"{np.percentile(walls, 50):.1f} ms, p99 {np.percentile(walls, 99):.1f} ms, "
          f"max {walls.max():.0f} ms")
    grew = [i for i in range(len(calls) - 1) if calls[i + 1][2] > calls[i][2]]
    if grew:
        w = walls[grew]
        print(f"batches that created alerts: {len(grew)}; their wall p50 "
              f"{np.percentile(w, 50):.1f} ms, max {w.max():.0f} ms")
    print(f"first alert created at {created[0].isoformat() if created else '-'}")


if __name__ == "__main__":
    main()
