"""The planted Beilun scenario: each detector finds what it must and nothing it must not,
live (fed in pieces) and in batch, with identical results."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from jinghai.detect import (
    EncounterDetector,
    EncounterParams,
    Event,
    Fleet,
    build_detectors,
)
from jinghai.detect import synthetic as s
from jinghai.geo import ZoneIndex


def _suite(scenario: s.Scenario, zones: ZoneIndex, fleet: Fleet) -> dict:
    return build_detectors(zones, fleet, reports=scenario.reports,
                           static_history=scenario.static_history)


@pytest.fixture(scope="module")
def batch(scenario: s.Scenario, zones: ZoneIndex, fleet: Fleet) -> dict[str, list[Event]]:
    return {name: d.run(scenario.positions) for name, d in _suite(scenario, zones, fleet).items()}


def _live(scenario: s.Scenario, zones: ZoneIndex, fleet: Fleet, chunks: list[pd.DataFrame]
          ) -> tuple[dict[str, list[Event]], dict[str, dict[str, Event]]]:
    dets = _suite(scenario, zones, fleet)
    last_seen: dict[str, dict[str, Event]] = {n: {} for n in dets}
    for chunk in chunks:
        for n, d in dets.items():
            for e in d.feed(chunk):
                last_seen[n][e.id] = e
    for n, d in dets.items():
        for e in d.flush():
            last_seen[n][e.id] = e
    return {n: d.events() for n, d in dets.items()}, last_seen


def _vessels(events: list[Event], kind: str | None = None) -> set[tuple[int, ...]]:
    return {e.vessels for e in events if kind is None or e.kind == kind}


def test_live_in_ten_minute_pieces_equals_batch(scenario, zones, fleet, batch) -> None:
    pos = scenario.positions
    key = pos.ts.astype("int64") // (600 * 10**9)
    chunks = [g for _, g in pos.groupby(key, sort=True)]
    live, last_seen = _live(scenario, zones, fleet, chunks)
    assert live == batch
    # what live mode reported last for each event is the final event
    for name, events in batch.items():
        assert {e.id: e for e in events} == last_seen[name], name


def test_live_in_uneven_row_pieces_equals_batch(scenario, zones, fleet, batch) -> None:
    pos = scenario.positions
    cuts = np.sort(np.random.default_rng(7).choice(len(pos), 40, replace=False))
    chunks = [c for c in np.split(np.arange(len(pos)), cuts) if len(c)]
    live, _ = _live(scenario, zones, fleet, [pos.iloc[c] for c in chunks])
    assert live == batch


def test_encounter_finds_both_transfers_and_nothing_else(batch) -> None:
    events = batch["encounter"]
    assert _vessels(events) == {(s.F_TRANSFER, s.C_TRANSFER), (s.F_MIDNIGHT, s.C_MIDNIGHT)}
    midnight = next(e for e in events if e.vessels == (s.F_MIDNIGHT, s.C_MIDNIGHT))
    assert midnight.start < datetime(2026, 11, 21, tzinfo=UTC) < midnight.end
    assert midnight.duration_s >= 3000
    transfer = next(e for e in events if e.vessels == (s.F_TRANSFER, s.C_TRANSFER))
    assert transfer.status == "closed"
    assert transfer.severity == "high"
    assert transfer.details["fishing"] == [True, False]
    assert transfer.details["min_distance_m"] < 150
    assert transfer.refs and transfer.track
    assert transfer.params["max_distance_m"] == 500.0


def test_parallel_transit_is_rejected_by_drift_and_pair_trawl_rules_only(
        scenario, zones, fleet) -> None:
    """The pair (two fishing boats of one flag, 300 m apart, moving together) is a pair
    trawl by both rules; with both switched off it is found, so nothing else hides it."""
    loose = replace(EncounterParams(), max_drift_kn=100.0, pair_trawl_min_distance_m=1e9)
    assert (s.PAIR_A, s.PAIR_B) in _vessels(EncounterDetector(loose, zones=zones, fleet=fleet)
                                            .run(scenario.positions))
    no_drift = replace(EncounterParams(), max_drift_kn=100.0)
    assert (s.PAIR_A, s.PAIR_B) not in _vessels(EncounterDetector(
        no_drift, zones=zones, fleet=fleet).run(scenario.positions))


def test_patrol_boat_and_anchorage_need_their_rules(scenario, zones, fleet) -> None:
    no_fleet = EncounterDetector(zones=zones, fleet=Fleet.build(fishing_mmsis=scenario
                                                                 .fishing_mmsis))
    found = _vessels(no_fleet.run(scenario.positions))
    assert any(s.PATROL in v for v in found)  # without the own-boat rule it would be flagged
    no_zones = EncounterDetector(fleet=fleet).run(scenario.positions)
    assert any(set(v) <= set(s.ANCHORED) for v in _vessels(no_zones))


def test_loitering_drifting_and_circling(batch) -> None:
    events = batch["loitering"]
    # the slow pair keeps each other company: an encounter's business, not loitering
    assert _vessels(events) == {(s.LOITERER,), (s.CIRCLER,)}
    circler = next(e for e in events if e.vessels == (s.CIRCLER,))
    assert circler.details["circling"]
    assert min(p["sog"] for p in circler.track[1:-1]) > 3.0  # never slow: found by circling


def test_going_dark_near_island_not_far_offshore(batch) -> None:
    events = batch["going_dark"]
    dark = [e for e in events if e.vessels == (s.DARK,)]
    assert len(dark) == 1
    e = dark[0]
    assert e.status == "closed"
    assert e.duration_s == pytest.approx(7200, abs=60)
    assert e.details["reach_radius_m"] > 0
    assert e.details["moved_m"] == pytest.approx(3900, rel=0.1)
    assert (s.DARK_FAR,) not in _vessels(events)
    # a shared MMSI also falls silent in coverage; nothing else does
    assert _vessels(events) <= {(s.DARK,), (s.SHARED,)}


def test_going_dark_stays_open_until_reappearance(scenario, zones, fleet) -> None:
    from jinghai.detect import GoingDarkDetector

    d = GoingDarkDetector(zones=zones, fleet=fleet)
    pos = scenario.positions
    cut = pd.Timestamp("2026-11-20T15:30:00Z")
    opened = [e for e in d.feed(pos[pos.ts <= cut]) if e.vessels == (s.DARK,)]
    assert [e.status for e in opened] == ["open"]
    closed = [e for e in d.feed(pos[pos.ts > cut]) if e.vessels == (s.DARK,)]
    assert [e.status for e in closed] == ["closed"]
    assert closed[0].id == opened[0].id


def test_port_visits_and_unreported_arrival(batch) -> None:
    assert _vessels(batch["port_visit"]) == {(s.F_UNREPORTED,), (s.F_REPORTED,)}
    visit = next(e for e in batch["port_visit"] if e.vessels == (s.F_UNREPORTED,))
    assert visit.details["stop"] is not None and visit.details["exit"] is not None
    unreported = batch["unreported_arrival"]
    assert _vessels(unreported) == {(s.F_UNREPORTED,)}
    assert unreported[0].zone_id == "port-meishan"
    assert unreported[0].details["responsible_person"] == "吴霞"


def test_landing_approach_at_night_by_small_craft(batch) -> None:
    events = batch["landing_approach"]
    assert _vessels(events) == {(s.LANDER,)}
    e = events[0]
    assert e.details["night"] and e.details["small_craft"]
    assert e.severity == "high"
    assert e.details["sub_district"] == "郭巨"


def test_zone_rule_entry_not_single_bad_fix(batch) -> None:
    events = batch["zone_rule"]
    assert _vessels(events) == {(s.INTRUDER,)}
    assert events[0].details["exit"] is not None
    assert events[0].zone_id == "restricted-jintang"


def test_identity(batch) -> None:
    events = batch["identity"]
    assert _vessels(events, "invalid_mmsi") == {(s.FAKE,), (s.UNKNOWN_MID,)}
    assert _vessels(events, "mmsi_shared") == {(s.SHARED,)}
    assert _vessels(events, "identity_changes") == {(s.RENAMER,)}
    assert _vessels(events, "no_static") == {(s.FAKE,), (s.UNKNOWN_MID,), (s.GHOST,)}
    assert _vessels(events, "impossible_jump") == {(s.BAD_FIX,)}


def test_ids_are_deterministic_and_versioned(scenario, zones, fleet, batch) -> None:
    again = EncounterDetector(zones=zones, fleet=fleet).run(scenario.positions)
    assert [e.id for e in again] == [e.id for e in batch["encounter"]]

    class V2(EncounterDetector):
        version = "2.0"
    v2 = V2(zones=zones, fleet=fleet).run(scenario.positions)
    assert not {e.id for e in v2} & {e.id for e in batch["encounter"]}


def test_late_positions_are_counted_not_used(scenario, zones, fleet) -> None:
    d = EncounterDetector(zones=zones, fleet=fleet)
    pos = scenario.positions
    d.feed(pos[pos.ts >= pd.Timestamp("2026-11-20T12:00:00Z")])
    d.feed(pos[pos.ts < pd.Timestamp("2026-11-20T11:00:00Z")])
    assert d.late_dropped == int((pos.ts < pd.Timestamp("2026-11-20T11:00:00Z")).sum())


def test_pyarrow_input_gives_the_same_events(scenario, zones, fleet, batch) -> None:
    import pyarrow as pa

    table = pa.Table.from_pandas(scenario.positions, preserve_index=False)
    assert EncounterDetector(zones=zones, fleet=fleet).run(table) == batch["encounter"]


def test_per_zone_distance_limit(scenario, zones, fleet) -> None:
    params = replace(EncounterParams(), zone_max_distance_m={"layer-high-seas": 50.0})
    events = EncounterDetector(params, zones=zones, fleet=fleet).run(scenario.positions)
    # the daytime transfer (≈ 100 m apart, in the outer layer) drops out; midnight stays
    assert _vessels(events) == {(s.F_MIDNIGHT, s.C_MIDNIGHT)}
