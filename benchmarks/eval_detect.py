"""Precision and recall of the detectors on labelled scenarios at real anchorages.

Builds its own tag-blocked NMEA recording (two days around a UTC midnight) off Zhoushan,
with planted findings and planted look-alikes placed from the shipped GFW anchorage list:

positives   three transfers (one across UTC midnight, one under way side by side at
            1.5 kn), a 3 h loiter, a 2.5 h dark gap among traffic, a fake MMSI, one MMSI
            used in two places;
negatives   fly-bys, a parallel transit, pair trawlers, eight ships at anchor at a real
            ZHOUSHAN anchorage (half reporting "at anchor"), a pilot boat alongside a ship
            at harbour speed, through traffic.

Batch: a fresh data directory, ``jinghai init`` (nothing else), ``jinghai ais ingest FILE``,
``jinghai detect run --from … --to …`` — the real CLI in subprocesses; then
the alerts in the database are scored. Live: another fresh ``jinghai init``, the same lines
through the AIS Ingestor whose listener drives the LiveRunner (the path ``jinghai serve``
uses for a feed), flushed at the end of the feed; scored the same way.

An alert is a true positive when its detector, kind and vessels match a planted finding;
recall is per planted finding, precision per alert. Goal: recall ≥ 0.95, precision ≥ 0.9.
Run: python benchmarks/eval_detect.py [--keep]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from pyais import encode_dict

from jinghai.geo.layers import ANCHORAGES_PATH
from jinghai.geo.metric import haversine_m, offset_lonlat

DAY0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
START, END = DAY0 + timedelta(hours=16), DAY0 + timedelta(hours=32)  # 16:00 → 08:00 UTC
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _checksum(body: str) -> str:
    cs = 0
    for ch in body.encode("ascii"):
        cs ^= ch
    return f"{cs:02X}"


@dataclass
class Truth:
    detector: str
    kind: str
    vessels: tuple[int, ...]
    what: str


@dataclass
class Scenario:
    lines: list[tuple[float, str]] = field(default_factory=list)
    truth: list[Truth] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    static: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    def vessel(self, mmsi: int, name: str, ship_type: int) -> None:
        self.static[mmsi] = (name, f"B{mmsi % 100000:05d}", ship_type)

    def fix(self, mmsi: int, t: datetime, lon: float, lat: float, sog: float, cog: float,
            status: int = 0) -> None:
        msg = {"type": 1, "mmsi": mmsi, "lon": round(lon, 6), "lat": round(lat, 6),
               "speed": round(sog, 1), "course": round(cog % 360, 1),
               "heading": int(cog) % 360, "status": status}
        for line in encode_dict(msg, talker_id="AI", sentence_type="VDM"):
            self.lines.append((t.timestamp(), line))

    def track(self, mmsi: int, t0: datetime, minutes: float, lon: float, lat: float,
              sog: float, cog: float, every_s: int = 60, status: int = 0,
              jitter_m: float = 0.0, rng: np.random.Generator | None = None
              ) -> tuple[float, float]:
        """Straight line at constant speed; returns the end position."""
        n = int(minutes * 60 // every_s)
        for i in range(n + 1):
            d = sog * 1852 / 3600 * i * every_s
            dx, dy = d * math.sin(math.radians(cog)), d * math.cos(math.radians(cog))
            if jitter_m and rng is not None:
                dx, dy = dx + rng.normal(0, jitter_m), dy + rng.normal(0, jitter_m)
            x, y = offset_lonlat(np.array([lon]), np.array([lat]), np.array([dx]),
                                 np.array([dy]))
            self.fix(mmsi, t0 + timedelta(seconds=i * every_s), float(x[0]), float(y[0]),
                     sog, cog, status)
        d = sog * 1852 / 3600 * n * every_s
        x, y = offset_lonlat(np.array([lon]), np.array([lat]),
                             np.array([d * math.sin(math.radians(cog))]),
                             np.array([d * math.cos(math.radians(cog))]))
        return float(x[0]), float(y[0])


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    x, y = offset_lonlat(np.array([lon]), np.array([lat]), np.array([east_m]),
                         np.array([north_m]))
    return float(x[0]), float(y[0])


def build() -> tuple[list[str], list[Truth], list[str]]:
    rng = np.random.default_rng(20261120)
    anch = pd.read_csv(ANCHORAGES_PATH)
    alon, alat = anch.longitude.to_numpy(), anch.latitude.to_numpy()

    sc = Scenario()
    t = START

    # -- positives ------------------------------------------------------------------------
    # T1: a fishing boat alongside a cargo ship, stopped, 70 min, 60 m apart
    p1 = (122.34, 30.17)
    sc.vessel(412400101, "ZHE DAI YU 101", 30)
    sc.vessel(413400101, "HAI YUN 8", 70)
    sc.track(412400101, t + timedelta(hours=1), 70, *p1, 0.4, 80, 60, jitter_m=8, rng=rng)
    sc.track(413400101, t + timedelta(hours=1, seconds=20), 70, *offset(*p1, 60, 0), 0.4,
             80, 60, jitter_m=8, rng=rng)
    sc.truth.append(Truth("encounter", "encounter", (412400101, 413400101),
                          "transfer, stopped, 5 km off the anchorages"))
    # T2: across UTC midnight, 23:35 → 00:45, 80 m apart
    p2 = (122.45, 30.05)
    sc.vessel(412400102, "ZHE DAI YU 102", 30)
    sc.vessel(413400102, "XIN HAI 6", 80)
    mid = DAY0 + timedelta(days=1)
    sc.track(412400102, mid - timedelta(minutes=25), 70, *p2, 0.3, 200, 60, jitter_m=8,
             rng=rng)
    sc.track(413400102, mid - timedelta(minutes=25, seconds=-15), 70, *offset(*p2, 0, 80),
             0.3, 200, 60, jitter_m=8, rng=rng)
    sc.truth.append(Truth("encounter", "encounter", (412400102, 413400102),
                          "transfer across UTC midnight"))
    # T3: side by side under way, 40 m apart at 1.5 kn for 45 min
    p3 = (122.55, 29.95)
    sc.vessel(412400103, "ZHE DAI YU 103", 30)
    sc.vessel(413400103, "HANG TONG 3", 70)
    sc.track(412400103, t + timedelta(hours=5), 45, *p3, 1.5, 45, 30)
    sc.track(413400103, t + timedelta(hours=5, seconds=10), 45, *offset(*p3, 30, -28), 1.5,
             45, 30)
    sc.truth.append(Truth("encounter", "encounter", (412400103, 413400103),
                          "transfer under way, side by side at 1.5 kn"))
    # L1: 3 h loiter, drifting 0.5–1.5 kn, alone
    p4 = (122.62, 30.22)
    sc.vessel(413400104, "MIN JIANG 9", 70)
    lon, lat = p4
    for i in range(181):
        cog = 40 + 60 * math.sin(i / 17)
        sog = 0.5 + 1.0 * abs(math.sin(i / 11))
        lon, lat = offset(lon, lat, sog * 0.514 * 60 * math.sin(math.radians(cog)),
                          sog * 0.514 * 60 * math.cos(math.radians(cog)))
        sc.fix(413400104, t + timedelta(hours=2, minutes=i), lon, lat, sog, cog)
    sc.truth.append(Truth("loitering", "loitering", (413400104,), "3 h loiter at sea"))
    # D1: dark gap of 2.5 h among traffic
    p5 = (122.50, 30.12)
    sc.vessel(413400105, "YUAN HANG 5", 70)
    end = sc.track(413400105, t + timedelta(hours=3), 60, *p5, 8.0, 90, 10)
    sc.track(413400105, t + timedelta(hours=6, minutes=30), 60, *offset(*end, 4000, 0), 8.0,
             90, 10)
    sc.truth.append(Truth("going_dark", "going_dark", (413400105,), "2.5 h dark gap"))
    # through traffic around the dark gap (heard all the time: coverage is good there)
    for k in range(8):
        m = 413400200 + k
        sc.vessel(m, f"TONG DA {k}", 70)
        y = p5[1] + 0.03 * (k % 4 - 1.5)
        x0 = p5[0] - 0.25 if k % 2 == 0 else p5[0] + 0.35
        cog = 90 if k % 2 == 0 else 270
        sc.track(m, t + timedelta(hours=2.5 + 0.75 * k), 150, x0, y, 12.0, cog, 10)
    # I1: a fake MMSI
    sc.vessel(123456789, "UNKNOWN", 30)
    sc.track(123456789, t + timedelta(hours=4), 90, 122.40, 29.88, 7.0, 300, 30)
    sc.truth.append(Truth("identity", "invalid_mmsi", (123456789,), "fake MMSI 123456789"))
    # I2: one MMSI in two places at once
    sc.vessel(413400106, "JIN HAI 16", 70)
    for i in range(60):
        at = t + timedelta(hours=7, minutes=i)
        sc.fix(413400106, at, *offset(122.30, 30.00, 10 * 5.1 * 60 * i / 60, 0), 10.0, 90)
        sc.fix(413400106, at + timedelta(seconds=30),
               *offset(122.30, 30.25, -10 * 5.1 * 60 * i / 60, 0), 10.0, 270)
    sc.truth.append(Truth("identity", "mmsi_shared", (413400106,), "one MMSI in two places"))

    # -- negatives ------------------------------------------------------------------------
    # N1: fly-bys: crossing courses at 10–12 kn, passing within 150 m
    for k in range(3):
        a, b = 413400301 + 2 * k, 413400302 + 2 * k
        sc.vessel(a, f"FEI DU {k}A", 60)
        sc.vessel(b, f"FEI DU {k}B", 70)
        c = (122.35 + 0.08 * k, 29.80)
        t0 = t + timedelta(hours=1 + 3 * k)
        sc.track(a, t0, 40, *offset(*c, -3700, 0), 11.0, 90, 10)
        sc.track(b, t0, 40, *offset(*c, 0, -3700 + 150), 11.0, 0, 10)
    sc.negatives.append("3 fly-bys (crossing at 11 kn within 150 m)")
    # N2: parallel transit: two ships 400 m apart at 8 kn for 2 h
    sc.vessel(413400311, "PING XING 1", 70)
    sc.vessel(413400312, "PING XING 2", 70)
    sc.track(413400311, t + timedelta(hours=8), 120, 122.25, 29.72, 8.0, 60, 10)
    sc.track(413400312, t + timedelta(hours=8), 120, *offset(122.25, 29.72, 0, 400), 8.0,
             60, 10)
    sc.negatives.append("parallel transit (2 ships 400 m apart at 8 kn, 2 h)")
    # N3: pair trawlers: two fishing boats of one flag 600 m apart at 3.5 kn for 3 h
    sc.vessel(412400321, "ZHE PU YU 21", 30)
    sc.vessel(412400322, "ZHE PU YU 22", 30)
    sc.track(412400321, t + timedelta(hours=9), 180, 122.70, 29.90, 3.5, 20, 30)
    sc.track(412400322, t + timedelta(hours=9, seconds=5), 180,
             *offset(122.70, 29.90, 600, 0), 3.5, 20, 30)
    sc.negatives.append("pair trawlers (600 m apart at 3.5 kn, 3 h)")
    # N4: eight ships at anchor at a real ZHOUSHAN anchorage, 10 h
    cnt = [(haversine_m(alon[i], alat[i], alon, alat) < 1500).sum()
           for i in np.flatnonzero(anch.label.to_numpy() == "ZHOUSHAN")]
    zi = np.flatnonzero(anch.label.to_numpy() == "ZHOUSHAN")[int(np.argmax(cnt))]
    ac = (float(alon[zi]), float(alat[zi]))
    for k in range(8):
        m = 413400401 + k
        sc.vessel(m, f"MAO BO {k}", 70 + k % 3 * 10)
        ang = 2 * math.pi * k / 8
        base = offset(*ac, 450 * math.sin(ang), 450 * math.cos(ang))
        for i in range(200):
            sc.fix(m, t + timedelta(minutes=3 * i, seconds=7 * k),
                   *offset(*base, rng.normal(0, 25), rng.normal(0, 25)),
                   float(rng.uniform(0, 0.3)), float(rng.uniform(0, 360)),
                   1 if k % 2 else 0)
    sc.negatives.append(f"8 ships at anchor at GFW anchorage ZHOUSHAN {ac[0]:.4f},{ac[1]:.4f}"
                        " (4 report 'at anchor', 4 do not), 10 h")
    # N5: a pilot boat alongside a ship at 9 kn for 12 minutes
    sc.vessel(413400501, "YIN HANG 1", 50)
    sc.vessel(413400502, "DA CHUAN 2", 70)
    sc.track(413400502, t + timedelta(hours=11), 60, 122.20, 29.85, 9.0, 300, 10)
    sc.track(413400501, t + timedelta(hours=11, minutes=20), 12,
             *offset(*offset(122.20, 29.85, 0, 0), -9.0 * 0.514 * 1200 * math.sin(
                 math.radians(60)) + 30, 9.0 * 0.514 * 1200 * math.cos(math.radians(60))),
             9.0, 300, 10)
    sc.negatives.append("pilot boat alongside a ship at 9 kn for 12 min")

    return _finish(sc), sc.truth, sc.negatives


def _finish(sc: Scenario) -> list[str]:
    from pyais import decode

    first_last: dict[int, list[float]] = {}
    for at, line in sc.lines:
        if ",1,1," in line[:12]:
            m = decode(line).mmsi
            fl = first_last.setdefault(m, [at, at])
            fl[0], fl[1] = min(fl[0], at), max(fl[1], at)
    lines = list(sc.lines)
    for mmsi, (name, callsign, ship_type) in sc.static.items():
        if mmsi not in first_last:
            continue
        at = first_last[mmsi][0] + 5
        while at <= first_last[mmsi][1]:
            msg = {"type": 5, "mmsi": mmsi, "shipname": name, "callsign": callsign,
                   "ship_type": ship_type, "to_bow": 40, "to_stern": 40, "to_port": 6,
                   "to_starboard": 6}
            lines += [(at, x) for x in encode_dict(msg, talker_id="AI", sentence_type="VDM")]
            at += 360
    lines.sort(key=lambda x: x[0])
    out = []
    for at, line in lines:
        body = f"s:eval,c:{int(at)}"
        out.append(f"\\{body}*{_checksum(body)}\\{line}")
    return out


# -- running ---------------------------------------------------------------------------------
def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"JINGHAI_DATA_DIR": str(data_dir), "JINGHAI_DATABASE_URL": ""})
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    r = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def _alerts(data_dir: Path) -> list[tuple[str, str, tuple[int, ...], int]]:
    from sqlalchemy import select

    from jinghai.alerts.models import Alert
    from jinghai.db import make_engine, make_session_factory, session_scope

    engine = make_engine(f"sqlite:///{data_dir / 'jinghai.db'}")
    try:
        with session_scope(make_session_factory(engine)) as s:
            return [(a.detector, a.kind, tuple(sorted(a.vessels)), a.occurrences or 1)
                    for a in s.scalars(select(Alert))]
    finally:
        engine.dispose()


def batch(nmea: Path, work: Path, layers: bool = True) -> tuple[list, float]:
    data = work / ("batch" if layers else "batch-no-layers")
    env = _env(data)
    t0 = time.perf_counter()
    _run([str(BIN / "jinghai"), "init"], env)
    if not layers:  # the control: the shipped anchorages and ports switched off
        for layer in ("gfw_anchorages", "wpi_ports"):
            _run([str(BIN / "jinghai"), "zones", "off", layer, "--layer"], env)
    _run([str(BIN / "jinghai"), "ais", "ingest", str(nmea)], env)
    out = _run([str(BIN / "jinghai"), "detect", "run", "--from",
                START.date().isoformat(), "--to", (END + timedelta(days=1)).date().isoformat()],
               env)
    print("  runner:", out.strip())
    return _alerts(data), time.perf_counter() - t0


def live(lines: list[str], work: Path) -> tuple[list, float]:
    from jinghai.ais.ingest import Ingestor
    from jinghai.ais.store import PositionStore
    from jinghai.alerts.pipeline import LiveRunner
    from jinghai.db import make_engine, make_session_factory, session_scope

    data = work / "live"
    env = _env(data)
    _run([str(BIN / "jinghai"), "init"], env)
    engine = make_engine(f"sqlite:///{data / 'jinghai.db'}")
    factory = make_session_factory(engine)
    t0 = time.perf_counter()
    runner = LiveRunner(lambda: session_scope(factory))
    ing = Ingestor(PositionStore(data / "ais"), factory, max_delay=5.0, batch_rows=2000)
    ing.add_listener(runner.on_positions)
    for line in lines:
        at = float(line.split("c:", 1)[1].split("*", 1)[0])
        ing.feed_line(line, arrived=at, source="eval")
    ing.close()
    runner.flush()  # the feed stopped: what is open is decided, as at the end of a batch
    engine.dispose()
    assert runner.failures == 0, f"{runner.failures} live batches failed"
    return _alerts(data), time.perf_counter() - t0


def score(alerts: list, truth: list[Truth]) -> dict[str, dict[str, float]]:
    dets = sorted({t.detector for t in truth} | {a[0] for a in alerts})
    out = {}
    for det in dets:
        pos = [t for t in truth if t.detector == det]
        got = [a for a in alerts if a[0] == det]
        keys = {(t.kind, tuple(sorted(t.vessels))) for t in pos}
        tp_alerts = [a for a in got if (a[1], a[2]) in keys]
        found = {(a[1], a[2]) for a in tp_alerts}
        out[det] = {"planted": len(pos), "alerts": len(got), "true": len(tp_alerts),
                    "recall": len(found & keys) / len(keys) if keys else float("nan"),
                    "precision": len(tp_alerts) / len(got) if got else float("nan"),
                    "false": [f"{a[1]} {a[2]}" for a in got if (a[1], a[2]) not in keys]}
    return out


def report(name: str, result: dict[str, dict], seconds: float) -> bool:
    print(f"\n{name} ({seconds:.1f} s)")
    print(f"  {'detector':<20}{'planted':>8}{'alerts':>8}{'true':>6}{'recall':>8}"
          f"{'precision':>11}")
    ok = True
    for det, r in result.items():
        rec = "—" if math.isnan(r["recall"]) else f"{r['recall']:.2f}"
        prec = "—" if math.isnan(r["precision"]) else f"{r['precision']:.2f}"
        print(f"  {det:<20}{r['planted']:>8}{r['alerts']:>8}{r['true']:>6}{rec:>8}{prec:>11}")
        for f in r["false"]:
            print(f"      false alarm: {f}")
        if r["planted"] and (r["recall"] < 0.95 or not r["precision"] >= 0.9):
            ok = False
        if not r["planted"] and r["alerts"]:
            ok = False
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="eval-detect-"))
    try:
        lines, truth, negatives = build()
        nmea = work / "eval.nmea"
        nmea.write_text("\n".join(lines) + "\n", encoding="ascii")
        print(f"scenario: {len(lines)} tag-blocked sentences, {START:%Y-%m-%d %H:%M} → "
              f"{END:%Y-%m-%d %H:%M} UTC, {len(truth)} planted findings")
        for t in truth:
            print(f"  + {t.detector}/{t.kind} {t.vessels}: {t.what}")
        for n in negatives:
            print(f"  - {n}")
        b_alerts, b_s = batch(nmea, work)
        l_alerts, l_s = live(lines, work)
        ok_b = report("batch: jinghai init; jinghai ais ingest; jinghai detect run",
                      score(b_alerts, truth), b_s)
        ok_l = report("live: Ingestor → LiveRunner, flushed at the end of the feed",
                      score(l_alerts, truth), l_s)
        c_alerts, c_s = batch(nmea, work, layers=False)
        report("control: batch with the shipped anchorage and port layers switched off",
               score(c_alerts, truth), c_s)
        same = sorted(b_alerts) == sorted(l_alerts)
        print(f"\nlive alerts == batch alerts: {same}")
        print("goal (recall ≥ 0.95, precision ≥ 0.9 per detector, no alert from the others):",
              "met" if ok_b and ok_l else "NOT met")
        return 0 if ok_b and ok_l else 1
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
