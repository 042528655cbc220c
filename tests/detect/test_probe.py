"""Live detection decides when the condition is met, not when the slot closes
(:meth:`jinghai.detect.base.Detector.probe`), and probing changes nothing of what the
detectors decide: the events stay those of a batch run."""

from __future__ import annotations

import pandas as pd
import pytest

from jinghai.detect import Event, Fleet, build_detectors
from jinghai.detect import synthetic as s
from jinghai.geo import ZoneIndex


def _suite(scenario: s.Scenario, zones: ZoneIndex, fleet: Fleet) -> dict:
    return build_detectors(zones, fleet, reports=scenario.reports,
                           static_history=scenario.static_history)


def _first_seen(dets: dict, chunks: list[pd.DataFrame], probe: bool
                ) -> tuple[dict[str, pd.Timestamp], dict[str, Event]]:
    """Per event id, the newest position time when live mode first reported it; and
    every event a probe reported."""
    seen: dict[str, pd.Timestamp] = {}
    probed: dict[str, Event] = {}
    for chunk in chunks:
        now = chunk.ts.max()
        for d in dets.values():
            changed = d.feed(chunk)
            if probe:
                found = d.probe()
                probed.update({e.id: e for e in found})
                changed += found
            for e in changed:
                seen.setdefault(e.id, now)
    for d in dets.values():
        d.flush()
    return seen, probed


def test_probing_invents_nothing_and_changes_nothing(scenario, zones, fleet) -> None:
    batch = {n: d.run(scenario.positions) for n, d in _suite(scenario, zones, fleet).items()}
    dets = _suite(scenario, zones, fleet)
    pos = scenario.positions
    chunks = [g for _, g in pos.groupby(pos.ts.dt.floor("10min"), sort=True)]
    _, probed = _first_seen(dets, chunks, probe=True)
    assert {n: d.events() for n, d in dets.items()} == batch
    final = {e.id: e for evs in batch.values() for e in evs}
    assert len(probed) > 10
    # every finding a probe reported is a finding of the batch run (the same id, kind and
    # vessels), so an early alert is never one that batch would not raise
    assert {i: (e.kind, e.vessels) for i, e in probed.items()} == {
        i: (final[i].kind, final[i].vessels) for i in probed}


@pytest.mark.parametrize(("detector", "mmsi"), [
    ("zone_rule", s.INTRUDER), ("landing_approach", s.LANDER), ("loitering", s.LOITERER)])
def test_decided_on_the_position_that_meets_the_condition(scenario, zones, fleet,
                                                           detector, mmsi) -> None:
    pos = scenario.positions[scenario.positions.mmsi == mmsi]
    chunks = [g for _, g in pos.groupby("ts", sort=True)]  # one position at a time, as live
    early, _ = _first_seen({detector: _suite(scenario, zones, fleet)[detector]}, chunks, True)
    slot, _ = _first_seen({detector: _suite(scenario, zones, fleet)[detector]}, chunks, False)
    (event_id, t), = early.items()
    # the earliest time at which a batch run over what was known finds it ...
    known = _suite(scenario, zones, fleet)[detector].run(pos[pos.ts <= t])
    before = _suite(scenario, zones, fleet)[detector].run(pos[pos.ts < t])
    assert event_id in {e.id for e in known}
    assert event_id not in {e.id for e in before}
    # ... where the slot path spoke up to a minute of positions later
    assert pd.Timedelta(0) < slot[event_id] - t <= pd.Timedelta(seconds=60)
