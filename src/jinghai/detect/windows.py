"""Reading the AIS store's position partitions for the detectors: one UTC day, or one time
window, at a time (``positions/day=YYYY-MM-DD``, the AIS contract), each sorted by time.

Pure pyarrow: the batch pipeline (:mod:`jinghai.alerts.pipeline`) and the partitioned run
(:mod:`jinghai.detect.partition`) read through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds


def open_dataset(store_root: Path) -> ds.Dataset | None:
    root = Path(store_root) / "positions"
    if not root.exists():
        return None
    part = ds.partitioning(pa.schema([("day", pa.string())]), flavor="hive")
    return ds.dataset(str(root), format="parquet", partitioning=part)


def iter_days(store_root: Path, start: datetime, end: datetime) -> Iterator[pa.Table]:
    """Positions in ``[start, end)`` one UTC day at a time, each sorted by time."""
    dataset = open_dataset(store_root)
    if dataset is None:
        return
    day = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    ts_type = dataset.schema.field("ts").type
    lo = pa.scalar(start.astimezone(UTC), type=ts_type)
    hi = pa.scalar(end.astimezone(UTC), type=ts_type)
    stored = set(store_days(store_root))  # days with no partition are not read
    while day <= last:
        if day not in stored:
            day += timedelta(days=1)
            continue
        flt = ((ds.field("day") == day.isoformat()) & (ds.field("ts") >= lo)
               & (ds.field("ts") < hi))
        table = dataset.to_table(filter=flt)
        if table.num_rows:
            table = table.drop_columns([c for c in ("day",) if c in table.column_names])
            yield table.take(pc.sort_indices(table, [("ts", "ascending")]))
        day += timedelta(days=1)


def iter_windows(store_root: Path, start: datetime, end: datetime,
                 window: timedelta) -> Iterator[pa.Table]:
    """Positions in ``[start, end)`` one time window at a time (never across a UTC day,
    so each read touches one day partition), each sorted by time: fed in order to the same
    detectors, they give the events of :func:`iter_days` while only one window is in
    memory (the filter is pushed down to the Parquet reader: row groups outside the window
    are not read)."""
    if window <= timedelta(0):
        raise ValueError("window must be positive")
    dataset = open_dataset(store_root)
    if dataset is None:
        return
    ts_type = dataset.schema.field("ts").type
    t = start.astimezone(UTC)
    end = end.astimezone(UTC)
    stored = set(store_days(store_root))
    while t < end:
        midnight = datetime.combine(t.date() + timedelta(days=1), datetime.min.time(), UTC)
        if t.date() not in stored:  # a day with no partition: on to the next
            t = min(midnight, end)
            continue
        hi = min(t + window, midnight, end)
        flt = ((ds.field("day") == t.date().isoformat())
               & (ds.field("ts") >= pa.scalar(t, type=ts_type))
               & (ds.field("ts") < pa.scalar(hi, type=ts_type)))
        table = dataset.to_table(filter=flt)
        if table.num_rows:
            table = table.drop_columns([c for c in ("day",) if c in table.column_names])
            yield table.take(pc.sort_indices(table, [("ts", "ascending")]))
        t = hi


def store_days(store_root: Path) -> list[date]:
    root = Path(store_root) / "positions"
    if not root.exists():
        return []
    return sorted(date.fromisoformat(p.name[4:]) for p in root.glob("day=*") if p.is_dir())


__all__ = ["iter_days", "iter_windows", "open_dataset", "store_days"]
