"""Clues, links and cases over HTTP: pages render, the API masks, another unit is refused,
and a tip-off becomes a clue, a link, a case and a seizure."""

from __future__ import annotations


def test_tipoff_to_clue_to_case_through_the_api_and_pages(client, login):
    page = client.get("/tip")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/tip", data={"csrf_token": token,
                              "content": "梅山码头有人用13812345678联系偷渡", "anonymous": "1"})
    csrf = login("office1")
    h = {"X-CSRF-Token": csrf}
    [tip] = client.get("/api/tipoffs").json()
    clue_a = client.post(f"/api/tipoffs/{tip['id']}/convert", json={}, headers=h).json()
    r = client.post("/api/clues", headers=h, json={
        "source_kind": "agency", "content": "嫌疑人电话 138 1234 5678，身份证110105199003071239"})
    assert r.status_code == 201, r.text
    clue_b = r.json()
    assert {e["value"] for e in clue_b["entities"]} == {"138****5678", "11************1239"}

    [link] = client.post("/api/clues/links/propose", headers=h).json()
    assert link["explanation"][0].startswith("phone exact: 138****5678")
    assert client.post(f"/api/clues/links/{link['id']}/accept", headers=h).json()["status"] \
        == "accepted"
    case = client.post("/api/cases", headers=h, json={
        "title": "梅山偷渡案", "clue_ids": [clue_a["clue_id"], clue_b["id"]]}).json()
    r = client.post(f"/api/cases/{case['id']}/seizures", headers=h,
                    json={"category": "vessel", "day": "2026-11-28", "quantity": 1})
    assert r.status_code == 201, r.text

    for url in ["/clues/", "/clues/new", "/clues/links?status=accepted",
                f"/clues/{clue_b['id']}", "/cases/", f"/cases/{case['id']}",
                f"/tipoffs/{tip['id']}"]:
        assert client.get(url).status_code == 200, url
    masked = client.get(f"/clues/{clue_b['id']}").text
    assert "138****5678" in masked and "13812345678" not in masked.replace(" ", "")
    assert "110105199003071239" in client.get(f"/clues/{clue_b['id']}?show=original").text

    login("cg1")
    assert client.get(f"/api/cases/{case['id']}").status_code == 403
    assert client.get(f"/cases/{case['id']}").status_code == 403
    assert client.get("/api/clues").json() == []
