"""Permission-checked reads: the inbox, the live feed, per-detector statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.access import require_office
from jinghai.accounts.models import Role, User
from jinghai.alerts.access import can_act, visible_clause
from jinghai.alerts.models import Alert, AlertDisposition, AlertRoute

TZ = ZoneInfo("Asia/Shanghai")


def _filtered(session: Session, user: User, *, state: str = "", severity: str = "",
              detector: str = "", group_id: int | None = None, kind: str = ""):
    q = select(Alert).where(visible_clause(session, user))
    if state == "open":
        q = q.where(Alert.state != "closed")
    elif state:
        q = q.where(Alert.state == state)
    if severity:
        q = q.where(Alert.severity == severity)
    if detector:
        q = q.where(Alert.detector == detector)
    if kind:
        q = q.where(Alert.kind == kind)
    if group_id is not None:
        q = q.where(Alert.id.in_(select(AlertRoute.alert_id)
                                 .where(AlertRoute.group_id == group_id)))
    return q


def list_alerts(session: Session, user: User, *, state: str = "", severity: str = "",
                detector: str = "", group_id: int | None = None, kind: str = "",
                limit: int = 200, offset: int = 0) -> list[Alert]:
    q = (_filtered(session, user, state=state, severity=severity, detector=detector,
                   group_id=group_id, kind=kind)
         .options(selectinload(Alert.routes).selectinload(AlertRoute.group),
                  selectinload(Alert.routes).selectinload(AlertRoute.unit))
         .order_by(Alert.id.desc()).limit(limit).offset(offset))
    return list(session.scalars(q))


def count_alerts(session: Session, user: User, **filters: Any) -> int:
    sub = _filtered(session, user, **filters).with_only_columns(Alert.id).subquery()
    return session.scalar(select(func.count()).select_from(sub)) or 0


def place_of(alert: Alert) -> str:
    """Where, for the inbox's groups: the zone's sub-district, else at sea."""
    return alert.sub_district or ("海上" if alert.lon is not None else "无固定地点")


def inbox_groups(session: Session, user: User, **filters: Any) -> list[dict[str, Any]]:
    """The filtered alerts by kind and place: how many, how many still new, the latest."""
    q = _filtered(session, user, **filters).with_only_columns(
        Alert.kind, Alert.sub_district, Alert.lon, Alert.state, Alert.occurrences,
        Alert.updated_at)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, sub, lon, state, occ, updated in session.execute(q):
        place = sub or ("海上" if lon is not None else "无固定地点")
        g = groups.setdefault((kind, place), {"kind": kind, "place": place, "alerts": 0,
                                              "new": 0, "occurrences": 0, "latest": updated})
        g["alerts"] += 1
        g["new"] += state == "new"
        g["occurrences"] += occ or 1
        g["latest"] = max(g["latest"], updated)
    return sorted(groups.values(), key=lambda g: (-g["new"], -g["alerts"], g["kind"]))


def open_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count(Alert.id)).where(
        visible_clause(session, user), Alert.state == "new")) or 0


def changed_since(session: Session, user: User, since: datetime | None, limit: int = 100
                  ) -> list[Alert]:
    """Alerts created or changed after ``since`` (the live feed's cursor)."""
    q = select(Alert).where(visible_clause(session, user))
    if since is not None:
        q = q.where(Alert.updated_at > since)
    return list(session.scalars(q.order_by(Alert.updated_at, Alert.id).limit(limit)))


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id, "event_id": alert.event_id, "detector": alert.detector,
        "kind": alert.kind, "kind_label": alert.kind_label, "severity": alert.severity,
        "severity_label": alert.severity_label, "title": alert.title, "summary": alert.summary,
        "vessels": list(alert.vessels or []), "lon": alert.lon, "lat": alert.lat,
        "zone_id": alert.zone_id, "sub_district": alert.sub_district,
        "event_status": alert.event_status, "start": alert.event_start.isoformat(),
        "end": alert.event_end.isoformat(), "state": alert.state,
        "state_label": alert.state_label, "outcome": alert.outcome,
        "close_reason": alert.close_reason, "clue_id": alert.clue_id,
        "escalated": alert.escalated, "updates": alert.updates,
        "created_at": alert.created_at.isoformat(), "updated_at": alert.updated_at.isoformat(),
        "occurrences": alert.occurrences or 1,
        "last_seen_at": alert.last_seen_at.isoformat() if alert.last_seen_at else None,
        "groups": [r.group.name for r in alert.routes if r.group is not None],
        "units": [r.unit.name for r in alert.routes if r.unit is not None],
    }


def vessel_label(session: Session, mmsi: int) -> str:
    """A vessel as people name it: the registry's name (and number when it differs), else
    the name it broadcasts with its MMSI, else the MMSI."""
    from jinghai.ais.models import AisVessel
    from jinghai.vessels.models import FishingVessel

    v = session.scalar(select(FishingVessel).where(FishingVessel.mmsi == str(mmsi)))
    if v is not None:
        return v.name if not v.registry_no or v.registry_no == v.name else \
            f"{v.name}（{v.registry_no}）"
    av = session.get(AisVessel, mmsi)
    name = getattr(av, "name", None) if av is not None else None
    return f"{name}（{mmsi}）" if name else str(mmsi)


def alert_detail(session: Session, user: User, alert: Alert) -> dict[str, Any]:
    row = alert_row(alert)
    row["vessel_labels"] = {str(m): vessel_label(session, int(m)) for m in alert.vessels or []}
    row["track"] = (alert.event or {}).get("track", [])
    row["details"] = (alert.event or {}).get("details", {})
    row["params"] = (alert.event or {}).get("params", {})
    row["version"] = (alert.event or {}).get("version")
    row["refs"] = (alert.event or {}).get("refs", [])[:200]
    row["history"] = [{"at": h.at.isoformat(), "action": h.action, "note": h.note,
                       "user": h.user.display_name if h.user else None}
                      for h in alert.history]
    row["can_act"] = can_act(session, user, alert)
    return row


# -- statistics --------------------------------------------------------------------------
@dataclass
class DetectorStats:
    detector: str
    by_state: dict[str, int]
    confirmed: int
    false_alarm: int
    clue: int

    @property
    def precision(self) -> float | None:
        judged = self.confirmed + self.false_alarm
        return self.confirmed / judged if judged else None


def _week(d: datetime) -> str:
    iso = d.astimezone(TZ).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def require_stats_reader(user: User) -> None:
    """Detector statistics hold no personal data: the office and the leadership read them."""
    if user.role == Role.VIEWER and user.active:
        return
    require_office(user)


def detector_stats(session: Session, user: User) -> list[DetectorStats]:
    """Counts by state and all dispositions ever made, per detector (the office; the
    leadership reads them too)."""
    require_stats_reader(user)
    states: dict[str, dict[str, int]] = {}
    for det, state, n in session.execute(
            select(Alert.detector, Alert.state, func.count(Alert.id))
            .group_by(Alert.detector, Alert.state)):
        states.setdefault(det, {})[state] = n
    outs: dict[str, dict[str, int]] = {}
    for det, outcome, n in session.execute(
            select(AlertDisposition.detector, AlertDisposition.outcome,
                   func.count(AlertDisposition.id))
            .group_by(AlertDisposition.detector, AlertDisposition.outcome)):
        outs.setdefault(det, {})[outcome] = n
    return [DetectorStats(d, states.get(d, {}), outs.get(d, {}).get("confirmed", 0),
                          outs.get(d, {}).get("false_alarm", 0), outs.get(d, {}).get("clue", 0))
            for d in sorted(set(states) | set(outs))]


def precision_by_week(session: Session, user: User, weeks: int = 12,
                      today: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per detector, per ISO week (local time): confirmed, false alarms and precision
    confirmed / (confirmed + false alarm); weeks with no judgement have precision None."""
    require_stats_reader(user)
    today = today or datetime.now(TZ).date()
    start = datetime.combine(today - timedelta(weeks=weeks), datetime.min.time(), TZ)
    rows = session.execute(select(AlertDisposition.detector, AlertDisposition.outcome,
                                  AlertDisposition.decided_at)
                           .where(AlertDisposition.decided_at >= start))
    acc: dict[str, dict[str, dict[str, int]]] = {}
    for det, outcome, at in rows:
        wk = acc.setdefault(det, {}).setdefault(_week(at), {"confirmed": 0, "false_alarm": 0,
                                                            "clue": 0})
        wk[outcome] = wk.get(outcome, 0) + 1
    out: dict[str, list[dict[str, Any]]] = {}
    for det, wks in sorted(acc.items()):
        series = []
        for week in sorted(wks):
            c, f = wks[week]["confirmed"], wks[week]["false_alarm"]
            series.append({"week": week, "confirmed": c, "false_alarm": f,
                           "clue": wks[week]["clue"],
                           "precision": round(c / (c + f), 3) if c + f else None})
        out[det] = series
    return out
