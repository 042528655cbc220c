"""Every detector over every raw NMEA recording in shared/data, decoded here with pyais.

Decoding belongs to the AIS package (issue 3); this test only needs positions, so it
decodes the position reports (types 1–3, 18, 19, 27) and static data (5, 19, 24) with
pyais directly. Time comes from the IEC 62320 tag block (``c:``), else from the USCG
epoch appended after the checksum, else a Gatehouse ``$PGHP`` time sentence on the line
before, else the sentence's arrival order (one second apart), as the store does for a
sentence without a receiver time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from pyais.stream import FileReaderStream

from jinghai.detect import Fleet, build_detectors
from jinghai.geo import ZoneIndex, load_demo_zones

DATA = Path(os.environ.get("JINGHAI_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / ".." / "shared" / "data"))
NMEA = DATA / "nmea"
pytestmark = pytest.mark.skipif(not NMEA.exists(), reason=f"no shared data at {DATA}")
_USCG_EPOCH = re.compile(rb",(\d{13}|\d{10})(?:,\d{10})?\s*$")
_PGHP = re.compile(rb"^\$PGHP,1,(\d{4}),(\d+),(\d+),(\d+),(\d+),(\d+),(\d+),")
_BASE = pd.Timestamp("2000-01-01", tz="UTC").value // 10**6


def nmea_files() -> list[Path]:
    skip = (".chk", ".json", ".md")
    return sorted(p for p in NMEA.rglob("*") if p.is_file() and not p.name.startswith(
        "LICENSE") and not p.name.endswith(skip) and "LICENSE" not in p.name)


def _pghp_times(path: Path) -> dict[bytes, int]:
    """Sentence -> epoch ms from the $PGHP line before it."""
    out: dict[bytes, int] = {}
    last = None
    for line in path.read_bytes().splitlines():
        m = _PGHP.match(line)
        if m:
            y, mo, d, h, mi, s, ms = (int(x) for x in m.groups())
            last = int(pd.Timestamp(y, mo, d, h, mi, s, ms * 1000, tz="UTC").value // 10**6)
        elif last is not None and b"VDM" in line:
            out[line.strip()] = last
            last = None
    return out


def decode(path: Path) -> tuple[pd.DataFrame, dict[int, dict[str, object]], pd.DataFrame]:
    rows, static, hist = [], {}, []
    pghp = _pghp_times(path)
    stream = iter(FileReaderStream(str(path)))
    i = 0
    while True:
        try:
            msg = next(stream)
        except StopIteration:
            break
        except Exception:  # noqa: BLE001, S112 - a bad sentence never stops a feed
            continue
        i += 1
        try:
            d = msg.decode().asdict()
        except Exception:  # noqa: BLE001, S112 - counted as undecodable by the AIS package
            continue
        ts = None
        try:
            if msg.tag_block is not None:
                msg.tag_block.init()
                ts = msg.tag_block.receiver_timestamp
        except Exception:  # noqa: BLE001
            ts = None
        if ts:
            ts = int(ts) * (1 if int(ts) > 10**11 else 1000)
        else:
            m = _USCG_EPOCH.search(msg.raw)
            if m:
                ts = int(m.group(1)) * (1 if len(m.group(1)) == 13 else 1000)
            else:
                ts = pghp.get(msg.raw.strip(), _BASE + i * 1000)
        mmsi, t = int(d.get("mmsi") or 0), d.get("msg_type")
        if t in (1, 2, 3, 18, 19, 27) and d.get("lon") is not None:
            rows.append({"mmsi": mmsi, "ts": ts, "lon": d["lon"], "lat": d["lat"],
                         "sog": d.get("speed"), "cog": d.get("course"),
                         "heading": d.get("heading") if d.get("heading") is not None else 511,
                         "nav_status": int(d.get("status") or 15), "msg_type": t})
        if t in (5, 19, 24) and d.get("shipname"):
            length = (d.get("to_bow") or 0) + (d.get("to_stern") or 0)
            static[mmsi] = {"name": d["shipname"], "callsign": d.get("callsign"),
                            "ship_type": d.get("ship_type"), "length": length or None}
            hist.append({"mmsi": mmsi, "ts": pd.Timestamp(ts, unit="ms", tz="UTC"),
                         "name": d["shipname"], "callsign": d.get("callsign")})
    df = pd.DataFrame(rows, columns=["mmsi", "ts", "lon", "lat", "sog", "cog", "heading",
                                     "nav_status", "msg_type"])
    df["ts"] = pd.to_datetime(df["ts"].astype("int64"), unit="ms", utc=True)
    df["heading"] = df["heading"].astype("int64").clip(0, 511)
    df = df.sort_values("ts", kind="stable").reset_index(drop=True)
    return df, static, pd.DataFrame(hist, columns=["mmsi", "ts", "name", "callsign"])


def test_every_nmea_recording_through_every_detector() -> None:
    zones = ZoneIndex(load_demo_zones())
    files = nmea_files()
    assert len(files) >= 40
    decoded = 0
    for path in files:
        df, static, hist = decode(path)
        decoded += len(df)
        dets = build_detectors(zones, Fleet.build(static=static), static_history=hist)
        for name, det in dets.items():
            events = det.run(df)
            assert all(e.start <= e.end for e in events), (path, name)
    assert decoded > 10_000
