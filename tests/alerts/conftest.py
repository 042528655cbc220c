"""Alerts fixtures: the Beilun scenario in a store on disk, the demo zones and the
scenario's fishing vessels in the database, and entry reports as owners filed them."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jinghai.detect import synthetic as s
from jinghai.geo.service import seed_demo_zones
from jinghai.portcalls.schemas import PortReportIn
from jinghai.portcalls.service import file_port_report
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

POSITION_SCHEMA = pa.schema([
    ("mmsi", pa.int64()), ("ts", pa.timestamp("us", tz="UTC")), ("lon", pa.float64()),
    ("lat", pa.float64()), ("sog", pa.float32()), ("cog", pa.float32()),
    ("heading", pa.int16()), ("nav_status", pa.int8()), ("msg_type", pa.int8()),
    ("receivers", pa.string())])


def write_store(root: Path, positions) -> Path:
    """The contract's layout: positions/day=YYYY-MM-DD/part-<seq>.parquet, by UTC day."""
    df = positions.copy()
    df["receivers"] = "test"
    df["ts"] = df["ts"].dt.as_unit("us")
    for day, part in df.groupby(df["ts"].dt.strftime("%Y-%m-%d"), sort=True):
        d = root / "positions" / f"day={day}"
        d.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(part.reset_index(drop=True), schema=POSITION_SCHEMA,
                                     preserve_index=False)
        pq.write_table(table, d / "part-000001.parquet")
    return root


@pytest.fixture(scope="session")
def scenario() -> s.Scenario:
    return s.beilun_scenario()


@pytest.fixture(scope="session")
def store(scenario, tmp_path_factory) -> Path:
    return write_store(tmp_path_factory.mktemp("ais"), scenario.positions)


@pytest.fixture()
def beilun(session, office, scenario):
    """Zones, the scenario's fishing vessels in the registry, and F_REPORTED's entry report."""
    seed_demo_zones(session)
    for m in sorted(scenario.fishing_mmsis):
        add_vessel(session, office, VesselIn.model_validate(
            {"registry_no": f"浙甬渔{m % 100000:05d}",
             "name": f"浙甬渔{m % 10000:05d}", "mmsi": str(m),
             "length_m": "38"}))
    file_port_report(session, office, PortReportIn(
        vessel=str(s.F_REPORTED), direction="进港", port="北仑港",
        event_time=scenario.t0 + timedelta(hours=3.5), crew_count=6),
        now=scenario.t0 + timedelta(hours=3.5))
    # a report for the wrong port does not cover the visit to 梅山港区
    file_port_report(session, office, PortReportIn(
        vessel=str(s.F_UNREPORTED), direction="进港", port="port-beilun",
        event_time=scenario.t0 + timedelta(hours=3.5), crew_count=5),
        now=scenario.t0 + timedelta(hours=3.5))
    session.flush()
    return scenario


@pytest.fixture()
def scope(session):
    return lambda: nullcontext(session)
