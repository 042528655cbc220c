"""Alert pages and /api/alerts through the real app: the inbox per group, the live poll,
acknowledge/close over the API with CSRF, the office-only pages, zones and port reports."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from jinghai.accounts.models import Role, User
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.alerts.service import record_event
from jinghai.db import make_session_factory, session_scope, utcnow
from jinghai.geo.service import seed_demo_zones
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

from ..alerts.factories import make_event
from .conftest import PASSWORD


@pytest.fixture()
def alerts(app):
    """A sea-patrol encounter and a coastal landing alert in the site's database."""
    factory = make_session_factory(app.state.engine)
    with session_scope(factory) as s:
        seed_demo_zones(s)
        earlier = utcnow() - timedelta(minutes=1)
        enc = record_event(s, make_event("encounter"), now=earlier)
        land = record_event(s, make_event("landing_approach", (413800001,), zone_id="lp-gj-01",
                                          night=True), now=earlier)
        ids = {"encounter": enc.id, "landing": land.id}
        add_user(s, None, UserIn(username="cu3", password=PASSWORD, role=Role.LIAISON,
                                 unit_key="cu_meishan"))
    return ids


def test_inbox_per_group(client, login, alerts) -> None:
    login("cg1")  # coast guard: sea patrol lead, coastal cooperating
    r = client.get("/alerts/")
    assert r.status_code == 200
    assert f'/alerts/{alerts["encounter"]}"' in r.text and f'/alerts/{alerts["landing"]}"' in r.text
    client.post("/logout", data={"csrf_token": ""})
    client.cookies.clear()
    login("bs2")  # 大榭边检站: cooperates in sea patrol and coastal
    assert len(client.get("/api/alerts").json()["alerts"]) == 2
    client.cookies.clear()
    token = login("cu3")  # 梅山海关: in neither group
    assert client.get("/api/alerts").json()["alerts"] == []
    assert client.get(f"/api/alerts/{alerts['landing']}").status_code == 404
    assert client.get(f"/alerts/{alerts['landing']}").status_code == 404
    r = client.post(f"/api/alerts/{alerts['landing']}/close",
                    json={"outcome": "false_alarm", "reason": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 404


def test_act_over_the_api_with_csrf(client, login, alerts) -> None:
    token = login("cg1")
    aid = alerts["encounter"]
    assert client.post(f"/api/alerts/{aid}/acknowledge", json={}).status_code == 403  # no CSRF
    r = client.post(f"/api/alerts/{aid}/acknowledge", json={"note": "前往"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = client.post(f"/api/alerts/{aid}/close", json={"outcome": "confirmed", "reason": ""},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    r = client.post(f"/api/alerts/{aid}/close",
                    json={"outcome": "false_alarm", "reason": "渔船正常补给"},
                    headers={"X-CSRF-Token": token})
    assert (r.json()["state"], r.json()["outcome"]) == ("closed", "false_alarm")
    detail = client.get(f"/api/alerts/{aid}").json()
    assert [h["action"] for h in detail["history"]] == ["created", "acknowledged", "closed"]
    assert detail["track"] and detail["state"] == "closed"


def test_leader_reads_but_cannot_act(client, login, alerts) -> None:
    token = login("leader1")
    assert len(client.get("/api/alerts").json()["alerts"]) == 2
    r = client.post(f"/api/alerts/{alerts['encounter']}/acknowledge", json={},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    assert client.get("/alerts/settings").status_code == 403


def test_poll_returns_what_changed_since_the_cursor(client, login, app, alerts) -> None:
    login("office1")
    first = client.get("/api/alerts/poll").json()
    assert first["alerts"] == [] and first["new_count"] == 2
    factory = make_session_factory(app.state.engine)
    with session_scope(factory) as s:
        new = record_event(s, make_event("going_dark", (413700001,), score=0.7),
                           now=utcnow() + timedelta(seconds=1))
        new_id = new.id
    nxt = client.get("/api/alerts/poll?since=" + quote(first["cursor"])).json()
    assert [a["id"] for a in nxt["alerts"]] == [new_id]
    assert nxt["new_count"] == 3
    again = client.get("/api/alerts/poll?since=" + quote(nxt["cursor"])).json()
    assert again["alerts"] == []


def test_office_pages_render(client, login, alerts) -> None:
    login("office1")
    settings = client.get("/alerts/settings")
    assert settings.status_code == 200
    text = re.sub(r"<[^>]+>", " ", settings.text)  # what the office reads, not the markup
    assert "两船最大距离" in text and "Miller" in text and "GFW 相遇" in text  # name, source
    assert "海上巡航组" in text and "岸线" in text  # routing by names, not keys
    for code in ("slot_s", "max_distance_m", "vessel_control", "layer_shoreline",
                 "DetectorParams", "the issue asks"):
        assert code not in text
    stats = client.get("/alerts/stats")
    assert stats.status_code == 200 and "准确率" in stats.text
    detail = client.get(f"/alerts/{alerts['landing']}")
    assert detail.status_code == 200 and 'id="replay"' in detail.text and "郭巨街道" in detail.text
    assert client.get("/api/alerts/stats").json()["detectors"][0]["by_state"]


def test_zones_page_import_and_api(client, login, alerts) -> None:
    token = login("office1")
    assert "北仑港" in client.get("/zones/").text
    bad = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
           '{"id":"x","kind":"harbour","name":"X"},"geometry":{"type":"Point","coordinates":[122,29.9]}}]}')
    r = client.post("/zones/import", data={"geojson": bad, "csrf_token": token})
    assert r.status_code == 400 and "harbour" in r.text
    good = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            '{"id":"lp-new","kind":"landing_point","subtype":"岙口","name":"新岙口",'
            '"sub_district":"郭巨","responsible_person":"黄勇","responsible_phone":"13800000000"},'
            '"geometry":{"type":"Point","coordinates":[122.11,29.87]}}]}')
    r = client.post("/zones/import", data={"geojson": good, "csrf_token": token})
    assert r.status_code == 200 and "新增 1 个" in r.text
    fc = client.get("/api/zones").json()
    new = [f for f in fc["features"] if f["properties"]["id"] == "lp-new"]
    assert new[0]["properties"]["responsible_phone"] == "13800000000"


def test_only_office_imports_zones(client, login, alerts) -> None:
    token = login("cg1")
    r = client.post("/zones/import", data={"geojson": "{}", "csrf_token": token})
    assert r.status_code == 403


def test_port_report_form_link_and_owner_page(client, login, app, alerts) -> None:
    factory = make_session_factory(app.state.engine)
    with session_scope(factory) as s:
        office = s.query(User).filter_by(username="office1").one()
        add_vessel(s, office, VesselIn.model_validate(
            {"registry_no": "浙甬渔60123", "name": "甬渔123",
             "mmsi": "412300123"}))
    token = login("office1")
    r = client.post("/portcalls/new", data={
        "csrf_token": token, "vessel": "浙甬渔60123", "direction": "entry", "port": "北仑港",
        "event_time": "2026-11-20T08:30", "crew_count": "6"})
    assert r.status_code == 200 and "已登记：浙甬渔60123 进港" in r.text
    r = client.post("/portcalls/links", data={"csrf_token": token, "registry_no": "浙甬渔60123"})
    link = r.text.split('data-testid="owner-link">')[1].split("<")[0]
    path = link.split("testserver", 1)[1]
    client.cookies.clear()  # the owner has no account
    page = client.get(path)
    assert page.status_code == 200 and "甬渔123" in page.text
    anon = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(path, data={"csrf_token": anon, "direction": "exit", "port": "port-beilun",
                                "event_time": "2026-11-20T18:00", "crew_count": "6"})
    assert r.status_code == 200 and "已报告：出港 北仑港" in r.text
    assert client.get("/r/not-a-token").status_code == 403
    login("office1")
    rows = client.get("/api/portcalls").json()["reports"]
    assert [(x["direction"], x["via"]) for x in rows] == [("exit", "owner_link"), ("entry", "form")]


def test_default_inbox_filter_answers_200(client, login, alerts) -> None:
    """筛选 with every select left at 全部 sends group= (empty): not a 422."""
    login("office1")
    r = client.get("/alerts/?state=open&severity=&detector=&group=&kind=")
    assert r.status_code == 200 and f'/alerts/{alerts["encounter"]}"' in r.text
    assert "按类型和地点汇总" in r.text
    assert client.get("/api/alerts?group=").status_code == 200
    bad = client.get("/alerts/?group=abc")
    assert bad.status_code == 422 and "工作组" in bad.text  # a clear message, not a crash


def test_bulk_acknowledge_form_and_api(client, login, alerts) -> None:
    token = login("office1")
    ids = [alerts["encounter"], alerts["landing"]]
    r = client.post("/alerts/bulk", data={"csrf_token": token, "action": "ack",
                                          "ids": [str(i) for i in ids], "back": "state=open"})
    assert r.status_code == 200 and "已签收 2 条" in r.text
    states = {a["id"]: a["state"] for a in client.get("/api/alerts").json()["alerts"]}
    assert states == {ids[0]: "acknowledged", ids[1]: "acknowledged"}
    assert client.post("/api/alerts/bulk", json={"ids": ids, "action": "close"},
                       headers={"X-CSRF-Token": token}).status_code == 422  # no reason
    r = client.post("/api/alerts/bulk", json={"ids": ids, "action": "close",
                                              "outcome": "false_alarm", "reason": "锚泊"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["done"] == ids
    assert client.post("/api/alerts/bulk", json={"ids": ids, "action": "close"}).status_code == 403


def test_zones_page_switches_a_shipped_layer(client, login, app) -> None:
    from jinghai.geo.service import seed_default_layers

    with session_scope(make_session_factory(app.state.engine)) as s:
        seed_default_layers(s)
    token = login("office1")
    page = client.get("/zones/")
    assert page.status_code == 200 and "锚地（GFW 锚地点）" in page.text
    r = client.post("/zones/layers/gfw_anchorages/active",
                    data={"active": "0", "csrf_token": token})
    assert r.status_code == 200  # redirected back to the page
    kinds = {f["properties"]["kind"] for f in client.get("/api/map/layers").json()["zones"][
        "features"]}
    assert "anchorage" not in kinds and "port" in kinds
    exported = client.get("/api/zones/export").json()
    assert len(exported["features"]) > 200  # switched-off zones are exported too
    client.cookies.clear()
    token = login("cg1")
    r = client.post("/zones/layers/gfw_anchorages/active", data={"active": "1",
                                                                 "csrf_token": token})
    assert r.status_code == 403


def test_json_inputs_answer_the_models_chinese_message(client, login, alerts) -> None:
    """A body refused by a domain schema's validator says what to fix, as the service did
    when it checked the same thing (issue 11 point 4); a wrong type keeps the generic one."""
    h = {"X-CSRF-Token": login("office1")}
    r = client.post("/api/clues", headers=h, json={"source_kind": "rumour", "content": "x"})
    assert r.status_code == 422
    assert r.json()["detail"] == "线索来源应为：系统预警、部门通报、巡查发现、群众举报、研判发现之一"
    r = client.post("/api/alerts/bulk", headers=h, json={"ids": [1], "action": "delete"})
    assert (r.status_code, r.json()["detail"]) == (422, "action 须为 acknowledge 或 close")
    r = client.post("/api/clues", headers=h, json={"source_kind": "agency", "content": []})
    assert (r.status_code, r.json()["detail"]) == (422, "请求内容有误")
