"""The web server under concurrent users, on SQLite and PostgreSQL, beside a static file.

    .venv/bin/python benchmarks/bench_web.py [--clients 50] [--rounds 6] [--db sqlite|postgresql]

For each backend: a fresh database built by the migrations (an operation and one office
user per client), ``jinghai serve`` started as a subprocess on 127.0.0.1 (uvicorn, one
process, as deployed), then ``--clients`` threads each do what a user of the platform does
in a working session, pausing between requests (``--think``, mean seconds; 0 sends the next
request at once, a saturation test rather than a day's work): sign in once (``POST /api/auth/login``, an argon2 verification), then
``--rounds`` rounds of: the entry page ``/``, the map JSON ``/api/map/vessels``, a report
entry draft save (``PUT /api/report/entries/<unit>/<section>/<today>``, a write), and the
static ``/static/css/app.css`` from the same server (the baseline: it touches no database).
The number of requests is bounded (clients x (1 + 4 x rounds)), each with a 60 s timeout,
and all traffic goes to 127.0.0.1. Prints p50 / p95 / max per kind, error counts, and the ratio of the dynamic
requests' p95 to the static file's p95 (goal: 50 clients, 0 errors, ratio <= 3).
PostgreSQL: ``JINGHAI_TEST_POSTGRES_URL`` (as the tests), a database created and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-horse-9"
PG_URL = os.environ.get("JINGHAI_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: The report sections the clients save drafts of (office users may enter any unit's).
ENTRIES = [("bs_beilun", "port_area", "anchorage_patrols"),
           ("coast_guard", "sea_patrol", "personnel")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_site(url: str, users: int) -> None:
    from jinghai.accounts.models import Role
    from jinghai.accounts.schemas import UserIn
    from jinghai.accounts.service import add_user
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.migrate import upgrade
    from jinghai.org.service import init_operation
    from jinghai.org.template import load_template

    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        for i in range(users):
            add_user(s, None, UserIn(username=f"bench{i}", password=PASSWORD, role=Role.OFFICE))
    engine.dispose()


def _pg_database():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"jinghai_bench_web_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc): what the server spent,
    whatever else the shared machine was doing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def run_backend(backend: str, clients: int, rounds: int, think: float) -> dict:
    tmp = tempfile.TemporaryDirectory()
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    else:
        url, drop = _pg_database()
    build_site(url, clients)
    port = _free_port()
    # a file, not a pipe: a server that logs more than a pipe holds must not block on it
    log = open(Path(tmp.name) / "server.log", "w+b")  # noqa: SIM115 - closed below
    env = {**os.environ, "JINGHAI_DATABASE_URL": url, "JINGHAI_DATA_DIR": tmp.name,
           "JINGHAI_AIS_FEEDS": "[]", "JINGHAI_SECRET_KEY": "bench-web-" + "k" * 32,
           # plain HTTP on 127.0.0.1: the session cookie must not be marked Secure
           "JINGHAI_SECURE_COOKIES": "false"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "jinghai"), "serve",
                               "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/static/css/app.css", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit(f"{backend}: server did not start: "
                                 f"{(Path(tmp.name) / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        times: dict[str, list[float]] = {"login": [], "entry": [], "map": [], "save": [],
                                         "static": []}
        errors: dict[str, int] = dict.fromkeys(times, 0)
        lock = threading.Lock()
        start = threading.Barrier(clients)

        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()

        def timed(client: httpx.Client, kind: str, method: str, path: str, **kw):
            t = time.perf_counter()
            r = None
            try:
                r = client.request(method, base + path, timeout=60, **kw)
                ok = r.status_code == 200 and r.url.path != "/login"  # signed out: no page
            except httpx.HTTPError:
                ok = False
            dt = time.perf_counter() - t
            with lock:
                times[kind].append(dt)
                if not ok:
                    errors[kind] += 1
                    if r is not None and errors[kind] <= 3:
                        print(f"  {kind}: HTTP {r.status_code} {r.text[:200]}", file=sys.stderr)
            return r

        def user(i: int) -> None:
            rng = random.Random(i)
            with httpx.Client(follow_redirects=True) as client:
                start.wait()
                r = timed(client, "login", "POST", "/api/auth/login",
                          json={"username": f"bench{i}", "password": PASSWORD})
                csrf = r.json().get("csrf_token", "") if r is not None and r.is_success else ""
                unit, section, figure = ENTRIES[i % len(ENTRIES)]
                for k in range(rounds):
                    time.sleep(rng.uniform(0, 2 * think))
                    timed(client, "entry", "GET", "/")
                    time.sleep(rng.uniform(0, 2 * think))
                    timed(client, "map", "GET", "/api/map/vessels")
                    time.sleep(rng.uniform(0, 2 * think))
                    timed(client, "save", "PUT", f"/api/report/entries/{unit}/{section}/{today}",
                          headers={"X-CSRF-Token": csrf},
                          json={"values": {figure: str(i * rounds + k)}})
                    time.sleep(rng.uniform(0, 2 * think))
                    timed(client, "static", "GET", "/static/css/app.css")

        cpu = _cpu_seconds(server.pid)
        wall = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        wall = time.perf_counter() - wall
        cpu = _cpu_seconds(server.pid) - cpu
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        if drop:
            drop()
        log.close()
        tmp.cleanup()
    return {"times": times, "errors": errors, "wall": wall, "cpu": cpu}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean seconds a user pauses between requests (uniform 0..2x); 0: "
                         "every client sends its next request at once (saturation)")
    ap.add_argument("--db", "--backends", dest="backends", default="sqlite,postgresql",
                    help="sqlite, postgresql or both, comma-separated")
    args = ap.parse_args()
    print("mix per client: 1 login (all clients at once), then per round: entry page, map "
          "JSON, report entry draft save, static file; a pause of uniform(0, "
          f"{2 * args.think:g}) s before each request")
    for backend in args.backends.split(","):
        res = run_backend(backend, args.clients, args.rounds, args.think)
        times, errors = res["times"], res["errors"]
        n = sum(len(v) for v in times.values())
        print(f"\n{backend}: {args.clients} clients, {n} requests in {res['wall']:.1f} s wall; "
              f"server CPU {res['cpu']:.1f} s = {res['cpu'] / n * 1000:.1f} ms per request")
        for kind, values in times.items():
            print(f"  {kind:<7} n={len(values):>4}  p50 {_pct(values, .5) * 1000:8.1f} ms  "
                  f"p95 {_pct(values, .95) * 1000:8.1f} ms  max {max(values) * 1000:8.1f} ms  "
                  f"errors {errors[kind]}")
        static_p95 = _pct(times["static"], .95)
        for label, dynamic in (
                ("all dynamic", times["login"] + times["entry"] + times["map"] + times["save"]),
                ("entry+map+save", times["entry"] + times["map"] + times["save"])):
            print(f"  {label:<16} p50 {statistics.median(dynamic) * 1000:8.1f} ms, p95 "
                  f"{_pct(dynamic, .95) * 1000:8.1f} ms = {_pct(dynamic, .95) / static_p95:.2f}x "
                  "the static file's p95")
        print(f"  login p95 = {_pct(times['login'], .95) / static_p95:.2f}x the static p95 "
              f"(argon2 verification: CPU-bound); errors {sum(errors.values())}")


if __name__ == "__main__":
    main()
