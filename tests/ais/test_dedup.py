"""De-dup: same payload within the window is one message; memory stays bounded."""

from __future__ import annotations

from jinghai.ais.dedup import Deduper


def test_window_and_restore():
    d = Deduper(window=30)
    assert d.first_time("A", 100.0)
    assert not d.first_time("A", 125.0)  # a second receiver, 25 s later
    assert d.first_time("A", 200.0)  # the same report repeated minutes later is kept
    copy = Deduper(window=30)
    copy.restore(d.state())
    assert not copy.first_time("A", 210.0)


def test_memory_is_bounded_without_receiver_times():
    d = Deduper(window=30, prune_every=1_000, max_entries=2_000)
    for i in range(10_000):
        assert d.first_time(f"p{i}", 1000.0)  # all "now": all inside the window
    assert len(d.state()["seen"]) <= 2_000
    assert not d.first_time("p9999", 1000.0)  # the newest are the ones kept


def test_a_busy_window_does_not_prune_on_every_message():
    d = Deduper(window=30, prune_every=100)
    calls = []
    original = d.prune
    d.prune = lambda: (calls.append(1), original())
    for i in range(5_000):
        d.first_time(f"p{i}", 1000.0 + i / 1000)  # 5 s of a very busy feed
    assert len(calls) < 10
