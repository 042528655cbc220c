"""Issue 4, pages: the office has the inbox open, a detector raises an alert and it shows
up without reloading; the office opens it, sees the replay map and closes it as confirmed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from jinghai.alerts.models import Alert
from jinghai.alerts.service import record_event
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.geo.service import seed_demo_zones

from ..alerts.factories import make_event

pytestmark = pytest.mark.browser


def test_new_alert_appears_live_and_is_closed_as_confirmed(live_server, page, sign_in):
    engine = make_engine(live_server.env["JINGHAI_DATABASE_URL"])
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        seed_demo_zones(s)

    sign_in(live_server, "office1")
    page.goto(live_server.url + "/alerts/")
    expect(page.get_by_role("cell", name="暂无预警")).to_be_visible()
    url_before = page.url

    with session_scope(factory) as s:  # the live detector finds a transfer at sea
        alert_id = record_event(s, make_event("encounter")).id

    link = page.get_by_role("link", name="海上过驳/靠帮 · 412300001、413500001")
    expect(link).to_be_visible(timeout=15000)
    assert page.url == url_before  # no reload, no navigation
    expect(page.get_by_test_id("alert-badge")).to_have_text("1")

    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"预警 #{alert_id}")
    expect(page.locator("#replay .leaflet-interactive").first).to_be_attached()
    page.get_by_label("确认属实").check()
    page.get_by_label("理由（必填）").fill("海警登临检查，确认渔船与货轮过驳")
    page.get_by_role("button", name="关闭预警").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("已关闭（确认属实）")

    with session_scope(factory) as s:
        alert = s.scalar(select(Alert).where(Alert.id == alert_id))
        assert (alert.state, alert.outcome, alert.close_reason) == (
            "closed", "confirmed", "海警登临检查，确认渔船与货轮过驳")
    engine.dispose()


def test_office_acknowledges_several_at_once_and_reads_settings_in_chinese(
        live_server, page, sign_in):
    engine = make_engine(live_server.env["JINGHAI_DATABASE_URL"])
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        seed_demo_zones(s)
        ids = [record_event(s, make_event("encounter", (412300001, 413500001 + i),
                                          lon=122.0 + 0.1 * i)).id for i in range(3)]
        other = record_event(s, make_event("going_dark", (413700001,))).id

    sign_in(live_server, "office1")
    page.goto(live_server.url + "/alerts/")
    expect(page.get_by_test_id("alert-groups")).to_contain_text("海上过驳/靠帮")
    for aid in ids:
        page.get_by_label(f"选择预警 #{aid}").check()
    page.get_by_role("button", name="签收所选").click()
    expect(page.get_by_test_id("bulk-result")).to_have_text("已签收 3 条")
    for aid in ids:
        expect(page.locator(f'tr[data-id="{aid}"] .state')).to_have_text("已接收")
    expect(page.locator(f'tr[data-id="{other}"] .state')).to_have_text("待处理")

    page.goto(live_server.url + f"/alerts/{ids[0]}")  # the replay says which dot is which
    legend = page.locator("#replay-legend li")
    expect(legend).to_have_count(1)  # the test event's track has the first vessel only
    expect(legend.first).to_have_text("412300001")

    page.goto(live_server.url + "/alerts/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("检测参数")
    card = page.locator("#det-encounter")
    expect(card).to_contain_text("两船最大距离")
    expect(card).to_contain_text("GFW 相遇")
    expect(card.get_by_label("海上过驳/靠帮：港口锚地外扩距离")).to_have_value("500")
    expect(page.get_by_test_id("routing")).to_contain_text("海上巡航组")
    body = page.locator("body").inner_text()
    for code in ("slot_s", "max_distance_m", "vessel_control", "layer_shoreline"):
        assert code not in body

    with session_scope(factory) as s:
        states = {a.id: a.state for a in s.scalars(select(Alert))}
    assert states == {ids[0]: "acknowledged", ids[1]: "acknowledged", ids[2]: "acknowledged",
                      other: "new"}
    engine.dispose()
