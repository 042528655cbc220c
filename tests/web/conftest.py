"""A live app over its own fresh database (SQLite and PostgreSQL), with one user per role."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from jinghai.accounts.models import Role
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template
from jinghai.settings import Settings

PASSWORD = "correct-horse-9"
USERS = {
    "office1": (Role.OFFICE, None),
    "leader1": (Role.VIEWER, None),
    "admin1": (Role.ADMIN, None),
    "bs1": (Role.LIAISON, "bs_beilun"),
    "bs2": (Role.LIAISON, "bs_daxie"),
    "cg1": (Role.LIAISON, "coast_guard"),
}


def build_site(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        for name, (role, unit) in USERS.items():
            add_user(s, None, UserIn(username=name, password=PASSWORD, role=role, unit_key=unit))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def site_url(request, throwaway_database_url):
    url = throwaway_database_url(request.param)
    build_site(url)
    return url


@pytest.fixture()
def app(site_url, tmp_path):
    from jinghai.web.app import create_app

    settings = Settings(data_dir=tmp_path, database_url=site_url, login_max_failures=3)
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture()
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture()
def login(client):
    def sign_in(username: str, password: str = PASSWORD) -> str:
        """Sign in through the JSON API; returns the CSRF token for later writes."""
        r = client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["csrf_token"]

    return sign_in


@pytest.fixture()
def today() -> date:
    """The operation's calendar day (Asia/Shanghai), read per test: a module-level constant
    goes stale when a run crosses local midnight and turns 'tomorrow' into today."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
