"""The map's pages and JSON: who may see them, vessels since a version, details with the
registry record, search, tracks from the store, layers. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import select

from jinghai.accounts.models import User
from jinghai.ais.simulate import (
    PATROL_MMSIS,
    FishingSpec,
    Simulation,
    decoded_positions,
    iter_sentences,
)
from jinghai.db import make_session_factory, session_scope
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

BOAT = FishingSpec(412401234, "浙甬渔60123", "郭巨")
START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


positions = decoded_positions


@pytest.fixture(scope="module")
def feed() -> pa.Table:
    sim = Simulation(seed=5, fishing=[BOAT])
    return positions([s for _, s in iter_sentences(START, timedelta(minutes=20), sim=sim)])


@pytest.fixture()
def registry_vessel(site_url):
    factory = make_session_factory(__import__("jinghai.db", fromlist=["make_engine"])
                                   .make_engine(site_url))
    with session_scope(factory) as s:
        office = s.scalar(select(User).where(User.username == "office1"))
        v = add_vessel(s, office, VesselIn.model_validate({
            "registry_no": "浙甬渔60123", "name": "浙甬渔60123", "home_port": "郭巨",
            "mmsi": str(BOAT.mmsi),
            "owner": {"kind": "个人", "name": "王海军", "phone": "13805741234",
                      "id_code": "330206197001011234"}}))
        vid = v.id
    factory.kw["bind"].dispose()
    return vid


@pytest.fixture()
def live(app, client, feed, registry_vessel):
    """The app's runtime holding the simulated picture, its registry re-read."""
    runtime = app.state.ais_runtime
    runtime.refresh_registry()
    runtime.tracker.set_own(PATROL_MMSIS)
    runtime.tracker.update(feed)
    return runtime


def test_map_needs_a_signed_in_user(client):
    for url in ("/api/map/vessels", "/api/map/search?q=ZHE", "/api/map/vessels/412401234",
                "/api/map/track/412401234", "/api/map/layers", "/api/map/coastline.geojson"):
        assert client.get(url).status_code == 401, url
    r = client.get("/map", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/map")


@pytest.mark.parametrize("username", ["office1", "leader1", "admin1", "bs1", "cg1"])
def test_every_role_sees_the_map_page_with_the_nav_entry(client, login, username):
    login(username)
    r = client.get("/map")
    assert r.status_code == 200
    assert "/static/vendor/leaflet/leaflet.js" in r.text and "/static/js/map.js" in r.text
    assert 'href="/map"' in r.text and "海图" in r.text
    for label in ("名录渔船", "本方巡逻船", "其他中国籍船舶", "外籍船舶"):
        assert label in r.text


def test_vessels_since_a_version(client, login, live):
    login("bs1")
    first = client.get("/api/map/vessels").json()
    assert first["full"] and first["version"] == live.tracker.version
    kinds = {v["mmsi"]: v["kind"] for v in first["vessels"]}
    assert kinds[BOAT.mmsi] == "fishing"
    assert {kinds[m] for m in PATROL_MMSIS if m in kinds} == {"own"}
    assert {"chinese", "foreign"} <= set(kinds.values())
    boat = next(v for v in first["vessels"] if v["mmsi"] == BOAT.mmsi)
    assert boat["registry_no"] == "浙甬渔60123" and boat["vessel_id"] is not None
    again = client.get(f"/api/map/vessels?since={first['version']}").json()
    assert again == {"version": first["version"], "full": False, "removed": [], "vessels": []}
    assert client.get("/api/map/vessels?since=-1").status_code == 422


def test_vessel_detail_shows_the_registry_record_and_qr(client, login, live, registry_vessel):
    login("cg1")
    d = client.get(f"/api/map/vessels/{BOAT.mmsi}").json()
    assert d["kind"] == "fishing" and d["kind_label"] == "名录渔船"
    assert d["registry"]["registry_no"] == "浙甬渔60123"
    assert d["registry"]["url"] == f"/vessels/{registry_vessel}"
    assert client.get(d["registry"]["qr_svg"]).headers["content-type"].startswith("image/svg")
    assert d["last"]["mmsi"] == BOAT.mmsi and d["last"]["receivers"]
    assert client.get("/api/map/vessels/999999999").status_code == 404


def test_search_by_name_mmsi_and_registry_number(client, login, live):
    login("leader1")
    by_no = client.get("/api/map/search", params={"q": "浙甬渔60123"}).json()["results"]
    assert [r["mmsi"] for r in by_no] == [BOAT.mmsi] and by_no[0]["live"]
    by_mmsi = client.get("/api/map/search", params={"q": str(BOAT.mmsi)}).json()["results"]
    assert by_mmsi[0]["mmsi"] == BOAT.mmsi
    # A merchant ship named over AIS: the tracker learns names from the static data.
    some = next(s for s in live.tracker.snapshot() if s.kind == "foreign")
    live.tracker.set_names({some.mmsi: "OCEAN TRUST"})
    by_name = client.get("/api/map/search", params={"q": "ocean"}).json()["results"]
    assert [r["mmsi"] for r in by_name] == [some.mmsi]
    assert client.get("/api/map/search", params={"q": "x" * 61}).status_code == 422
    assert client.get("/api/map/search", params={"q": "no such vessel"}).json()["results"] == []


def test_search_finds_registry_vessels_not_on_the_map(client, login, registry_vessel):
    login("office1")
    res = client.get("/api/map/search", params={"q": "60123"}).json()["results"]
    assert res == [{"mmsi": BOAT.mmsi, "name": "浙甬渔60123", "registry_no": "浙甬渔60123",
                    "vessel_id": registry_vessel, "kind": "fishing", "kind_label": "名录渔船",
                    "live": False}]


def test_track_from_the_store(client, login, live, feed):
    store = live.store
    assert store is not None
    store.append(feed)
    login("bs1")
    r = client.get(f"/api/map/track/{BOAT.mmsi}")
    assert r.status_code == 200
    t = r.json()
    mine = feed.filter(pa.compute.equal(feed["mmsi"], BOAT.mmsi))
    assert t["count"] == mine.num_rows > 0
    ts = [p[0] for p in t["points"]]
    assert ts == sorted(ts)
    assert {(p[1], p[2]) for p in t["points"]} == set(zip(mine["lon"].to_pylist(),
                                                         mine["lat"].to_pylist(), strict=True))
    # A period before the feed started holds nothing.
    early = (START - timedelta(hours=3)).isoformat()
    earlier = (START - timedelta(hours=5)).isoformat()
    r = client.get(f"/api/map/track/{BOAT.mmsi}", params={"start": earlier, "end": early})
    assert r.json()["points"] == []


def test_track_period_is_checked(client, login):
    login("office1")
    now = datetime.now(UTC)
    bad = client.get("/api/map/track/412401234", params={
        "start": now.isoformat(), "end": (now - timedelta(hours=1)).isoformat()})
    assert bad.status_code == 422 and "开始时间" in bad.json()["detail"]
    long = client.get("/api/map/track/412401234", params={
        "start": (now - timedelta(days=40)).isoformat(), "end": now.isoformat()})
    assert long.status_code == 422
    local = client.get("/api/map/track/412401234", params={
        "start": "2026-11-28T08:00", "end": "2026-11-28T20:00"})
    assert local.json()["start"] == "2026-11-28T00:00:00+00:00"  # Beijing time in, UTC out


def test_layers_and_coastline(app, client, login):
    """The map draws the zones in the database, exactly what the detectors use: none
    before any are loaded (no fallback to the demo), then the active ones."""
    from jinghai.geo.service import seed_demo_zones, set_layer_active

    login("bs1")
    assert client.get("/api/map/layers").json()["zones"]["features"] == []
    factory = make_session_factory(app.state.engine)
    with session_scope(factory) as s:
        seed_demo_zones(s)
    zones = client.get("/api/map/layers").json()["zones"]
    kinds = {f["properties"]["kind"] for f in zones["features"]}
    assert {"jurisdiction", "port", "anchorage", "landing_point"} <= kinds
    assert "layer_high_seas" not in kinds
    with session_scope(factory) as s:
        office = s.scalar(select(User).where(User.username == "office1"))
        assert set_layer_active(s, office, "own", False) > 0
    assert client.get("/api/map/layers").json()["zones"]["features"] == []
    coast = client.get("/api/map/coastline.geojson")
    assert coast.status_code == 200 and len(coast.json()["features"]) == 370


def test_without_feeds_the_map_shows_the_stores_latest_positions(site_url, tmp_path, feed,
                                                                 registry_vessel):
    """A restarted server with no feed configured still shows where vessels were last
    seen: the tracker is seeded from the store's latest position per vessel."""
    from fastapi.testclient import TestClient

    from jinghai.ais.store import PositionStore
    from jinghai.settings import Settings
    from jinghai.web.app import create_app

    PositionStore(tmp_path / "ais").append(feed)
    app = create_app(Settings(data_dir=tmp_path, database_url=site_url))
    try:
        with TestClient(app) as client:
            r = client.post("/api/auth/login",
                            json={"username": "leader1", "password": "correct-horse-9"})
            assert r.status_code == 200
            vessels = client.get("/api/map/vessels").json()["vessels"]
    finally:
        app.state.engine.dispose()
    df = feed.to_pandas().sort_values("ts").groupby("mmsi").tail(1).set_index("mmsi")
    assert {v["mmsi"] for v in vessels} == set(df.index)
    for v in vessels:
        assert (v["lon"], v["lat"]) == pytest.approx((df.loc[v["mmsi"], "lon"],
                                                      df.loc[v["mmsi"], "lat"]))
    assert next(v for v in vessels if v["mmsi"] == BOAT.mmsi)["kind"] == "fishing"


def test_an_intranet_tile_server_from_settings_is_used_and_allowed(site_url, tmp_path):
    from fastapi.testclient import TestClient

    from jinghai.settings import Settings
    from jinghai.web.app import create_app

    tiles = "http://tiles.intranet.example:8080/{z}/{x}/{y}.png"
    app = create_app(Settings(data_dir=tmp_path, database_url=site_url, map_tile_url=tiles))
    try:
        with TestClient(app) as client:
            client.post("/api/auth/login",
                        json={"username": "bs1", "password": "correct-horse-9"})
            r = client.get("/map")
    finally:
        app.state.engine.dispose()
    assert f'data-tiles="{tiles}"' in r.text
    img_src = next(p for p in r.headers["content-security-policy"].split(";")
                   if p.strip().startswith("img-src"))
    assert "http://tiles.intranet.example:8080" in img_src
