"""Issue 8, done-when: a liaison types a bad value among good ones and loses nothing; the
office returns a section with a reason, the liaison sees it and resubmits; the office locks
with a confirmation naming the missing units."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GOOD = {
    "查验入境船舶（艘）": "17",
    "查验出境船舶（艘）": "13",
    "查验出境人员（人）": "287",
    "监护在港船舶（艘）": "41",
    "国际锚地巡查次数": "3",
}


def test_bad_value_kept_return_resubmit_and_confirmed_lock(live_server, page, sign_in,
                                                           sign_out):
    sign_in(live_server, "bs1")
    expect(page.locator("h1")).to_contain_text("北仑边检站 · 口岸特定区域监管")
    for label, value in GOOD.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("查验入境人员（人）", exact=True).fill("三百一十二")
    page.get_by_label("查验入境人员（人）的说明").fill("含船员换班")
    page.get_by_role("button", name="报送", exact=True).click()

    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("未能报送")
    expect(problems).to_contain_text("“查验入境人员”的“三百一十二”不是有效数字，未保存")
    expect(problems).to_contain_text("其他数值已保存为草稿")
    bad = page.get_by_label("查验入境人员（人）", exact=True)
    expect(bad).to_have_value("三百一十二")  # what was typed, in place, marked
    expect(bad).to_have_attribute("aria-invalid", "true")
    for label, value in GOOD.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_label("查验入境人员（人）的说明")).to_have_value("含船员换班")

    # the draft really holds the good values: reload the page from the server
    page.goto(live_server.url + "/report/entry")
    for label, value in GOOD.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    page.get_by_label("查验入境人员（人）", exact=True).fill("312")
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("已报送。")
    sign_out()

    sign_in(live_server, "office1")
    page.goto(live_server.url + "/report/daily")
    expect(page.get_by_test_id("state-mark")).to_have_text("初稿（未锁定）")
    row = page.locator('tr[data-unit="bs_beilun"][data-section="port_area"]')
    row.get_by_label("北仑边检站口岸特定区域监管的退回原因").fill("入境人员与口岸系统不符，请核对")
    row.get_by_role("button", name="退回").click()
    expect(page.get_by_role("status")).to_contain_text("已退回")
    expect(page.locator('tr[data-unit="bs_beilun"][data-section="port_area"]')).to_contain_text(
        "已退回")
    sign_out()

    sign_in(live_server, "bs1")
    expect(page.get_by_test_id("returned")).to_contain_text("入境人员与口岸系统不符，请核对")
    page.get_by_label("查验入境人员（人）", exact=True).fill("320")
    page.get_by_label("更正原因").fill("按口岸系统核对更正")
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("已报送。")
    expect(page.get_by_test_id("returned")).to_have_count(0)
    sign_out()

    sign_in(live_server, "office1")
    page.goto(live_server.url + "/report/daily")
    expect(page.locator('td[data-code="port_area.inbound_persons_checked"]')).to_have_text("320")
    page.get_by_role("button", name="汇总确认并锁定").click()
    confirm = page.get_by_test_id("lock-confirm")
    expect(confirm).to_contain_text("大榭边检站 · 口岸特定区域监管（未报）")
    expect(confirm).to_contain_text("海警北仑工作站 · 海上巡航（未报）")
    expect(confirm).not_to_contain_text("北仑边检站 · 口岸")
    page.get_by_role("button", name="确认锁定").click()
    expect(page.get_by_test_id("lock-state")).to_have_text("已锁定")
    expect(page.get_by_test_id("state-mark")).to_have_text("已锁定")
