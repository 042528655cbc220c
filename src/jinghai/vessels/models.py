"""The vessels the task force answers for: the fishing-vessel registry, their owners,
"three-no" vessels found along the coast, and inspections recorded at checkpoints."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit


class OwnerKind(StrEnum):
    ENTERPRISE = "enterprise"
    INDIVIDUAL = "individual"


OWNER_KIND_LABELS = {OwnerKind.ENTERPRISE: "企业", OwnerKind.INDIVIDUAL: "个人"}


class VesselStatus(StrEnum):
    """Where a registered vessel stands. Only ``deregistered`` and ``scrapped`` take it out
    of the fleet base count (渔船底数): a boat laid up for the fishing moratorium is still
    a boat the task force must keep under control."""

    ACTIVE = "active"
    LAID_UP = "laid_up"
    REPAIR = "repair"
    DEREGISTERED = "deregistered"
    SCRAPPED = "scrapped"


VESSEL_STATUS_LABELS = {
    VesselStatus.ACTIVE: "在册作业",
    VesselStatus.LAID_UP: "停港/休渔",
    VesselStatus.REPAIR: "修造中",
    VesselStatus.DEREGISTERED: "已注销",
    VesselStatus.SCRAPPED: "已拆解",
}
OUT_OF_ROSTER = {VesselStatus.DEREGISTERED.value, VesselStatus.SCRAPPED.value}


class ThreeNoStatus(StrEnum):
    """A three-no vessel's path: found → seized (查扣) → dismantled (拆解) or disposed
    otherwise (处置, e.g. confiscated and auctioned). Seizure is what the daily report counts."""

    FOUND = "found"
    SEIZED = "seized"
    DISMANTLED = "dismantled"
    DISPOSED = "disposed"


THREE_NO_STATUS_LABELS = {
    ThreeNoStatus.FOUND: "已发现",
    ThreeNoStatus.SEIZED: "已查扣",
    ThreeNoStatus.DISMANTLED: "已拆解",
    ThreeNoStatus.DISPOSED: "已处置",
}
# Allowed moves; anything else is refused so that the seizure date cannot be rewritten.
THREE_NO_NEXT = {
    ThreeNoStatus.FOUND.value: {ThreeNoStatus.SEIZED.value},
    ThreeNoStatus.SEIZED.value: {ThreeNoStatus.DISMANTLED.value, ThreeNoStatus.DISPOSED.value},
    ThreeNoStatus.DISMANTLED.value: set(),
    ThreeNoStatus.DISPOSED.value: set(),
}


class VesselOwner(Base):
    """A fishing-vessel owner (船东): an enterprise (with its unified social credit code)
    or a private person (with the ID card number). Phone and ID are personal data and
    are masked for everyone but the office and the fisheries authority."""

    __tablename__ = "vessel_owners"
    __table_args__ = (Index("ix_vessel_owners_kind_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # OwnerKind
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    id_code: Mapped[str] = mapped_column(String(40), default="")  # ID card or credit code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vessels: Mapped[list[FishingVessel]] = relationship(back_populates="owner")

    @property
    def kind_label(self) -> str:
        return OWNER_KIND_LABELS[OwnerKind(self.kind)]


class FishingVessel(Base):
    """A fishing vessel (渔船) in the district's registry, identified by its registry
    number (渔船编号, e.g. 浙甬渔60123). ``mmsi`` links it to its AIS identity, so the
    map can tell a registry boat from any other Chinese vessel. ``qr_token`` is the random
    secret behind its exclusive code (船舶专属码); it is not derived from the registry
    number, so nobody can print a code for a boat they have not been given.

    ``created_at`` is when the vessel entered the roster and ``removed_at`` when it left it
    (deregistered or scrapped); the daily count of the fleet for any past day reads them.
    """

    __tablename__ = "fishing_vessels"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    home_port: Mapped[str] = mapped_column(String(100), default="")
    mmsi: Mapped[str | None] = mapped_column(String(9), unique=True, nullable=True)
    beidou_no: Mapped[str] = mapped_column(String(40), default="")
    length_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), nullable=True)
    tonnage: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("vessel_owners.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=VesselStatus.ACTIVE.value)
    qr_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    owner: Mapped[VesselOwner | None] = relationship(back_populates="vessels")
    inspections: Mapped[list[VesselInspection]] = relationship(
        back_populates="vessel", order_by="VesselInspection.inspected_at.desc()"
    )

    @property
    def status_label(self) -> str:
        return VESSEL_STATUS_LABELS[VesselStatus(self.status)]


class ThreeNoVessel(Base):
    """A "three-no" vessel (三无船舶: no name, no certificate, no port of registry) found
    along the coast. It has no registry entry, so it is described by where and when it was
    found; its seizure date is what counts into 查扣“三无”船只 on the daily report."""

    __tablename__ = "three_no_vessels"
    __table_args__ = (Index("ix_three_no_vessels_seized_at", "seized_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(nullable=True)
    lon: Mapped[float | None] = mapped_column(nullable=True)
    found_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=ThreeNoStatus.FOUND.value)
    seized_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    found_by_unit: Mapped[Unit | None] = relationship()

    @property
    def status_label(self) -> str:
        return THREE_NO_STATUS_LABELS[ThreeNoStatus(self.status)]

    @property
    def next_statuses(self) -> list[str]:
        return sorted(THREE_NO_NEXT[self.status])


class VesselInspection(Base):
    """One check of a registry vessel (查验船只) by a user at a checkpoint, recorded by
    scanning the vessel's exclusive code (``via='qr'``) or through a form. The daily report
    counts distinct vessels checked per local day."""

    __tablename__ = "vessel_inspections"
    __table_args__ = (Index("ix_vessel_inspections_at", "inspected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vessel_id: Mapped[int] = mapped_column(ForeignKey("fishing_vessels.id"))
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    via: Mapped[str] = mapped_column(String(10), default="form")  # qr | form
    place: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(nullable=True)
    lon: Mapped[float | None] = mapped_column(nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    vessel: Mapped[FishingVessel] = relationship(back_populates="inspections")
    user: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
