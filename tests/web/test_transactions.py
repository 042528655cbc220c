"""A request's changes are committed before its response leaves: a browser that follows a
redirect at once (or a client that reads back) sees what it saved; a refused request
leaves nothing behind."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from .conftest import PASSWORD


def test_changes_are_committed_before_the_response_starts(app, site_url):
    other = create_engine(site_url)  # another connection, as the next request would use
    seen: list[tuple[str, int, int]] = []

    async def watching(scope, receive, send):
        async def watch(message):
            if message["type"] == "http.response.start" and scope["path"] == "/api/clues":
                with other.connect() as conn:
                    n = conn.execute(text("SELECT count(*) FROM clues")).scalar_one()
                seen.append((scope["method"], message["status"], n))
            await send(message)

        await app(scope, receive, watch)

    with TestClient(watching) as client:
        r = client.post("/api/auth/login", json={"username": "office1", "password": PASSWORD})
        h = {"X-CSRF-Token": r.json()["csrf_token"]}
        assert client.post("/api/clues", headers=h, json={"source_kind": "agency",
                                                          "content": "夜间可疑船只"}).status_code == 201
        assert client.post("/api/clues", headers=h, json={"source_kind": "nonsense",
                                                          "content": "x"}).status_code in (400, 422)
    other.dispose()
    # the first response started only after its clue was committed; the refused one left none
    assert seen == [("POST", 201, 1), ("POST", seen[1][1], 1)]
    assert seen[1][1] in (400, 422)
