"""Closed events spilled to disk come back in one-pass order, merged with the held ones."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from jinghai.detect.events import Event
from jinghai.detect.spill import EventSpill

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def _event(i: int, start_s: int, status: str) -> Event:
    start = T0 + timedelta(seconds=start_s, microseconds=i % 3)  # some sub-second starts
    return Event(id=f"ev{i:04d}", detector="dark", version="1", kind="going_dark",
                 status=status, start=start, end=start + timedelta(minutes=5),
                 vessels=(412000000 + i,), lon=121.9, lat=29.9, score=0.5, severity="medium",
                 params={}, track=[{"t": start.isoformat(), "lon": 121.9, "lat": 29.9}])


def test_spilled_events_come_back_in_events_order_merged_with_held_ones(tmp_path) -> None:
    rng = random.Random(7)
    # equal starts on purpose: the id breaks the tie, as in Detector.events()
    events = [_event(i, rng.randrange(0, 3600, 60), "closed") for i in range(300)]
    held = [_event(1000 + i, rng.randrange(0, 3600, 60), "open") for i in range(40)]
    with EventSpill(tmp_path) as spill:
        batches = list(events)
        rng.shuffle(batches)  # closed in any order, in several windows
        for k in range(0, len(batches), 37):
            spill.add("dark", batches[k:k + 37])
        assert spill.spilled == {"dark": 300}
        got = list(spill.ordered("dark", held))
        assert [e.id for e in got] == [e.id for e in sorted(events + held,
                                                             key=lambda e: (e.start, e.id))]
        assert got[0] == min(events + held, key=lambda e: (e.start, e.id))  # whole, not a copy
        assert [e.id for e in spill.ordered("loitering", held[:3])] == \
            [e.id for e in sorted(held[:3], key=lambda e: (e.start, e.id))]
    assert not list(tmp_path.iterdir())  # the temporary file is gone
