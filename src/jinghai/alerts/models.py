"""Alerts: what a detector found, routed to the group that must act, and what they did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.detect import registry
from jinghai.org.models import Unit, WorkGroup

STATE_LABELS = {"new": "待处理", "acknowledged": "已接收", "closed": "已关闭"}
OUTCOME_LABELS = {"confirmed": "确认属实", "false_alarm": "误报", "clue": "转为线索"}
SEVERITY_LABELS = {"red": "红色", "orange": "橙色", "yellow": "黄色"}
# declared by each detector (jinghai.detect.registry), and the kinds raised by records
KIND_LABELS = {
    **registry.KIND_LABELS,
    "crew_change": "外籍船员变动/换班",  # jinghai.inbound: crew lists, not a detector
}


class Alert(Base):
    """One alert per detector event (``event_id`` is the event's deterministic id): an
    ongoing event updates its alert, never makes a second. The state goes new →
    acknowledged → closed, and a closed alert says how (confirmed, false alarm, or turned
    into a clue). ``event`` keeps the whole event as found (parameters, source messages,
    track snippet) for the map replay and for re-judging later."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_state_severity", "state", "severity"),
                      Index("ix_alerts_updated_at", "updated_at"),
                      Index("ix_alerts_detector_closed", "detector", "closed_at"),
                      Index("ix_alerts_fold_key_state", "fold_key", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    detector: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))  # red | orange | yellow
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    vessels: Mapped[list[int]] = mapped_column(JSON, default=list)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    zone_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sub_district: Mapped[str | None] = mapped_column(String(100), nullable=True)
    event_status: Mapped[str] = mapped_column(String(10))  # open | closed
    event_start: Mapped[datetime] = mapped_column(UTCDateTime)
    event_end: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    event: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updates: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="new")
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    close_reason: Mapped[str] = mapped_column(Text, default="")
    clue_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: vessel(s), kind and place: while an alert is open, further events with its key fold
    #: into it (``occurrences`` counts them, ``last_seen_at`` is the latest one's end).
    fold_key: Mapped[str] = mapped_column(String(200), default="")
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"),
                                                           nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    routes: Mapped[list[AlertRoute]] = relationship(back_populates="alert",
                                                    cascade="all, delete-orphan")
    history: Mapped[list[AlertEvent]] = relationship(back_populates="alert",
                                                     cascade="all, delete-orphan",
                                                     order_by="AlertEvent.id")
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome or "", "")

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


class AlertFold(Base):
    """An event folded into an earlier open alert of the same vessel(s), kind and place:
    later sightings of that event find their alert through it."""

    __tablename__ = "alert_folds"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertRoute(Base):
    """Who an alert is for: a working group (all its member units' liaisons see it) and/or
    one unit directly (the sub-district of the zone it happened in)."""

    __tablename__ = "alert_routes"
    __table_args__ = (Index("ix_alert_routes_alert", "alert_id"),
                      Index("ix_alert_routes_group", "group_id"),
                      Index("ix_alert_routes_unit", "unit_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("work_groups.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)

    alert: Mapped[Alert] = relationship(back_populates="routes")
    group: Mapped[WorkGroup | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class AlertEvent(Base):
    """The alert's own history: created, updated by the detector, acknowledged, closed,
    escalated — who and when, with the reason given."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    alert: Mapped[Alert] = relationship(back_populates="history")
    user: Mapped[User | None] = relationship()


class AlertDisposition(Base):
    """How a closed alert was judged. Kept even if an alert is reopened, so each detector's
    precision over time (confirmed / (confirmed + false alarm)) is computed from all
    judgements ever made, not only the current state."""

    __tablename__ = "alert_dispositions"
    __table_args__ = (Index("ix_alert_dispositions_detector_at", "detector", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    detector: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class DetectorSetting(Base):
    """Parameters the office set for one detector from the settings page. They override the
    server's ``detector_params`` setting; the live runner picks them up within a minute."""

    __tablename__ = "detector_settings"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
