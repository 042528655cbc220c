"""Inbound foreign-route ships and their crews (入境船舶日报), recorded each day by the
border inspection stations. Foreign crew must not land or change (plan 三(二) item 2): the
crew list at departure is compared with the one at arrival."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit

HEALTH = {"well": "正常", "fever": "发热", "sick": "其他症状", "isolated": "已隔离"}
PHASES = {"arrival": "入境", "departure": "出境"}


class InboundShip(Base):
    """One inbound call of a foreign-route ship, counted on ``report_date`` for the station
    that checked it (查验入境船舶; its arrival crew count is 查验入境人员)."""

    __tablename__ = "ib_ships"
    __table_args__ = (Index("ix_ib_ships_unit_date", "unit_id", "report_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    report_date: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    imo: Mapped[str] = mapped_column(String(10), default="")
    mmsi: Mapped[str] = mapped_column(String(9), default="")
    flag: Mapped[str] = mapped_column(String(60))
    eta: Mapped[datetime] = mapped_column(UTCDateTime)
    berth: Mapped[str] = mapped_column(String(100), default="")
    last_port: Mapped[str] = mapped_column(String(100), default="")
    crew_change_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    alert_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    crew: Mapped[list[CrewMember]] = relationship(
        back_populates="ship", cascade="all, delete-orphan", order_by="CrewMember.id")

    def crew_of(self, phase: str) -> list[CrewMember]:
        return [c for c in self.crew if c.phase == phase]


class CrewMember(Base):
    """A person on the crew list at arrival or at departure. The travel document number is
    personal data: shown masked."""

    __tablename__ = "ib_crew"

    id: Mapped[int] = mapped_column(primary_key=True)
    ship_id: Mapped[int] = mapped_column(ForeignKey("ib_ships.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    nationality: Mapped[str] = mapped_column(String(60))
    document: Mapped[str] = mapped_column(String(40))
    health: Mapped[str] = mapped_column(String(10), default="well")
    note: Mapped[str] = mapped_column(Text, default="")

    ship: Mapped[InboundShip] = relationship(back_populates="crew")

    @property
    def document_masked(self) -> str:
        d = self.document.strip()
        return "*" * len(d) if len(d) <= 4 else d[:2] + "*" * (len(d) - 4) + d[-2:]

    @property
    def health_label(self) -> str:
        return HEALTH.get(self.health, self.health)
