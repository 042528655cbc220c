"""Issue 10 in the browser: the leadership reads what exists and finds no entry buttons
(11), the API docs work offline and signed-in only (12), long lists page and search, the
audit trail reads in Chinese with a date filter (14), and the maps name places; the public
tip-off page draws the coastline and takes a tap for the position (15)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.geo.service import seed_demo_zones

from .conftest import PASSWORD


def _seed_demo_zones(url: str) -> None:
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as s:
        seed_demo_zones(s)
    engine.dispose()

pytestmark = pytest.mark.browser

PHONE = "13812345678"


def api(server, username: str) -> httpx.Client:
    c = httpx.Client(base_url=server.url, timeout=30)
    r = c.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_leader_reads_clues_cases_incidents_without_entry_buttons(live_server, page, sign_in):
    office = api(live_server, "office1")
    clue = office.post("/api/clues", json={"source_kind": "agency",
                                           "content": f"线人称 {PHONE} 在梅山接人"}).json()
    assert office.post("/api/cases", json={"title": "梅山接应案",
                                           "clue_ids": [clue["id"]]}).status_code == 201
    r = office.post("/api/incidents", json={"kind": "illegal_entry", "persons": 3,
                                            "occurred_at": "2026-11-28T08:00:00+08:00",
                                            "place": "郭巨"})
    assert r.status_code in (200, 201), r.text

    sign_in(live_server, "leader1")
    nav = page.get_by_role("navigation", name="主导航")
    for label in ("线索串并", "案件", "个案处置"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    page.goto(live_server.url + "/clues/")
    expect(page.get_by_role("link", name=f"#{clue['id']}")).to_be_visible()
    expect(page.get_by_role("link", name="录入线索")).to_have_count(0)
    assert PHONE not in page.content() and "138****5678" in page.content()
    page.goto(live_server.url + "/cases/")
    expect(page.get_by_role("cell", name="梅山接应案")).to_be_visible()
    page.goto(live_server.url + "/incidents/")
    expect(page.get_by_role("cell", name="郭巨")).to_be_visible()
    expect(page.get_by_role("link", name="登记个案")).to_have_count(0)

    page.goto(f"{live_server.url}/clues/{clue['id']}")
    expect(page.get_by_role("button", name="立案")).to_have_count(0)
    expect(page.get_by_role("button", name="上传")).to_have_count(0)
    page.get_by_role("button", name="显示原文（记录审计）").click()
    expect(page.get_by_test_id("clue-content")).to_contain_text(PHONE)


def test_api_docs_render_offline_for_signed_in_users(live_server, page, sign_in):
    outside = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/docs")
    expect(page).to_have_url(re.compile(r"/login\?next=/docs"))
    sign_in(live_server, "office1")
    page.goto(live_server.url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("净海 Jinghai API")
    expect(page.locator(".opblock-summary-path", has_text="/api/clues").first).to_be_visible()
    assert outside == []
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"


def test_clues_page_and_audit_in_chinese_with_date_filter(live_server, page, sign_in):
    office = api(live_server, "office1")
    for i in range(55):
        place = "梅山" if i % 5 == 0 else "郭巨"
        assert office.post("/api/clues", json={"source_kind": "agency", "place": place,
                                               "content": f"第{i}号分页测试线索"}).status_code == 201
    sign_in(live_server, "office1")
    page.goto(live_server.url + "/clues/")
    expect(page.get_by_test_id("clue-total")).to_have_text("共 55 条")
    expect(page.get_by_role("link", name="#55")).to_be_visible()
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_role("link", name="#1", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="查找").fill("梅山")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_test_id("clue-total")).to_have_text("共 11 条")

    page.goto(live_server.url + "/audit")
    expect(page.get_by_role("cell", name="新建").first).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"^线索 #\d+$")).first).to_be_visible()
    assert "create" not in page.locator("table").inner_text()
    page.get_by_label("起始日期").fill("2020-01-01")
    page.get_by_label("截止日期").fill("2020-01-02")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("cell", name="没有符合条件的记录")).to_be_visible()


def test_maps_name_places_and_the_tip_page_takes_a_tap(live_server, page, sign_in):
    page.goto(live_server.url + "/tip")
    expect(page.locator("#tipmap path.leaflet-interactive, #tipmap path").first).to_be_attached()
    expect(page.locator("#tipmap .place-label", has_text="大榭岛")).to_be_visible()
    expect(page.get_by_label("经度（可选）")).to_be_hidden()
    box = page.locator("#tipmap").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    expect(page.get_by_test_id("picked")).to_contain_text("°N")
    page.get_by_label("看到了什么").fill("夜里有快艇在这里靠岸，下来好几个人")
    page.get_by_label("匿名举报").check()
    page.get_by_role("button", name="提交举报").click()
    code = page.get_by_test_id("receipt-code").inner_text()

    sign_in(live_server, "office1")
    page.goto(live_server.url + "/tipoffs/")
    page.get_by_role("link", name=code).click()
    expect(page.locator("p", has_text="地点")).to_contain_text("°N")

    # the map names the zones the detectors use (in the database) beside the gazetteer
    _seed_demo_zones(live_server.env["JINGHAI_DATABASE_URL"])
    page.goto(live_server.url + "/map")
    expect(page.locator(".place-label", has_text="金塘岛")).to_be_visible()
    expect(page.locator(".place-label", has_text="大榭港区")).to_be_visible()


def test_zone_names_are_text_on_the_maps(live_server, page, sign_in):
    """Point 5: a zone named with markup shows the markup as text, never as a live link."""
    office = api(live_server, "office1")
    name = '<a href="https://evil.example/">点我</a>'
    square = ('{"type":"Polygon","coordinates":[[[121.9,29.85],[122.1,29.85],[122.1,29.95],'
              '[121.9,29.95],[121.9,29.85]]]}')
    r = office.post("/zones/draw", data={
        "csrf_token": office.headers["X-CSRF-Token"], "geometry": square, "kind": "restricted",
        "name": name, "sub_district": "郭巨街道", "responsible_person": "王海波"})
    assert r.status_code == 303, r.text
    sign_in(live_server, "office1")
    page.goto(live_server.url + "/zones/")
    zmap = page.locator("#zonemap")
    box = zmap.bounding_box()
    expect(zmap.locator("path.leaflet-interactive").first).to_be_attached()
    page.wait_for_timeout(300)
    zmap.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(name)
    expect(popup.locator("a")).to_have_count(0)
