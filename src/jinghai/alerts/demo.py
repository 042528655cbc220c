"""Demo alerts: yesterday's planted Beilun scenario run through the real detectors, each
event recorded as an alert at the time it was found, a few handled as a group would."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.alerts.models import Alert
from jinghai.alerts.schemas import AckIn, CloseIn
from jinghai.alerts.service import acknowledge_alert, close_alert, record_event
from jinghai.detect.positions import Fleet
from jinghai.detect.suite import build_detectors, run_all
from jinghai.detect.synthetic import beilun_scenario
from jinghai.geo.models import ZoneRecord
from jinghai.geo.service import load_zones, seed_default_layers, seed_demo_zones

# (kind, outcome, reason) for the alerts the demo closes; the rest stay new/acknowledged.
HANDLED = [
    ("loitering", "false_alarm", "双拖渔船低速拖网作业，登临核实无异常"),
    ("impossible_jump", "false_alarm", "单个错误定位，轨迹前后正常"),
    ("mmsi_shared", "confirmed", "两船共用同一 MMSI，已通知海事处核查"),
    ("invalid_mmsi", "clue", "使用伪造 MMSI 的船只，转线索研判"),
]


def seed_alerts(session: Session, rng: random.Random, today: date | None = None) -> int:
    """Alerts from yesterday (UTC) with tracks for the replay map; returns how many."""
    if session.scalar(select(ZoneRecord.id).limit(1)) is None:
        seed_demo_zones(session)
    seed_default_layers(session)  # the shipped anchorages and ports, as jinghai init does
    today = today or datetime.now(UTC).date()
    day = datetime.combine(today - timedelta(days=1), time(0), UTC)
    sc = beilun_scenario(day)
    suite = build_detectors(load_zones(session),
                            Fleet.build(sc.own_mmsis, sc.fishing_mmsis, sc.static),
                            reports=sc.reports, static_history=sc.static_history)
    events = sorted((e for evs in run_all(sc.positions, suite).values() for e in evs),
                    key=lambda e: (e.start, e.id))
    alerts = [a for e in events
              if (a := record_event(session, e, now=min(e.end, e.start + timedelta(minutes=31))))]
    office = session.scalar(select(User).where(User.role == Role.OFFICE.value,
                                               User.active.is_(True)).order_by(User.id))
    if office is None:
        return len(alerts)
    now = day + timedelta(days=1, hours=rng.randint(0, 1))
    for kind, outcome, reason in HANDLED:
        alert = next((a for a in alerts if a.kind == kind and a.state == "new"), None)
        if alert is not None:
            close_alert(session, office, alert.id, CloseIn(outcome=outcome, reason=reason),
                        now=now)
    for alert in session.scalars(select(Alert).where(Alert.kind.in_(
            ["unreported_arrival", "encounter"]), Alert.state == "new").order_by(Alert.id)):
        acknowledge_alert(session, office, alert.id, AckIn(note="已通知相关工作组核查"), now=now)
        break
    return len(alerts)
