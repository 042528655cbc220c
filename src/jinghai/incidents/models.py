"""Incidents (个案处置) and their response checklist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit

INCIDENT_KINDS = {"illegal_entry": "查获非法入境", "sea_rescue": "海上求助入境"}

HEALTH_STATES = {"unknown": "不明", "well": "良好", "sick": "有病症", "injured": "受伤",
                 "critical": "危重"}

STEP_LABELS = {
    "health_check": "健康检查", "medical_diagnosis": "医学诊断", "rescue": "救助",
    "transfer": "转运", "isolation": "隔离", "treatment": "救治",
}

# The response plan per incident type: which steps, in order, and the unit that answers for
# each by default (unit keys of the Beilun template; a missing unit leaves it unassigned).
RESPONSE_PLANS: dict[str, list[tuple[str, str]]] = {
    "illegal_entry": [
        ("health_check", "police"), ("medical_diagnosis", "police"),
        ("isolation", "police"), ("transfer", "transport"), ("treatment", "police"),
    ],
    "sea_rescue": [
        ("rescue", "coast_guard"), ("health_check", "transport"),
        ("medical_diagnosis", "transport"), ("transfer", "transport"),
        ("isolation", "police"), ("treatment", "transport"),
    ],
}


class Incident(Base):
    """Persons found entering illegally, or who asked for help at sea and were brought
    ashore. Intake must reach the office at once (第一时间上报); the person count feeds the
    case-handling figures on ``occurred_at``'s local day."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_kind_occurred", "kind", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    persons: Mapped[int] = mapped_column(Integer)
    nationalities: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(nullable=True)
    lat: Mapped[float | None] = mapped_column(nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    health_state: Mapped[str] = mapped_column(String(20), default="unknown")
    description: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Voided (作废) with a reason: kept and audited, but no longer counted anywhere.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    unit: Mapped[Unit] = relationship()
    steps: Mapped[list[IncidentStep]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentStep.position")

    @property
    def kind_label(self) -> str:
        return INCIDENT_KINDS.get(self.kind, self.kind)

    @property
    def health_label(self) -> str:
        return HEALTH_STATES.get(self.health_state, self.health_state)


class IncidentStep(Base):
    """One step of the response plan, owned by a unit, with when it began and ended."""

    __tablename__ = "incident_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    incident: Mapped[Incident] = relationship(back_populates="steps")
    unit: Mapped[Unit | None] = relationship()

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)
