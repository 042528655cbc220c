"""The office draws a landing-cove zone on the map with the mouse and saves it: it is
checked like an import and listed; a two-point 'polygon' is refused with a message."""

from __future__ import annotations

from playwright.sync_api import expect


def test_office_draws_a_zone_on_the_map(live_server, page, sign_in):
    sign_in(live_server, "office1")
    page.goto(live_server.url + "/zones/")
    zmap = page.locator("#zonemap")
    box = zmap.bounding_box()
    cx, cy = box["width"] / 2, box["height"] / 2

    def click_map(dx: float, dy: float) -> None:
        zmap.click(position={"x": cx + dx, "y": cy + dy})

    page.get_by_role("button", name="画多边形").click()
    click_map(-60, -40)
    click_map(60, -40)
    expect(page.locator("#draw-status")).to_contain_text("已画 2 个顶点（至少三个）")
    page.get_by_label("名称").fill("只有两点")
    page.get_by_role("button", name="保存区域").click()
    expect(page.get_by_role("alert")).to_contain_text("请先在地图上画出区域")

    page.get_by_role("button", name="画多边形").click()
    for dx, dy in [(-60, -40), (60, -40), (60, 40), (-60, 40)]:
        click_map(dx, dy)
    expect(page.locator("#draw-status")).to_contain_text("已画 4 个顶点")
    page.locator("select[name=kind]").select_option("restricted")
    page.get_by_label("名称").fill("测试管控水域")
    page.get_by_label("属地街道").fill("郭巨街道")
    page.get_by_label("责任人").fill("王海波")
    page.get_by_role("button", name="保存区域").click()
    expect(page.get_by_role("status").first).to_contain_text("已保存新画的区域")
    row = page.locator("tr", has_text="测试管控水域")
    expect(row).to_contain_text("郭巨街道")
    expect(row).to_contain_text("王海波")
