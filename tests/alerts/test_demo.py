"""The demo's alerts come from the real detectors over yesterday's planted scenario."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from jinghai.alerts.demo import seed_alerts
from jinghai.alerts.models import Alert


def test_seed_alerts(session, office) -> None:
    n = seed_alerts(session, random.Random(1), date(2026, 11, 28))
    alerts = session.scalars(select(Alert)).all()
    assert n == len(alerts) > 10
    kinds = {a.kind for a in alerts}
    assert {"encounter", "landing_approach", "unreported_arrival", "going_dark"} <= kinds
    assert all(a.event_start.date() >= date(2026, 11, 27) for a in alerts)
    assert {a.outcome for a in alerts if a.state == "closed"} == {"confirmed", "false_alarm",
                                                                  "clue"}
    assert any(a.event["track"] for a in alerts if a.kind == "encounter")
