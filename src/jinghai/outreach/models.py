"""Outreach (宣传) by the vessel-control group: visits to shipping companies, shipyards,
private owners and workers. They count the four 宣传 figures of 船舶管控."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit

# audience → (label, the daily-form figure it counts, its unit)
AUDIENCES = {
    "shipping_company": ("航运公司", "publicity_shipping_cos", "家"),
    "shipyard": ("修船厂", "publicity_shipyards", "家"),
    "owner": ("私人船东", "publicity_owners", "人"),
    "worker": ("从业人员", "publicity_workers", "人"),
}


class OutreachVisit(Base):
    """One outreach visit: to whom (``audience``), how many companies or people were
    reached (``count``), where, with which materials, and its photos (``file_ids``)."""

    __tablename__ = "or_visits"
    __table_args__ = (Index("ix_or_visits_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    day: Mapped[date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(200))
    materials: Mapped[str] = mapped_column(Text, default="")
    file_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def audience_label(self) -> str:
        return AUDIENCES.get(self.audience, ("?",))[0]
