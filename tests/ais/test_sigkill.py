"""kill -9 in the middle of ``jinghai ais ingest``, start it again: the store (and the
quarantine and vessel tables) end up exactly as after one clean run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from jinghai.ais.nmea import checksum
from jinghai.ais.store import PositionStore

pytestmark = pytest.mark.slow
COPIES = 30


def _shift_tag(line: str, seconds: int) -> str:
    """``\\c:1565218798*53\\...`` with c: moved on and the tag checksum redone."""
    end = line.find("\\", 1)
    tag = line[1:end].rsplit("*", 1)[0]
    fields = []
    for item in tag.split(","):
        key, _, value = item.partition(":")
        fields.append(f"c:{int(value) + seconds}" if key == "c" else item)
    tag = ",".join(fields)
    return f"\\{tag}*{checksum(tag):02X}\\{line[end + 1:]}"


def _shift_pghp(line: str, years: int) -> str:
    body = line[1:line.index("*")].split(",")
    body[2] = str(int(body[2]) + years)
    body = ",".join(body)
    return f"${body}*{checksum(body):02X}"


def build(path, nmea_dir) -> int:
    """Real recordings (tag-block times, $PGHP times) repeated with shifted times."""
    tagged = (nmea_dir / "kystverket/aisnet_Ais1000Lines.nm4").read_text().splitlines()
    pghp = (nmea_dir / "dma_aislib/stream_example.txt").read_text().splitlines()
    n = 0
    with open(path, "w") as fh:
        for k in range(COPIES):
            fh.writelines(_shift_tag(line, k * 3600) + "\n" for line in tagged)
            # what a feed also carries: a damaged sentence, an empty one, a lost fragment
            fh.write(_shift_tag(tagged[0], k * 3600).replace(",0*", ",1*") + "\n")
            fh.write("!AIVDM,1,1,,B,,0*25\n")
            fh.write("!AIVDM,2,2,9,B,`88888888888880,2*76\n")
            fh.writelines((_shift_pghp(line, k) if line.startswith("$PGHP") else line) + "\n"
                          for line in pghp)
            n += len(tagged) + len(pghp) + 3
    return n


def _run(args, env):
    return subprocess.Popen([sys.executable, "-c", "from jinghai.cli.main import app; app()",
                             "ais", "ingest", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _table_rows(url: str, sql: str):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_and_restart_equals_one_clean_run(backend, tmp_path, nmea_dir,
                                                fresh_database_url):
    big = tmp_path / "big.nmea"
    lines = build(big, nmea_dir)
    env = dict(os.environ, JINGHAI_DATA_DIR=str(tmp_path / "var"))

    def args(name):
        return [str(big), "--store", str(tmp_path / name), "--checkpoint",
                str(tmp_path / f"{name}.json"), "--batch-rows", "2000", "--quiet"]

    clean_db, killed_db = fresh_database_url(backend), fresh_database_url(backend)
    clean = _run(args("clean"), dict(env, JINGHAI_DATABASE_URL=clean_db))
    assert clean.wait(timeout=600) == 0, clean.stderr.read()

    env_killed = dict(env, JINGHAI_DATABASE_URL=killed_db)
    victim = _run(args("killed"), env_killed)
    ckpt = tmp_path / "killed.json"
    progress = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and victim.poll() is None:
        if ckpt.exists():
            state = next(iter(json.loads(ckpt.read_text()).values()))
            progress = state["committed_line"]
            if progress > lines // 4:
                break
        time.sleep(0.01)
    assert victim.poll() is None, "ingest finished before it could be killed"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert 0 < progress < lines
    state = next(iter(json.loads(ckpt.read_text()).values()))
    assert not state["done"]

    again = _run(args("killed"), env_killed)
    assert again.wait(timeout=600) == 0, again.stderr.read()

    query = ("SELECT mmsi, ts, lon, lat, sog, cog, heading, nav_status, msg_type, receivers "
             "FROM positions ORDER BY ALL")
    expected = PositionStore(tmp_path / "clean").query(query)
    got = PositionStore(tmp_path / "killed").query(query)
    assert expected.num_rows > 50_000
    assert got.equals(expected)

    final = {name: next(iter(json.loads((tmp_path / f"{name}.json").read_text()).values()))
             for name in ("clean", "killed")}
    assert final["killed"]["stats"] == final["clean"]["stats"]
    quarantine = ("SELECT reason, origin, line_no, raw FROM ais_quarantine "
                  "ORDER BY line_no, raw, reason")
    vessels = ("SELECT mmsi, name, callsign, imo, ship_type, destination FROM ais_vessels "
               "ORDER BY mmsi")
    for sql in (quarantine, vessels):
        clean_rows = _table_rows(clean_db, sql)
        assert clean_rows  # both runs read the same file, so even the origin is equal
        assert _table_rows(killed_db, sql) == clean_rows
