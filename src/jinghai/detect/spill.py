"""Closed events of a long batch run kept on disk, read back in one-pass order.

A batch run over weeks finds many events, and each carries its track snippet; holding them
all until the end makes memory grow with the period. :meth:`Detector.drain` hands over the
closed ones after every window; this spill writes them to a temporary SQLite file and gives
them back, detector by detector, in the order a one-pass run lists them
(``Detector.events()``: by start, then id), merged with what the detector still holds at the
end. Recording alerts in that same order keeps them identical to a one-pass run (the first
event of a fold key raises the alert, the later ones fold into it), while memory holds only
the open events and one row at a time.
"""

from __future__ import annotations

import heapq
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

from jinghai.detect.base import Detector
from jinghai.detect.events import Event

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _order_key(event: Event) -> tuple[int, str]:
    """``(start, id)`` as an exact integer of microseconds: the key ``events()`` sorts by."""
    start = event.start if event.start.tzinfo else event.start.replace(tzinfo=UTC)
    return (start - _EPOCH) // timedelta(microseconds=1), event.id


class EventSpill:
    """A temporary on-disk list of closed events per detector (use as a context manager)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="jinghai-events-", dir=directory)
        self._db = sqlite3.connect(Path(self._dir.name) / "events.sqlite")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE event (detector TEXT NOT NULL, start_us INTEGER NOT NULL,"
                         " id TEXT NOT NULL, body BLOB NOT NULL)")
        self.spilled: dict[str, int] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def add(self, detector: str, events: Iterable[Event]) -> None:
        rows = [(detector, *_order_key(e), pickle.dumps(e, pickle.HIGHEST_PROTOCOL))
                for e in events]
        if rows:
            self._db.executemany("INSERT INTO event VALUES (?, ?, ?, ?)", rows)
            self.spilled[detector] = self.spilled.get(detector, 0) + len(rows)

    def drain(self, detectors: Mapping[str, Detector]) -> None:
        """Take every detector's closed events (after a window has been fed)."""
        for name, det in detectors.items():
            self.add(name, det.drain())

    def ordered(self, detector: str, held: Iterable[Event]) -> Iterator[Event]:
        """The detector's spilled events merged with those it still ``held``, in
        ``events()`` order, read back one at a time."""
        self._db.commit()
        if not self.spilled.get(detector):
            yield from sorted(held, key=_order_key)
            return
        self._db.execute("CREATE INDEX IF NOT EXISTS event_order ON event (detector, start_us, id)")
        rows = self._db.execute("SELECT body FROM event WHERE detector = ? ORDER BY start_us, id",
                                (detector,))
        spilled = (pickle.loads(body) for (body,) in rows)
        yield from heapq.merge(spilled, sorted(held, key=_order_key), key=_order_key)


__all__ = ["EventSpill"]
