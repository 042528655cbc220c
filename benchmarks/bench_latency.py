"""Message → alert latency, live, through a real ``jinghai serve``.

Two servers run side by side on the same replay (SQLite in a temp dir, each with a TCP AIS
feed configured the way the README says, ``JINGHAI_AIS_FEEDS=[{"url": "tcp://…"}]``):
today's path (``JINGHAI_LIVE_DECIDE_EARLY=true``: a finding is recorded with the batch
that shows it) and the baseline (``false``: the old path, a finding waits for the end of
the detectors' 60 s slot, then for the batch after it).

The replay, over a local TCP socket this script serves: real NMEA sentences
(``../shared/data/nmea``, single-fragment position reports, re-stamped with the send
time) as background traffic, about 20 a second; and crafted sentences (the planted cases of
``jinghai.detect.synthetic.beilun_scenario``, encoded with pyais) that make a zone entry, a
landing approach, an encounter, loitering and going dark, several copies of each, shifted
in time so that their decisive moments fall at different phases of the minute during the
paced part of the replay. Each sentence carries an IEC 61162-450 tag block with its
receiver time and is sent when the wall clock reaches that time (the hours of history
before the decisive moments go at once).

The decisive sentence of each event is found beforehand, in this process, by running the
same detectors (built from the same database) over the same decoded positions one second
at a time and asking when a batch run over what was known would first find it. Measured
per event: the wall time from that sentence's send to the alert row being committed
(polling the database file every 0.1 s). Printed per detector: p50 / p95 / max, today
beside the baseline. Goal: p95 ≤ 5 s. Bounded: under 3 minutes.

Run: .venv/bin/python benchmarks/bench_latency.py [--paced 110] [--flush SECONDS]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyais import decode

from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.ais.ingest import Ingestor
from jinghai.ais.nmea import checksum
from jinghai.ais.store import PositionStore
from jinghai.alerts.pipeline import build_suite
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.detect import synthetic as s
from jinghai.geo.service import seed_demo_zones
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template
from jinghai.schemas import parse
from jinghai.settings import Settings
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("JINGHAI_SHARED_DATA", ROOT / ".." / "shared" / "data")) / "nmea"
H = 3600.0
#: detector -> the planted case's vessels (and what copies of it are built from)
CASES = {
    "zone_rule": [s.INTRUDER],
    "landing_approach": [s.LANDER],
    "encounter": [s.F_TRANSFER, s.C_TRANSFER],
    "loitering": [s.LOITERER],
    "going_dark": [s.DARK],
}
#: vessels heard around the dark boat (its silence is judged inside coverage)
COVERAGE = [413460001 + i for i in range(12)] + list(s.TRANSITS)
COPIES = 4
BACKGROUND_PER_S = 10
MEASURED = set(CASES)


def _epoch_s(ts: pd.Series) -> pd.Series:
    return (ts - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(seconds=1)


def _background_sentences() -> list[str]:
    out = []
    for path in sorted(DATA.glob("*/*")):
        if path.name.startswith("LICENSE") or path.suffix in (".json", ".md", ".chk"):
            continue
        for line in path.read_bytes().decode("latin-1").splitlines():
            line = line.strip().rsplit("\\", 1)[-1]
            if line.startswith("!AIVDM,1,1,") and line.split(",")[5][:1] in "123":
                out.append(line)
    return list(dict.fromkeys(out))  # distinct: the ingestor drops repeats as duplicates


def _tag(station: str, at: int) -> str:
    body = f"s:{station},c:{at}"
    return f"\\{body}*{checksum(body):02X}\\"


def _bits(fields: list[tuple[int, int]]) -> str:
    """6-bit armoured payload of (value, width) fields, signed values two's complement
    (the AIVDM layout, https://gpsd.gitlab.io/gpsd/AIVDM.html)."""
    v = 0
    n = 0
    for value, width in fields:
        v = (v << width) | (value & ((1 << width) - 1))
        n += width
    pad = -n % 6
    v <<= pad
    chars = []
    for i in range((n + pad) // 6 - 1, -1, -1):
        c = (v >> (6 * i)) & 63
        chars.append(chr(c + 48 if c < 40 else c + 56))
    return "".join(chars)


def _encode(row) -> str:
    """A position report (type 1, or 18 for class B) as one VDM sentence. pyais' encoder
    takes 2–3 ms a message on this machine; this takes microseconds, and the first
    sentences are checked against pyais' decoder below."""
    sog = 1023 if np.isnan(row.sog) else round(float(row.sog) * 10)
    cog = 3600 if np.isnan(row.cog) else round(float(row.cog) * 10) % 3600
    lon, lat = round(float(row.lon) * 600_000), round(float(row.lat) * 600_000)
    head = int(row.heading) % 360
    second = int(row.ts_s) % 60
    if int(row.msg_type) == 18:
        fields = [(18, 6), (0, 2), (int(row.mmsi), 30), (0, 8), (sog, 10), (0, 1), (lon, 28),
                  (lat, 27), (cog, 12), (head, 9), (second, 6), (0, 2), (1, 1), (0, 1),
                  (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (0, 20)]
    else:
        fields = [(1, 6), (0, 2), (int(row.mmsi), 30), (int(row.nav_status), 4), (-128, 8),
                  (sog, 10), (0, 1), (lon, 28), (lat, 27), (cog, 12), (head, 9), (second, 6),
                  (0, 2), (0, 3), (0, 1), (0, 19)]
    body = f"AIVDM,1,1,,A,{_bits(fields)},0"
    return f"!{body}*{checksum(body):02X}"


def _check_encoding(rows: pd.DataFrame) -> None:
    for row in rows.head(50).itertuples():
        m = decode(_encode(row))
        assert (m.mmsi, m.msg_type) == (int(row.mmsi), 18 if row.msg_type == 18 else 1)
        assert abs(m.lon - row.lon) < 1e-5 and abs(m.lat - row.lat) < 1e-5, (m, row)
        assert np.isnan(row.sog) or abs(m.speed - row.sog) < 0.051


class FirstKnown:
    """When each event is first known to live detection (fed every position up to a second,
    then probed), found by bisection over the seconds; results per second are cached, so
    events close in time share their runs."""

    def __init__(self, make, positions: pd.DataFrame) -> None:
        self.make, self.pos = make, positions
        self.secs = _epoch_s(positions.ts)
        self._known: dict[int, set[str]] = {}

    def known(self, sec: int) -> set[str]:
        if sec not in self._known:
            det = self.make()
            found = det.feed(self.pos[self.secs <= sec]) + det.probe()
            if sec >= int(self.secs.max()):
                det.flush()
                self.det_at_end = det
            self._known[sec] = {e.id for e in det.events()} | {e.id for e in found}
        return self._known[sec]

    def first(self, event_id: str, lo: int, hi: int) -> int | None:
        grid = sorted(set(self.secs[(self.secs >= lo) & (self.secs <= hi)].tolist()))
        if not grid or event_id not in self.known(grid[-1]):
            return None
        a, b = 0, len(grid) - 1
        while a < b:
            m = (a + b) // 2
            if event_id in self.known(grid[m]):
                b = m
            else:
                a = m + 1
        return grid[a]


def _decisive_scenario_s(positions: pd.DataFrame, detector: str, make, t0) -> float:
    """Scenario time (s) of the position at which the case's first event is decided."""
    found = make().run(positions)
    if not found:
        raise SystemExit(f"{detector}: the planted case gives no event")
    first = min(found, key=lambda e: e.start)
    fk = FirstKnown(make, positions)
    lo = int(first.start.timestamp())
    sec = fk.first(first.id, lo, int(fk.secs.max()))
    return sec - t0.timestamp()


Schedule = list[tuple[int, str, str]]  # (receiver second, station, sentence)


def build_schedule(factory, settings, paced_s: float, t0: int) -> Schedule:
    """Sentences in time order: copies of each case shifted so that their decisive moments
    fall in (T0, T0 + paced_s - 65), with real background traffic from T0 - 10 s."""
    sc = s.beilun_scenario()
    pos = sc.positions.copy()

    with session_scope(factory) as x:
        built = build_suite(x, settings)
    spread = paced_s - 70  # the slot path needs up to a minute and a batch more
    parts = []
    for ci, (detector, vessels) in enumerate(CASES.items()):
        case = pos[pos.mmsi.isin(vessels + (COVERAGE if detector == "going_dark" else []))]
        decisive = _decisive_scenario_s(case, detector, lambda d=detector: _fresh(built[d]),
                                        sc.t0)
        for k in range(COPIES):
            when = t0 + 5 + (ci * COPIES + k) * spread / (len(CASES) * COPIES)
            shift = when - (sc.t0.timestamp() + decisive)
            c = case[case.mmsi.isin(vessels)].copy() if k else case.copy()
            c.loc[c.mmsi.isin(vessels), "mmsi"] += 10 * k
            if detector == "loitering":  # a loiterer with company is not loitering alone
                c["lon"] += 0.015 * k
            c["ts_s"] = _epoch_s(c.ts) + round(shift)
            parts.append(c)
    crafted = pd.concat(parts, ignore_index=True)
    crafted = crafted[crafted.ts_s < t0 + paced_s].sort_values(["ts_s", "mmsi"], kind="stable")
    _check_encoding(crafted)
    schedule = [(int(r.ts_s), "bench", _encode(r)) for r in crafted.itertuples()]
    bg = _background_sentences()
    n = 0
    for sec in range(t0 - 10, t0 + int(paced_s)):
        for _ in range(BACKGROUND_PER_S):
            schedule.append((sec, "real", bg[n % len(bg)]))
            n += 1
    schedule.sort(key=lambda x: x[0])
    return schedule


def _key(detector: str, vessels, start_s: int) -> str:
    """An event told apart without its id (the id holds the start time, which moves with
    the replay's shift): detector, vessels, start."""
    return f"{detector}|{','.join(str(int(v)) for v in sorted(vessels))}|{start_s}"


def _shift(key: str, delta: int) -> str:
    detector, vessels, start = key.split("|")
    return f"{detector}|{vessels}|{int(start) + delta}"


def decisive_times(schedule: Schedule, factory, settings, t0: int, tmp: Path
                   ) -> dict[str, tuple[str, int]]:
    """Per event of the measured detectors first decided after T0 (by :func:`_key`):
    (detector, the send second of its decisive sentence), from the same positions the
    server will see."""
    tables = []
    ing = Ingestor(PositionStore(tmp / "offline"), None)
    ing.add_listener(tables.append)
    ing.feed_lines([_tag(st, sec) + line for sec, st, line in schedule])
    ing.close()
    allp = pa.concat_tables(tables).to_pandas()
    with session_scope(factory) as x:
        suite = build_suite(x, settings)
    pos = allp.sort_values("ts", kind="stable")
    out: dict[str, tuple[str, int]] = {}
    for name in MEASURED:
        fk = FirstKnown(lambda name=name: _fresh(suite[name]), pos)
        end = int(fk.secs.max())
        new = fk.known(end) - fk.known(t0 - 5)
        events = {e.id: e for e in fk.det_at_end.events()}
        for event_id in sorted(new):
            sec = fk.first(event_id, t0 - 5, end)
            e = events.get(event_id)
            if sec is not None and e is not None:
                out[_key(e.detector, e.vessels, int(e.start.timestamp()))] = (name, sec)
    return out


def _fresh(det):
    """A detector like ``det`` with no state (the same parameters, zones, fleet)."""
    return copy.deepcopy(det, {id(getattr(det, a)): getattr(det, a)
                               for a in det._shared_in_probe if hasattr(det, a)})


class Feed:
    """A TCP server sending the schedule to every client, each line at its second."""

    def __init__(self) -> None:
        self.schedule: Schedule = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.sent_at: dict[int, float] = {}  # second -> wall time its first line was sent

    def load(self, schedule: Schedule, delta: int) -> None:
        self.schedule = [(sec + delta, st, line) for sec, st, line in schedule]

    def wait_for(self, clients: int, timeout: float = 90) -> None:
        self.sock.settimeout(timeout)
        while len(self.conns) < clients:
            conn, _ = self.sock.accept()
            self.conns.append(conn)

    def run(self) -> None:
        i = 0
        while i < len(self.schedule):
            sec = self.schedule[i][0]
            delay = sec - time.time()
            if delay > 0:
                time.sleep(delay)
            j = i
            while j < len(self.schedule) and self.schedule[j][0] == sec:
                j += 1
            data = "".join(_tag(st, sec) + line + "\r\n"
                           for _, st, line in self.schedule[i:j]).encode()
            self.sent_at.setdefault(sec, time.time())
            for c in self.conns:
                try:
                    c.sendall(data)
                except OSError:  # a server gone (the run is ending)
                    return
            i = j

    def close(self) -> None:
        for c in self.conns:
            c.close()
        self.sock.close()


def start_server(tmp: Path, url: str, feed_port: int, early: bool, flush_s: float | None
                 ) -> subprocess.Popen:
    with socket.socket() as x:
        x.bind(("127.0.0.1", 0))
        port = x.getsockname()[1]
    env = {**os.environ, "JINGHAI_DATABASE_URL": url, "JINGHAI_DATA_DIR": str(tmp),
           "JINGHAI_SECRET_KEY": "bench-latency-secret-key-0123456789",
           "JINGHAI_AIS_FEEDS": f'[{{"url": "tcp://127.0.0.1:{feed_port}"}}]',
           "JINGHAI_LIVE_DECIDE_EARLY": "true" if early else "false"}
    if flush_s is not None:
        env["JINGHAI_AIS_FLUSH_SECONDS"] = str(flush_s)
    return subprocess.Popen([str(Path(sys.executable).parent / "jinghai"), "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "serve.log", "w"))


def build_site(tmp: Path, copies: int = COPIES) -> tuple[str, object]:
    """A SQLite site with the demo zones, one office user and the scenario's fishing
    vessels in the registry, ``copies`` times over (MMSIs shifted by 10); bench_alerts
    builds its site here too."""
    url = f"sqlite:///{tmp / 'jinghai.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    sc = s.beilun_scenario()
    with session_scope(factory) as x:
        init_operation(x, load_template())
        office = add_user(x, None, UserIn(username="o", password="correct-horse-9", role="office"))
        seed_demo_zones(x)
        for m in sorted(sc.fishing_mmsis):
            for k in range(copies):
                add_vessel(x, office, parse(VesselIn, {"registry_no": f"浙甬渔{(m + 10 * k) % 100000:05d}",
                                       "name": str(m + 10 * k), "mmsi": str(m + 10 * k),
                                       "length_m": "38"}))
    return url, factory


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q * 100)) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paced", type=float, default=110.0,
                    help="seconds of real-time replay around the decisive moments")
    ap.add_argument("--flush", type=float, default=None,
                    help="JINGHAI_AIS_FLUSH_SECONDS for both servers (default: the setting's, 3)")
    args = ap.parse_args()
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    sites = {}
    for early in (True, False):
        tmp = root / ("early" if early else "baseline")
        tmp.mkdir()
        if early:
            sites[early] = (tmp, *build_site(tmp))
        else:  # the same database, copied (its write-ahead log folded in first)
            with sqlite3.connect(sites[True][0] / "jinghai.db") as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            shutil.copy(sites[True][0] / "jinghai.db", tmp / "jinghai.db")
            url = f"sqlite:///{tmp / 'jinghai.db'}"
            sites[early] = (tmp, url, None)
    feed = Feed()
    # the servers start (and connect to the feed) while the replay is prepared
    servers = {e: start_server(sites[e][0], sites[e][1], feed.port, e, args.flush)
               for e in sites}
    print(f"site built in {time.monotonic() - started:.0f} s")
    settings = Settings(database_url=sites[True][1], data_dir=sites[True][0])
    # The schedule is built for a T0 45 s ahead; if preparing it takes longer, it is
    # shifted on
    t0 = int(time.time()) + 45
    schedule = build_schedule(sites[True][2], settings, args.paced, t0)
    print(f"schedule built in {time.monotonic() - started:.0f} s")
    expect = decisive_times(schedule, sites[True][2], settings, t0, root)
    print(f"decisive sentences found in {time.monotonic() - started:.0f} s")
    # by whole minutes: the detectors' slots keep their phase (the encounter detector's
    # grid is per slot)
    delta = max(0, -(-(int(time.time()) + 8 - t0) // 60) * 60)
    expect = {_shift(k, delta): (d, sec + delta) for k, (d, sec) in expect.items()}
    t0 += delta
    print(f"{len(schedule)} sentences ({sum(1 for sec, *_ in schedule if sec < t0 - delta - 10)}"
          f" of history at once), {len(expect)} events to time: "
          + ", ".join(f"{d} {sum(1 for v in expect.values() if v[0] == d)}" for d in CASES)
          + f"; paced part starts in {t0 - time.time():.0f} s")
    feed.load(schedule, delta)
    seen: dict[bool, dict[str, float]] = {e: {} for e in sites}
    try:
        feed.wait_for(len(servers))
        sender = threading.Thread(target=feed.run, daemon=True)
        sender.start()
        dbs = {e: sqlite3.connect(f"file:{sites[e][0] / 'jinghai.db'}?mode=ro", uri=True,
                                  timeout=1) for e in sites}
        end = t0 + args.paced + 5
        while time.time() < end and time.monotonic() - started < 178:
            for e, db in dbs.items():
                try:
                    rows = db.execute("SELECT detector, vessels, event_start FROM alerts")
                    ids = [_key(d, json.loads(v), int(datetime.fromisoformat(t)
                                                      .replace(tzinfo=UTC).timestamp()))
                           for d, v, t in rows]
                except sqlite3.OperationalError:
                    continue
                now = time.time()
                for i in ids:
                    seen[e].setdefault(i, now)
            time.sleep(0.1)
    finally:
        for p in servers.values():
            p.terminate()
        for p in servers.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        feed.close()
    print(f"{'detector':<18} {'n':>3}  {'today p50/p95/max (s)':>24}   "
          f"{'baseline p50/p95/max (s)':>26}  {'missed today/base':>18}")
    for detector in CASES:
        ids = [i for i, v in expect.items() if v[0] == detector]
        row = []
        missed = []
        for e in (True, False):
            lat = [seen[e][i] - feed.sent_at.get(expect[i][1], expect[i][1]) for i in ids
                   if i in seen[e]]
            missed.append(len(ids) - len(lat))
            row.append(f"{_pct(lat, .5):6.1f} /{_pct(lat, .95):6.1f} /{_pct(lat, 1):6.1f}")
        print(f"{detector:<18} {len(ids):>3}  {row[0]:>24}   {row[1]:>26}  "
              f"{missed[0]:>8}/{missed[1]}")
    allt = [seen[True][i] - feed.sent_at.get(v[1], v[1]) for i, v in expect.items()
            if i in seen[True]]
    print(f"all measured, today: p95 {_pct(allt, .95):.1f} s (goal ≤ 5 s); "
          f"wall {time.monotonic() - started:.0f} s; logs in {root}")


if __name__ == "__main__":
    main()
