"""The patrol pages and API over a live app (SQLite and PostgreSQL): who may do what, a
check-in with a photo typed by its content, clear Chinese refusals, no 500s."""

from __future__ import annotations

import base64
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from jinghai.accounts.models import Role
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.ais.simulate import PATROL_MMSIS, decoded_positions, iter_sentences
from jinghai.ais.store import PositionStore
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.geo.service import seed_demo_zones
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template
from jinghai.settings import Settings

PASSWORD = "correct-horse-9"
USERS = {"office1": (Role.OFFICE, None), "leader1": (Role.VIEWER, None),
         "police1": (Role.LIAISON, "police"), "sd1": (Role.LIAISON, "sd_qijiashan")}
COVE = (121.754997, 29.968719)  # lp-qjs-01 戚家山笠山岙口


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(
            ">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, fresh_database_url, tmp_path):
    from jinghai.web.app import create_app

    url = fresh_database_url(request.param)
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        seed_demo_zones(s)
        for name, (role, unit) in USERS.items():
            add_user(s, None, UserIn(username=name, password=PASSWORD, role=role, unit_key=unit))
    engine.dispose()
    app = create_app(Settings(data_dir=tmp_path, database_url=url, alert_worker=False,
                              own_mmsis=list(PATROL_MMSIS)))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def _login(client, name):
    r = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"], "Accept": "application/json"}


def test_patrol_flow_over_http(client, tmp_path):
    h = _login(client, "police1")
    now = datetime.now(UTC)
    r = client.post("/api/patrol/missions", headers=h, json={
        "kind": "coastal", "crew_count": 4, "start_at": (now - timedelta(hours=1)).isoformat()})
    assert r.status_code == 200, r.text
    mid = r.json()["id"]
    pts = [{"ts": (now - timedelta(minutes=50 - i)).isoformat(), "lon": COVE[0] + 0.001 * i,
            "lat": COVE[1] - 0.002} for i in range(5)]
    assert client.post(f"/api/patrol/missions/{mid}/track", headers=h,
                       json={"points": pts}).json() == {"added": 5}
    cid = uuid.uuid4().hex
    body = {"client_id": cid, "zone_id": "lp-qjs-01", "at": now.isoformat(),
            "lon": COVE[0] + 0.001, "lat": COVE[1], "persons_checked": 2, "vessels_checked": 1,
            "finding": "岙口停有一艘无名小船", "make_clue": True, "mission_id": mid,
            "photo_b64": "data:image/png;base64," + base64.b64encode(png()).decode()}
    first = client.post("/api/patrol/checkins", headers=h, json=body)
    assert first.status_code == 200, first.text
    assert first.json()["duplicate"] is False and first.json()["clue_id"]
    again = client.post("/api/patrol/checkins", headers=h, json=body)
    assert again.json() == first.json() | {"duplicate": True}

    far = client.post("/api/patrol/checkins", headers=h, json=body | {
        "client_id": uuid.uuid4().hex, "lon": COVE[0] + 0.0207, "photo_b64": ""})
    assert far.status_code == 422 and "超出允许的 500 米" in far.json()["detail"]
    fake = client.post("/api/patrol/checkins", headers=h, json=body | {
        "client_id": uuid.uuid4().hex, "photo_b64": base64.b64encode(b"%PDF-1.4 x").decode()})
    assert fake.status_code == 422 and "JPEG 或 PNG" in fake.json()["detail"]
    no_csrf = client.post("/api/patrol/checkins", headers={"Accept": "application/json"},
                          json=body | {"client_id": uuid.uuid4().hex})
    assert no_csrf.status_code == 403
    early = client.post(f"/api/patrol/missions/{mid}/end", headers=h,
                        json={"end_at": (now - timedelta(hours=2)).isoformat()})
    assert early.status_code == 422 and "早于开始时间" in early.json()["detail"]
    ended = client.post(f"/api/patrol/missions/{mid}/end", headers=h, json={})
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert ended.json()["swept_km2"] is not None  # on foot along the shore: mostly land

    # another unit's liaison sees nothing of it; a leader sees it but cannot write
    sd = _login(client, "sd1")
    assert client.get(f"/api/patrol/missions/{mid}", headers=sd).status_code == 404
    leader = _login(client, "leader1")
    assert client.get(f"/api/patrol/missions/{mid}", headers=leader).status_code == 200
    assert client.post("/api/patrol/missions", headers=leader,
                       json={"kind": "coastal", "crew_count": 1}).status_code == 403

    office = _login(client, "office1")
    day = now.astimezone(Settings().tz).date().isoformat()
    figures = client.get(f"/api/patrol/figures/{day}", headers=office).json()["units"]
    police = next(u for u in figures if u["unit"] == "police")
    cove = next(f for f in police["figures"] if f["key"] == "cove_patrols")
    assert cove == {"key": "cove_patrols", "label": "岙口巡查次数", "value": 1.0,
                    "source": "counted"}
    for url in ("/patrol/", f"/patrol/missions/{mid}", "/patrol/coverage"):
        page = client.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200, url
    detail = client.get(f"/patrol/missions/{mid}").text
    assert "戚家山笠山岙口" in detail and "查看照片" in detail
    photo = client.get(f"/patrol/checkins/{first.json()['id']}/photo")
    assert photo.headers["content-type"] == "image/png" and photo.content == png()
    geo = client.get(f"/api/patrol/missions/{mid}/geojson").json()
    assert {f["properties"]["kind"] for f in geo["features"]} == {"track", "checkin"}
    # the traffic picture: the demo feed's last 20 minutes, decoded, in the AIS store
    lines = [line for _, line in iter_sentences(now - timedelta(minutes=30),
                                                timedelta(minutes=20), step=20.0)]
    PositionStore(tmp_path / "ais").append(decoded_positions(lines))
    cover = client.get("/api/patrol/coverage", headers=office).json()
    assert sum(c["positions"] for c in cover["density"]) > 100
    assert cover["blind_spots"] and all(
        (b["lon"], b["lat"]) not in {(e["lon"], e["lat"]) for e in cover["effort"]}
        for b in cover["blind_spots"])
    assert sum(c["hours"] for c in cover["effort"]) == pytest.approx(4 / 60, abs=0.011)
    qjs = next(p for p in cover["landing_points"] if p["zone_id"] == "lp-qjs-01")
    assert qjs["days_since"] == 0 and not qjs["overdue"]
    assert any(p["overdue"] for p in cover["landing_points"])


def test_cli_lists_and_notifies_overdue_landing_points(fresh_database_url, tmp_path,
                                                       monkeypatch):
    from typer.testing import CliRunner

    from jinghai.cli.main import app

    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        seed_demo_zones(s)
    engine.dispose()
    monkeypatch.setenv("JINGHAI_DATABASE_URL", url)
    monkeypatch.setenv("JINGHAI_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    listed = runner.invoke(app, ["patrol", "overdue", "--date", "2026-11-20"])  # 14 points
    assert listed.exit_code == 0, listed.output
    assert "梅山下湾临时停靠点" in listed.output and "从未打卡" in listed.output
    sent = runner.invoke(app, ["patrol", "overdue", "--date", "2026-11-20", "--notify"])
    assert "已发送提醒 14 条" in sent.output
    again = runner.invoke(app, ["patrol", "overdue", "--date", "2026-11-20", "--notify"])
    assert "已发送提醒 0 条" in again.output
    bad = runner.invoke(app, ["patrol", "overdue", "--date", "20-11"])
    assert bad.exit_code == 2 and "日期格式" in bad.output


BAD_CHECKINS = [
    {},
    {"client_id": "short", "zone_id": "lp-qjs-01", "at": "2026-11-20T08:00:00+08:00",
     "lon": 121.755, "lat": 29.969},
    {"client_id": "a" * 20, "zone_id": "lp-qjs-01", "at": "2026-11-20T08:00:00",  # no zone
     "lon": 121.755, "lat": 29.969},
    {"client_id": "a" * 20, "zone_id": "lp-qjs-01", "at": "2026-11-20T08:00:00+08:00",
     "lon": "NaN", "lat": 29.969},
    {"client_id": "a" * 20, "zone_id": "nowhere", "at": "2026-11-20T08:00:00+08:00",
     "lon": 121.755, "lat": 29.969},
    {"client_id": "a" * 20, "zone_id": "lp-qjs-01", "at": "2026-11-20T08:00:00+08:00",
     "lon": 121.755, "lat": 29.969, "persons_checked": -1},
    {"client_id": "a" * 20, "zone_id": "lp-qjs-01", "at": "2026-11-20T08:00:00+08:00",
     "lon": 121.755, "lat": 29.969, "photo_b64": "not base64!"},
    {"client_id": "a" * 20, "zone_id": "port-beilun", "at": "2026-11-20T08:00:00+08:00",
     "lon": 121.755, "lat": 29.969},  # not a landing point
    {"client_id": "a" * 20, "zone_id": "lp-qjs-01", "at": "2099-01-01T08:00:00+08:00",
     "lon": 121.755, "lat": 29.969},  # in the future
]


def test_bad_input_gets_a_chinese_refusal_never_a_500(client):
    h = _login(client, "police1")
    for body in BAD_CHECKINS:
        r = client.post("/api/patrol/checkins", headers=h, json=body)
        assert r.status_code in (404, 422), (body, r.status_code, r.text)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"]), body
    raw = ('{"client_id": "%s", "zone_id": "lp-qjs-01", "at": "2026-11-20T08:00:00+08:00", '
           '"lon": 1e400, "lat": 29.969}' % ("b" * 20))
    r = client.post("/api/patrol/checkins", headers=h | {"Content-Type": "application/json"},
                    content=raw)
    assert r.status_code == 422
    for body in ([1, 2], {"points": [{"ts": "x", "lon": 1, "lat": 2}]}, {"points": []}):
        r = client.post("/api/patrol/missions/999/track", headers=h, json=body)
        assert r.status_code in (404, 422), (body, r.status_code)
    r = client.post("/api/patrol/missions", headers=h, json={"kind": "boat", "crew_count": 3})
    assert r.status_code == 422 and "任务类型" in r.json()["detail"]
    r = client.post("/api/patrol/inspections", headers=h, json={"persons_checked": 2})
    assert r.status_code == 422 and "渔船编号" in r.json()["detail"]
    r = client.post("/patrol/coverage/notify", headers=h)
    assert r.status_code == 403
