"""Batch detection fed in time windows (state carried from window to window) finds the
events of one pass over whole days: on the Beilun scenario, whose transfer crosses
midnight, with windows of an hour and of an odd 37 minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jinghai.detect.suite import feed_all
from jinghai.detect.windows import iter_days, iter_windows

from .test_partition import _suite, store  # noqa: F401 - module fixtures


def _run(suite, tables):
    n = feed_all(tables, suite)
    return {k: d.events() for k, d in suite.items()}, n


@pytest.mark.parametrize("minutes", [60, 37])
def test_windows_equal_one_pass(scenario, store, minutes) -> None:  # noqa: F811
    start, end = scenario.t0, scenario.t0 + timedelta(days=2)
    whole, n_whole = _run(_suite(scenario), iter_days(store, start, end))
    tables = list(iter_windows(store, start, end, timedelta(minutes=minutes)))
    assert len(tables) > 24 * 60 // minutes  # really cut into windows
    assert max(t.num_rows for t in tables) < n_whole / 10
    windowed, n = _run(_suite(scenario), tables)
    assert n == n_whole == len(scenario.positions)
    assert sum(map(len, whole.values())) > 10
    assert windowed == whole
    mid = [e for e in windowed["encounter"] if e.start.date() != e.end.date()]
    assert mid  # the transfer across midnight, whole


def test_window_must_be_positive(store, scenario) -> None:  # noqa: F811
    with pytest.raises(ValueError):
        list(iter_windows(store, scenario.t0, scenario.t0 + timedelta(days=1), timedelta(0)))
