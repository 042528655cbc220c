"""Incident intake: checklist, office notice, webhooks (queued, delivered, retried), counters."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from jinghai.db import utcnow
from jinghai.errors import PermissionDenied
from jinghai.incidents.schemas import IncidentIn
from jinghai.incidents.service import (
    complete_step,
    get_incident_for,
    open_incident,
    start_step,
)
from jinghai.notify.models import Notification, WebhookOutbox
from jinghai.notify.webhooks import deliver_due
from jinghai.org.service import get_operation, local_today
from jinghai.reporting.service import entry_view


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def receiver():
    """A real local HTTP server standing in for the office's alerting system."""
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver.received
    server.shutdown()
    server.server_close()


def intake(kind="sea_rescue", persons=4):
    return IncidentIn(kind=kind, persons=persons, occurred_at=utcnow(), place="梅山湾",
                      nationalities="越南", health_state="sick")


def test_intake_notifies_the_office_and_queues_the_webhook(session, make_liaison, receiver):
    url, received = receiver
    transport = make_liaison("transport", "transport1")

    incident = open_incident(session, transport, intake(),
                             webhook_targets=[(url, "json"), (url, "dingtalk")])

    [notice] = session.scalars(select(Notification).where(Notification.kind == "incident"))
    assert (notice.role, notice.unit_id, notice.link) == ("office", None,
                                                        f"/incidents/{incident.id}")
    assert "海上求助入境：4人" in notice.title
    assert [s.step for s in incident.steps] == [
        "rescue", "health_check", "medical_diagnosis", "transfer", "isolation", "treatment"]
    # written with the intake, sent by the worker after it commits
    rows = session.scalars(select(WebhookOutbox).order_by(WebhookOutbox.id)).all()
    assert [(r.status, r.format, r.alert_id) for r in rows] == [
        ("pending", "json", None), ("pending", "dingtalk", None)]
    assert received == []

    deliver_due(session)

    assert [r.status for r in rows] == ["sent", "sent"]
    plain, robot = received
    assert {**plain, "id": incident.id, "kind": "sea_rescue", "persons": 4} == plain
    assert robot["msgtype"] == "markdown"
    assert "【第一时间上报】海上求助入境 4人" in robot["markdown"]["title"]
    assert "梅山湾" in robot["markdown"]["text"] and "有病症" in robot["markdown"]["text"]


def test_a_dead_webhook_is_retried_and_never_fails_intake(session, office):
    incident = open_incident(session, office, intake(),
                             webhook_targets=[("http://127.0.0.1:9/x", "wecom")])
    assert incident.id is not None
    [row] = session.scalars(select(WebhookOutbox))
    assert row.payload["markdown"]["content"].startswith("### 【第一时间上报】")

    deliver_due(session, utcnow(), max_attempts=2, backoff_s=30)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connect" in row.last_error or "refused" in row.last_error.lower()
    deliver_due(session, utcnow() + timedelta(seconds=31), max_attempts=2, backoff_s=30)
    assert (row.status, row.attempts) == ("failed", 2)


def test_checklist_steps_and_who_may_see(session, office, make_liaison):
    police = make_liaison("police", "police1")
    customs = make_liaison("cu_beilun", "cu1")
    incident = open_incident(session, police, intake("illegal_entry", 2))
    step = incident.steps[0]

    assert start_step(session, police, step.id).started_at is not None
    assert complete_step(session, office, step.id).done_at is not None
    with pytest.raises(PermissionDenied):
        get_incident_for(session, customs, incident.id)


def test_persons_feed_the_case_handling_form(session, office):
    open_incident(session, office, intake("illegal_entry", 3))
    open_incident(session, office, intake("illegal_entry", 2))
    open_incident(session, office, intake("sea_rescue", 7))
    day = local_today(get_operation(session), utcnow())

    fields = {f.key: f.computed for f in
              entry_view(session, office, "transport", "case_handling", day).fields}

    assert (fields["illegal_entrants_today"], fields["sea_rescue_today"]) == (5, 7)
