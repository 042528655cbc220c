"""What the security review found (issue 10), kept in the suite: body limits, Origin check,
CSP, cookies, sessions ended on reset, login throttle per name and address, password
policy, refusal of the default secret key, keyed and rotating tipster-address hashes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.settings import DEFAULT_SECRET_KEY, Settings
from jinghai.web.limits import DEFAULT_LIMIT, MB, limit_for

from .conftest import PASSWORD

# --- 1. request bodies are limited before anything reads them ----------------------------


def test_route_limits():
    assert limit_for("/tip") < 6 * MB
    assert 5 * MB < limit_for("/tip")
    assert 10 * MB < limit_for("/api/clues/7/attachments") < 11 * MB
    assert 10 * MB < limit_for("/clues/new") < 11 * MB
    assert limit_for("/api/clues") == DEFAULT_LIMIT
    assert limit_for("/api/report/entries/x/y/2026-01-01") == DEFAULT_LIMIT


def test_declared_oversize_body_is_refused_413_before_authentication(client):
    big = b"x" * (6 * MB)
    files = {"photo": ("a.jpg", big, "image/jpeg")}
    r = client.post("/tip", data={"content": "有人偷渡上岸"}, files=files)
    assert r.status_code == 413
    assert "过大" in r.json()["detail"]
    r = client.post("/api/clues/1/attachments", files={"file": ("a.bin", b"y" * (11 * MB))})
    assert r.status_code == 413
    r = client.post("/api/auth/login", content=b"{" + b" " * (2 * MB) + b"}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_streamed_oversize_body_is_cut_off_413(client):
    def chunks():
        for _ in range(8):
            yield b"z" * MB

    # no Content-Length: the body is counted as it streams
    r = client.post("/tip", content=chunks(),
                    headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 413


def test_small_bodies_pass(client, login):
    h = {"X-CSRF-Token": login("office1")}
    r = client.post("/api/clues", headers=h, json={"source_kind": "agency",
                                                   "content": "小额走私线索一条"})
    assert r.status_code == 201, r.text


# --- 3. a password reset ends every session of the user ---------------------------------


def test_password_reset_ends_all_sessions(client, login, site_url):
    from jinghai.accounts.models import User, UserSession

    login("bs1")
    assert client.get("/api/me").status_code == 200
    other = TestClient(client.app)
    admin_csrf = other.post("/api/auth/login", json={"username": "admin1",
                                                     "password": PASSWORD}).json()["csrf_token"]
    engine = make_engine(site_url)
    with session_scope(make_session_factory(engine)) as s:
        bs1 = s.scalar(select(User).where(User.username == "bs1"))
        uid = bs1.id
        assert s.scalars(select(UserSession).where(UserSession.user_id == uid)).all()
    r = other.patch(f"/api/users/{uid}", headers={"X-CSRF-Token": admin_csrf},
                   json={"password": "Brand-new-pass-77"})
    assert r.status_code == 200, r.text
    assert client.get("/api/me").status_code == 401
    with session_scope(make_session_factory(engine)) as s:
        assert s.scalars(select(UserSession).where(UserSession.user_id == uid)).all() == []
    engine.dispose()


# --- 4. failures slow the (name, address) pair, not the account -------------------------


def test_failures_from_one_address_do_not_lock_the_rightful_address(app):
    attacker = TestClient(app, client=("203.0.113.9", 5000))
    for _ in range(6):
        r = attacker.post("/api/auth/login", json={"username": "bs1", "password": "wrong-pw-1"})
        assert r.status_code in (401, 429)
    assert r.status_code == 429
    assert "秒" in r.json()["detail"] or "分钟" in r.json()["detail"]
    rightful = TestClient(app, client=("198.51.100.7", 5000))
    r = rightful.post("/api/auth/login", json={"username": "bs1", "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_back_off_grows_and_expires(session, operation):
    from jinghai.accounts.models import LoginAttempt, Role
    from jinghai.accounts.schemas import UserIn
    from jinghai.accounts.service import ThrottlePolicy, add_user, login_wait
    from jinghai.db import utcnow

    add_user(session, None, UserIn(username="u9", password=PASSWORD, role=Role.VIEWER))
    policy = ThrottlePolicy(max_failures=3, window=timedelta(minutes=15),
                            base_delay=timedelta(seconds=30))
    now = utcnow()
    for i in range(3):
        session.add(LoginAttempt(username="u9", client_ip="10.1.1.1", succeeded=False,
                                 attempted_at=now - timedelta(seconds=10 - i)))
    session.flush()
    first = login_wait(session, "u9", "10.1.1.1", policy, now)
    assert timedelta(seconds=20) < first <= timedelta(seconds=30)
    session.add(LoginAttempt(username="u9", client_ip="10.1.1.1", succeeded=False,
                             attempted_at=now))
    session.flush()
    assert login_wait(session, "u9", "10.1.1.1", policy, now) == timedelta(seconds=60)
    assert login_wait(session, "u9", "10.2.2.2", policy, now) == timedelta(0)
    assert login_wait(session, "u9", "10.1.1.1", policy, now + timedelta(minutes=2)) == \
        timedelta(0)


# --- 10. password policy, Origin check, CSP, cookies ------------------------------------


@pytest.mark.parametrize("weak", ["12345678", "password1", "qwertyuiop", "woaini1314",
                                  "1qaz2wsx", "admin123456", "88888888"])
def test_common_passwords_are_refused(session, operation, weak):
    from jinghai.accounts.models import Role
    from jinghai.accounts.schemas import UserIn
    from jinghai.errors import InvalidInput
    from jinghai.schemas import parse

    with pytest.raises(InvalidInput) as exc:
        parse(UserIn, {"username": "weakling", "password": weak, "role": Role.VIEWER})
    assert "常见" in exc.value.message


def test_cross_site_writes_are_refused_by_origin(client, login):
    h = {"X-CSRF-Token": login("office1")}
    body = {"source_kind": "agency", "content": "跨站请求测试线索"}
    r = client.post("/api/clues", headers={**h, "Origin": "https://evil.example"}, json=body)
    assert r.status_code == 403
    assert "跨站" in r.json()["detail"]
    r = client.post("/api/clues", headers={**h, "Referer": "https://evil.example/x"}, json=body)
    assert r.status_code == 403
    r = client.post("/api/clues", headers={**h, "Origin": "http://testserver"}, json=body)
    assert r.status_code == 201, r.text


def test_csp_connects_only_to_self(client):
    csp = client.get("/login").headers["content-security-policy"]
    connect = next(p for p in csp.split(";") if p.strip().startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'"]


def test_cookies_are_secure_outside_development(site_url, tmp_path):
    from jinghai.web.app import create_app

    settings = Settings(data_dir=tmp_path, database_url=site_url, dev=False,
                        secret_key="a-real-secret-of-some-length")
    assert settings.cookies_secure is True
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as c:
        r = c.post("/api/auth/login", json={"username": "bs1", "password": PASSWORD})
        assert r.status_code == 200
        assert "secure" in r.headers["set-cookie"].lower()
    app.state.engine.dispose()
    assert Settings(dev=True).cookies_secure is False
    assert Settings(dev=False, secure_cookies=False).cookies_secure is False


# --- 6. the default secret key is refused; tipster addresses are keyed and rotate --------


def test_serve_refuses_the_default_secret_key():
    from jinghai.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        Settings(dev=False, secret_key=DEFAULT_SECRET_KEY).refuse_unsafe_secret()
    assert "JINGHAI_SECRET_KEY" in exc.value.message
    Settings(dev=True, secret_key=DEFAULT_SECRET_KEY).refuse_unsafe_secret()
    Settings(dev=False, secret_key="x" * 32).refuse_unsafe_secret()


def test_serve_command_refuses_default_key(monkeypatch):
    from typer.testing import CliRunner

    from jinghai.cli.main import app as cli

    monkeypatch.setenv("JINGHAI_DEV", "false")
    monkeypatch.delenv("JINGHAI_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "JINGHAI_SECRET_KEY" in result.output


def test_tipster_address_hash_is_keyed_and_rotates_hourly():
    from datetime import UTC, datetime

    from jinghai.tipoffs.service import address_hash

    at = datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    a = address_hash("10.0.3.7", "key-one-0123456789", at)
    assert a == address_hash("10.0.3.7", "key-one-0123456789", at + timedelta(minutes=30))
    assert a != address_hash("10.0.3.7", "key-one-0123456789", at + timedelta(hours=1))
    assert a != address_hash("10.0.3.7", "key-two-0123456789", at)


# --- 12. API docs offline and not for anonymous users; a favicon ---------------------------


def test_docs_are_offline_and_signed_in_only(client, login):
    assert client.get("/docs", follow_redirects=False).status_code == 303
    assert client.get("/openapi.json", follow_redirects=False).status_code == 303
    assert client.get("/redoc", follow_redirects=False).status_code in (303, 404)
    login("bs1")
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(s.startswith("/static/") for s in scripts)
    for src in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page):
        r = client.get(src)
        assert r.status_code == 200 and len(r.content) > 100, src
    assert "/api/clues" in client.get("/openapi.json").json()["paths"]


def test_favicon_is_served_to_everybody(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO header


# --- 16. small things: feedback after a button, the nav, coordinates, reliability ---------


def test_nav_shows_zones_and_port_reports(client, login):
    login("office1")
    page = client.get("/alerts/").text
    nav = page[page.index('class="mainnav"'):page.index("</nav>", page.index('class="mainnav"'))]
    assert 'href="/zones/"' in nav and 'href="/portcalls/"' in nav


def test_incident_step_buttons_say_what_they_did(client, login):
    h = {"X-CSRF-Token": login("office1")}
    r = client.post("/api/incidents", headers=h, json={
        "kind": "illegal_entry", "persons": 2, "place": "梅山", "health_state": "well",
        "occurred_at": "2026-11-28T08:00:00+08:00"})
    assert r.status_code in (200, 201), r.text
    incident = r.json()
    step = incident["steps"][0]["id"]
    r = client.post(f"/incidents/{incident['id']}/steps/{step}/start",
                    data={"csrf_token": h["X-CSRF-Token"]})
    assert r.status_code == 200 and "已开始该步骤" in r.text
    r = client.post(f"/incidents/{incident['id']}/steps/{step}/done",
                    data={"csrf_token": h["X-CSRF-Token"]})
    assert "已完成该步骤" in r.text


def test_coordinates_and_reliability_read_as_words(client, login):
    from jinghai.web.render import coord

    assert coord(122.04136693201663, 29.89412345) == "29.8941°N 122.0414°E"
    h = {"X-CSRF-Token": login("office1")}
    clue = client.post("/api/clues", headers=h, json={
        "source_kind": "agency", "content": "坐标测试线索", "reliability": "F",
        "lon": 122.04136693201663, "lat": 29.89412345}).json()
    page = client.get(f"/clues/{clue['id']}").text
    assert "122.04136693201663" not in page and "29.8941°N 122.0414°E" in page
    assert "F（" in page
    assert "起诉审查起诉" not in client.get("/cases/").text


def test_demo_clues_are_never_in_the_future(session, operation):
    import random
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from jinghai.cases.demo import _at

    tz = ZoneInfo("Asia/Shanghai")
    today = datetime.now(tz).date()
    rng = random.Random(1)
    assert all(_at(today, tz, rng) <= datetime.now(tz) for _ in range(200))
    assert _at(date(2026, 1, 5), tz, rng).date() == date(2026, 1, 5)
