"""Webhooks through the outbox: a real local HTTP server that fails twice then accepts,
backoff between tries, and the DingTalk/WeCom robot message shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jinghai.alerts.messages import format_payload
from jinghai.alerts.service import AlertConfig, record_event
from jinghai.geo.service import seed_demo_zones
from jinghai.notify.models import WebhookOutbox
from jinghai.notify.webhooks import deliver_due

from .factories import T0, make_event


class FlakyReceiver:
    """Answers 503 to the first ``fail`` POSTs, then 200 (and records every body)."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.bodies: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.bodies.append(body)
                ok = len(outer.bodies) > outer.fail
                self.send_response(200 if ok else 503)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"errcode": 0} if ok else {}).encode())

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture()
def receiver() -> Iterator[FlakyReceiver]:
    r = FlakyReceiver(fail=2)
    t = threading.Thread(target=r.server.serve_forever, daemon=True)
    t.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_outbox_retries_with_backoff_until_delivered(session, operation, receiver) -> None:
    seed_demo_zones(session)
    config = AlertConfig(webhooks=[(receiver.url, "json")])
    alert = record_event(session, make_event("encounter"), now=T0, config=config)
    row = session.query(WebhookOutbox).one()
    assert (row.status, row.attempts, receiver.bodies) == ("pending", 0, [])  # not sent inline

    deliver_due(session, T0, backoff_s=30)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, T0 + timedelta(seconds=30))
    assert "503" in row.last_error
    # not due yet: nothing is tried
    deliver_due(session, T0 + timedelta(seconds=29), backoff_s=30)
    assert len(receiver.bodies) == 1
    deliver_due(session, T0 + timedelta(seconds=30), backoff_s=30)
    assert (row.attempts, row.next_attempt_at) == (2, T0 + timedelta(seconds=90))
    deliver_due(session, T0 + timedelta(seconds=90), backoff_s=30)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (
        "sent", 3, T0 + timedelta(seconds=90), "")
    assert [b["id"] for b in receiver.bodies] == [alert.id] * 3
    assert receiver.bodies[-1]["kind"] == "encounter"
    assert receiver.bodies[-1]["groups"] == ["海上巡航组"]


def test_outbox_gives_up_after_max_attempts(session, operation) -> None:
    seed_demo_zones(session)
    config = AlertConfig(webhooks=[("http://127.0.0.1:9/nowhere", "dingtalk")])
    record_event(session, make_event("encounter"), now=T0, config=config)
    row = session.query(WebhookOutbox).one()
    for i in range(3):
        deliver_due(session, T0 + timedelta(hours=i), max_attempts=3, backoff_s=1)
    assert (row.status, row.attempts) == ("failed", 3)


def test_robot_payload_shapes(session, operation) -> None:
    seed_demo_zones(session)
    alert = record_event(session, make_event("landing_approach", (413800001,),
                                             zone_id="lp-gj-01", night=True))
    ding = format_payload(alert, "dingtalk", base_url="https://jh.example")
    wecom = format_payload(alert, "wecom")
    assert set(ding) == {"msgtype", "markdown"} and ding["msgtype"] == "markdown"
    assert set(ding["markdown"]) == {"title", "text"}
    assert ding["markdown"]["title"] == "【净海预警】红色·登陆点接近"
    assert f"https://jh.example/alerts/{alert.id}" in ding["markdown"]["text"]
    assert set(wecom) == {"msgtype", "markdown"} and set(wecom["markdown"]) == {"content"}
    assert "沿海地区管控组" in wecom["markdown"]["content"]
    escalated = format_payload(alert, "wecom", event="escalated")
    assert escalated["markdown"]["content"].startswith("### 【预警升级】")
    assert json.loads(json.dumps(format_payload(alert, "json")))["severity"] == "red"
