"""Pages and JSON API of the registry, through the real app: the same checks as the
services, CSRF on every write, masking, QR endpoints and the scan-to-inspect flow."""

from __future__ import annotations

import re
from io import BytesIO

import openpyxl

NEW = {"registry_no": "浙甬渔60123", "name": "浙甬渔60123", "home_port": "郭巨",
       "mmsi": "412345678",
       "owner": {"kind": "个人", "name": "王海军", "phone": "13805741234"}}


def test_api_create_read_mask_and_refuse(web, web_login):
    token = web_login("agri1")
    assert web.post("/api/vessels/", json=NEW).status_code == 403  # no CSRF header
    r = web.post("/api/vessels/", json=NEW, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    # masked to everybody, the registry keeper too; the full number is a logged reveal
    assert r.json()["owner"]["phone"] == "138****1234"
    full = web.post(f"/api/vessels/{vid}/owner/unmasked", headers={"X-CSRF-Token": token})
    assert full.json()["owner"]["phone"] == "13805741234"
    assert r.json()["map_url"] == "/map?mmsi=412345678"

    token = web_login("police1")
    body = web.get(f"/api/vessels/{vid}").json()
    assert body["owner"]["phone"] == "138****1234"
    r = web.post(f"/api/vessels/{vid}/owner/unmasked", headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    assert web.get("/api/vessels/by-mmsi/412345678").json()["registry"]["id"] == vid
    r = web.patch(f"/api/vessels/{vid}", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    r = web.post(f"/api/vessels/{vid}/inspections", json={"place": "郭巨"},
                 headers={"X-CSRF-Token": token})
    assert r.status_code == 201

    token = web_login("leader1")
    r = web.post(f"/api/vessels/{vid}/inspections", json={}, headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    assert web.get("/api/vessels/?q=王海军").json()["total"] == 1


def test_scan_page_login_redirect_and_one_tap_inspection(web, web_login):
    token = web_login("office1")
    vid = web.post("/api/vessels/", json=NEW, headers={"X-CSRF-Token": token}).json()["id"]
    scan_url = web.get(f"/api/vessels/{vid}").json()["scan_url"]
    path = scan_url.split("testserver", 1)[1]

    png = web.get(f"/vessels/{vid}/qr.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert b"<svg" in web.get(f"/vessels/{vid}/qr.svg").content
    assert "浙甬渔60123" in web.get(f"/vessels/{vid}/card").text

    web.cookies.clear()
    r = web.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"

    web_login("police1")
    page = web.get(path)
    assert "记录查验" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert web.post(path + "/inspect", data={"place": "郭巨渔港"},
                    follow_redirects=False).status_code == 403
    r = web.post(path + "/inspect", data={"csrf_token": csrf, "place": "郭巨渔港"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == path + "?done=1"
    assert "已记录查验" in web.get(r.headers["location"]).text
    assert web.get("/v/not-a-real-token").status_code == 404


def test_import_preview_then_confirm_through_pages(web, web_login):
    web_login("agri1")
    page = web.get("/vessels/import")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["渔船编号", "船名", "船籍港", "船东类型", "船东名称"])
    ws.append(["浙甬渔60001", "浙甬渔60001", "梅山", "企业", "海丰渔业"])
    ws.append(["浙甬渔60002", "", "梅山", "个人", "张三"])
    buf = BytesIO()
    wb.save(buf)
    r = web.post("/vessels/import", data={"csrf_token": csrf},
                 files={"file": ("名录.xlsx", buf.getvalue())})
    assert r.status_code == 200
    assert "新增 1 · 更新 0 · 无变化 0 · 错误 1" in r.text and "船名不能为空" in r.text
    assert web.get("/api/vessels/").json()["total"] == 0
    payload = re.search(r'name="payload" value="([^"]+)"', r.text).group(1)
    r = web.post("/vessels/import", data={"csrf_token": csrf, "payload": payload,
                                          "filename": "名录.xlsx", "confirm": "1"})
    assert "导入完成" in r.text
    assert web.get("/api/vessels/").json()["total"] == 1

    web_login("police1")
    assert web.get("/vessels/import").status_code == 403
    listing = web.get("/vessels/")
    assert listing.status_code == 200 and "浙甬渔60001" in listing.text
    export = web.get("/vessels/export?fmt=xlsx")
    assert openpyxl.load_workbook(BytesIO(export.content)).active["A2"].value == "浙甬渔60001"


def test_three_no_pages(web, web_login):
    web_login("agri1")
    page = web.get("/vessels/three-no")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = web.post("/vessels/three-no", data={"csrf_token": csrf, "found_at": "2026-11-20T09:30",
                                            "place": "白峰小门村岸边", "seized": "1"})
    assert r.status_code == 200 and "已查扣" in r.text
    items = web.get("/api/vessels/three-no").json()["items"]
    assert items[0]["seized_at"] == "2026-11-20T01:30:00+00:00"
    r = web.post(f"/vessels/three-no/{items[0]['id']}/advance",
                 data={"csrf_token": csrf, "status": "dismantled", "at": ""})
    assert "已拆解" in r.text


def test_new_vessel_form_shows_a_duplicate_as_a_message(web, web_login):
    web_login("agri1")
    page = web.get("/vessels/new")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": csrf, "registry_no": "浙北渔12345", "name": "浙北渔12345",
            "home_port": "穿山", "status": "active", "owner_kind": "个人", "owner_name": "李四"}
    r = web.post("/vessels/new", data=form, follow_redirects=False)
    assert r.status_code == 303
    r = web.post("/vessels/new", data=form)
    assert r.status_code == 422 and "渔船编号已存在" in r.text
    assert 'value="浙北渔12345"' in r.text  # what was typed is kept
