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
