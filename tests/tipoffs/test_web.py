"""The public tip-off pages over HTTP: no login, CSRF by double-submit cookie, escaping,
receipt code, and the office inbox turning a tip-off into a clue."""

from __future__ import annotations

import re

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_public_files_a_tipoff_and_checks_its_status(client, login):
    page = client.get("/tip")
    assert page.status_code == 200 and "举报偷渡、走私线索" in page.text

    r = client.post("/tip", data={
        "csrf_token": _csrf(page.text), "content": "<script>alert(1)</script>梅山码头有人卸货",
        "place": "梅山码头", "lon": "121.9", "lat": "29.8", "anonymous": "1"},
        files={"photo": ("a.png", PNG, "image/png")})

    assert r.status_code == 200, r.text
    code = re.search(r'data-testid="receipt-code">([A-Z0-9-]+)<', r.text).group(1)
    status = client.get("/tip/status", params={"code": code})
    assert "已受理" in status.text

    login("office1")
    inbox = client.get("/tipoffs/")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in inbox.text
    assert "<script>alert(1)" not in inbox.text
    [tip] = client.get("/api/tipoffs").json()
    assert (tip["receipt_code"], tip["has_photo"], tip["anonymous"]) == (code, True, True)
    assert client.get(f"/tipoffs/{tip['id']}/photo").content == PNG


def test_post_without_the_csrf_token_is_refused(client):
    client.get("/tip")
    r = client.post("/tip", data={"content": "梅山码头有人卸货"})
    assert r.status_code == 403


def test_only_the_office_reads_the_inbox(client, login):
    login("cg1")
    assert client.get("/api/tipoffs").status_code == 403
