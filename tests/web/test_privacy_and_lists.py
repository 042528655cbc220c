"""Issue 10, points 2, 13 and 14: personal numbers out of the audit trail, one masker in
one style everywhere with logged reveals, and long lists paged with search and filters
(the audit trail in Chinese, with a date filter)."""

from __future__ import annotations

from datetime import timedelta

from jinghai.masking import mask_id, mask_numbers_in_text, mask_phone

PHONE = "13812345678"
ID_NO = "110105199003071239"


def test_one_masker_one_style():
    for raw in ("13812345678", "138 1234 5678", "138-1234-5678"):
        assert mask_phone(raw) == "138****5678"
    assert mask_phone("+86 13812345678") == mask_phone("+8613812345678") == "+86 138****5678"
    assert mask_phone("0574-86881234") == "057*****1234"
    assert mask_id(ID_NO) == "11************1239"
    assert mask_id("C1234567") == "C1****67"
    text = mask_numbers_in_text(f"张三 {PHONE}，身份证 {ID_NO}，MMSI 412345678")
    assert PHONE not in text and ID_NO not in text
    assert "138****5678" in text and "11************1239" in text and "412345678" in text


def test_audit_trail_holds_no_personal_number(client, login):
    h = {"X-CSRF-Token": login("office1")}
    content = f"线人称 {PHONE} 的车主（身份证 {ID_NO}）夜间在梅山卸货"
    clue = client.post("/api/clues", headers=h, json={"source_kind": "agency",
                                                      "content": content}).json()
    case = client.post("/api/cases", headers=h, json={"title": "测试案",
                                                      "clue_ids": [clue["id"]]}).json()
    r = client.post(f"/api/cases/{case['id']}/parties", headers=h, json={
        "kind": "illegal_foreign_worker", "name": "NGUYEN VAN A", "nationality": "越南",
        "document": "C1234567", "day": "2026-11-28"})
    assert r.status_code == 201, r.text
    client.post("/api/auth/logout", headers=h)
    client.cookies.clear()
    h = {"X-CSRF-Token": login("admin1")}
    # the admin may not read the clue, and the audit trail does not give it away
    assert client.get(f"/api/clues/{clue['id']}").status_code == 403
    events = client.get("/api/audit", params={"limit": 500}).json()
    assert events, "the creation was audited"
    dump = repr(events)
    for secret in (PHONE, ID_NO, "NGUYEN VAN A", "C1234567", "夜间在梅山卸货"):
        assert secret not in dump, secret
    created = [e for e in events if e["entity_type"] == "clue" and e["action"] == "create"]
    assert created and "线索" in created[0]["text"]


def test_vessel_list_and_owner_page_are_masked_and_reveal_is_logged(client, login):
    h = {"X-CSRF-Token": login("office1")}
    r = client.post("/api/vessels/", headers=h, json={
        "registry_no": "浙甬渔60999", "name": "浙甬渔60999", "home_port": "郭巨",
        "owner": {"kind": "个人", "name": "王海军", "phone": PHONE, "id_code": ID_NO}})
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    for page in (client.get("/vessels/").text, client.get(f"/vessels/{vid}").text,
                 repr(client.get(f"/api/vessels/{vid}").json())):
        assert PHONE not in page and ID_NO not in page
        assert "138****5678" in page
    assert client.get(f"/vessels/{vid}/owner/reveal").status_code == 405
    shown = client.post(f"/vessels/{vid}/owner/reveal", data={"csrf_token": h["X-CSRF-Token"]})
    assert PHONE in shown.text and ID_NO in shown.text
    assert any(e["action"] == "view_unmasked" and e["entity_type"] == "vessel_owner"
               for e in client.get("/api/audit").json())


def test_clue_list_pages_and_searches(client, login):
    h = {"X-CSRF-Token": login("office1")}
    for i in range(57):
        place = "梅山" if i % 2 else "郭巨"
        r = client.post("/api/clues", headers=h, json={
            "source_kind": "agency", "content": f"第{i}条测试线索", "place": place})
        assert r.status_code == 201
    first = client.get("/clues/").text
    assert "共 57 条" in first and "第 1 / 2 页" in first
    assert first.count('href="/clues/') - first.count('href="/clues/new') >= 50
    second = client.get("/clues/?page=2").text
    assert "第0条测试线索" in second and "第56条测试线索" not in second
    found = client.get("/clues/", params={"q": "梅山"}).text
    assert "共 28 条" in found
    assert "共 1 条" in client.get("/clues/", params={"q": "第13条"}).text


def test_audit_trail_in_chinese_paged_and_filtered_by_date(client, login, site_url):
    from sqlalchemy import update

    from jinghai.audit.models import AuditEvent
    from jinghai.db import make_engine, make_session_factory, session_scope, utcnow

    h = {"X-CSRF-Token": login("office1")}
    for i in range(60):
        client.post("/api/clues", headers=h, json={"source_kind": "agency",
                                                  "content": f"审计分页测试{i}"})
    engine = make_engine(site_url)
    with session_scope(make_session_factory(engine)) as s:  # ten of them, a week ago
        old = utcnow() - timedelta(days=7)
        ids = [e.id for e in s.query(AuditEvent).order_by(AuditEvent.id).limit(10)]
        s.execute(update(AuditEvent).where(AuditEvent.id.in_(ids)).values(at=old))
    engine.dispose()
    page = client.get("/audit").text
    assert "新建" in page and "线索 #" in page and "office1" in page
    assert "create / clue" not in page and "第 1 / 2 页" in page
    today = (utcnow() + timedelta(hours=8)).date().isoformat()
    recent = client.get("/audit", params={"date_from": today}).text
    week_ago = (utcnow() + timedelta(hours=8) - timedelta(days=7)).date().isoformat()
    older = client.get("/audit", params={"date_from": week_ago, "date_to": week_ago}).text
    assert "共 10 条" in older
    assert "共 10 条" not in recent
    assert client.get("/audit", params={"date_from": "2026-13-40"}).status_code == 422
    one = client.get("/audit", params={"q": "线索 3"}).text
    assert "共 1 条" in one
