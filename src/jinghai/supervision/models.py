"""The office's running of the operation (工作机制): responsibility, problem and
rectification lists (清单化管理), supervision visits (督导检查), listed rectification
(挂牌整治), circulars (通报) and joint meetings (联席会商)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.cases.models import EvidenceFile
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit, WorkGroup

TASK_STATES = {"assigned": "已分解", "in_progress": "推进中", "done": "已完成"}
PROBLEM_SOURCES = {"supervision": "督导检查", "alert": "系统预警", "meeting": "联席会商",
                   "report": "日报核查"}
PROBLEM_KINDS = {"problem": "问题", "action": "会商事项"}
# open → submitted (the unit says it is fixed) → closed (the office signs off), or back
# to open when the office sends it back (退回).
PROBLEM_STATES = {"open": "整改中", "submitted": "待销号", "closed": "已销号"}
PLACE_KINDS = {"unit": "单位", "sub_district": "街道", "landing_point": "登陆点",
               "checkpoint": "卡点"}
LISTING_TARGETS = {"place": "点位", "unit": "单位"}
LISTING_STATES = {"listed": "挂牌中", "delisted": "已摘牌"}
CIRCULAR_KINDS = {"warning": "通报警示", "bulletin": "情况通报"}


class TaskAssignment(Base):
    """One numbered sub-item of a group's task (plan section 三) made someone's job: the
    responsible unit and person, a deadline, where it stands and what shows it is done."""

    __tablename__ = "sv_task_assignments"
    __table_args__ = (UniqueConstraint("group_id", "item_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("work_groups.id"))
    item_no: Mapped[int] = mapped_column(Integer)
    item_text: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    person: Mapped[str] = mapped_column(String(100), default="")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    evidence: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[WorkGroup] = relationship()
    unit: Mapped[Unit] = relationship()

    @property
    def status_label(self) -> str:
        return TASK_STATES.get(self.status, self.status)


class Problem(Base):
    """An item on the problem and rectification lists (问题清单/整改清单): found on a
    supervision visit, from an alert, decided at a joint meeting (``kind`` action) or seen
    in the reports; the unit that must fix it works it to a deadline with evidence, and it
    is struck off (销号) only when the office signs off."""

    __tablename__ = "sv_problems"
    __table_args__ = (Index("ix_sv_problems_unit_status", "unit_id", "status"),
                      Index("ix_sv_problems_source", "source", "source_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="problem")
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sign_off_note: Mapped[str] = mapped_column(Text, default="")
    last_reminded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    notes: Mapped[list[ProgressNote]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="ProgressNote.id")

    @property
    def status_label(self) -> str:
        return PROBLEM_STATES.get(self.status, self.status)

    @property
    def source_label(self) -> str:
        return PROBLEM_SOURCES.get(self.source, self.source)

    @property
    def kind_label(self) -> str:
        return PROBLEM_KINDS.get(self.kind, self.kind)

    def is_overdue(self, today: date) -> bool:
        return self.status != "closed" and self.deadline < today


class ProgressNote(Base):
    """What the unit did about a problem (or the office's reply), with an optional file."""

    __tablename__ = "sv_progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("sv_problems.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("sv_files.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="notes")
    file: Mapped[EvidenceFile | None] = relationship()
    user: Mapped[User | None] = relationship()


class SupervisionVisit(Base):
    """A visit by the office or a joint inspection team (联合督导组) to a unit, a
    sub-district, a landing point or a checkpoint: what was checked and what was found.
    Each finding becomes a problem on the list."""

    __tablename__ = "sv_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(String(200))
    inspectors: Mapped[str] = mapped_column(String(300), default="")
    place_kind: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    zone_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    visited_on: Mapped[date] = mapped_column(Date)
    checked: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def place_kind_label(self) -> str:
        return PLACE_KINDS.get(self.place_kind, self.place_kind)


class Listing(Base):
    """A place or a unit put under listed rectification (挂牌整治) with a reason and a
    deadline, reviewed until the office takes the listing down (摘牌)."""

    __tablename__ = "sv_listings"
    __table_args__ = (Index("ix_sv_listings_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(10))  # place | unit
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    zone_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="listed")
    listed_on: Mapped[date] = mapped_column(Date)
    delisted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    delist_note: Mapped[str] = mapped_column(Text, default="")
    last_reminded_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    unit: Mapped[Unit] = relationship()
    reviews: Mapped[list[ListingReview]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingReview.id")

    @property
    def status_label(self) -> str:
        return LISTING_STATES.get(self.status, self.status)

    @property
    def target_label(self) -> str:
        return LISTING_TARGETS.get(self.target_kind, self.target_kind)

    def is_overdue(self, today: date) -> bool:
        return self.status == "listed" and self.deadline < today


class ListingReview(Base):
    """Evidence from the listed unit or a review note from the office."""

    __tablename__ = "sv_listing_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("sv_listings.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("sv_files.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="reviews")
    file: Mapped[EvidenceFile | None] = relationship()
    user: Mapped[User | None] = relationship()


class Circular(Base):
    """A circular (通报) issued by the office under its document number (发文字号): a
    warning about a unit's failures or a situation bulletin for a period. The ``.docx``
    as issued is kept with it."""

    __tablename__ = "sv_circulars"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    addressees: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    cc: Mapped[str] = mapped_column(String(500), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    @property
    def kind_label(self) -> str:
        return CIRCULAR_KINDS.get(self.kind, self.kind)


class Meeting(Base):
    """A joint meeting (联席会商): who came, what was discussed; its decisions are action
    items on the problem list (``Problem.kind == 'action'``)."""

    __tablename__ = "sv_meetings"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    chair: Mapped[str] = mapped_column(String(100), default="")
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    topics: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def number(self) -> str:
        return f"第{self.seq}期"
