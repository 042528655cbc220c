"""The position store: a Parquet dataset partitioned by UTC day, queried with DuckDB.

Layout ``<root>/positions/day=YYYY-MM-DD/part-<seq>.parquet`` (hive partitioning), so any
engine that reads hive-partitioned Parquet (DuckDB, pyarrow, Spark, Trino) can scan it
partition by partition. Every part is written to a temporary file in the same directory,
fsynced and renamed into place: a reader (or a crash) never sees half a file.

A writer may pass its own ``part`` name: writing the same name again replaces the part,
which is what makes the ingestor's write + checkpoint idempotent after a kill -9.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from jinghai.ais.schema import POSITION_SCHEMA

_DAY_DIR = re.compile(r"^day=(\d{4}-\d{2}-\d{2})$")
_seq_lock = threading.Lock()
_last_seq = 0


def _next_seq() -> str:
    """A part name unique across processes and increasing in time (ns clock + pid)."""
    global _last_seq
    with _seq_lock:
        seq = max(time.time_ns(), _last_seq + 1)
        _last_seq = seq
    return f"{seq:020d}-{os.getpid()}"


class PositionStore:
    """Read and append positions under ``root`` (``settings.resolved_ais_store_dir()``)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.positions_dir = self.root / "positions"

    # -- writing -----------------------------------------------------------------------
    def append(self, table: pa.Table, part: str | None = None) -> list[Path]:
        """Write ``table`` (POSITION_SCHEMA) as one part per UTC day; returns the paths."""
        if table.num_rows == 0:
            return []
        table = table.select(POSITION_SCHEMA.names).cast(POSITION_SCHEMA)
        name = part or _next_seq()
        days = pc.cast(pc.cast(table["ts"], pa.timestamp("us")), pa.date32())
        written = []
        for day in pc.unique(days).to_pylist():
            rows = table.filter(pc.equal(days, pa.scalar(day, pa.date32())))
            directory = self.positions_dir / f"day={day.isoformat()}"
            directory.mkdir(parents=True, exist_ok=True)
            final = directory / f"part-{name}.parquet"
            tmp = directory / f".part-{name}.parquet.tmp"
            pq.write_table(rows, tmp, compression="zstd")
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
            written.append(final)
            _fsync_dir(directory)
        return written

    def compact(self, day: date, min_parts: int = 2) -> int:
        """Merge the parts of ``day`` into one, sorted by (mmsi, ts) so a track reads few
        row groups. A live feed writes a part every few seconds; thousands of small files
        make every scan slow. Returns how many parts were merged (0 if fewer than
        ``min_parts``). Run it on closed days and not while a checkpointed file ingest of
        that day is unfinished (its resume would write its parts again)."""
        directory = self.positions_dir / f"day={day.isoformat()}"
        parts = sorted(directory.glob("part-*.parquet"))
        if len(parts) < min_parts:
            return 0
        table = self._read([str(p) for p in parts]).sort_by([("mmsi", "ascending"),
                                                               ("ts", "ascending")])
        name = f"{_next_seq()}-compact"
        tmp = directory / f".part-{name}.parquet.tmp"
        pq.write_table(table, tmp, compression="zstd", row_group_size=128 * 1024)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, directory / f"part-{name}.parquet")
        for old in parts:
            old.unlink(missing_ok=True)
        _fsync_dir(directory)
        return len(parts)

    def compact_before(self, before: date, min_parts: int = 2) -> dict[date, int]:
        """:meth:`compact` every day before ``before`` (e.g. today: closed days only)."""
        done = {}
        for day in self.days():
            if day < before:
                merged = self.compact(day, min_parts)
                if merged:
                    done[day] = merged
        return done

    # -- reading -----------------------------------------------------------------------
    def days(self) -> list[date]:
        if not self.positions_dir.is_dir():
            return []
        found = []
        for child in self.positions_dir.iterdir():
            m = _DAY_DIR.match(child.name)
            if m and any(child.glob("part-*.parquet")):
                found.append(date.fromisoformat(m.group(1)))
        return sorted(found)

    def _files(self, days: list[date]) -> list[str]:
        files = []
        for day in days:
            files += sorted(str(p) for p in
                            (self.positions_dir / f"day={day.isoformat()}").glob("part-*.parquet"))
        return files

    def _read(self, files: list[str], filt=None) -> pa.Table:
        if not files:
            return POSITION_SCHEMA.empty_table()
        try:
            dataset = ds.dataset(files, schema=POSITION_SCHEMA, format="parquet")
            return dataset.to_table(filter=filt)
        except FileNotFoundError:
            # a compaction replaced the parts after we listed them: list the days again
            dirs = sorted({Path(f).parent for f in files})
            fresh = [str(p) for d in dirs for p in sorted(d.glob("part-*.parquet"))]
            return ds.dataset(fresh, schema=POSITION_SCHEMA, format="parquet").to_table(
                filter=filt)

    def read_day(self, day: date) -> pa.Table:
        return self._read(self._files([day]))

    def scan(self, start: datetime, end: datetime, mmsi: int | None = None) -> pa.Table:
        """Rows with ``start <= ts < end`` (aware datetimes), reading only the days involved."""
        start, end = _utc(start), _utc(end)
        wanted = [d for d in self.days() if start.date() <= d <= end.date()]
        filt = (ds.field("ts") >= pa.scalar(start, POSITION_SCHEMA.field("ts").type)) & (
            ds.field("ts") < pa.scalar(end, POSITION_SCHEMA.field("ts").type))
        if mmsi is not None:
            filt = filt & (ds.field("mmsi") == mmsi)
        return self._read(self._files(wanted), filt)

    def track(self, mmsi: int, start: datetime, end: datetime) -> pa.Table:
        return self.scan(start, end, mmsi).sort_by([("ts", "ascending")])

    def latest(self, since: datetime | None = None) -> pa.Table:
        """The last position of each MMSI (among rows at or after ``since`` if given)."""
        if since is None:
            table = self._read(self._files(self.days()))
        else:
            table = self.scan(since, datetime.now(UTC) + timedelta(days=3650))
        if table.num_rows == 0:
            return table
        table = table.sort_by([("mmsi", "ascending"), ("ts", "descending")])
        mmsi = table["mmsi"].to_numpy()
        first = [0] + [i for i in range(1, len(mmsi)) if mmsi[i] != mmsi[i - 1]]
        return table.take(pa.array(first, pa.int64()))

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` in DuckDB with a view ``positions`` over the whole dataset."""
        con = duckdb.connect()
        try:
            if self.days():
                glob = str(self.positions_dir / "*" / "part-*.parquet")
                con.execute(
                    "CREATE VIEW positions AS SELECT * EXCLUDE (day) FROM read_parquet("
                    f"'{_sql_str(glob)}', hive_partitioning = 1)")
            else:
                con.register("positions", POSITION_SCHEMA.empty_table())
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()


def _sql_str(s: str) -> str:
    return s.replace("'", "''")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the position store")
    return value.astimezone(UTC)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
