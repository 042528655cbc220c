"""Every detector over every real decoded track table in shared/data, without error.

These recordings are not from Beilun (Los Angeles, Boston, Gothenburg, Suez, the Southern
Ocean), so the Beilun zones match nothing there; what they test is that real, messy data
(missing SOG, odd MMSIs, duplicate timestamps, MMSIs shared by several ships) goes through
every detector, live and batch alike. A few findings are known and asserted.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from jinghai.detect import Event, Fleet, build_detectors
from jinghai.detect.registry import DETECTORS
from jinghai.geo import ZoneIndex, load_demo_zones

DATA = Path(os.environ.get("JINGHAI_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / ".." / "shared" / "data"))
TRACKS = DATA / "tracks"
pytestmark = pytest.mark.skipif(not TRACKS.exists(), reason=f"no shared data at {DATA}")

_COLS = ["mmsi", "ts", "lon", "lat", "sog", "cog", "heading", "nav_status", "msg_type"]


def _frame(**cols: object) -> pd.DataFrame:
    df = pd.DataFrame(cols)
    for c in _COLS:
        if c not in df:
            df[c] = np.nan if c in ("sog", "cog") else {"heading": 511, "nav_status": 15,
                                                        "msg_type": 0}.get(c)
    df = df[_COLS].dropna(subset=["mmsi", "ts", "lon", "lat"])
    df["heading"] = df["heading"].fillna(511).astype("int16")
    df["nav_status"] = pd.to_numeric(df["nav_status"], errors="coerce").fillna(15).astype("int8")
    return df.sort_values("ts", kind="stable").reset_index(drop=True)


def _static(df: pd.DataFrame, mmsi: str, name: str, callsign: str | None, stype: str | None,
            length: str | None = None) -> dict[int, dict[str, object]]:
    cols = {"name": name, "callsign": callsign, "ship_type": stype, "length": length}
    out: dict[int, dict[str, object]] = {}
    last = df.drop_duplicates(mmsi, keep="last")
    for rec in last.to_dict("records"):
        st = {k: rec.get(v) for k, v in cols.items() if v and v in rec}
        if isinstance(st.get("ship_type"), str):
            st["ship_type"] = None
        if st.get("name") is None or (isinstance(st["name"], float) and np.isnan(st["name"])):
            continue
        out[int(rec[mmsi])] = st
    return out


def _gpkg(path: Path) -> pd.DataFrame:
    """GeoPackage points through sqlite3 + shapely: skip the GP header, read the WKB."""
    con = sqlite3.connect(path)
    table = con.execute("select table_name from gpkg_contents").fetchone()[0]
    df = pd.read_sql(f"select * from {table}", con)
    con.close()

    def wkb(b: bytes) -> bytes:
        env = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(b[3] >> 1) & 7]
        return b[8 + env:]
    pts = shapely.from_wkb([wkb(b) for b in df["geom"]])
    df["lon"], df["lat"] = shapely.get_x(pts), shapely.get_y(pts)
    return df


def load_all() -> dict[str, tuple[pd.DataFrame, dict[int, dict[str, object]]]]:
    """name -> (positions in the store's contract, static facts per MMSI)."""
    out = {}
    for path in [TRACKS / "noaa_marinecadastre" / "AIS_2020_01_01_LA_LongBeach.csv",
                 TRACKS / "aisdb" / "test_data_noaa_20230101.csv"]:
        raw = pd.read_csv(path)
        df = _frame(mmsi=raw.MMSI, ts=pd.to_datetime(raw.BaseDateTime, utc=True), lon=raw.LON,
                    lat=raw.LAT, sog=raw.SOG, cog=raw.COG, heading=raw.Heading.clip(0, 511),
                    nav_status=raw.get("Status"),
                    msg_type=np.where(raw.get("TransceiverClass", "A") == "B", 18, 1))
        out[path.stem] = (df, _static(raw, "MMSI", "VesselName", "CallSign", "VesselType",
                                      "Length" if "Length" in raw else None))
    raw = pd.read_csv(TRACKS / "spire_hackthemachine" / "spire_ais_position_messages.csv")
    out["spire"] = (_frame(mmsi=raw.mmsi, ts=pd.to_datetime(raw.timestamp.str.replace(
        " UTC", ""), utc=True), lon=raw.longitude, lat=raw.latitude, sog=raw.speed,
        cog=raw.course, heading=raw.heading.clip(0, 511), nav_status=raw.status,
        msg_type=raw.msg_type), {})
    raw = pd.read_csv(TRACKS / "suez_vesselsvalue" / "boat-positions.csv", encoding="utf-8-sig")
    out["suez"] = (_frame(mmsi=raw.ID, ts=pd.to_datetime(raw.ais_pos_timestamp,
                                                         format="%d/%m/%Y %H:%M", utc=True),
                          lon=raw.longitude, lat=raw.latitude), {})
    raw = _gpkg(TRACKS / "trajectools" / "ais_noaa_boston_2014.gpkg")
    out["boston"] = (_frame(mmsi=raw.mmsi, ts=pd.to_datetime(raw.basedatetime, utc=True),
                            lon=raw.lon, lat=raw.lat, sog=raw.sog, cog=raw.cog,
                            heading=raw.heading.clip(0, 511), nav_status=raw.status), {})
    raw = _gpkg(TRACKS / "trajectools" / "ais_dk_cpa.gpkg")
    out["dk_cpa"] = (_frame(mmsi=raw.MMSI, ts=pd.to_datetime(raw.t, utc=True), lon=raw.lon,
                            lat=raw.lat, sog=raw.SOG, cog=raw.COG),
                     _static(raw, "MMSI", "Name", None, None))
    for p in sorted((DATA / "labels" / "gfw_gpsdio_segment").glob("*.json")):
        raw = pd.DataFrame([json.loads(x) for x in p.read_text().splitlines() if x.strip()])
        raw = raw[(raw.lon.abs() <= 180) & (raw.lat.abs() <= 90)]
        out["gfw_" + p.stem] = (_frame(mmsi=raw.ssvid, ts=pd.to_datetime(raw.timestamp, utc=True),
                                       lon=raw.lon, lat=raw.lat, sog=raw.get("speed"),
                                       cog=raw.get("course")), {})
    return out


@pytest.fixture(scope="module")
def recordings() -> dict[str, tuple[pd.DataFrame, dict[int, dict[str, object]]]]:
    return load_all()


@pytest.fixture(scope="module")
def found(recordings) -> dict[str, dict[str, list[Event]]]:
    zones = ZoneIndex(load_demo_zones())
    res = {}
    for name, (df, static) in recordings.items():
        dets = build_detectors(zones, Fleet.build(static=static))
        res[name] = {d: det.run(df) for d, det in dets.items()}
    return res


def test_every_recording_through_every_detector(recordings, found) -> None:
    assert set(found) == set(recordings)
    for per in found.values():
        assert len(per) == len(DETECTORS)  # every registered detector ran
        for events in per.values():
            for e in events:
                assert e.start <= e.end


def test_live_equals_batch_on_los_angeles(recordings, found) -> None:
    df, static = recordings["AIS_2020_01_01_LA_LongBeach"]
    dets = build_detectors(ZoneIndex(load_demo_zones()), Fleet.build(static=static))
    key = df.ts.astype("int64") // (900 * 10**9)
    for _, chunk in df.groupby(key, sort=True):
        for d in dets.values():
            d.feed(chunk)
    for name, d in dets.items():
        d.flush()
        assert d.events() == found["AIS_2020_01_01_LA_LongBeach"][name], name


def test_known_findings(found) -> None:
    shared = found["gfw_segmented-416000000"]["identity"]
    kinds = {e.kind for e in shared}
    # GFW's ground truth: several ships broadcast 416000000, a MID-plus-zeros default
    assert {"invalid_mmsi", "mmsi_shared"} <= kinds
    # the Gothenburg CPA file is two ships passing: a pass is not an encounter
    assert found["dk_cpa"]["encounter"] == []
    # Suez IDs are anonymised integers, so each is an invalid MMSI
    assert len([e for e in found["suez"]["identity"] if e.kind == "invalid_mmsi"]) == 256
