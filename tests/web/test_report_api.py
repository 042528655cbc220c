"""The daily report through HTTP: permissions, CSRF, the API round trip."""

from datetime import date

PORT = {"inbound_vessels_checked": "11", "outbound_vessels_checked": "9",
        "inbound_persons_checked": "200", "outbound_persons_checked": "150",
        "vessels_guarded": "25", "anchorage_patrols": "2"}


def test_pages_need_login(client):
    r = client.get("/report/board", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/report/board"
    assert client.get("/api/report/board?start=2026-11-01&end=2026-11-02").status_code == 401


def test_write_without_csrf_token_is_refused(client, login, today):
    login("bs1")
    r = client.put(f"/api/report/entries/bs_beilun/port_area/{today}",
                   json={"values": {"anchorage_patrols": "2"}})
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]


def test_liaison_submits_own_section_and_is_refused_others(client, login, today):
    token = login("bs1")
    h = {"X-CSRF-Token": token}
    r = client.put(f"/api/report/entries/bs_beilun/port_area/{today}", headers=h,
                   json={"values": PORT, "submit": True})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted"
    r = client.put(f"/api/report/entries/coast_guard/sea_patrol/{today}", headers=h,
                   json={"values": {"personnel": "3"}})
    assert r.status_code == 403
    r = client.get(f"/api/report/entries/bs_daxie/port_area/{today}")
    assert r.status_code == 403
    assert client.get(f"/api/report/daily/{today}").status_code == 403


def test_refused_submission_keeps_the_draft(client, login, today):
    token = login("cg1")
    h = {"X-CSRF-Token": token}
    r = client.put(f"/api/report/entries/coast_guard/sea_patrol/{today}", headers=h,
                   json={"values": {"personnel": "-4"}, "submit": True})
    assert r.status_code == 422
    assert "“出动人力”不能为负数" in r.json()["problems"]
    r = client.get(f"/api/report/entries/coast_guard/sea_patrol/{today}")
    assert r.json()["status"] == "draft"
    assert r.json()["figures"][0]["value"] == -4


def test_office_compiles_locks_and_exports(client, login, today):
    token = login("bs1")
    r = client.put(f"/api/report/entries/bs_beilun/port_area/{today}",
                   headers={"X-CSRF-Token": token}, json={"values": PORT, "submit": True})
    assert r.status_code == 200, r.text
    token = login("office1")
    h = {"X-CSRF-Token": token}
    r = client.get(f"/api/report/daily/{today}")
    assert r.json()["values"]["port_area.inbound_vessels_checked"] == 11
    # units outstanding: the lock names them and needs a confirmation
    r = client.post(f"/api/report/days/{today}/lock", headers=h)
    assert r.status_code == 409 and "北仑边检站" not in r.json()["detail"]
    assert "梅山边检站" in r.json()["detail"]
    r = client.post(f"/api/report/days/{today}/lock", headers=h, json={"confirm": True})
    assert r.json()["locked"] is True
    r = client.get(f"/api/report/board?start={today}&end={today}")
    cells = {(row["unit"], row["section"]): row["cells"][0] for row in r.json()["rows"]}
    # the lock is the day's: each unit keeps its status
    assert cells[("bs_beilun", "port_area")] in ("submitted", "late")
    assert cells[("bs_meishan", "port_area")] == "not_started"
    r = client.post(f"/api/report/days/{today}/unlock", headers=h, json={"reason": ""})
    assert r.status_code == 422
    r = client.get(f"/api/report/export?start={today}&format=json")
    assert r.status_code == 200
    r = client.get("/api/audit")
    actions = [e["action"] for e in r.json()]
    assert "day.lock" in actions and "figure.set" in actions


def test_viewer_reads_but_cannot_lock(client, login, today):
    token = login("leader1")
    assert client.get(f"/api/report/daily/{today}").status_code == 200
    r = client.post(f"/api/report/days/{today}/lock", headers={"X-CSRF-Token": token})
    assert r.status_code == 403


def test_login_is_throttled(client):
    for _ in range(3):
        r = client.post("/api/auth/login", json={"username": "bs1", "password": "wrong-password"})
        assert r.status_code == 401
    r = client.post("/api/auth/login", json={"username": "bs1", "password": "correct-horse-9"})
    assert r.status_code == 429


def test_only_admin_manages_users(client, login):
    token = login("office1")
    r = client.post("/api/users", headers={"X-CSRF-Token": token},
                    json={"username": "x1", "password": "long-enough-1", "role": "viewer"})
    assert r.status_code == 403
    token = login("admin1")
    r = client.post("/api/users", headers={"X-CSRF-Token": token},
                    json={"username": "x1", "password": "long-enough-1", "role": "liaison",
                          "unit_key": "cu_beilun"})
    assert r.status_code == 201
    assert r.json()["unit_key"] == "cu_beilun"


def test_openapi_lists_the_report_api(client, login):
    login("bs1")  # the API docs are for signed-in users (issue 10 point 12)
    spec = client.get("/openapi.json").json()
    assert "/api/report/entries/{unit}/{section}/{day}" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_pages_render_in_chinese(client):
    r = client.post("/login", data={"username": "office1", "password": "correct-horse-9",
                                    "csrf_token": "x"}, follow_redirects=False)
    assert r.status_code == 403  # no CSRF cookie yet: a forged login form is refused
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": "office1", "password": "correct-horse-9",
                                    "csrf_token": token, "next": "/report/board"},
                    follow_redirects=True)
    assert r.status_code == 200
    assert "报送情况" in r.text
    for path in ("/report/daily", "/report/trends", "/audit", f"/report/entry?day={date.today()}"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])


def test_first_saves_of_one_section_at_once_make_one_submission(app, site_url, login,
                                                                 client, today):
    """Saves read what they count before they wait for the section (on SQLite without the
    write lock): the first saves of one section, sent together, must still find each
    other's submission, one after the other, not each create one (a 500 for all but one)."""
    import threading

    from sqlalchemy import func, select

    from jinghai.db import make_engine, make_session_factory
    from jinghai.reporting.models import Submission

    token = login("office1")
    start = threading.Barrier(4)
    statuses: list[int] = []

    def save(value: int) -> None:
        start.wait(10)
        statuses.append(client.put(f"/api/report/entries/bs_beilun/port_area/{today}",
                                   headers={"X-CSRF-Token": token},
                                   json={"values": {"anchorage_patrols": str(value)}}
                                   ).status_code)

    threads = [threading.Thread(target=save, args=(v,)) for v in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine = make_engine(site_url)
    with make_session_factory(engine)() as s:
        submissions = s.scalar(select(func.count(Submission.id)).where(
            Submission.section == "port_area", Submission.report_date == today))
    engine.dispose()
    assert statuses == [200] * 4
    assert submissions == 1
    saved = client.get(f"/api/report/entries/bs_beilun/port_area/{today}").json()
    assert next(f["value"] for f in saved["figures"]
                if f["key"] == "anchorage_patrols") in {0, 1, 2, 3}
