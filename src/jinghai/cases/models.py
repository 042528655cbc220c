"""Clues, their entities, the links between them, and the cases opened from them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit


class ClueSource(StrEnum):
    ALERT = "alert"
    AGENCY = "agency"
    PATROL = "patrol"
    TIPOFF = "tipoff"
    ANALYST = "analyst"


SOURCE_LABELS = {
    "alert": "系统预警", "agency": "部门通报", "patrol": "巡查发现",
    "tipoff": "群众举报", "analyst": "研判发现",
}

# Admiralty-style source reliability: A completely reliable … F cannot be judged.
RELIABILITY = {
    "A": "完全可靠", "B": "通常可靠", "C": "较为可靠",
    "D": "通常不可靠", "E": "不可靠", "F": "无法判断",
}

ENTITY_KINDS = ("person", "vessel", "vehicle", "organisation", "place", "phone",
                "id_number", "mmsi")

ENTITY_LABELS = {
    "person": "人员", "vessel": "船舶", "vehicle": "车辆", "organisation": "单位/公司",
    "place": "地点", "phone": "电话", "id_number": "身份证号", "mmsi": "MMSI",
}


class LineOfWork(StrEnum):
    """Which fight a clue or case (and so its seizures) belongs to: it decides whether it
    counts in the daily report's 集中打击 or 反走私 section."""

    ILLEGAL_ENTRY = "illegal_entry"
    SMUGGLING = "smuggling"


LINE_LABELS = {"illegal_entry": "偷渡/非法入境", "smuggling": "走私"}


class LinkStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class SeizureCategory(StrEnum):
    """The plan's categories of seized goods, plus the means (vehicles, vessels, persons)."""

    FOREIGN_WASTE = "foreign_waste"
    WILDLIFE = "wildlife"
    FAKE_PROTECTIVE = "fake_protective"
    IVORY_ENDANGERED = "ivory_endangered"
    FUEL_OIL = "fuel_oil"
    GRAIN = "grain"
    FROZEN_FOOD = "frozen_food"
    SUGAR = "sugar"
    GUNS = "guns"
    DRUGS = "drugs"
    VEHICLE = "vehicle"
    VESSEL = "vessel"
    PERSON = "person"
    OTHER = "other"


SEIZURE_LABELS = {
    "foreign_waste": "洋垃圾", "wildlife": "野生动物", "fake_protective": "假冒防护用品",
    "ivory_endangered": "象牙及濒危物种", "fuel_oil": "成品油", "grain": "粮食",
    "frozen_food": "冻品", "sugar": "食糖", "guns": "枪支", "drugs": "毒品",
    "vehicle": "车辆", "vessel": "船舶", "person": "人员", "other": "其他",
}

MEASURE_LABELS = {"coercive": "采取强制措施", "prosecution_referral": "起送审查起诉"}
#: Parties the plan asks the crackdown to find behind illegal work (依法查处非法用工企业).
PARTY_LABELS = {"illegal_employer": "非法用工单位", "illegal_foreign_worker": "非法务工外籍人员"}


class Clue(Base):
    """A piece of information that may point to illegal entry or smuggling (线索).

    It belongs to the unit that collected it; only that unit and the office see it.
    ``lon``/``lat`` and ``occurred_at`` feed the linker's time-and-place evidence.
    """

    __tablename__ = "clues"
    __table_args__ = (Index("ix_clues_unit_created", "unit_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20))
    source_detail: Mapped[str] = mapped_column(String(200), default="")
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | in_case | closed
    line: Mapped[str] = mapped_column(String(20), default="illegal_entry")  # see LineOfWork
    tipoff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User | None] = relationship()
    entities: Mapped[list[ClueEntity]] = relationship(
        back_populates="clue", cascade="all, delete-orphan", order_by="ClueEntity.id")
    attachments: Mapped[list[ClueAttachment]] = relationship(
        back_populates="clue", cascade="all, delete-orphan", order_by="ClueAttachment.id")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source_kind, self.source_kind)


class ClueEntity(Base):
    """Someone or something a clue mentions. ``value`` is normalised (the linker's form);
    ``raw`` is as written; ``fields`` holds the rest (a person's nationality, a vessel's
    MMSI and registry number)."""

    __tablename__ = "clue_entities"
    __table_args__ = (Index("ix_clue_entities_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("clues.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    raw: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    clue: Mapped[Clue] = relationship(back_populates="entities")

    @property
    def kind_label(self) -> str:
        return ENTITY_LABELS.get(self.kind, self.kind)


class ClueLink(Base):
    """A link between two clues (串并), proposed by the linker or an analyst and decided by
    an analyst. The accepted date is what counts into the day's 线索串并 figure."""

    __tablename__ = "clue_links"
    __table_args__ = (UniqueConstraint("clue_a_id", "clue_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_a_id: Mapped[int] = mapped_column(ForeignKey("clues.id", ondelete="CASCADE"))
    clue_b_id: Mapped[int] = mapped_column(ForeignKey("clues.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=LinkStatus.PROPOSED.value)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    clue_a: Mapped[Clue] = relationship(foreign_keys=[clue_a_id])
    clue_b: Mapped[Clue] = relationship(foreign_keys=[clue_b_id])
    decided_by: Mapped[User | None] = relationship()


case_clues = Table(
    "case_clues",
    Base.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("clue_id", ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
)


class Case(Base):
    """A case opened for investigation (立案侦查) from one or more clues; it counts into
    集中打击 on ``opened_at``'s local day."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    line: Mapped[str] = mapped_column(String(20), default="illegal_entry")  # see LineOfWork

    unit: Mapped[Unit] = relationship()
    clues: Mapped[list[Clue]] = relationship(secondary=case_clues, order_by="Clue.id")
    measures: Mapped[list[CaseMeasure]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseMeasure.id")
    seizures: Mapped[list[Seizure]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Seizure.id")
    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParty.id")


class CaseMeasure(Base):
    """A measure against one person: coercive (采取强制措施) or a referral for prosecution
    (起送审查起诉, the plan's wording). Counted per person on ``day``."""

    __tablename__ = "case_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    person_name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(30))  # coercive | prosecution_referral
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    case: Mapped[Case] = relationship(back_populates="measures")

    @property
    def kind_label(self) -> str:
        return MEASURE_LABELS.get(self.kind, self.kind)


class Seizure(Base):
    """Something seized in a case: goods (category, tonnes), or vehicles, vessels, persons
    (quantity). Feeds 反走私 on ``day``."""

    __tablename__ = "seizures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    tonnes: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal(0))
    day: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    case: Mapped[Case] = relationship(back_populates="seizures")

    @property
    def category_label(self) -> str:
        return SEIZURE_LABELS.get(self.category, self.category)


class CaseParty(Base):
    """An illegal employer or an illegal foreign worker found in a case. ``document`` is
    a passport, ID or company credit code: personal data, masked on pages."""

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # illegal_employer | illegal_foreign_worker
    name: Mapped[str] = mapped_column(String(200))
    nationality: Mapped[str] = mapped_column(String(60), default="")
    document: Mapped[str] = mapped_column(String(60), default="")
    employer: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    case: Mapped[Case] = relationship(back_populates="parties")

    @property
    def kind_label(self) -> str:
        return PARTY_LABELS.get(self.kind, self.kind)

    @property
    def document_masked(self) -> str:
        from jinghai.masking import mask_id

        return mask_id(self.document)


class ClueAttachment(Base):
    """A file that came with a clue (photo, scanned statement, PDF, spreadsheet). The bytes
    live under the data directory at ``path`` (relative), named by their SHA-256, never by
    the name the uploader gave."""

    __tablename__ = "clue_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[int] = mapped_column(ForeignKey("clues.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clue: Mapped[Clue] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class EvidenceFile(Base):
    """A file given as evidence or a photo, owned by a unit: rectification evidence
    (supervision), outreach photos. Its type is judged from its first bytes and the bytes
    are kept under the data directory by their SHA-256 (``cases.evidence``), like a clue's
    attachments. Kept here, below the domains that use it, so neither imports the other."""

    __tablename__ = "sv_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
