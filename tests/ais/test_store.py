"""The Parquet position store: day partitions, atomic idempotent parts, scans, DuckDB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.dataset as ds

from jinghai.ais.schema import POSITION_SCHEMA
from jinghai.ais.store import PositionStore

T0 = datetime(2026, 11, 28, 23, 59, 0, tzinfo=UTC)


def _table(rows):
    cols = {name: [r[i] for r in rows] for i, name in enumerate(POSITION_SCHEMA.names)}
    return pa.table(cols, schema=POSITION_SCHEMA)


def _rows():
    return [
        (412000001, T0, 121.9, 29.9, 10.5, 90.0, 88, 0, 1, "r1"),
        (412000002, T0 + timedelta(seconds=30), 121.8, 29.8, None, None, 511, 15, 18, "r1,r2"),
        (412000001, T0 + timedelta(minutes=2), 121.95, 29.91, 10.0, 91.0, 90, 0, 1, "r2"),
    ]


def test_append_partitions_by_utc_day_and_reads_back(tmp_path):
    store = PositionStore(tmp_path)
    paths = store.append(_table(_rows()))
    assert sorted(p.parent.name for p in paths) == ["day=2026-11-28", "day=2026-11-29"]
    assert not list(tmp_path.rglob("*.tmp"))
    assert store.days() == [date(2026, 11, 28), date(2026, 11, 29)]
    assert store.read_day(date(2026, 11, 28)).num_rows == 2  # 23:59:00 and 23:59:30
    hive = ds.dataset(tmp_path / "positions", partitioning="hive").to_table()
    assert hive.num_rows == 3


def test_scan_track_latest_and_query(tmp_path):
    store = PositionStore(tmp_path)
    store.append(_table(_rows()))
    assert store.scan(T0, T0 + timedelta(hours=1)).num_rows == 3
    assert store.scan(T0, T0 + timedelta(hours=1), mmsi=412000002).num_rows == 1
    track = store.track(412000001, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert track["lon"].to_pylist() == [121.9, 121.95]
    latest = {r["mmsi"]: r for r in store.latest().to_pylist()}
    assert latest[412000001]["lon"] == 121.95 and latest[412000002]["sog"] is None
    assert store.latest(since=T0 + timedelta(minutes=1)).num_rows == 1
    out = store.query("SELECT mmsi, count(*) AS n FROM positions GROUP BY mmsi ORDER BY mmsi")
    assert out.to_pylist() == [{"mmsi": 412000001, "n": 2}, {"mmsi": 412000002, "n": 1}]


def test_same_part_name_replaces_instead_of_duplicating(tmp_path):
    store = PositionStore(tmp_path)
    store.append(_table(_rows()), part="file-00000001")
    store.append(_table(_rows()), part="file-00000001")
    assert store.query("SELECT count(*) AS n FROM positions").to_pylist() == [{"n": 3}]


def test_empty_store_answers_empty(tmp_path):
    store = PositionStore(tmp_path / "nothing")
    assert store.days() == [] and store.latest().num_rows == 0
    assert store.query("SELECT count(*) AS n FROM positions").to_pylist() == [{"n": 0}]
    assert store.scan(T0, T0 + timedelta(days=1)).schema == POSITION_SCHEMA


def test_compaction_merges_a_days_parts_and_keeps_every_row(tmp_path):
    store = PositionStore(tmp_path)
    for i in range(5):  # a live feed: one small part every few seconds
        rows = [(412000000 + i, T0 - timedelta(hours=1) + timedelta(seconds=s), 121.9, 29.9,
                 1.0, 2.0, 3, 0, 1, "r1") for s in range(10)]
        store.append(_table(rows))
    query = "SELECT * FROM positions ORDER BY mmsi, ts"
    before = store.query(query)
    day = date(2026, 11, 28)
    assert len(list((tmp_path / "positions" / "day=2026-11-28").glob("part-*"))) == 5
    assert store.compact_before(date(2026, 11, 29)) == {day: 5}
    assert len(list((tmp_path / "positions" / "day=2026-11-28").glob("part-*"))) == 1
    assert store.query(query) == before
    assert store.compact(day) == 0  # already one part
    assert store.track(412000003, T0 - timedelta(days=1), T0).num_rows == 10
