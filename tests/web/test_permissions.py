"""Every route, every role: who may not see or change something is refused, and a refused
or hostile request changes nothing in the database.

The routes are read from the app itself, so a route added later is checked too: a new
state-changing route that a viewer (leader, read-only) can use will fail here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import MetaData, create_engine, func, select

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

#: Open to everyone: signing in and the public tip-off pages.
PUBLIC = {"/login", "/api/auth/login", "/tip", "/tip/map.js", "/tip/status", "/favicon.ico",
          "/tip/coastline.geojson", "/tip/places.geojson",
          "/patrol/sw.js"}  # the phone page's service worker: code only, no data
#: Personal actions any signed-in user may take (their own session and notifications).
PERSONAL = {"/logout", "/api/auth/logout", "/notifications/read"}
#: Pages behind a per-vessel token (the QR code's status page, the owner's port-report
#: link): open to whoever holds the token, so an unknown token gives 404, not a login.
QR_PUBLIC_GET = {"/v/{token}", "/r/{token}"}
ADMIN_ONLY = re.compile(r"^/(admin/users|api/users)")
OFFICE_ONLY = re.compile(
    r"^/(report/(lock|unlock|remind)|api/report/days/|audit|api/audit|tipoffs|api/tipoffs)")
#: Tables whose rows change by signing in, not by the requests under test.
VOLATILE = {"user_sessions", "login_attempts", "users"}
#: Showing a full number or a tipster's identity: a read that is logged, so a POST (with
#: CSRF) that writes an audit row and nothing else. The leadership may reveal (logged).
REVEALS = {"/clues/{clue_id}/reveal", "/api/clues/entities/{entity_id}/unmasked",
           "/tipoffs/{tipoff_id}/identity"}

# --- the policy, route by route, for one user of each role ---------------------------------
#: Who is tested: anonymous, the office, the leadership (read only), the admin, a liaison.
USERS = (None, "leader1", "admin1", "office1", "bs1")  # those who change nothing first
SIGNED_IN = {"office1", "leader1", "admin1", "bs1"}
STAFF = {"office1", "bs1"}
#: GET: (pattern, who may read). First match wins; unlisted pages are for every signed-in
#: user. Record ids are 1: clue 1 and case 1 belong to the office's unit.
READ_POLICY: list[tuple[str, set[str]]] = [
    (r"^/(admin/users|api/users)", {"admin1"}),
    (r"^/(audit|api/audit)", {"office1", "admin1"}),
    (r"^/(ais/quarantine|api/ais/quarantine)", {"office1", "admin1"}),
    (r"^/(tipoffs|api/tipoffs)", {"office1", "leader1"}),
    (r"^/alerts/settings", {"office1"}),
    # the leadership reads everything (and writes nothing)
    (r"^/(alerts/stats|api/alerts/stats)", {"office1", "leader1"}),
    (r"^/(portcalls|api/portcalls)", {"office1", "leader1"}),
    (r"^/report/entry", STAFF),
    (r"^/patrol/m$", {"bs1"}),  # the patrol leader's phone page: units that patrol
    (r"^/(brief|api/brief)", {"office1", "leader1", "admin1"}),  # the leadership's brief
    (r"^/(report/(board|daily|trends|export)|api/report/daily/)", {"office1", "leader1", "admin1"}),
    (r"^/(clues/new|incidents/new)$", STAFF),
    (r"^/vessels/(new|import|\{vessel_id:int\}/edit)$", {"office1"}),
    (r"^(/api)?/(clues|cases)/\{(clue|case)_id\}", {"office1", "leader1"}),
    (r"^/(login|tip|tip/map\.js|tip/status|tip/\w+\.geojson|favicon\.ico|patrol/sw\.js)$",
     SIGNED_IN | {None}),
    (r"^/r/", set()),  # the owner's link: a wrong token is refused to everybody
]
#: Writes: (pattern, who may write). Unlisted writes are refused to everybody.
WRITE_POLICY: list[tuple[str, set[str]]] = [
    (r"^/(login|api/auth/login|tip)$", SIGNED_IN | {None}),
    (r"^/(logout|api/auth/logout|notifications/read)$", SIGNED_IN),
    (r"^/(admin/users|api/users)", {"admin1"}),
    (r"^/(report/(lock|unlock|remind)|api/report/days/)", {"office1"}),
    (r"^/api/report/entries/.*/(open|review)$", {"office1"}),  # the office reviews, reopens
    (r"^/(report/entry|api/report/entries/)", STAFF),
    (r"^/(patrol/coverage/notify|supervision/remind)$", {"office1"}),
    (r"^/tipoffs/", {"office1"}),
    (r"^/api/tipoffs/", {"office1"}),
    (r"^/(alerts/settings|api/alerts/detectors)", {"office1"}),
    (r"^(/api)?/alerts/", STAFF),
    (r"^(/clues/\{clue_id\}/reveal|/api/clues/entities/)", {"office1", "leader1"}),
    (r"^(/api)?/(clues|cases)/\{(clue|case)_id\}", {"office1"}),
    (r"^(/api)?/(clues|cases|incidents)", STAFF),
    (r"^(/api)?/vessels/(three-no|\{vessel_id(:int)?\}/inspect)", STAFF),
    (r"^/v/", STAFF),
    (r"^(/api)?/(vessels|zones|portcalls)", {"office1"}),
    (r"^/r/", SIGNED_IN | {None}),  # the owner's link: whoever holds the token
]


def _allowed(policy, path: str, user: str | None, default: set) -> bool:
    for pattern, who in policy:
        if re.match(pattern, path):
            return user in who
    return user in default


def _refused(r, method: str) -> bool:
    if r.status_code in (401, 403):
        return True
    return method == "GET" and r.status_code == 303 and \
        r.headers["location"].startswith("/login")


def _routes(app) -> list[tuple[str, str]]:
    def flat(routes):
        for r in routes:
            if isinstance(r, APIRoute):
                yield r
            elif hasattr(r, "original_router"):
                yield from flat(r.original_router.routes)
            elif hasattr(r, "routes"):
                yield from flat(r.routes)

    return sorted({(m, r.path) for r in flat(app.routes) for m in r.methods if m != "HEAD"})


def _url(path: str) -> str:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # per call: runs may cross midnight
    values = {"day": today.isoformat(), "unit": "bs_beilun", "section": "port_area",
              "action": "accept", "token": "not-a-token"}

    def fill(m: re.Match) -> str:
        name = m.group(1).split(":")[0]
        return values.get(name, "1")

    return re.sub(r"\{([^}]+)\}", fill, path)


def _snapshot(url: str) -> str:
    """A digest of every row of every table but the volatile ones."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for name in sorted(meta.tables):
            if name in VOLATILE or name.startswith("alembic"):
                continue
            table = meta.tables[name]
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            digest.update(f"{name}:{len(rows)}:{''.join(rows)}".encode())
    engine.dispose()
    return digest.hexdigest()


def _send(client, method: str, path: str, csrf: str | None):
    url = _url(path)
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if path.startswith("/api/"):
        return client.request(method, url, headers=headers, json={}, follow_redirects=False)
    data = {"csrf_token": csrf} if csrf else {}
    return client.request(method, url, data=data, follow_redirects=False)


@pytest.fixture()
def seeded(client, login, site_url, today):
    """A few records so that id 1 exists for clues, cases and drafts."""
    h = {"X-CSRF-Token": login("office1")}
    clue = client.post("/api/clues", headers=h, json={"source_kind": "agency",
                                                      "content": "测试线索 13812345678"})
    assert clue.status_code == 201, clue.text
    case = client.post("/api/cases", headers=h, json={"title": "测试案", "clue_ids": [1]})
    assert case.status_code == 201, case.text
    h = {"X-CSRF-Token": login("bs1")}
    r = client.put(f"/api/report/entries/bs_beilun/port_area/{today}", headers=h,
                   json={"values": {"inbound_vessels_checked": "3"}})
    assert r.status_code == 200, r.text
    client.post("/api/auth/logout", headers=h)
    client.cookies.clear()
    return site_url


def test_anonymous_is_refused_everywhere_but_the_public_pages(app, client, seeded):
    before = _snapshot(seeded)
    opened = []
    for method, path in _routes(app):
        if path in PUBLIC or (method == "GET" and path in QR_PUBLIC_GET):
            continue
        r = _send(client, method, path, csrf=None)
        if method == "GET":
            ok = r.status_code in (401, 403) or (
                r.status_code == 303 and r.headers["location"].startswith("/login"))
        else:
            ok = r.status_code in (401, 403)
        if not ok:
            opened.append((method, path, r.status_code))
    assert opened == []
    assert _snapshot(seeded) == before


def test_unsafe_requests_without_csrf_token_change_nothing(app, client, login, seeded):
    login("office1")
    before = _snapshot(seeded)
    passed = []
    for method, path in _routes(app):
        if method in UNSAFE and path not in {"/api/auth/login"}:
            r = _send(client, method, path, csrf=None)
            if r.status_code != 403:
                passed.append((method, path, r.status_code))
    assert passed == []
    assert _snapshot(seeded) == before


@pytest.mark.parametrize("username", ["leader1"])
def test_read_only_viewer_changes_nothing_anywhere(app, client, login, seeded, username):
    csrf = login(username)
    before = _snapshot(seeded)
    accepted = []
    for method, path in _routes(app):
        if method not in UNSAFE or path in PUBLIC | PERSONAL | REVEALS:
            continue
        r = _send(client, method, path, csrf=csrf)
        if r.status_code < 400:
            accepted.append((method, path, r.status_code))
    assert accepted == []
    assert _snapshot(seeded) == before


@pytest.mark.parametrize("username", ["bs1", "office1"])
def test_admin_routes_are_refused_to_others(app, client, login, seeded, username):
    csrf = login(username)
    before = _snapshot(seeded)
    allowed = [(m, p, r.status_code) for m, p in _routes(app) if ADMIN_ONLY.match(p)
               for r in [_send(client, m, p, csrf)] if r.status_code != 403]
    assert allowed == []
    assert _snapshot(seeded) == before


def test_office_routes_are_refused_to_a_liaison(app, client, login, seeded):
    csrf = login("bs1")
    before = _snapshot(seeded)
    allowed = [(m, p, r.status_code) for m, p in _routes(app) if OFFICE_ONLY.match(p)
               for r in [_send(client, m, p, csrf)] if r.status_code not in (403, 404)]
    assert allowed == []
    assert _snapshot(seeded) == before


def test_hostile_figures_are_refused_with_a_message_and_change_nothing(client, login, seeded, today):
    h = {"X-CSRF-Token": login("bs1")}
    url = f"/api/report/entries/bs_beilun/port_area/{today}"
    before = _snapshot(seeded)
    hostile = [
        {"values": "not a mapping"},
        {"values": {"inbound_vessels_checked": "1e400"}},
        {"values": {"inbound_vessels_checked": "9" * 400}},
        {"values": {"inbound_vessels_checked": ["3"]}},
        {"values": {"inbound_vessels_checked": "NaN"}},
        {"values": {"no_such_figure": "1"}},
        {"values": {"inbound_vessels_checked": "3"}, "submit": "yes please"},
    ]
    for body in hostile:
        r = client.put(url, headers=h, json=body)
        assert r.status_code in (400, 422), (body, r.status_code, r.text)
        assert r.json().get("detail") or r.json().get("problems"), body
    assert client.put(url, headers=h, content=b"\xff\xfe{", ).status_code in (400, 422)
    assert _snapshot(seeded) == before


def test_script_in_a_comment_is_stored_as_text_and_shown_escaped(client, login, seeded, today):
    h = {"X-CSRF-Token": login("cg1")}
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = client.put(f"/api/report/entries/coast_guard/sea_patrol/{today}", headers=h,
                   json={"values": {"personnel": "5"}, "comments": {"personnel": attack}})
    assert r.status_code == 200, r.text
    page = client.get(f"/report/entry?unit=coast_guard&section=sea_patrol&day={today}")
    assert page.status_code == 200
    assert attack not in page.text
    assert "&lt;script&gt;" in page.text


def test_every_route_for_every_role_follows_the_policy(app, client, login, seeded):
    """The whole table: each (user, method, route) is refused exactly where the policy
    refuses it. A refused write may also fail validation first (422), but it never
    succeeds and the database is unchanged; a permitted one is never refused."""
    before = _snapshot(seeded)
    wrong = []
    routes = [(m, p) for m, p in _routes(app) if p not in ("/logout", "/api/auth/logout")]
    for user in USERS:
        if user == "office1":
            # anonymous, the leadership and the admin have tried every write: no change
            assert _snapshot(seeded) == before
        client.cookies.clear()
        csrf = login(user) if user else None
        for method, path in routes:
            if path in REVEALS:
                continue  # below: they write audit rows by design
            r = _send(client, method, path, csrf)
            assert r.status_code < 500, (user, method, path, r.status_code)
            if method == "GET":
                may = _allowed(READ_POLICY, path, user, SIGNED_IN)
                if may == _refused(r, method) and not (
                        path in QR_PUBLIC_GET and r.status_code == 404):
                    wrong.append((user, method, path, r.status_code, "may" if may else "not"))
            else:
                may = _allowed(WRITE_POLICY, path, user, set())
                # anonymous writes carry no CSRF token here (the public forms are tested
                # with theirs in tests/tipoffs); only their refusal is checked
                if may and user and _refused(r, method) and not path.startswith("/r/"):
                    wrong.append((user, method, path, r.status_code, "may"))
                if not may and r.status_code < 400:
                    wrong.append((user, method, path, r.status_code, "not"))
    assert wrong == [], '\n'.join(map(str, wrong))


@pytest.mark.parametrize("username", ["leader1", "admin1", "bs1"])
def test_reveals_are_posts_that_only_log(app, client, login, seeded, username):
    from jinghai.audit.models import AuditEvent

    csrf = login(username)
    engine = create_engine(seeded)

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(AuditEvent.__table__)).scalar()

    for path in REVEALS:
        assert client.get(_url(path), follow_redirects=False).status_code in (404, 405)
    before_rows = count()
    r = client.post("/clues/1/reveal", data={"csrf_token": csrf, "show": "original"})
    allowed = username == "leader1"
    assert (r.status_code == 200) is allowed, r.status_code
    assert ("13812345678" in r.text) is allowed
    assert count() == before_rows + (1 if allowed else 0)
    engine.dispose()


def test_the_leadership_reads_port_reports_and_detector_statistics_without_forms(
        app, client, login, seeded):
    login("leader1")
    page = client.get("/portcalls/")
    assert page.status_code == 200
    assert "进出港报告" in page.text or "暂无报告" in page.text
    assert 'action="/portcalls/new"' not in page.text  # no entry form for a reader
    assert client.get("/api/portcalls").status_code == 200
    assert client.get("/alerts/stats").status_code == 200
    assert client.get("/api/alerts/stats").status_code == 200
    client.cookies.clear()
    login("office1")
    assert 'action="/portcalls/new"' in client.get("/portcalls/").text
