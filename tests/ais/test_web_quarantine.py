"""The office's quarantine page and API: counts by reason, raw text, office only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jinghai.accounts.models import Role
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.ais.ingest import Ingestor
from jinghai.ais.store import PositionStore
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template
from jinghai.settings import Settings

PASSWORD = "correct-horse-9"


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, fresh_database_url, tmp_path, nmea_dir):
    url = fresh_database_url(request.param)
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        init_operation(s, load_template())
        add_user(s, None, UserIn(username="office1", password=PASSWORD, role=Role.OFFICE))
        add_user(s, None, UserIn(username="bs1", password=PASSWORD, role=Role.LIAISON,
                                 unit_key="bs_beilun"))
    stats = Ingestor(PositionStore(tmp_path / "ais"), factory).ingest_file(
        nmea_dir / "knapply_maritime/20181101.log")
    engine.dispose()
    from jinghai.web.app import create_app

    app = create_app(Settings(data_dir=tmp_path, database_url=url))
    with TestClient(app) as c:
        c.stats = stats  # what the ingest counted, for the page to show
        yield c
    app.state.engine.dispose()


def _login(client, username):
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_office_sees_counts_and_raw_text(client):
    _login(client, "office1")
    data = client.get("/api/ais/quarantine").json()
    assert data["counts"] == client.stats.quarantined
    assert set(data["counts"]) >= {"unsupported_type", "impossible_value", "truncated",
                                   "bad_checksum", "orphan_fragment"}
    page = client.get("/ais/quarantine?reason=bad_checksum")
    assert page.status_code == 200
    assert "校验和错误" in page.text and "!AIVDM" in page.text
    only = client.get("/api/ais/quarantine", params={"reason": "truncated"}).json()["recent"]
    assert len(only) == client.stats.quarantined["truncated"]
    assert {q["reason"] for q in only} == {"truncated"}
    assert client.get("/api/ais/quarantine", params={"reason": "nonsense"}).status_code == 422


def test_liaison_and_anonymous_are_refused(client):
    assert client.get("/api/ais/quarantine").status_code == 401
    _login(client, "bs1")
    assert client.get("/api/ais/quarantine").status_code == 403
    assert client.get("/ais/quarantine").status_code == 403
