"""The app's background round on a real database: overdue red alerts escalate, the outbox
is delivered; and the app's lifespan starts the worker without blocking requests."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from jinghai.alerts.models import Alert
from jinghai.alerts.service import AlertConfig, record_event
from jinghai.alerts.worker import run_once
from jinghai.db import make_engine, make_session_factory, session_scope, utcnow
from jinghai.geo.service import seed_demo_zones
from jinghai.migrate import upgrade
from jinghai.notify.models import WebhookOutbox
from jinghai.org.service import init_operation
from jinghai.org.template import load_template
from jinghai.settings import Settings, WebhookTarget

from .factories import make_event
from .test_webhooks import FlakyReceiver


def test_run_once_escalates_and_delivers(fresh_database_url, tmp_path) -> None:
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    receiver = FlakyReceiver(fail=0)
    import threading

    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    settings = Settings(data_dir=tmp_path, database_url=url, alert_escalation_minutes=10,
                        alert_webhooks=[WebhookTarget(url=receiver.url, format="wecom")])
    with session_scope(factory) as s:
        init_operation(s, load_template())
        seed_demo_zones(s)
        old = record_event(s, make_event("encounter"), now=utcnow() - timedelta(minutes=11),
                           config=AlertConfig.from_settings(settings)).id
        fresh = record_event(s, make_event("encounter", (412300009, 413500009)),
                             config=AlertConfig.from_settings(settings)).id
    assert run_once(factory, settings) == (1, 3)  # escalated 1; 2 created + 1 escalated msg
    with session_scope(factory) as s:
        assert [a.id for a in s.scalars(select(Alert).where(Alert.escalated))] == [old]
        assert {o.status for o in s.scalars(select(WebhookOutbox))} == {"sent"}
        assert fresh != old
    assert [b["msgtype"] for b in receiver.bodies] == ["markdown"] * 3
    receiver.server.shutdown()
    receiver.server.server_close()
    engine.dispose()


def test_the_apps_background_worker_escalates(fresh_database_url, tmp_path) -> None:
    import time

    from jinghai.web.app import create_app

    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        init_operation(s, load_template())
        seed_demo_zones(s)
        aid = record_event(s, make_event("encounter"), now=utcnow() - timedelta(hours=1)).id
    app = create_app(Settings(data_dir=tmp_path, database_url=url,
                              alert_worker_interval_s=0.05), engine=engine)
    with TestClient(app) as client:
        assert client.get("/login").status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with session_scope(factory) as s:
                if s.get(Alert, aid).escalated:
                    break
            time.sleep(0.05)
    with session_scope(factory) as s:
        assert s.get(Alert, aid).escalated  # by the background worker, not by this test
    engine.dispose()
