"""Issue 13, done-when: the office records a supervision finding and lists a place for
rectification with a deadline; the unit adds evidence and the office delists it; a joint
meeting's decision becomes an action item that the unit reports done and the office
strikes off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_supervision_listing_and_meeting_action(live_server, page, sign_in, sign_out):
    sign_in(live_server, "office1")
    page.goto(live_server.url + "/supervision/visits/new")
    page.get_by_label("督导对象类型").select_option("landing_point")
    page.get_by_label("督导地点").fill("白峰上阳岙口")
    page.get_by_label("被督导单位").select_option("police")
    page.get_by_label("督导日期").fill("2026-11-20")
    page.get_by_label("检查内容").fill("夜间看护、警示标识")
    page.get_by_label("发现问题1").fill("上阳岙口夜间无人看护")
    page.get_by_label("问题1整改时限").fill("2026-11-27")
    page.get_by_role("button", name="保存督导记录").click()
    expect(page.locator("h1")).to_have_text("督导检查：白峰上阳岙口")
    expect(page.get_by_role("cell", name="上阳岙口夜间无人看护")).to_be_visible()

    page.goto(live_server.url + "/supervision/listings")
    page.get_by_label("名称").fill("白峰上阳岙口")
    page.get_by_label("责任单位").select_option("police")
    page.get_by_label("经度").fill("122.0202")
    page.get_by_label("纬度").fill("29.8901")
    page.get_by_label("整治时限").fill("2026-12-20")
    page.get_by_label("挂牌原因").fill("夜间多次发现不明小船靠泊")
    page.get_by_role("button", name="挂牌整治").click()
    expect(page.get_by_test_id("listing-status")).to_have_text("挂牌中")
    listing_url = page.url
    page.goto(live_server.url + "/supervision/listings")
    expect(page.locator("#listingmap[data-count='1']")).to_be_attached()
    expect(page.locator("#listingmap .leaflet-interactive")).to_have_count(1)

    page.goto(live_server.url + "/supervision/meetings")
    page.get_by_label("会商日期").fill("2026-11-26")
    page.get_by_label("公安分局", exact=True).check()
    page.get_by_label("北仑边检站", exact=True).check()
    page.get_by_label("会商议题").fill("研判近期外籍船员登陆风险")
    page.get_by_label("议定事项1").fill("核查锚地外籍船舶船员名单")
    page.get_by_label("事项1落实单位").select_option("bs_beilun")
    page.get_by_label("事项1完成时限").fill("2026-12-05")
    page.get_by_role("button", name="保存会商记录").click()
    expect(page.locator("h1")).to_contain_text("联席会商 2026年第1期")
    action_link = page.get_by_role("link", name=re.compile(r"^#\d+$"))
    action_url = live_server.url + action_link.get_attribute("href")
    sign_out()

    # the listed unit gives evidence
    sign_in(live_server, "police1")
    page.goto(listing_url)
    page.get_by_label("整治情况").fill("已设置隔离桩，安排专人夜间看护")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "看护照片.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="提交整治情况").click()
    expect(page.get_by_role("link", name="看护照片.png")).to_be_visible()
    expect(page.get_by_role("button", name="摘牌")).to_have_count(0)
    sign_out()

    # the meeting's action item, reported done by its unit
    sign_in(live_server, "bs1")
    page.goto(live_server.url + "/supervision/problems?kind=action")
    expect(page.get_by_role("cell", name="核查锚地外籍船舶船员名单")).to_be_visible()
    page.goto(action_url)
    page.get_by_label("整改进展").fill("已核查12艘外籍船舶，未发现船员变动")
    page.get_by_label("整改完成，申请销号").check()
    page.get_by_role("button", name="提交进展").click()
    expect(page.get_by_test_id("problem-status")).to_have_text("待销号")
    expect(page.get_by_role("button", name="同意销号")).to_have_count(0)
    sign_out()

    sign_in(live_server, "office1")
    page.goto(listing_url)
    page.get_by_label("验收意见").fill("现场验收合格")
    page.get_by_role("button", name="摘牌").click()
    expect(page.get_by_test_id("listing-status")).to_have_text("已摘牌")
    page.goto(action_url)
    page.get_by_label("审核意见").fill("同意")
    page.get_by_role("button", name="同意销号").click()
    expect(page.get_by_test_id("problem-status")).to_have_text("已销号")
    page.goto(live_server.url + "/audit")
    expect(page.get_by_text("sv_listing").first).to_be_visible()
