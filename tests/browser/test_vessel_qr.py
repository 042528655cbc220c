"""Issue 3, done-when: scanning (opening) a vessel's exclusive code on a phone, signing in,
one tap on 记录查验 — and the inspection is counted on the inspecting unit's daily form
(the police's 沿海地区管控), not on the fisheries authority's 船舶管控."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jinghai.accounts.models import User
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-9"


def _add_vessel(database_url: str) -> str:
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as s:
        agri = s.query(User).filter_by(username="agri1").one()
        vessel = add_vessel(s, agri, VesselIn.model_validate({
            "registry_no": "浙甬渔60123", "name": "浙甬渔60123", "home_port": "郭巨",
            "mmsi": "412345678",
            "owner": {"kind": "个人", "name": "王海军", "phone": "13805741234"},
        }))
        token = vessel.qr_token
    engine.dispose()
    return token


def test_scan_qr_records_inspection_counted_in_daily_report(live_server, page, sign_in,
                                                            sign_out):
    token = _add_vessel(live_server.env["JINGHAI_DATABASE_URL"])
    page.set_viewport_size({"width": 390, "height": 844})

    # The phone opens the code's URL unsigned: login first, then straight back.
    page.goto(live_server.url + f"/v/{token}")
    page.get_by_label("用户名").fill("police1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # Exact URL: the login page's own URL (?next=/v/…) also ends with the scan path.
    expect(page).to_have_url(live_server.url + f"/v/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("浙甬渔60123")
    expect(page.get_by_test_id("vessel-status")).to_have_text("在册作业")
    assert "13805741234" not in page.content()  # not the fisheries authority: masked

    page.get_by_role("button", name="记录查验").click()
    expect(page.get_by_role("status")).to_have_text("已记录查验。")
    # The police's inspection counts in the police's own section (沿海地区管控), once
    # (issue 8: an inspection belongs to the section of the inspecting unit's group).
    page.goto(live_server.url + "/report/entry?unit=police&section=coastal")
    row = page.get_by_role("row").filter(has_text="查验船舶（艘）")
    expect(row.locator("td.num").nth(1)).to_have_text("1")
    sign_out()

    sign_in(live_server, "agri1")
    page.goto(live_server.url + "/report/entry?unit=agriculture&section=vessel_control")
    row = page.get_by_role("row").filter(has_text="查验船只（艘）")
    expect(row.locator("td.num").nth(1)).to_have_text("0")
    fleet = page.get_by_role("row").filter(has_text="渔船底数")
    expect(fleet.locator("td.num").nth(1)).to_have_text("1")
