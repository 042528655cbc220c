"""Vessel-registry fixtures: the fisheries liaison who keeps the roster, and a vessel."""

from __future__ import annotations

import pytest

from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel


@pytest.fixture()
def agri(make_liaison):
    return make_liaison("agriculture", "agri1")


@pytest.fixture()
def vessel(session, agri):
    return add_vessel(session, agri, VesselIn.model_validate({
        "registry_no": "浙甬渔60123", "name": "浙甬渔60123", "home_port": "郭巨",
        "mmsi": "412345678", "beidou_no": "BD1234567",
        "owner": {"kind": "个人", "name": "王海军", "phone": "13805741234",
                  "id_code": "330206197001011234"},
    }))


PASSWORD = "correct-horse-9"
WEB_USERS = {
    "office1": ("office", None),
    "leader1": ("viewer", None),
    "agri1": ("liaison", "agriculture"),
    "police1": ("liaison", "police"),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def web(request, fresh_database_url, tmp_path):
    """A TestClient over a fresh, migrated database with one user per kind of access."""
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
        for name, (role, unit) in WEB_USERS.items():
            add_user(s, None, UserIn(username=name, password=PASSWORD, role=Role(role),
                                     unit_key=unit))
    engine.dispose()
    app = create_app(Settings(data_dir=tmp_path, database_url=url))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture()
def web_login(web):
    def sign_in(username: str) -> str:
        web.cookies.clear()
        r = web.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return r.json()["csrf_token"]

    return sign_in
