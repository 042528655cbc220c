"""The run state machine: grace against single bad fixes, hysteresis, silence."""

from __future__ import annotations

import numpy as np

from jinghai.detect.base import RunTracker


def _tracker() -> RunTracker:
    return RunTracker(min_duration_ms=60_000, grace_ms=120_000, grace_fixes=2,
                      max_gap_ms=600_000, snippet_cols=("v",), min_rows=2)


def _feed(t: RunTracker, ts: list[int], cond: list[int]) -> list[tuple[str, int, int]]:
    n = len(ts)
    acts = t.process(np.zeros(n, np.int64), np.array(ts, np.int64) * 1000,
                     np.array(cond, np.int8), {"v": np.arange(n, dtype=np.float64)})
    return [(a, r.start // 1000, r.last_true // 1000) for a, r in acts]


def test_single_contrary_fix_does_not_end_a_run() -> None:
    acts = _feed(_tracker(), [0, 30, 60, 90, 120, 150], [2, 2, 2, 0, 2, 2])
    assert acts[-1] == ("update", 0, 150)
    assert not [a for a in acts if a[0] == "close"]


def test_contrary_fixes_beyond_grace_end_it_at_the_last_true_fix() -> None:
    acts = _feed(_tracker(), [0, 30, 60, 90, 150, 210, 240], [2, 2, 2, 0, 0, 0, 2])
    assert ("close", 0, 60) in acts


def test_hysteresis_level_only_continues() -> None:
    t = _tracker()
    assert _feed(t, [0, 30, 60], [1, 1, 1]) == []  # cannot start on the loose level
    acts = _feed(t, [90, 120, 150, 180], [2, 2, 1, 1])
    assert acts[-1] == ("update", 90, 180)


def test_silence_ends_a_run_at_tick_and_on_return_alike() -> None:
    a, b = _tracker(), _tracker()
    _feed(a, [0, 30, 60, 90], [2, 2, 2, 2])
    ticked = [(x, r.start, r.last_true) for x, r in a.tick(800_000)]
    _feed(b, [0, 30, 60, 90], [2, 2, 2, 2])
    returned = _feed(b, [800, 830], [2, 2])
    assert ticked == [("close", 0, 90_000)]
    assert returned[0] == ("close", 0, 90)


def test_snippet_thinning_is_independent_of_batching() -> None:
    ts = list(range(0, 36_000, 10))
    whole, parts = RunTracker(min_duration_ms=0, grace_ms=0, grace_fixes=1,
                              max_gap_ms=60_000, snippet_cols=("v",), snippet_max=50), None
    parts = RunTracker(min_duration_ms=0, grace_ms=0, grace_fixes=1, max_gap_ms=60_000,
                       snippet_cols=("v",), snippet_max=50)
    _feed(whole, ts, [2] * len(ts))
    for i in range(0, len(ts), 777):
        _feed(parts, ts[i:i + 777], [2] * len(ts[i:i + 777]))
    assert [r[0] for r in whole.runs[0].track] == [r[0] for r in parts.runs[0].track]
    assert len(whole.runs[0].track) <= 50
