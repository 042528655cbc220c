"""The simulated Beilun feed: real sentences pyais decodes, traffic that stays at sea."""

from __future__ import annotations

import socket
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pyais.messages import NMEASentenceFactory
from pyais.stream import IterMessages

from jinghai.ais.simulate import (
    GRID_BOX,
    PATROL_MMSIS,
    STATIONS,
    FishingSpec,
    Simulation,
    ais_text,
    iter_sentences,
    serve_feed,
)
from jinghai.geo.coast import default_coastline

START = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
REGISTRY = [FishingSpec(412401234, "浙甬渔60123", "郭巨", class_b=True),
            FishingSpec(412409876, "浙北渔51001", "梅山", class_b=False)]


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(seed=7, fishing=REGISTRY)


@pytest.fixture(scope="module")
def lines(sim) -> list[tuple[datetime, str]]:
    return list(iter_sentences(START, timedelta(minutes=20), step=1.0, sim=sim))


def _decoded(lines):
    """(tag block, message) for every assembled message of the stream."""
    out = []
    for msg in IterMessages.from_strings([line for _, line in lines]):
        tb = msg.tag_block
        tb.init()
        out.append((tb, msg.decode()))
    return out


def test_every_sentence_and_tag_block_has_a_valid_checksum(lines):
    assert len(lines) > 1000
    for _, line in lines:
        tb_raw, sentence = line[1:].split("\\", 1)
        sent = NMEASentenceFactory.produce(sentence.encode())
        assert sent.is_valid, line
        body, cs = tb_raw.split("*")
        x = 0
        for ch in body.encode():
            x ^= ch
        assert int(cs, 16) == x, line


def test_stream_decodes_with_pyais_into_the_expected_message_types(lines):
    decoded = _decoded(lines)
    types = Counter(m.msg_type for _, m in decoded)
    assert {1, 3, 5, 18, 24} <= set(types)
    assert types[5] > 0 and types[24] > 0
    stations = {tb.source_station for tb, _ in decoded}
    assert stations <= {s[0] for s in STATIONS}
    # The receiver's time (Unix seconds) is the tick the sentence was emitted at.
    for at, line in lines[::50]:
        tb = NMEASentenceFactory.produce(line.encode()).tag_block
        tb.init()
        assert int(tb.receiver_timestamp) == int(at.timestamp())


def test_positions_stay_in_the_beilun_box_and_at_sea(lines):
    pos = [m for _, m in _decoded(lines) if m.msg_type in (1, 2, 3, 18)]
    lon = np.array([m.lon for m in pos])
    lat = np.array([m.lat for m in pos])
    x0, y0, x1, y1 = GRID_BOX
    assert ((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)).all()
    dist = default_coastline().distance_to_shore_m(lon, lat)
    assert np.nanmin(dist) > 0
    assert not np.isnan(dist).any()


def test_whole_plans_never_touch_land(sim):
    """Every vessel over its whole cycle, sampled each minute: always off the polygons."""
    coast = default_coastline()
    for v in sim.vessels:
        states = [v.state(t) for t in np.arange(0.0, v.period, 60.0)]
        pts = np.array([(s["lon"], s["lat"]) for s in states if s is not None])
        assert coast.distance_to_shore_m(pts[:, 0], pts[:, 1]).min() > 0, v.name


def test_registry_fishing_boats_and_patrol_boats_are_in_the_feed(lines):
    decoded = _decoded(lines)
    mmsis = {m.mmsi for _, m in decoded}
    assert {412401234, 412409876} <= mmsis
    assert set(PATROL_MMSIS) <= mmsis
    names = {m.mmsi: m.shipname for _, m in decoded if m.msg_type == 24 and m.partno == 0}
    assert names[412401234] == "ZHEYONGYU60123" == ais_text("浙甬渔60123")
    class_a = {m.mmsi: m.shipname for _, m in decoded if m.msg_type == 5}
    assert class_a[412409876] == "ZHEBEIYU51001"
    # Foreign ships (MIDs outside China's 412–414) are part of the picture.
    assert any(not 412 <= m // 1_000_000 <= 414 for m in mmsis)


def test_fishing_boats_go_out_and_come_back(sim):
    boat = sim.by_mmsi(412401234)
    states = [boat.state(t) for t in np.arange(0.0, boat.period, 120.0)]
    lon = np.array([s["lon"] for s in states])
    lat = np.array([s["lat"] for s in states])
    from jinghai.geo.metric import haversine_m

    from_home = haversine_m(lon, lat, lon[0], lat[0])
    assert from_home.max() > 15_000  # out on the grounds
    assert from_home[-1] < 500        # and back home at the end of the cycle
    assert {s["status"] for s in states} >= {5, 7, 0}  # moored, fishing, under way


def test_same_seed_same_feed_other_seed_other_feed():
    a = list(iter_sentences(START, 120, sim=Simulation(seed=1, fishing=REGISTRY)))
    b = list(iter_sentences(START, 120, sim=Simulation(seed=1, fishing=REGISTRY)))
    c = list(iter_sentences(START, 120, sim=Simulation(seed=2, fishing=REGISTRY)))
    assert a == b
    assert a != c


def _read_lines(port: int, want: int, timeout: float = 20.0) -> list[str]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        buf = b""
        deadline = time.monotonic() + timeout
        while buf.count(b"\n") < want and time.monotonic() < deadline:
            buf += s.recv(65536)
    return buf.decode().splitlines()


def test_tcp_server_serves_several_clients(sim):
    server = serve_feed("127.0.0.1", 0, speed=30.0, sim=sim)
    try:
        first = _read_lines(server.port, 300)
        second = _read_lines(server.port, 300)
    finally:
        server.stop()
    for got in (first, second):
        assert len(got) >= 300
        msgs = [m.decode() for m in IterMessages.from_strings(got)]
        # A new client first gets everyone's static data, then the live positions.
        assert {5, 24} <= {m.msg_type for m in msgs}
        assert any(m.msg_type in (1, 3, 18) for m in msgs)


def test_demo_feed_sails_the_registry_boats_with_backfilled_tracks(fresh_database_url, tmp_path):
    """What `jinghai demo` starts: the feed carries the demo registry's boats by MMSI, the
    store already holds the last hours, and the server's settings point at the feed."""
    import random

    from jinghai.cli.main import start_demo_feed
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.migrate import upgrade
    from jinghai.org.service import init_operation
    from jinghai.org.template import load_template
    from jinghai.settings import Settings
    from jinghai.vessels.demo import seed_vessels

    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        fleet = seed_vessels(s, random.Random(3), vessels=60, enterprises=5)
        registry = {int(v.mmsi) for v in fleet if v.mmsi and v.status == "active"}
    engine.dispose()
    settings, server = start_demo_feed(Settings(data_dir=tmp_path, database_url=url))
    try:
        lines = _read_lines(server.port, 400)
    finally:
        server.stop()
    assert [f.url for f in settings.ais_feeds] == [server.url]
    assert set(PATROL_MMSIS) <= set(settings.own_mmsis)
    heard = {m.decode().mmsi for m in IterMessages.from_strings(lines)}
    assert registry and registry <= heard
    from jinghai.ais.store import PositionStore

    store = PositionStore(settings.resolved_ais_store_dir())
    now = datetime.now(UTC)
    past = store.scan(now - timedelta(hours=4), now)
    assert past.num_rows > 1000
    assert set(past.column("mmsi").to_pylist()) >= registry
    span = max(past.column("ts").to_pylist()) - min(past.column("ts").to_pylist())
    assert span > timedelta(hours=2, minutes=50)
