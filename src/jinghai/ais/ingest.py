"""The ingestor: lines in, de-duplicated positions in the store, static data and quarantine
in the database, listeners told after each durable batch.

Speed comes from doing little per line in Python: a file (or a burst of a feed) is read in
chunks whose position reports (types 1-3 and 18, single-part, the bulk of any feed) are
framed, checksummed and decoded at once by :func:`fastpath.decode_buffer`; every line it
leaves (other types, fragments, odd framing, bad checksums) takes the lean lane of
:func:`fastpath.frame_chunk` or the careful :class:`~jinghai.ais.nmea.LineParser`, and
pyais decodes what they carry. Lines are still handled in order (assembly, de-dup: a few
dict operations). Static types go through pyais (:mod:`jinghai.ais.decode`) once per
distinct report; types we keep nothing of are counted, not decoded. ``Ingestor(...,
fast=False)`` sends every line through the line parser and every message through pyais:
the reference the fast path is tested against (it stores the same rows).

De-dup merges the receivers of copies that arrive while the first copy's batch is still
pending; a copy arriving after that batch was written is counted as a duplicate but cannot
add its receiver to the written row (parts are immutable).

Durability (``ingest_file`` with a checkpoint): a batch is written as Parquet parts named
after (file, batch number), renamed into place, and only then is the checkpoint replaced
(atomically) with the line up to which everything is durable, the line a resume must
re-read from (the first fragment of a message still being assembled), the de-dup window and
the counts. After a kill -9 the run restarts from the checkpoint: a batch written but not
checkpointed is written again under the same name (replacing it), quarantine rows past the
checkpoint are deleted and written again, so the result equals one clean run.

Accounting: every line fed is either ignored (blank, comment, other NMEA) or yields
sentences, and every sentence ends in exactly one of ``stored``, ``duplicate``, ``other``
(decoded, nothing to store: static data, base stations, "no position") or a quarantine
reason. ``IngestStats.balanced()`` checks that once the assembler is drained.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from jinghai.ais import fastpath
from jinghai.ais.decode import (
    POSITION_TYPES,
    STATIC_TYPES,
    Decoded,
    decode_payload,
    message_type,
    position_problem,
    position_row,
    static_fields,
)
from jinghai.ais.dedup import Deduper
from jinghai.ais.nmea import Assembler, LineParser, Message, Reject
from jinghai.ais.quarantine import (
    Reason,
    cut_raw,
    forget_quarantine_after,
    forget_quarantine_since,
    last_quarantine_id,
    record_quarantine,
)
from jinghai.ais.schema import POSITION_SCHEMA
from jinghai.ais.store import PositionStore

log = logging.getLogger(__name__)

OUTCOMES = ("stored", "duplicate", "other")
#: A file line without a receiver time is taken to have arrived this long after the one
#: before it (100 lines a second, a busy receiver), counted from the file's modification
#: time: de-dup's 30 s window spans 3,000 such lines.
LINE_SECONDS = 0.01
#: Message types the ingestor decodes; the others are counted as "other".
USED_TYPES = POSITION_TYPES | STATIC_TYPES
STATIC_ONLY = STATIC_TYPES - POSITION_TYPES


@dataclass
class IngestStats:
    lines: int = 0
    ignored: int = 0  # lines without an AIS sentence (blank, comments, GPS sentences)
    sentences: int = 0
    positions: int = 0  # rows written to the store
    outcomes: Counter = field(default_factory=Counter)  # per sentence: OUTCOMES + reasons
    tag_blocks_ignored: int = 0
    already_done: bool = False  # the checkpoint says this file was ingested before

    @property
    def quarantined(self) -> dict[str, int]:
        return {k: v for k, v in self.outcomes.items() if k not in OUTCOMES}

    def balanced(self) -> bool:
        return sum(self.outcomes.values()) == self.sentences

    def as_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "ignored": self.ignored, "sentences": self.sentences,
                "positions": self.positions, "outcomes": dict(self.outcomes),
                "tag_blocks_ignored": self.tag_blocks_ignored}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IngestStats:
        return cls(d["lines"], d["ignored"], d["sentences"], d["positions"],
                   Counter(d["outcomes"]), d.get("tag_blocks_ignored", 0))


class _Batch:
    """Rows waiting for the next write; the fast-path ones still as raw payloads."""

    def __init__(self) -> None:
        self.fast_payloads: list[str] = []
        self.fast_ts: list[float] = []
        self.fast_receivers: list[str] = []  # comma-joined
        self.fast_sentences: list[int] = []
        self.fast_raws: list[tuple[list[str], int]] = []  # raws, first line
        # decoded already (decode_buffer): row in the concatenated ``pre_parts``; -1: the
        # payload is decoded when the batch is written
        self.fast_pre: list[int] = []
        self.pre_parts: list[dict[str, np.ndarray]] = []
        self.pre_rows = 0
        self.pre_last: dict | None = None
        self.pre_base = 0
        self.slow_rows: list[dict[str, Any]] = []
        self.index: dict[str, tuple[bool, int]] = {}  # payload -> (fast?, row)
        self.quarantine: list[tuple[str, str, str, int | None, float]] = []
        self.statics: list[tuple[int, float, dict[str, Any]]] = []
        self.started = 0.0

    def __len__(self) -> int:
        return len(self.fast_payloads) + len(self.slow_rows)


class Ingestor:
    """See the module docstring. ``session_factory`` (a sessionmaker) enables the database
    side (static data and quarantine); without it those are only counted."""

    def __init__(self, store: PositionStore, session_factory: Callable | None = None, *,
                 checkpoint: Path | str | None = None, batch_rows: int = 50_000,
                 max_delay: float | None = None, dedup_window: float = 30.0,
                 fragment_gap: int = 100, fast: bool = True) -> None:
        self.store = store
        self.fast = fast
        self.session_factory = session_factory
        self.checkpoint = Path(checkpoint) if checkpoint else None
        self.batch_rows = batch_rows
        self.max_quarantine = 10_000
        self.max_delay = max_delay
        self.parser = LineParser()
        self.assembler = Assembler(fragment_gap)
        self.dedup = Deduper(dedup_window)
        self.stats = IngestStats()
        self._batch = _Batch()
        self._listeners: list[Callable[[pa.Table], None]] = []
        self._static_listeners: list[Callable[[list[int]], None]] = []
        self._lock = threading.RLock()
        self._line_no = 0
        self._static_seen: dict[str, None] = {}
        # file-ingest state (see ingest_file)
        self._origin = ""
        self._committed = -1
        self._needed_from = -1  # on a resume: replayed lines before this only set the clock
        self._quarantine_high = 0  # newest quarantine row of this file run
        self._batch_no = 0

    # -- listeners -----------------------------------------------------------------------
    def add_listener(self, fn: Callable[[pa.Table], None]) -> None:
        self._listeners.append(fn)

    def add_static_listener(self, fn: Callable[[list[int]], None]) -> None:
        self._static_listeners.append(fn)

    # -- feeding -------------------------------------------------------------------------
    def feed_line(self, line: str, arrived: datetime | float | None = None,
                  source: str = "") -> None:
        """One line from a live feed; ``arrived`` is used when the line carries no time."""
        if isinstance(arrived, datetime):
            arrived = arrived.timestamp()
        with self._lock:
            self._line_no += 1
            self._feed(line, arrived if arrived is not None else time.time(), source,
                       self._line_no)
            if self.max_delay is not None and len(self._batch) and \
                    time.monotonic() - self._batch.started >= self.max_delay:
                self.flush()

    def feed_lines(self, lines: list[str], arrived: datetime | float | None = None,
                   source: str = "") -> None:
        """Many lines at once (a chunk of a file or a burst from a feed); same result as
        calling :meth:`feed_line` for each, faster."""
        if isinstance(arrived, datetime):
            arrived = arrived.timestamp()
        with self._lock:
            first = self._line_no + 1
            self._line_no += len(lines)
            self._feed_chunk(lines, arrived if arrived is not None else time.time(), source,
                             first)

    def _feed_chunk(self, lines: list[str], arrived: float, source: str, first: int,
                    line_clock: float | None = None) -> None:
        """Position reports are framed and decoded for the whole chunk by
        :func:`fastpath.decode_buffer`; the other plain single-part sentences take a lean
        lane (framed by :func:`fastpath.frame_chunk`); every other line goes through
        :meth:`_feed`. Lines are still handled in order, so de-dup and assembly see the
        same sequence.

        ``line_clock`` (files): a line without a receiver time "arrived" at
        ``line_clock + line number × LINE_SECONDS`` instead of the wall clock, so that
        de-dup and the stored times do not depend on how fast, in how many batches or in
        how many runs (kill -9, resume) the file was read."""
        if not self.fast:
            for j, line in enumerate(lines):
                n = first + j
                self._feed(line, arrived if line_clock is None else line_clock + n * LINE_SECONDS,
                           source, n)
            return
        blob = _chunk_bytes(lines)
        if blob is None:  # a line that is not latin-1 or holds a newline: no buffer decode
            self._feed_framed(lines, *fastpath.frame_simple(lines, self.parser._tag),
                              arrived, source, first, line_clock)
            return
        d = fastpath.decode_buffer(blob, self.parser._tag)
        done = d["line"]
        row_of = np.full(len(lines), -1, dtype=np.int64)
        row_of[done] = np.arange(len(done))
        others = np.flatnonzero(row_of < 0).tolist()
        payloads: list[str | None] = [None] * len(lines)
        fills = [0] * len(lines)
        times: list = [None] * len(lines)
        sources: list = [""] * len(lines)
        if others:
            framed = fastpath.frame_chunk([lines[j] for j in others], self.parser._tag)
            for k, j in enumerate(others):
                payloads[j], fills[j] = framed[0][k], framed[1][k]
                times[j], sources[j] = framed[2][k], framed[3][k]
        width = fastpath.PAYLOAD_CHARS
        text = d["payload"].tobytes().decode("ascii")
        fast_payloads = [text[i:i + width] for i in range(0, len(text), width)]
        # message time: the tag block's, else the line's arrival (as for any other line)
        tag_ts = d["ts"]
        if line_clock is None:
            fast_ts = np.where(np.isnan(tag_ts), arrived, tag_ts).tolist()
        else:
            clock = line_clock + (first + done) * LINE_SECONDS
            fast_ts = np.where(np.isnan(tag_ts), clock, tag_ts).tolist()
        names = [name or source for name in d["sources"]]
        fast_rx = [names[i] if i >= 0 else source for i in d["source"].tolist()]
        parser, stats, committed = self.parser, self.stats, self._committed
        rows = row_of.tolist()
        j, total = 0, len(lines)
        while j < total:
            n = first + j
            row = rows[j]
            if row >= 0 and parser._pghp is None and n >= committed:
                # a run of decoded lines: handled together, up to the next flush
                end = j + 1
                while end < total and rows[end] >= 0:
                    end += 1
                room = self.batch_rows - len(self._batch)
                end = min(end, j + max(room, 1))
                self._decoded_run(fast_payloads[row:row + end - j], fast_ts[row:row + end - j],
                                  fast_rx[row:row + end - j], lines[j:end], n, d, row)
                j = end
                n = first + end - 1
            else:
                # another line, a line a $PGHP time applies to, or one already ingested
                line = lines[j]
                j += 1
                if line_clock is not None:
                    arrived = line_clock + n * LINE_SECONDS
                payload = payloads[j - 1] if row < 0 else line
                if payload is None or parser._pghp is not None:
                    self._feed(line, arrived, source, n)
                    continue
                if n < committed:
                    continue
                stats.lines += 1
                stats.sentences += 1
                ts = times[j - 1]
                self._message(Message(payload, fills[j - 1], arrived if ts is None else ts,
                                      sources[j - 1] or source, [line], n, n), arrived)
            batch = self._batch
            if len(batch.fast_payloads) + len(batch.slow_rows) >= self.batch_rows or \
                    len(batch.quarantine) >= self.max_quarantine:
                self._flush(n + 1)

    def _feed_framed(self, lines: list[str], payloads: list[str | None], fills: list[int],
                     times: list, sources: list, arrived: float, source: str, first: int,
                     line_clock: float | None) -> None:
        """The lean lane for lines framed by :func:`fastpath.frame_simple`."""
        parser, stats, committed = self.parser, self.stats, self._committed
        for j, payload in enumerate(payloads):
            n = first + j
            if line_clock is not None:
                arrived = line_clock + n * LINE_SECONDS
            if payload is None or parser._pghp is not None:
                self._feed(lines[j], arrived, source, n)
                continue
            if n < committed:
                continue
            stats.lines += 1
            stats.sentences += 1
            ts = times[j]
            self._message(Message(payload, fills[j], arrived if ts is None else ts,
                                  sources[j] or source, [lines[j]], n, n), arrived)
            batch = self._batch
            if len(batch.fast_payloads) + len(batch.slow_rows) >= self.batch_rows or \
                    len(batch.quarantine) >= self.max_quarantine:
                self._flush(n + 1)

    def _feed(self, line: str, arrived: float, source: str, line_no: int) -> None:
        skip = line_no < self._committed  # replayed only to rebuild fragments after a resume
        items = self.parser.parse(line, source)
        if line_no < self._needed_from:
            return  # re-read for its $PGHP time only: its fragments were decided already
        if not skip:
            self.stats.lines += 1
            if not items:
                self.stats.ignored += 1
        for item in items:
            if isinstance(item, Reject):
                if not skip:
                    self.stats.sentences += 1
                    self._quarantine([item.raw], item.reason, source, line_no, arrived)
                continue
            if not skip:
                self.stats.sentences += 1
            msg, orphans = self.assembler.add(item, line_no)
            # An orphan is decided at this line, whatever line it came from: a first part
            # read before the last checkpoint and given up after it is counted here (it
            # was counted as a sentence then, its outcome is now). Replayed lines only
            # rebuild fragments: their decisions were made, and kept, before the crash.
            if not skip:
                for raw, n in orphans:
                    self._quarantine([raw], Reason.ORPHAN_FRAGMENT, source, n, arrived)
            if msg is not None and msg.last_line >= self._committed:
                self._message(msg, arrived)
        batch = self._batch
        if len(batch) >= self.batch_rows or len(batch.quarantine) >= self.max_quarantine:
            self._flush(line_no + 1)

    def _message(self, msg: Message, arrived: float) -> None:
        ts = msg.ts if msg.ts is not None else arrived
        payload, n = msg.payload, len(msg.raws)
        batch = self._batch
        if not batch.started:
            batch.started = time.monotonic()
        if not self.dedup.first_time(payload, ts):
            self._duplicate(payload, msg.source, n)
            return
        first = payload[0]
        if self.fast and first in fastpath.FAST_FIRST_CHARS and \
                len(payload) * 6 - msg.fill >= fastpath.NEEDED_BITS:
            batch.index[payload] = (True, len(batch.fast_payloads))
            batch.fast_payloads.append(payload)
            batch.fast_ts.append(ts)
            batch.fast_receivers.append(msg.source)
            batch.fast_sentences.append(n)
            batch.fast_raws.append((msg.raws, msg.first_line))
            batch.fast_pre.append(-1)
            return
        mt = message_type(payload)
        if mt not in USED_TYPES and 1 <= mt <= 27:
            # base stations, binary messages, safety text...: valid AIS we do not keep, so
            # we do not spend a pyais decode on them
            self.stats.outcomes["other"] += n
            return
        if mt in STATIC_ONLY and payload in self._static_seen:
            # vessels repeat the same static report every few minutes: nothing new in it
            self.stats.outcomes["other"] += n
            return
        decoded = decode_payload(payload, msg.fill)
        if isinstance(decoded, Reason):
            self._quarantine(msg.raws, decoded, msg.source, msg.first_line, ts)
            return
        if mt in STATIC_ONLY:
            if len(self._static_seen) >= 200_000:
                self._static_seen.clear()
            self._static_seen[payload] = None
        if mt in STATIC_TYPES:
            facts = static_fields(decoded)
            mmsi = int(decoded.fields.get("mmsi") or 0)
            if facts and mmsi > 0:
                batch.statics.append((mmsi, ts, facts))
        if mt in POSITION_TYPES:
            self._slow_position(decoded, msg, ts, payload)
            return
        self.stats.outcomes["other"] += n

    def _decoded_run(self, payloads: list[str], times: list[float], receivers: list[str],
                     lines: list[str], n: int, part: dict[str, np.ndarray], row: int) -> None:
        """Consecutive one-line position reports decoded by :func:`fastpath.decode_buffer`
        (rows ``row``... of ``part``, file lines ``n``...): what :meth:`_message` does with
        each, in order, without decoding; the caller keeps the run within one batch."""
        batch = self._batch
        m = len(payloads)
        if not m:
            return
        self.stats.lines += m
        self.stats.sentences += m
        if not batch.started:
            batch.started = time.monotonic()
        if batch.pre_last is not part:
            batch.pre_parts.append(part)
            batch.pre_last, batch.pre_base = part, batch.pre_rows
            batch.pre_rows += len(part["mmsi"])
        first_row = batch.pre_base + row
        new = self.dedup.first_times(payloads, times)
        at = len(batch.fast_payloads)
        if all(new):
            batch.index.update(zip(payloads, [(True, i) for i in range(at, at + m)],
                                   strict=True))
            batch.fast_payloads.extend(payloads)
            batch.fast_ts.extend(times)
            batch.fast_receivers.extend(receivers)
            batch.fast_sentences.extend([1] * m)
            batch.fast_raws.extend([([line], n + k) for k, line in enumerate(lines)])
            batch.fast_pre.extend(range(first_row, first_row + m))
            return
        for k, is_new in enumerate(new):
            payload = payloads[k]
            if not is_new:
                self._duplicate(payload, receivers[k], 1)
                continue
            batch.index[payload] = (True, len(batch.fast_payloads))
            batch.fast_payloads.append(payload)
            batch.fast_ts.append(times[k])
            batch.fast_receivers.append(receivers[k])
            batch.fast_sentences.append(1)
            batch.fast_raws.append(([lines[k]], n + k))
            batch.fast_pre.append(first_row + k)

    def _duplicate(self, payload: str, source: str, n: int) -> None:
        """A copy within the de-dup window: counted; its receiver joins the pending row."""
        self.stats.outcomes["duplicate"] += n
        batch = self._batch
        where = batch.index.get(payload)
        if where is not None and source:
            fast, row = where
            if fast:
                rx = batch.fast_receivers[row]
                if source not in rx.split(","):
                    batch.fast_receivers[row] = f"{rx},{source}" if rx else source
            elif source not in batch.slow_rows[row]["rx"]:
                batch.slow_rows[row]["rx"].append(source)

    def _slow_position(self, decoded: Decoded, msg: Message, ts: float, payload: str) -> None:
        n = len(msg.raws)
        row = position_row(decoded)
        if row is None:
            self._quarantine(msg.raws, Reason.TRUNCATED, msg.source, msg.first_line, ts)
            return
        problem = position_problem(row["mmsi"], row["lon"], row["lat"])
        if problem is False:
            self.stats.outcomes["other"] += n
            return
        if problem is not None:
            self._quarantine(msg.raws, problem, msg.source, msg.first_line, ts)
            return
        row["ts"] = ts
        row["rx"] = [msg.source] if msg.source else []
        row["n"] = n
        self._batch.index[payload] = (False, len(self._batch.slow_rows))
        self._batch.slow_rows.append(row)

    def _quarantine(self, raws: list[str], reason: Reason, source: str, line_no: int | None,
                    ts: float) -> None:
        self.stats.outcomes[str(reason)] += len(raws)
        for raw in raws:
            self._batch.quarantine.append((cut_raw(raw), str(reason), source, line_no, ts))

    # -- writing -------------------------------------------------------------------------
    def flush(self) -> pa.Table:
        """Write what is pending (positions, static data, quarantine); returns new rows."""
        with self._lock:
            return self._flush(self._line_no + 1)

    def close(self) -> None:
        """End of stream: waiting fragments become orphans, then a last flush."""
        with self._lock:
            self._drain_fragments(time.time())
            self._flush(self._line_no + 1)

    def _drain_fragments(self, ts: float) -> None:
        # the end of the stream decides every fragment still waiting, however early it came
        for raw, n in self.assembler.drain():
            self._quarantine([raw], Reason.ORPHAN_FRAGMENT, "", n, ts)

    def _flush(self, next_line: int) -> pa.Table:
        batch, self._batch = self._batch, _Batch()
        table = self._positions_table(batch)
        changed: list[int] = []
        if self.session_factory is not None and (batch.quarantine or batch.statics or
                                                 table.num_rows):
            try:
                changed = self._write_database(batch, table)
            except Exception:
                if self._origin:  # a file run stops; its checkpoint lets it resume
                    raise
                # a live feed logs the failed batch and keeps going (STYLE.md)
                log.exception("AIS batch: database write failed; positions still stored")
        part = None
        if self._origin:
            part = f"{self._origin_id()}-{self._batch_no:08d}"
        if table.num_rows:
            self.store.append(table, part=part)
        self.stats.positions += table.num_rows
        self._batch_no += 1
        if self._origin:
            self._save_checkpoint(next_line)
        self.stats.tag_blocks_ignored = self.parser.tag_blocks_ignored
        for fn in self._listeners:
            if table.num_rows:
                _safe(fn, table)
        for fn in self._static_listeners:
            if changed:
                _safe(fn, changed)
        return table

    def _positions_table(self, batch: _Batch) -> pa.Table:
        cols: dict[str, list | np.ndarray] = {}
        d = _fast_columns(batch)
        n_fast = len(batch.fast_payloads)
        keep = np.ones(n_fast, dtype=bool)
        if n_fast:
            lon, lat, mmsi = d["lon"], d["lat"], d["mmsi"]
            # the rules of decode.position_problem: no MMSI first, then "not available"
            unavailable = (mmsi > 0) & (lat == 91) & (lon == 181)
            impossible = ~unavailable & ((mmsi <= 0) | (np.abs(lat) > 90) | (np.abs(lon) > 180))
            sentences = np.asarray(batch.fast_sentences)
            self.stats.outcomes["other"] += int(sentences[unavailable].sum())
            for i in np.flatnonzero(impossible):
                raws, line = batch.fast_raws[i]
                src = batch.fast_receivers[i].split(",")[0]
                self._quarantine_now(raws, Reason.IMPOSSIBLE_VALUE, src, line, batch)
            keep = ~(unavailable | impossible)
            self.stats.outcomes["stored"] += int(sentences[keep].sum())
        slow = batch.slow_rows
        for row in slow:
            self.stats.outcomes["stored"] += row["n"]
        ts = np.concatenate([np.asarray(batch.fast_ts, dtype=np.float64)[keep],
                             np.asarray([r["ts"] for r in slow], dtype=np.float64)])
        cols["mmsi"] = np.concatenate([d["mmsi"][keep], [r["mmsi"] for r in slow]]).astype(np.int64)
        cols["ts"] = pa.array(np.round(ts * 1e6).astype(np.int64), pa.timestamp("us", tz="UTC"))
        for name in ("lon", "lat"):
            cols[name] = np.concatenate([d[name][keep], [r[name] for r in slow]]).astype(np.float64)
        cols["sog"] = _nullable(d["sog"][keep], [r["sog"] for r in slow], pa.float32())
        cols["cog"] = _nullable(d["cog"][keep], [r["cog"] for r in slow], pa.float32())
        cols["heading"] = np.concatenate([d["heading"][keep], [r["heading"] for r in slow]]).astype(np.int16)
        cols["nav_status"] = np.concatenate([d["nav_status"][keep], [r["nav_status"] for r in slow]]).astype(np.int8)
        cols["msg_type"] = np.concatenate([d["msg_type"][keep], [r["msg_type"] for r in slow]]).astype(np.int8)
        rx = batch.fast_receivers if keep.all() else \
            [batch.fast_receivers[i] for i in np.flatnonzero(keep)]
        rx = rx + [",".join(r["rx"]) for r in slow]
        cols["receivers"] = pa.array(rx, pa.string())
        return pa.table(cols, schema=POSITION_SCHEMA)

    def _quarantine_now(self, raws, reason, source, line, batch: _Batch) -> None:
        self.stats.outcomes[str(reason)] += len(raws)
        ts = time.time()
        for raw in raws:
            batch.quarantine.append((cut_raw(raw), str(reason), source, line, ts))

    def _write_database(self, batch: _Batch, table: pa.Table) -> list[int]:
        with self.session_factory() as session:
            record_quarantine(session, batch.quarantine, self._origin)
            changed = apply_static(session, batch.statics)
            touch_last_seen(session, table)
            if self._origin and batch.quarantine:
                self._quarantine_high = last_quarantine_id(session, self._origin)
            session.commit()
        return changed

    # -- files and checkpoints -----------------------------------------------------------
    def ingest_file(self, path: Path | str, source: str | None = None,
                    progress: Callable[[int], None] | None = None) -> IngestStats:
        """Ingest a whole file (plain or .gz), resuming from the checkpoint if one exists.

        ``progress(n)`` is called every few thousand lines with the lines read so far."""
        from jinghai.ais.sources import iter_file_lines

        path = Path(path)
        with self._lock:
            self._origin = str(path.resolve())
            state = self._load_checkpoint().get(self._origin)
            self.stats, self._committed, resume, self._batch_no = IngestStats(), -1, 0, 0
            self._needed_from = -1
            self.parser, self.assembler = LineParser(), Assembler(self.assembler.max_gap)
            if state:
                if state.get("done"):  # ingested before: the counts of that run
                    self.stats = IngestStats.from_dict(state["stats"])
                    self.stats.already_done = True
                    self._origin = ""
                    return self.stats
                self.stats = IngestStats.from_dict(state["stats"])
                self._committed, resume = state["committed_line"], state["resume_line"]
                self._needed_from = state.get("needed_line", resume)
                self._batch_no = state["batch_no"]
                self.dedup.restore(state["dedup"])
                self._forget_quarantine_after(self._committed, state.get("quarantine_id"))
            elif self.session_factory is not None:
                with self.session_factory() as session:
                    self._quarantine_high = last_quarantine_id(session, self._origin)
            src = source if source is not None else path.name
            clock = float(int(path.stat().st_mtime))
            try:
                self._line_no = resume - 1
                for chunk in _chunks(iter_file_lines(path), resume, 8192):
                    self._feed_chunk(chunk, time.time(), src, self._line_no + 1,
                                     line_clock=clock)
                    self._line_no += len(chunk)
                    if progress is not None:
                        progress(self._line_no + 1)
                self._drain_fragments(time.time())
                self._flush(self._line_no + 1)
                self._save_checkpoint(self._line_no + 1, done=True)
            finally:
                self._origin, self._committed, self._needed_from = "", -1, -1
            return self.stats

    def _origin_id(self) -> str:
        return hashlib.sha1(self._origin.encode()).hexdigest()[:12]

    def _load_checkpoint(self) -> dict[str, Any]:
        if self.checkpoint is None or not self.checkpoint.exists():
            return {}
        return json.loads(self.checkpoint.read_text())

    def _save_checkpoint(self, next_line: int, done: bool = False) -> None:
        if self.checkpoint is None:
            return
        pending = self.assembler.earliest_line()
        state = self._load_checkpoint()
        state[self._origin] = {
            "committed_line": next_line,
            # one line earlier than needed: a $PGHP time line before it is read again too
            "resume_line": max(0, (next_line if pending is None else min(next_line, pending)) - 1),
            # the first line whose fragments a resume must assemble again
            "needed_line": next_line if pending is None else min(next_line, pending),
            "quarantine_id": self._quarantine_high,
            "batch_no": self._batch_no,
            "positions_written": self.stats.positions,
            "stats": self.stats.as_dict(),
            "dedup": self.dedup.state(),
            "done": done,
            "at": datetime.now(UTC).isoformat(),
        }
        self._committed = next_line
        tmp = self.checkpoint.with_name(self.checkpoint.name + ".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w") as fh:
            json.dump(state, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.checkpoint)

    def _forget_quarantine_after(self, line: int, last_id: int | None) -> None:
        if self.session_factory is None:
            return
        with self.session_factory() as session:
            if last_id is None:  # a checkpoint from before rows were tracked by id
                forget_quarantine_after(session, self._origin, line)
            else:
                forget_quarantine_since(session, self._origin, last_id)
                self._quarantine_high = last_id
            session.commit()


def apply_static(session, statics: list[tuple[int, float, dict[str, Any]]]) -> list[int]:
    """Fold static reports (in arrival order) into ``AisVessel``; a field that changes from
    a known value is recorded in ``AisStaticChange``. Returns the MMSIs that changed."""
    from sqlalchemy import select

    from jinghai.ais.models import AisStaticChange, AisVessel

    if not statics:
        return []
    mmsis = sorted({m for m, _, _ in statics})
    vessels = {v.mmsi: v for v in session.scalars(
        select(AisVessel).where(AisVessel.mmsi.in_(mmsis)))}
    changed: set[int] = set()
    for mmsi, ts, facts in statics:
        at = datetime.fromtimestamp(ts, UTC)
        vessel = vessels.get(mmsi)
        if vessel is None:
            vessel = AisVessel(mmsi=mmsi, first_seen=at, last_seen=at)
            session.add(vessel)
            vessels[mmsi] = vessel
        vessel.first_seen = min(vessel.first_seen, at)
        vessel.last_seen = max(vessel.last_seen, at)
        if vessel.last_static_at is not None and at < vessel.last_static_at:
            continue  # an older report (a late file) does not overwrite newer facts
        vessel.last_static_at = at
        for name, new in facts.items():
            old = getattr(vessel, name)
            if old == new:
                continue
            if old is not None:
                session.add(AisStaticChange(mmsi=mmsi, field=name, old=str(old)[:60],
                                            new=str(new)[:60], at=at))
            if isinstance(new, str):
                new = new[:40]
            setattr(vessel, name, new)
            changed.add(mmsi)
    session.flush()
    return sorted(changed)


def touch_last_seen(session, table: pa.Table) -> None:
    """Move ``AisVessel.last_seen`` on for the known vessels among these positions (one
    SELECT and one bulk UPDATE per batch; unknown MMSIs wait for their static report)."""
    from sqlalchemy import select, update

    from jinghai.ais.models import AisVessel

    if table.num_rows == 0:
        return
    latest = table.group_by("mmsi").aggregate([("ts", "max")])
    newest = dict(zip(latest["mmsi"].to_pylist(), latest["ts_max"].to_pylist(), strict=True))
    known = session.execute(select(AisVessel.mmsi, AisVessel.last_seen).where(
        AisVessel.mmsi.in_(list(newest)))).all()
    rows = [{"mmsi": m, "last_seen": newest[m]} for m, seen in known if newest[m] > seen]
    if rows:
        session.execute(update(AisVessel), rows)


def _chunk_bytes(lines: list[str]) -> bytes | None:
    """The chunk as one buffer of lines for :func:`fastpath.decode_buffer`, or None when a
    line cannot be written as latin-1 or holds a newline of its own."""
    try:
        blob = ("\n".join(lines) + "\n").encode("latin-1")
    except UnicodeEncodeError:
        return None
    return blob if blob.count(b"\n") == len(lines) else None


def _fast_columns(batch: _Batch) -> dict[str, np.ndarray]:
    """The position columns of the batch's fast rows, in their order: rows decoded by
    :func:`fastpath.decode_buffer` taken from its output, the others decoded here."""
    pre = np.asarray(batch.fast_pre, dtype=np.int64)
    if not batch.pre_parts:
        return fastpath.decode_positions(batch.fast_payloads)
    parts = batch.pre_parts
    later = np.flatnonzero(pre < 0)
    cols = {}
    for name in ("msg_type", "mmsi", "lon", "lat", "sog", "cog", "heading", "nav_status"):
        column = parts[0][name] if len(parts) == 1 else \
            np.concatenate([p[name] for p in parts])
        cols[name] = column[np.maximum(pre, 0)]
    if len(later):
        decoded = fastpath.decode_positions([batch.fast_payloads[i] for i in later.tolist()])
        for name, column in cols.items():
            column[later] = decoded[name]
    return cols


def _chunks(lines, skip: int, size: int):
    it = iter(lines)
    deque(islice(it, skip), maxlen=0)  # the lines before ``skip``, read and dropped
    while chunk := list(islice(it, size)):
        yield chunk


def _nullable(fast: np.ndarray, slow: list, typ: pa.DataType) -> pa.Array:
    values = np.concatenate([fast.astype(np.float64), np.asarray(
        [np.nan if v is None else v for v in slow], dtype=np.float64)])
    return pa.array(values.astype(np.float32), typ, mask=np.isnan(values))


def _safe(fn: Callable, arg: Any) -> None:
    try:
        fn(arg)
    except Exception:  # a listener's failure must not stop ingestion
        log.exception("AIS listener %r failed", fn)


def decode_stream(lines, source: str = ""):
    """Decode lines without storing: yields ``(message, result)`` in stream order, where
    result is the stored position columns (types 1-3, 18, 19, 27), the static facts
    (types 5, 19, 21, 24; with ``mmsi``), ``None`` for other types, or a quarantine
    :class:`Reason`. Uses the same fast path and pyais decoding as the ingestor."""
    from jinghai.ais.nmea import iter_messages

    for msg in iter_messages(lines, source):
        if isinstance(msg, Reject):
            yield msg, msg.reason
            continue
        payload = msg.payload
        if payload[0] in fastpath.FAST_FIRST_CHARS and len(payload) * 6 - msg.fill >= fastpath.NEEDED_BITS:
            d = fastpath.decode_positions([payload])
            row = {k: v[0].item() for k, v in d.items()}
            row["sog"] = None if np.isnan(row["sog"]) else row["sog"]
            row["cog"] = None if np.isnan(row["cog"]) else row["cog"]
            problem = position_problem(row["mmsi"], row["lon"], row["lat"])
            yield msg, (problem if problem else row)
            continue
        decoded = decode_payload(payload, msg.fill)
        if isinstance(decoded, Reason):
            yield msg, decoded
        elif decoded.msg_type in POSITION_TYPES and decoded.msg_type != 19:
            row = position_row(decoded)
            problem = None if row is None else position_problem(row["mmsi"], row["lon"],
                                                                row["lat"])
            yield msg, (Reason.TRUNCATED if row is None else problem if problem else row)
        elif decoded.msg_type in STATIC_TYPES:
            facts = static_fields(decoded)
            if decoded.msg_type == 19:
                facts.update(position_row(decoded) or {})
            yield msg, {"mmsi": int(decoded.fields.get("mmsi") or 0),
                        "msg_type": decoded.msg_type, **facts}
        else:
            yield msg, None
