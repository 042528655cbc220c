"""Issue 3, done-when: while the simulated feed runs, a signed-in user watches a vessel move
on the live map, finds it by name and opens its track; a registry fishing vessel shows its
registry record and exclusive code. The server ingests the feed over TCP like any feed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from jinghai.accounts.models import User
from jinghai.ais.simulate import EPOCH, PATROL_MMSIS, FishingSpec, Simulation, serve_feed
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

pytestmark = pytest.mark.browser

BOAT = FishingSpec(412401234, "浙甬渔60123", "郭巨")


def _conftest():
    # The browser conftest's server helpers (tests are imported in importlib mode).
    return sys.modules["tests.browser.conftest"]


def _add_registry_boat(database_url: str) -> None:
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as s:
        agri = s.query(User).filter_by(username="agri1").one()
        add_vessel(s, agri, VesselIn.model_validate(
            {"registry_no": BOAT.name, "name": BOAT.name, "home_port": "郭巨",
             "mmsi": str(BOAT.mmsi),
             "owner": {"kind": "个人", "name": "王海军", "phone": "13805741234"}}))
    engine.dispose()


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(seed=20261129, fishing=[BOAT])


@pytest.fixture(params=["sqlite", "postgresql"])
def map_server(request, fresh_database_url, tmp_path, sim):
    """A live server whose settings point at the simulated feed running on a local port."""
    helpers = _conftest()
    url = fresh_database_url(request.param)
    helpers.seed_site(url)
    _add_registry_boat(url)
    feed = serve_feed("127.0.0.1", 0, speed=1.0, sim=sim)
    env = {"JINGHAI_AIS_FEEDS": json.dumps([{"url": feed.url, "name": "sim"}]),
           "JINGHAI_OWN_MMSIS": json.dumps(list(PATROL_MMSIS)),
           "JINGHAI_AIS_STORE_DIR": str(tmp_path / "ais"), "JINGHAI_AIS_FLUSH_SECONDS": "2"}
    proc, server = helpers.start_server(url, tmp_path, env)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    feed.stop()


def _moving_vessel(sim: Simulation):
    """A vessel under way now and for the next few minutes, with a name to search."""
    now = (datetime.now(UTC) - EPOCH).total_seconds()
    for v in sim.vessels:
        states = [v.state(now + dt) for dt in range(0, 300, 30)]
        if all(s is not None and s["moving"] for s in states) and not v.class_b:
            return v
    raise AssertionError("no vessel under way in the simulation")


def _marker_position(page, mmsi: int) -> tuple[str, str]:
    marker = page.locator(f'.vessel-icon[data-mmsi="{mmsi}"]')
    return marker.get_attribute("data-lat"), marker.get_attribute("data-lon")


def test_watch_a_vessel_move_find_it_by_name_and_open_its_track(map_server, page, sign_in,
                                                                sim):
    vessel = _moving_vessel(sim)
    sign_in(map_server, "bs1")
    page.get_by_role("link", name="海图").click()
    expect(page).to_have_url(map_server.url + "/map")
    marker = page.locator(f'.vessel-icon[data-mmsi="{vessel.mmsi}"]')
    expect(marker).to_have_count(1, timeout=30_000)
    expect(page.locator(".vessel-icon.kind-own").first).to_be_attached()
    expect(page.get_by_role("status").first).to_contain_text("在图船舶")

    # The marker moves without a reload (class A under way reports every 10 s).
    first = _marker_position(page, vessel.mmsi)
    deadline = time.monotonic() + 40
    second = first
    while second == first and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        second = _marker_position(page, vessel.mmsi)
    assert second != first, "the vessel's marker did not move"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # Search by the name it gives over AIS (type 5), open it, show its track.
    page.get_by_label("搜索船舶").fill(vessel.name.split()[0].lower())
    page.get_by_role("button", name="搜索").click()
    results = page.get_by_role("list", name="搜索结果")
    results.get_by_role("button", name=re.compile(re.escape(vessel.name))).click()
    expect(page.locator("#vp-title")).to_have_text(vessel.name)
    expect(page.locator("#vp-identity")).to_contain_text(str(vessel.mmsi))
    expect(page.locator("#vp-last")).to_contain_text("节")
    page.wait_for_timeout(12_000)  # at least two stored reports since the server started
    page.get_by_role("button", name="显示航迹").click()
    summary = page.locator("#track-summary")
    expect(summary).to_contain_text(re.compile(r"航迹 \d+ 个船位"))
    count = int(re.search(r"航迹 (\d+) 个船位", summary.inner_text()).group(1))
    assert count >= 2
    expect(page.locator("path.leaflet-interactive[stroke='#d81b60']")).to_have_count(1)
    slider = page.get_by_label("回放进度")
    assert slider.get_attribute("max") == str(count - 1)
    page.get_by_role("button", name="回放").click()
    expect(slider).not_to_have_value("0")


def test_registry_fishing_vessel_shows_its_record_and_code(map_server, page, sign_in):
    sign_in(map_server, "cg1")
    page.goto(map_server.url + "/map")
    expect(page.locator(f'.vessel-icon[data-mmsi="{BOAT.mmsi}"]')).to_have_count(1,
                                                                              timeout=30_000)
    page.get_by_label("搜索船舶").fill("浙甬渔60123")
    page.get_by_role("button", name="搜索").click()
    hit = page.get_by_role("list", name="搜索结果").get_by_role(
        "button", name=re.compile("浙甬渔60123"))
    expect(hit).to_contain_text(f"MMSI {BOAT.mmsi}")
    expect(hit).not_to_contain_text("不在图上")
    hit.click()
    expect(page.locator("#vp-kind")).to_have_text("名录渔船")
    registry = page.locator("#vp-registry")
    expect(registry).to_contain_text("郭巨")
    expect(registry.get_by_role("link", name="浙甬渔60123")).to_have_attribute(
        "href", re.compile(r"^/vessels/\d+$"))
    qr = page.get_by_role("img", name="船舶专属码")
    expect(qr).to_have_attribute("src", re.compile(r"^/vessels/\d+/qr\.svg$"))
    # the image loads after its src is set: wait for it (a broken image never gets a width)
    page.wait_for_function(
        "() => { const i = document.getElementById('vp-qr'); return i.complete && i.naturalWidth > 0; }",
        timeout=15_000)
    assert "13805741234" not in page.content()
