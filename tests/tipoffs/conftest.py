"""A live app over a fresh database per backend, with the office and a few liaisons."""

from __future__ import annotations

import pytest

PASSWORD = "correct-horse-9"
USERS = {
    "office1": ("office", None),
    "leader1": ("viewer", None),
    "police1": ("liaison", "police"),
    "transport1": ("liaison", "transport"),
    "cg1": ("liaison", "coast_guard"),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, fresh_database_url, tmp_path):
    from fastapi.testclient import TestClient

    from jinghai.accounts.models import Role
    from jinghai.accounts.schemas import UserIn
    from jinghai.accounts.service import add_user
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.migrate import upgrade
    from jinghai.org.service import init_operation
    from jinghai.org.template import load_template
    from jinghai.settings import Settings
    from jinghai.web.app import create_app

    url = fresh_database_url(request.param)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        for name, (role, unit) in USERS.items():
            add_user(s, None, UserIn(username=name, password=PASSWORD, role=Role(role),
                                     unit_key=unit))
    engine.dispose()
    app = create_app(Settings(data_dir=tmp_path, database_url=url))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


@pytest.fixture()
def login(client):
    def sign_in(username: str) -> str:
        client.cookies.clear()
        r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return r.json()["csrf_token"]

    return sign_in
