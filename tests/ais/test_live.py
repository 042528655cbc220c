"""LiveTracker: latest state per vessel, kinds, versions, search — fed with the simulated
feed's real sentences decoded by pyais."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from jinghai.ais.live import LiveTracker, RegistryRef, classify
from jinghai.ais.simulate import (
    PATROL_MMSIS,
    FishingSpec,
    Simulation,
    decoded_positions,
    iter_sentences,
)

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
BOAT = FishingSpec(412401234, "浙甬渔60123", "郭巨")
REGISTRY = {BOAT.mmsi: RegistryRef(17, "浙甬渔60123", "浙甬渔60123")}


positions = decoded_positions


@pytest.fixture(scope="module")
def sim():
    return Simulation(seed=11, fishing=[BOAT])


@pytest.fixture(scope="module")
def minutes(sim):
    """Two consecutive 5-minute batches of the feed."""
    lines = list(iter_sentences(START, timedelta(minutes=10), sim=sim))
    cut = START + timedelta(minutes=5)
    return (positions([s for t, s in lines if t < cut]),
            positions([s for t, s in lines if t >= cut]))


def test_kinds_follow_own_list_registry_and_mid():
    assert classify(412900101, own={412900101}) == "own"
    assert classify(412401234, registry=REGISTRY) == "fishing"
    assert classify(413123456) == "chinese"
    assert classify(414000001) == "chinese"
    assert classify(477123456) == "foreign"   # Hong Kong has its own MID
    assert classify(636012345) == "foreign"
    assert classify(2_412_345_67) == "foreign"  # 241 Greece
    assert classify(992_416_001) == "other"     # aid to navigation
    assert classify(4_123_456) == "other"       # base station 00MIDxxxx


def test_tracker_classifies_the_simulated_fleet(sim, minutes):
    tracker = LiveTracker(own_mmsis=PATROL_MMSIS, registry=REGISTRY)
    tracker.update(minutes[0])
    kinds = {s.mmsi: s.kind for s in tracker.snapshot()}
    assert kinds[BOAT.mmsi] == "fishing"
    assert {kinds[m] for m in PATROL_MMSIS if m in kinds} == {"own"}
    assert {"chinese", "foreign"} <= set(kinds.values())
    boat = tracker.get(BOAT.mmsi)
    assert (boat.registry_no, boat.vessel_id, boat.name) == ("浙甬渔60123", 17, "浙甬渔60123")
    # Each vessel holds its newest report of the batch.
    t = minutes[0].to_pandas()
    newest = t.sort_values("ts").groupby("mmsi").tail(1).set_index("mmsi")
    for st in tracker.snapshot():
        assert st.ts == newest.loc[st.mmsi, "ts"].to_pydatetime()
        assert st.lon == pytest.approx(newest.loc[st.mmsi, "lon"])


def test_versions_give_only_what_changed(minutes):
    tracker = LiveTracker()
    tracker.update(minutes[0])
    first = tracker.changes(0)
    assert first["full"] and len(first["vessels"]) == len(tracker)
    v1 = first["version"]
    assert tracker.changes(v1) == {"version": v1, "full": False, "vessels": [], "removed": []}
    moved = tracker.update(minutes[1])
    delta = tracker.changes(v1)
    assert not delta["full"] and delta["version"] == v1 + 1
    assert {s.mmsi for s in delta["vessels"]} == set(minutes[1].column("mmsi").to_pylist())
    assert len(delta["vessels"]) == moved
    # A client that kept a version from before a restart gets everything again.
    assert tracker.changes(v1 + 50)["full"]


def test_an_older_report_does_not_move_a_vessel(minutes):
    tracker = LiveTracker()
    tracker.update(minutes[1])
    before = {s.mmsi: s for s in tracker.snapshot()}
    version = tracker.version
    assert tracker.update(minutes[0]) == 0
    assert tracker.version == version
    assert {s.mmsi: s for s in tracker.snapshot()} == before


def test_expired_vessels_are_reported_removed(minutes):
    tracker = LiveTracker(max_age=timedelta(seconds=45))
    tracker.update(minutes[0])
    v = tracker.version
    tracker.update(minutes[1])
    v2 = tracker.version
    now = START + timedelta(minutes=10)
    quiet = {s.mmsi for s in tracker.snapshot() if s.ts < now - timedelta(seconds=45)}
    gone = tracker.expire(now=now)
    assert gone and set(gone) == quiet  # ships at anchor report every 3 minutes
    delta = tracker.changes(v2)
    assert set(delta["removed"]) == set(gone) and delta["vessels"] == []
    assert all(tracker.get(m) is None for m in gone)
    assert tracker.changes(v)["removed"] == delta["removed"]


def test_registry_and_names_restamp_held_vessels(minutes):
    tracker = LiveTracker()
    tracker.update(minutes[0])
    assert tracker.get(BOAT.mmsi).kind == "chinese"
    v = tracker.version
    tracker.set_registry(REGISTRY)
    delta = tracker.changes(v)
    assert [s.mmsi for s in delta["vessels"]] == [BOAT.mmsi]
    assert delta["vessels"][0].kind == "fishing"
    some = next(s.mmsi for s in tracker.snapshot() if s.kind == "foreign")
    tracker.set_names({some: "OCEAN TRUST  "})
    assert tracker.get(some).name == "OCEAN TRUST"
    assert [s.mmsi for s in tracker.search("ocean trust")] == [some]
    tracker.set_own([some])
    assert tracker.get(some).kind == "own"


def test_search_by_name_mmsi_and_registry_number(minutes):
    tracker = LiveTracker(registry=REGISTRY)
    tracker.update(minutes[0])
    assert [s.mmsi for s in tracker.search("60123")] == [BOAT.mmsi]
    assert [s.mmsi for s in tracker.search("浙甬渔60123")] == [BOAT.mmsi]
    assert tracker.search(str(BOAT.mmsi))[0].mmsi == BOAT.mmsi
    assert tracker.search("   ") == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_runtime_ingests_a_running_feed_into_store_tracker_and_consumers(
        backend, fresh_database_url, tmp_path):
    """The web app's runtime against the simulated feed on a real TCP port: positions reach
    the store, the tracker and every registered consumer; static data names the vessels."""
    import time

    from jinghai.ais.runtime import AisRuntime, register_live_consumer, unregister_live_consumer
    from jinghai.ais.simulate import serve_feed
    from jinghai.db import make_engine, make_session_factory
    from jinghai.migrate import upgrade
    from jinghai.settings import FeedSetting, Settings

    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade(engine)
    server = serve_feed("127.0.0.1", 0, speed=10.0, sim=Simulation(seed=3, fishing=[BOAT]))
    settings = Settings(data_dir=tmp_path, database_url=url, own_mmsis=list(PATROL_MMSIS),
                        ais_feeds=[FeedSetting(url=server.url, name="sim")],
                        ais_flush_seconds=1.0)
    batches: list[pa.Table] = []
    register_live_consumer(batches.append)
    runtime = AisRuntime(settings, make_session_factory(engine)).start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            named = [s for s in runtime.tracker.snapshot() if s.name]
            if len(runtime.tracker) >= 15 and len(named) >= 15 and len(batches) >= 3:
                break
            time.sleep(0.5)
    finally:
        runtime.stop()
        server.stop()
        unregister_live_consumer(batches.append)
        engine.dispose()
    states = {s.mmsi: s for s in runtime.tracker.snapshot()}
    assert len(states) >= 15
    assert states[BOAT.mmsi].name == "ZHEYONGYU60123"  # from its type 24, via AisVessel
    assert {states[m].kind for m in PATROL_MMSIS if m in states} == {"own"}
    stored = runtime.store.scan(START.replace(year=2000), datetime.now(UTC) + timedelta(days=1))
    assert stored.num_rows == sum(b.num_rows for b in batches) > 0
    # One row per message however many receivers heard it, with the receivers listed.
    assert any("," in r for r in stored.column("receivers").to_pylist())


def test_a_failing_consumer_does_not_stop_the_picture_or_the_others(minutes, tmp_path):
    from jinghai.ais.runtime import AisRuntime, register_live_consumer, unregister_live_consumer
    from jinghai.settings import Settings

    def broken(table: pa.Table) -> None:
        raise RuntimeError("detector bug")

    got: list[int] = []

    def counting(table: pa.Table) -> None:
        got.append(table.num_rows)

    runtime = AisRuntime(Settings(data_dir=tmp_path), session_factory=None)
    register_live_consumer(broken)
    register_live_consumer(counting)
    try:
        runtime._on_positions(minutes[0])
        runtime._on_positions(minutes[1])
    finally:
        unregister_live_consumer(broken)
        unregister_live_consumer(counting)
    assert got == [minutes[0].num_rows, minutes[1].num_rows]
    assert len(runtime.tracker) == len(set(minutes[0].column("mmsi").to_pylist())
                                       | set(minutes[1].column("mmsi").to_pylist()))
    assert not (tmp_path / "ais").exists()  # no feed, nothing written


def test_runtime_compacts_closed_days_and_a_busy_today(minutes, tmp_path, monkeypatch):
    """Live feeds write a part every few seconds; the runtime merges them so track queries
    read a few files. Closed days always, today once it has TODAY_MAX_PARTS parts."""
    import jinghai.ais.runtime as rt
    from jinghai.ais.runtime import AisRuntime
    from jinghai.settings import Settings

    runtime = AisRuntime(Settings(data_dir=tmp_path), session_factory=None)
    store = runtime.store
    day = START.date()
    for batch in minutes:
        for k in range(0, batch.num_rows, 50):
            store.append(batch.slice(k, 50))
    parts = lambda: sorted((store.positions_dir / f"day={day}").glob("part-*.parquet"))
    before = store.read_day(day).sort_by([("mmsi", "ascending"), ("ts", "ascending")])
    n = len(parts())
    assert n > 4
    monkeypatch.setattr(rt, "TODAY_MAX_PARTS", n + 1)
    assert runtime.compact_store(today=day) == {}  # today, and not busy enough yet
    assert len(parts()) == n
    assert runtime.compact_store(today=day + timedelta(days=1)) == {day: n}  # a closed day
    assert len(parts()) == 1
    assert store.read_day(day).equals(before)
