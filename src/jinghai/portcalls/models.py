"""Entry/exit reports (进出港报告) of registry fishing vessels, and owners' report links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.vessels.models import FishingVessel

DIRECTION_LABELS = {"entry": "进港", "exit": "出港"}
VIA_LABELS = {"form": "办公室登记", "owner_link": "船东手机报告", "import": "批量导入"}


class PortReport(Base):
    """An owner's report that a registry fishing vessel enters (进港) or leaves (出港) a port,
    with the time and the number of people on board. The plan makes this report compulsory
    for every fishing vessel; an AIS port visit without one is an unreported arrival.

    ``port_zone_id`` is the port zone the report names (matched by the detector);
    ``port_name`` keeps the name as written, for ports that are not zones."""

    __tablename__ = "port_reports"
    __table_args__ = (Index("ix_port_reports_vessel_time", "vessel_id", "event_time"),
                      Index("ix_port_reports_mmsi_time", "mmsi", "event_time"))

    id: Mapped[int] = mapped_column(primary_key=True)
    vessel_id: Mapped[int] = mapped_column(ForeignKey("fishing_vessels.id"))
    mmsi: Mapped[str | None] = mapped_column(String(9), nullable=True)
    direction: Mapped[str] = mapped_column(String(10))  # entry | exit
    port_zone_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    port_name: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    crew_count: Mapped[int] = mapped_column(Integer)
    via: Mapped[str] = mapped_column(String(20), default="form")  # form | owner_link | import
    reporter_name: Mapped[str] = mapped_column(String(100), default="")
    reporter_phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vessel: Mapped[FishingVessel] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS.get(self.direction, self.direction)

    @property
    def via_label(self) -> str:
        return VIA_LABELS.get(self.via, self.via)


class OwnerReportLink(Base):
    """A secret link that lets one vessel's owner file reports from a phone without an
    account. Only a hash of the token is stored; the link is shown once when issued (to be
    sent to the owner's phone or printed as a QR for the owner), and can be revoked."""

    __tablename__ = "owner_report_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    vessel_id: Mapped[int] = mapped_column(ForeignKey("fishing_vessels.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    vessel: Mapped[FishingVessel] = relationship()
