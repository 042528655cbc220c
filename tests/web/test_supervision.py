"""The supervision, inbound, outreach and brief pages and APIs over a live app: who may see
and do what, bad input answered in Chinese with nothing saved, CSRF on writes."""

from __future__ import annotations

import io

from docx import Document


def _visit(client, csrf, **over):
    body = {"team": "专班办公室", "place_kind": "unit", "place": "北仑边检站",
            "unit_key": "bs_beilun", "visited_on": "2026-11-20", "checked": "入境船舶台账",
            "findings": [{"title": "船员名单未按日报送", "deadline": "2026-11-25"}]}
    body.update(over)
    return client.post("/api/supervision/visits", json=body, headers={"X-CSRF-Token": csrf})


def test_pages_render_for_each_role(client, login):
    for user in ("office1", "bs1", "leader1"):
        client.cookies.clear()
        login(user)
        for path in ("/supervision/problems", "/supervision/tasks", "/supervision/visits",
                     "/supervision/listings", "/supervision/circulars",
                     "/supervision/meetings", "/inbound/", "/outreach/"):
            r = client.get(path)
            assert r.status_code == 200, (user, path, r.text[:300])
    client.cookies.clear()
    login("leader1")
    r = client.get("/brief?date=2026-11-20")
    assert r.status_code == 200 and "领导日报" in r.text
    client.cookies.clear()
    login("bs1")
    assert client.get("/brief?date=2026-11-20").status_code == 403


def test_visit_api_permissions_and_bad_input(client, login):
    csrf = login("bs1")
    r = _visit(client, csrf)
    assert r.status_code == 403 and r.json()["detail"] == "只有专班办公室可以进行此操作"
    client.cookies.clear()
    csrf = login("office1")
    r = _visit(client, csrf, findings=[{"title": "x", "deadline": "下周"}])
    assert r.status_code == 422
    assert r.json()["detail"] == "发现问题·第1项·整改时限：日期格式应为 YYYY-MM-DD"
    assert client.get("/api/supervision/problems").json() == []
    assert _visit(client, "wrong-token").status_code == 403
    r = _visit(client, csrf)
    assert r.status_code == 201
    [problem] = r.json()["problems"]
    assert (problem["unit"], problem["status"]) == ("bs_beilun", "open")
    # another station's liaison sees none of it; the unit's own sees it
    client.cookies.clear()
    login("bs2")
    assert client.get("/api/supervision/problems").json() == []
    assert client.get(f"/supervision/problems/{problem['id']}").status_code == 403
    client.cookies.clear()
    csrf = login("bs1")
    r = client.post(f"/api/supervision/problems/{problem['id']}/notes",
                    json={"text": "已补报", "submit": True}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["status"] == "submitted"


def test_meeting_minutes_and_circular_download(client, login):
    csrf = login("office1")
    r = client.post("/api/supervision/meetings", headers={"X-CSRF-Token": csrf}, json={
        "held_on": "2026-11-26", "unit_keys": ["police", "bs_beilun"], "topics": "研判风险",
        "decisions": [{"title": "夜间联合巡查", "unit_key": "police", "deadline": "2026-12-05"}]})
    assert r.status_code == 201 and r.json()["actions"][0]["kind"] == "action"
    minutes = client.get(f"/supervision/meetings/{r.json()['id']}/minutes.docx")
    doc = Document(io.BytesIO(minutes.content))
    assert any("（1）夜间联合巡查。由公安分局负责落实" in p.text for p in doc.paragraphs)
    r = client.post("/api/supervision/circulars", headers={"X-CSRF-Token": csrf}, json={
        "kind": "bulletin", "period_start": "2026-11-01", "period_end": "2026-11-07"})
    assert r.status_code == 201 and r.json()["number"].startswith("净海办通〔")
    docx = client.get(r.json()["docx"])
    assert docx.status_code == 200
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text.endswith("行动办公室")
    pdf = client.get(r.json()["docx"].replace(".docx", ".pdf"))
    assert pdf.content.startswith(b"%PDF")
    r = client.post("/api/supervision/circulars", headers={"X-CSRF-Token": csrf}, json={
        "kind": "warning", "unit_key": "bs_daxie", "period_start": "2026-11-01",
        "period_end": "2026-10-07"})
    assert r.status_code == 422 and r.json()["detail"] == "通报期间的结束日期早于开始日期"


def test_inbound_form_bad_crew_line_is_refused_in_chinese(client, login):
    login("bs1")
    page = client.get("/inbound/")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/inbound/", data={
        "csrf_token": csrf, "report_date": "2026-11-20", "name": "OCEAN STAR", "imo": "9312345",
        "flag": "巴拿马", "eta": "2026-11-20T06:30", "crew": "JOSE SANTOS,菲律宾"})
    assert r.status_code == 422
    assert "船员名单第1行应为：姓名,国籍,证件号码[,健康状况]" in r.text
    assert client.get("/api/inbound/ships").json() == []
    r = client.post("/inbound/", data={
        "csrf_token": csrf, "report_date": "2026-11-20", "name": "OCEAN STAR", "imo": "9312345",
        "flag": "巴拿马", "eta": "2026-11-20T06:30",
        "crew": "JOSE SANTOS,菲律宾,P12345678\nAUNG TUN，缅甸，MA7654321，发热"},
        follow_redirects=False)
    assert r.status_code == 303
    [ship] = client.get("/api/inbound/ships").json()
    assert [c["document"] for c in ship["crew"]] == ["P1*****78", "MA*****21"]
    assert ship["crew"][1]["health"] == "fever"


def test_task_and_listing_api(client, login):
    csrf = login("office1")
    h = {"X-CSRF-Token": csrf}
    r = client.post("/api/supervision/tasks", headers=h, json={
        "group_key": "port_area", "item_no": 2, "unit_key": "bs_beilun", "person": "王科长",
        "deadline": "2026-12-10"})
    assert r.status_code == 201
    task_id = r.json()["id"]
    r = client.post("/api/supervision/listings", headers=h, json={
        "target_kind": "place", "name": "梅山港区临时停靠点", "unit_key": "bs_beilun",
        "lon": 121.97, "lat": 29.78, "reason": "夜间无人看护", "deadline": "2099-12-31"})
    assert r.status_code == 201
    listing_id = r.json()["id"]
    assert client.post(f"/api/supervision/listings/{listing_id}/delist", headers=h,
                       json={"note": "验收"}).json()["detail"] == "尚无整治情况，不能摘牌"
    client.cookies.clear()
    csrf = login("bs1")
    h = {"X-CSRF-Token": csrf}
    [mine] = client.get("/api/supervision/tasks").json()
    assert (mine["id"], mine["person"]) == (task_id, "王科长")
    r = client.post(f"/api/supervision/tasks/{task_id}", headers=h,
                    json={"status": "done", "evidence": "台账已建立"})
    assert r.json()["status"] == "done"
    r = client.post(f"/api/supervision/listings/{listing_id}/reviews", headers=h,
                    json={"text": "已安排专人看护"})
    assert r.status_code == 201
    assert client.post(f"/api/supervision/listings/{listing_id}/delist", headers=h,
                       json={"note": "自行摘牌"}).status_code == 403
    client.cookies.clear()
    csrf = login("office1")
    r = client.post(f"/api/supervision/listings/{listing_id}/delist",
                    headers={"X-CSRF-Token": csrf}, json={"note": "验收合格"})
    assert r.json()["status"] == "delisted"
    assert client.get("/api/supervision/listings").json()["features"] == []


def test_a_crew_change_alert_opens_in_the_alert_pages(client, login):
    csrf = login("bs1")
    r = client.post("/api/inbound/ships", headers={"X-CSRF-Token": csrf}, json={
        "report_date": "2026-11-20", "name": "OCEAN GLORY", "mmsi": "353123456",
        "flag": "巴拿马", "eta": "2026-11-20T06:30:00+08:00", "crew_change_requested": True,
        "crew": [{"name": "JOSE SANTOS", "nationality": "菲律宾", "document": "P12345678"}]})
    assert r.status_code == 201
    alert_id = r.json()["alert_id"]
    page = client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200 and "外籍船员申请换班 · OCEAN GLORY" in page.text
    assert "P12345678" not in page.text
    client.cookies.clear()
    login("cg1")  # the sea-patrol group is not the port-area group's
    assert client.get(f"/alerts/{alert_id}").status_code in (403, 404)
