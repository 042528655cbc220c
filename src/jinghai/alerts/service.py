"""The alert verbs: turn detector events into alerts, acknowledge, close, escalate.

``record_event`` is the only way in for detector findings, live or batch: keyed by the
event's deterministic id, the first sight of an event creates its alert (routed, notified,
queued for webhooks) and every later sight updates it — so an encounter that goes on for
an hour is one alert whose end time moves, not sixty alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.alerts.access import get_alert_for, require_actor
from jinghai.alerts.messages import enqueue
from jinghai.alerts.models import (
    KIND_LABELS,
    OUTCOME_LABELS,
    Alert,
    AlertDisposition,
    AlertEvent,
    AlertFold,
    AlertRoute,
)
from jinghai.alerts.queries import vessel_label
from jinghai.alerts.routing import NOT_ALERTED, rule_for, severity_for
from jinghai.alerts.schemas import AckIn, CloseIn
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.detect.events import Event
from jinghai.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jinghai.geo.models import ZoneRecord
from jinghai.notify.service import notify_role, notify_unit
from jinghai.notify.webhooks import webhook_targets
from jinghai.org.models import Unit, WorkGroup

log = logging.getLogger(__name__)

SEVERITY_RANK = {"yellow": 0, "orange": 1, "red": 2}


@dataclass
class AlertConfig:
    """What the alert side needs from settings (kept apart so tests pass plain values)."""

    webhooks: list[tuple[str, str]] = field(default_factory=list)  # (url, format)
    escalation_minutes: int = 15
    base_url: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> AlertConfig:
        return cls(webhooks=webhook_targets(settings),
                   escalation_minutes=getattr(settings, "alert_escalation_minutes", 15))


# -- from events -------------------------------------------------------------------------
_vessel_label = vessel_label


def _sub_district_unit(session: Session, name: str | None) -> Unit | None:
    if not name:
        return None
    return session.scalar(select(Unit).where(Unit.kind == "sub_district",
                                             Unit.name.startswith(name)).order_by(Unit.id))


#: Kinds whose place is the zone they concern (a port, a controlled area); the others are
#: placed on a grid of ``FOLD_CELL_DEG`` (≈ 5 km), so one boat hanging about one stretch of
#: coast is one alert, whichever landing point or minute it is nearest to.
ZONE_PLACED = frozenset({"unreported_arrival", "unreported_departure", "zone_entry",
                         "zone_dwell"})
FOLD_CELL_DEG = 0.05


def fold_key(event: Event) -> str:
    """Vessel(s), kind and place: one open alert per key."""
    vessels = ",".join(str(v) for v in sorted(event.vessels))
    if event.kind in ZONE_PLACED and event.zone_id:
        place = f"z:{event.zone_id}"
    elif event.lon is not None and event.lat is not None:
        place = f"c:{int(event.lon // FOLD_CELL_DEG)}:{int(event.lat // FOLD_CELL_DEG)}"
    else:
        place = ""
    return f"{event.kind}|{vessels}|{place}"[:200]


def _fold(session: Session, alert: Alert, event: Event, now: datetime) -> Alert:
    """A new event of an open alert's vessel(s), kind and place: counted in, not raised."""
    session.add(AlertFold(alert_id=alert.id, event_id=event.id, at=now))
    alert.occurrences = (alert.occurrences or 1) + 1
    alert.last_seen_at = max(alert.last_seen_at or alert.event_end, event.end)
    alert.event_end = max(alert.event_end, event.end)
    alert.event_status = event.status
    alert.updated_at = now
    alert.history.append(AlertEvent(at=now, action="repeated",
                                    note=f"同一船舶、同一地点再次发生"
                                         f"（第 {alert.occurrences} 次）"))
    return alert


def _alert_of_event(session: Session, event_id: str) -> Alert | None:
    alert = session.scalar(select(Alert).where(Alert.event_id == event_id))
    if alert is not None:
        return alert
    fold = session.scalar(select(AlertFold.alert_id).where(AlertFold.event_id == event_id))
    return session.get(Alert, fold) if fold is not None else None


def _summary(event: Event, labels: list[str], zone: ZoneRecord | None) -> str:
    d = event.details
    where = zone.name if zone else (d.get("port") or d.get("landing_point") or d.get("zone") or "")
    parts = [f"{KIND_LABELS.get(event.kind, event.kind)}：{'、'.join(labels)}"]
    if where:
        parts.append(f"地点 {where}")
    mins = round(event.duration_s / 60)
    if mins:
        parts.append(f"持续约 {mins} 分钟")
    if "closest_m" in d:
        parts.append(f"最近距离 {d['closest_m']} 米")
    if "min_distance_m" in d:
        parts.append(f"最近距离 {d['min_distance_m']} 米")
    if d.get("night"):
        parts.append("夜间")
    return "，".join(parts)


def _routes(session: Session, alert: Alert, groups: Sequence[str], unit: Unit | None) -> None:
    for key in groups:
        group = session.scalar(select(WorkGroup).where(WorkGroup.key == key))
        if group is None:
            log.warning("routing names an unknown group", extra={"group": key})
            continue
        alert.routes.append(AlertRoute(group_id=group.id))
    if unit is not None:
        alert.routes.append(AlertRoute(unit_id=unit.id))


def _report_unit(session: Session, kind: str, zone: ZoneRecord | None) -> int | None:
    """The border-control reporting unit an abnormal arrival/departure counts for: the
    customs unit the port names (zone param ``report_unit``), else the group's lead."""
    if kind not in ("unreported_arrival", "unreported_departure"):
        return None
    key = (zone.params or {}).get("report_unit") if zone else None
    if key:
        uid = session.scalar(select(Unit.id).where(Unit.key == key))
        if uid is not None:
            return uid
    return session.scalar(select(WorkGroup.lead_unit_id).where(WorkGroup.key == "border_control"))


def _notify(session: Session, alert: Alert, now: datetime, escalated: bool = False) -> None:
    title = f"{'【升级】' if escalated else ''}{alert.severity_label}预警：{alert.title}"[:200]
    link = f"/alerts/{alert.id}"
    if escalated:
        notify_role(session, "office", "alert", title, body=alert.summary, link=link, at=now)
        return
    units: set[int] = set()
    for r in alert.routes:
        if r.unit_id is not None:
            units.add(r.unit_id)
        elif r.group_id is not None:
            g = session.get(WorkGroup, r.group_id)
            if g is not None:
                units.add(g.lead_unit_id)
    for uid in sorted(units):
        notify_unit(session, uid, "alert", title, body=alert.summary, link=link, at=now)
    if alert.severity == "red":
        notify_role(session, "office", "alert", title, body=alert.summary, link=link, at=now)


def record_event(session: Session, event: Event, *, now: datetime | None = None,
                 config: AlertConfig | None = None) -> Alert | None:
    """Create or update the alert of one detector event. Returns None for events that are
    records, not findings (a port visit that was reported)."""
    now = now or utcnow()
    config = config or AlertConfig()
    if event.kind in NOT_ALERTED:
        return None
    alert = _alert_of_event(session, event.id)
    if alert is not None and alert.event_id != event.id:
        # a folded event going on: the alert's end and count of occurrences follow it
        alert.event_end = max(alert.event_end, event.end)
        alert.last_seen_at = max(alert.last_seen_at or alert.event_end, event.end)
        alert.updated_at = now
        return alert
    key = fold_key(event)
    if alert is None and event.kind == "landing_approach" and len(event.vessels) == 1:
        from jinghai.portcalls.service import is_reported_home_call

        lp = session.get(ZoneRecord, event.zone_id) if event.zone_id else None
        places = [lp.name, lp.sub_district] if lp else [event.details.get("landing_point")]
        if is_reported_home_call(session, event.vessels[0], places, event.start):
            return None  # a registry boat coming home with its report filed
    if alert is None:
        open_id = session.scalar(select(Alert.id).where(
            Alert.fold_key == key, Alert.state != "closed").order_by(Alert.id.desc()).limit(1))
        if open_id is not None:
            return _fold(session, session.get(Alert, open_id), event, now)
    zone = session.get(ZoneRecord, event.zone_id) if event.zone_id else None
    rule = rule_for(event.kind, zone.kind if zone else event.details.get("zone_kind"))
    severity = severity_for(rule, event)
    snapshot = event.to_dict()
    if alert is not None:
        closed_now = alert.event_status != event.status
        alert.event_end = max(alert.event_end, event.end)
        alert.last_seen_at = max(alert.last_seen_at or event.end, event.end)
        alert.event_status = event.status
        alert.score = max(alert.score, event.score)
        if SEVERITY_RANK[severity] > SEVERITY_RANK.get(alert.severity, 0):
            alert.severity = severity
        alert.event = snapshot
        alert.updates += 1
        alert.updated_at = now
        if event.lon is not None and alert.lon is None:
            alert.lon, alert.lat = event.lon, event.lat
        if closed_now:
            alert.history.append(AlertEvent(at=now, action="event_" + event.status,
                                            note="检测事件已结束" if event.status == "closed"
                                            else "检测事件再次持续"))
        return alert
    labels = [_vessel_label(session, m) for m in event.vessels]
    sub_name = (zone.sub_district if zone else None) or event.details.get("sub_district")
    unit = _sub_district_unit(session, sub_name) if rule.sub_district else None
    alert = Alert(
        event_id=event.id, detector=event.detector, kind=event.kind, severity=severity,
        title=f"{KIND_LABELS.get(event.kind, event.kind)} · {'、'.join(labels)}"[:200],
        summary=_summary(event, labels, zone), vessels=list(event.vessels), lon=event.lon,
        lat=event.lat, zone_id=event.zone_id, sub_district=sub_name,
        event_status=event.status, event_start=event.start, event_end=event.end,
        score=event.score, event=snapshot, updates=0, state="new", close_reason="",
        report_unit_id=_report_unit(session, event.kind, zone), escalated=False,
        fold_key=key, occurrences=1, last_seen_at=event.end, created_at=now, updated_at=now)
    _routes(session, alert, rule.groups, unit)
    alert.history.append(AlertEvent(at=now, action="created", note=alert.summary))
    session.add(alert)
    session.flush()
    record(session, None, "create", "alert", alert.id, new=f"{alert.kind} {alert.event_id}")
    _notify(session, alert, now)
    enqueue(session, alert, config.webhooks, "created", now, config.base_url)
    return alert


def record_events(session: Session, events: Iterable[Event], *, now: datetime | None = None,
                  config: AlertConfig | None = None) -> list[Alert]:
    out = []
    for e in events:
        a = record_event(session, e, now=now, config=config)
        if a is not None:
            out.append(a)
    return out


def note_filed_reports(session: Session, *, now: datetime | None = None,
                       before: timedelta = timedelta(hours=24),
                       after: timedelta = timedelta(hours=2)) -> list[Alert]:
    """A report filed late (after its alert was raised) is written into the open alert's
    history, once, so whoever handles it sees it; the judgement stays theirs (a late report
    is still a breach of the reporting rule, or may be the fix of a typo). Run by the
    alerts worker every round, and by live detection when it re-reads the reports."""
    from jinghai.portcalls.service import reports_for

    now = now or utcnow()
    out = []
    for alert in session.scalars(select(Alert).where(
            Alert.kind.in_(["unreported_arrival", "unreported_departure"]),
            Alert.state != "closed").order_by(Alert.id)):
        entry = alert.kind == "unreported_arrival"
        ref = alert.event_start if entry else alert.event_end
        port_name = (alert.event or {}).get("details", {}).get("port")
        noted = {h.note for h in alert.history if h.action == "reported"}
        label = "进港" if entry else "出港"
        for mmsi in alert.vessels or []:
            for r in reports_for(session, int(mmsi), "entry" if entry else "exit",
                                 ref - before, ref + after):
                if r.port_zone_id != alert.zone_id and r.port_name != port_name:
                    continue
                note = f"已收到{label}报告（{r.port_name}）"
                if note in noted:
                    continue
                noted.add(note)
                alert.history.append(AlertEvent(at=now, action="reported", note=note))
                alert.updated_at = now
                out.append(alert)
    session.flush()
    return out


# -- the workflow ------------------------------------------------------------------------
def acknowledge_alert(session: Session, user: User, alert_id: int, data: AckIn | None = None,
                      *, now: datetime | None = None) -> Alert:
    """The group has seen it and is on it (签收)."""
    note = (data or AckIn()).note
    now = now or utcnow()
    alert = get_alert_for(session, user, alert_id)
    require_actor(session, user, alert)
    if alert.state != "new":
        raise Conflict(f"预警已是“{alert.state_label}”状态，不能再签收")
    alert.state = "acknowledged"
    alert.acknowledged_at = now
    alert.acknowledged_by_id = user.id
    alert.updated_at = now
    alert.history.append(AlertEvent(at=now, user_id=user.id, action="acknowledged",
                                    note=note.strip()[:2000]))
    record(session, user, "update", "alert", alert.id, field="state", old="new",
           new="acknowledged", reason=note.strip())
    return alert


def close_alert(session: Session, user: User, alert_id: int, data: CloseIn, *,
                now: datetime | None = None) -> Alert:
    """Close with a judgement: confirmed, false alarm, or turned into a clue (a clue with
    the alert as its source is created for the user's unit). A reason is required: the
    judgement is what each detector's precision is computed from."""
    now = now or utcnow()
    alert = get_alert_for(session, user, alert_id)
    require_actor(session, user, alert)
    outcome, reason = data.outcome, data.reason
    if alert.state == "closed":
        raise Conflict("预警已关闭")
    old = alert.state
    if outcome == "clue":
        from jinghai.cases.schemas import ClueIn
        from jinghai.cases.service import create_clue

        clue = create_clue(session, user, ClueIn(
            source_kind="alert", source_detail=f"系统预警 #{alert.id}（{alert.kind_label}）",
            title=alert.title[:200], content=f"{alert.summary}\n船舶MMSI：" + "、".join(
                str(v) for v in alert.vessels or []) + f"\n处置意见：{reason}",
            occurred_at=alert.event_start, lon=alert.lon, lat=alert.lat,
            place=alert.sub_district or ""))
        alert.clue_id = clue.id
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by_id = user.id
    alert.state = "closed"
    alert.outcome = outcome
    alert.close_reason = reason[:2000]
    alert.closed_at = now
    alert.closed_by_id = user.id
    alert.updated_at = now
    alert.history.append(AlertEvent(at=now, user_id=user.id, action="closed",
                                    note=f"{OUTCOME_LABELS[outcome]}：{reason}"[:2000]))
    session.add(AlertDisposition(alert_id=alert.id, detector=alert.detector, kind=alert.kind,
                                 outcome=outcome, reason=reason[:2000], decided_at=now,
                                 user_id=user.id))
    record(session, user, "update", "alert", alert.id, field="state", old=old,
           new=f"closed:{outcome}", reason=reason)
    return alert


@dataclass
class BulkResult:
    """What a bulk action did: the alerts it handled and why it left the others."""

    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def bulk_acknowledge(session: Session, user: User, alert_ids: Iterable[int],
                     data: AckIn | None = None, *, now: datetime | None = None) -> BulkResult:
    """Acknowledge many alerts at once; each is checked as if acknowledged alone (an alert
    the user may not handle, or not new any more, is skipped with the reason)."""
    out = BulkResult()
    for aid in dict.fromkeys(int(a) for a in alert_ids):
        try:
            with session.begin_nested():
                acknowledge_alert(session, user, aid, data, now=now)
            out.done.append(aid)
        except (Conflict, NotFound, PermissionDenied) as exc:
            out.skipped[aid] = exc.message
    return out


def bulk_close(session: Session, user: User, alert_ids: Iterable[int], data: CloseIn, *,
               now: datetime | None = None) -> BulkResult:
    """Close many alerts with one judgement and one reason (e.g. 误报: ships at anchor)."""
    if data.outcome == "clue":
        raise InvalidInput("转为线索须逐条处理")
    out = BulkResult()
    for aid in dict.fromkeys(int(a) for a in alert_ids):
        try:
            with session.begin_nested():
                close_alert(session, user, aid, data, now=now)
            out.done.append(aid)
        except (Conflict, NotFound, PermissionDenied) as exc:
            out.skipped[aid] = exc.message
    return out


def escalate_due(session: Session, now: datetime | None = None, *,
                 minutes: int | None = None, config: AlertConfig | None = None) -> list[Alert]:
    """Red alerts still unacknowledged ``minutes`` after they were raised go to the office:
    flagged, an office notification, and a webhook message. Each alert escalates once."""
    now = now or utcnow()
    config = config or AlertConfig()
    minutes = config.escalation_minutes if minutes is None else minutes
    cutoff = now - timedelta(minutes=minutes)
    due = list(session.scalars(select(Alert).where(
        Alert.severity == "red", Alert.state == "new", Alert.escalated.is_(False),
        Alert.created_at <= cutoff).order_by(Alert.id)))
    for alert in due:
        alert.escalated = True
        alert.escalated_at = now
        alert.updated_at = now
        alert.history.append(AlertEvent(at=now, action="escalated",
                                        note=f"红色预警 {minutes} 分钟未签收，已升级至专班办公室"))
        record(session, None, "escalate", "alert", alert.id, field="escalated", old=False,
               new=True, reason=f"{minutes} 分钟未签收")
        _notify(session, alert, now, escalated=True)
        enqueue(session, alert, config.webhooks, "escalated", now, config.base_url)
    session.flush()
    return due


__all__ = ["AlertConfig", "BulkResult", "acknowledge_alert", "bulk_acknowledge", "bulk_close",
           "close_alert", "escalate_due", "fold_key", "note_filed_reports", "record_event",
           "record_events"]
