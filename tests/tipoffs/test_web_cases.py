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
    # a GET never reveals (a cross-site link must not log a reveal); the POST does
    assert "110105199003071239" not in client.get(f"/clues/{clue_b['id']}?show=original").text
    revealed = client.post(f"/clues/{clue_b['id']}/reveal",
                           data={"csrf_token": h["X-CSRF-Token"], "show": "original"})
    assert "110105199003071239" in revealed.text

    login("cg1")
    assert client.get(f"/api/cases/{case['id']}").status_code == 403
    assert client.get(f"/cases/{case['id']}").status_code == 403
    assert client.get("/api/clues").json() == []


def test_graph_shows_linked_clues_masked_and_only_to_those_who_may_see(client, login):
    h = {"X-CSRF-Token": login("office1")}
    ids = []
    for text in ["船东王海波电话13812345678，夜间出海", "王海波 138-1234-5678 招募人员",
                 "浙甬渔12345 在郭巨岙口停靠，电话 +86 138 1234 5678", "无关线索：大榭码头货车"]:
        r = client.post("/api/clues", headers=h, json={"source_kind": "agency", "content": text})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    proposals = client.post("/api/clues/links/propose", headers=h).json()
    pairs = {(p["clue_a"], p["clue_b"]) for p in proposals}
    assert {(ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])} <= pairs
    for p in proposals:
        if ids[3] not in (p["clue_a"], p["clue_b"]):
            client.post(f"/api/clues/links/{p['id']}/accept", headers=h)

    graph = client.get("/api/clues/graph", params={"field": "phone", "value": "138 1234 5678"})
    assert graph.status_code == 200, graph.text
    nodes = graph.json()["nodes"]
    assert sorted(n["clue_id"] for n in nodes if n["category"] == 0) == sorted(ids[:3])
    labels = {n["name"] for n in nodes}
    assert "138****5678" in labels and "13812345678" not in labels
    networks = client.get("/api/clues/networks").json()
    assert [sorted(n["clue_ids"]) for n in networks] == [sorted(ids[:3])]

    page = client.get("/clues/graph", params={"field": "phone", "value": "13812345678"})
    assert page.status_code == 200 and 'id="graph-data"' in page.text
    assert "13812345678" not in page.text.split('id="graph-data"')[1]
    assert client.get("/clues/graph", params={"field": "bogus", "value": "x"}).status_code == 200
    assert "不支持的关系图中心类型" in client.get(
        "/clues/graph", params={"field": "bogus", "value": "x"}).text
    entity = next(e for e in client.get(f"/api/clues/{ids[0]}").json()["entities"]
                  if e["kind"] == "phone")
    by_entity = client.get("/clues/graph", params={"entity": entity["id"], "hops": 2})
    assert by_entity.status_code == 200 and "138****5678" in by_entity.text

    login("cg1")  # another unit's liaison sees none of the office's clues
    assert client.get("/api/clues/networks").json() == []
    other = client.get("/api/clues/graph", params={"field": "phone", "value": "13812345678"})
    assert other.json()["nodes"] == []
    assert client.get("/clues/graph", params={"entity": entity["id"]}).status_code == 403


def test_case_parties_through_the_api_and_page(client, login):
    h = {"X-CSRF-Token": login("office1")}
    clue = client.post("/api/clues", headers=h, json={"source_kind": "agency",
                                                      "content": "某厂雇用外籍务工人员"}).json()
    case = client.post("/api/cases", headers=h, json={"title": "非法用工案",
                                                      "clue_ids": [clue["id"]]}).json()
    r = client.post(f"/api/cases/{case['id']}/parties", headers=h, json={
        "kind": "illegal_foreign_worker", "name": "NGUYEN VAN A", "day": "2026-11-28",
        "nationality": "越南", "document": "C1234567", "employer": "某水产公司"})
    assert r.status_code == 201, r.text
    assert r.json()["document"] == "C1****67"
    bad = client.post(f"/api/cases/{case['id']}/parties", headers=h, json={
        "kind": "nobody", "name": "x", "day": "2026-11-28"})
    assert bad.status_code == 422 and "类型" in bad.text
    [party] = client.get(f"/api/cases/{case['id']}").json()["parties"]
    assert party["document"] == "C1****67"
    page = client.get(f"/cases/{case['id']}").text
    assert "NGUYEN VAN A" in page and "C1****67" in page and "C1234567" not in page
    assert page.count("非法用工单位与非法务工外籍人员") == 1  # once, in the page body


def _png() -> bytes:
    from io import BytesIO

    import segno

    buf = BytesIO()
    segno.make("举报照片").save(buf, kind="png", scale=2)
    return buf.getvalue()


def _pdf() -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buf = BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, "Inspection report")
    page.save()
    return buf.getvalue()


def test_clue_attachments_upload_download_and_tipoff_photo(client, login):
    png = _png()
    page = client.get("/tip")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/tip", data={"csrf_token": token, "content": "郭巨岙口夜里有小船靠岸卸人",
                                  "anonymous": "1"},
                    files={"photo": ("IMG_0001.png", png, "image/png")})
    assert r.status_code == 200, r.text
    csrf = login("office1")
    h = {"X-CSRF-Token": csrf}
    [tip] = client.get("/api/tipoffs").json()
    clue_id = client.post(f"/api/tipoffs/{tip['id']}/convert", json={}, headers=h).json()["clue_id"]
    [photo] = client.get(f"/api/clues/{clue_id}").json()["attachments"]
    assert photo["content_type"] == "image/png" and photo["size"] == len(png)
    got = client.get(f"/clues/{clue_id}/attachments/{photo['id']}")
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"

    # the page form: a new clue with two files; a bad file rolls the whole clue back
    r = client.post("/clues/new", data={"csrf_token": csrf, "source_kind": "agency",
                                        "content": "附笔录和照片"},
                    files=[("files", ("笔录.txt", "询问笔录".encode(), "text/plain")),
                           ("files", ("现场.png", png, "image/png"))], follow_redirects=False)
    assert r.status_code == 303, r.text
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    detail = client.get(f"/clues/{new_id}").text
    assert "笔录.txt" in detail and "现场.png" in detail
    before = len(client.get("/api/clues").json())
    r = client.post("/clues/new", data={"csrf_token": csrf, "source_kind": "agency",
                                        "content": "带一个可执行文件"},
                    files=[("files", ("run.exe", b"MZ\x90\x00", "application/octet-stream"))])
    assert r.status_code == 422 and "不支持的附件类型" in r.text
    assert len(client.get("/api/clues").json()) == before

    doc = client.post(f"/api/clues/{new_id}/attachments", headers=h,
                      files={"file": ("报告.pdf", _pdf(), "application/pdf")})
    assert doc.status_code == 201 and doc.json()["content_type"] == "application/pdf"
    login("cg1")
    assert client.get(f"/clues/{new_id}/attachments/{doc.json()['id']}").status_code == 403
    assert client.get(f"/api/clues/{new_id}/attachments/{doc.json()['id']}").status_code == 403
