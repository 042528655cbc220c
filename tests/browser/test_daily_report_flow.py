"""Issue 2, done-when: a border-station liaison enters and submits its section, is refused
another group's section; office staff compile and lock the day and download the .xlsx,
whose figures match what was entered."""

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ENTERED = {
    "查验入境船舶（艘）": "17",
    "查验出境船舶（艘）": "13",
    "查验入境人员（人）": "312",
    "查验出境人员（人）": "287",
    "监护在港船舶（艘）": "41",
    "国际锚地巡查次数": "3",
}


def test_liaison_submits_office_locks_and_exports(live_server, page, sign_in, sign_out):
    sign_in(live_server, "bs1")
    expect(page.locator("h1")).to_contain_text("北仑边检站 · 口岸特定区域监管")
    for label, value in ENTERED.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("已报送。")
    assert page.get_by_test_id("entry-status").inner_text() in ("已报送", "逾期报送")

    response = page.goto(live_server.url + "/report/entry?unit=coast_guard&section=sea_patrol")
    assert response.status == 403
    assert "只能填报本单位的栏目" in page.get_by_role("alert").inner_text()

    page.goto(live_server.url + "/report/entry")
    sign_out()
    sign_in(live_server, "office1")
    page.goto(live_server.url + "/report/daily")
    cell = page.locator('td[data-code="port_area.inbound_persons_checked"]')
    assert cell.inner_text() == "312"
    page.get_by_role("button", name="汇总确认并锁定").click()
    # other units have not reported: the lock lists them and asks to confirm
    expect(page.get_by_test_id("lock-confirm")).to_contain_text("大榭边检站")
    page.get_by_role("button", name="确认锁定").click()
    expect(page.get_by_test_id("lock-state")).to_have_text("已锁定")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Excel").click()
    data = Path(info.value.path()).read_bytes()
    ws = openpyxl.load_workbook(BytesIO(data)).worksheets[0]
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    labels_row = next(r for r in cells if "查验入境人员（人）" in r)
    numbers_row = cells[cells.index(labels_row) + 1]
    assert numbers_row[0] == "数量"
    for label, value in ENTERED.items():
        assert numbers_row[labels_row.index(label)] == int(value), label
