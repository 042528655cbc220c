"""Daily report records: each unit's section for a day, its figures, and day locks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.accounts.models import User
from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    NIL = "nil"  # 无情况: explicitly nothing to report today, distinct from not reporting
    RETURNED = "returned"  # 退回: the office sent it back with a reason; figures still count


STATUS_LABELS = {
    "not_started": "未填报",
    "draft": "草稿",
    "submitted": "已报送",
    "late": "逾期报送",
    "nil": "无情况报告",
    "returned": "已退回",
    "locked": "已锁定",
}


class Submission(Base):
    """One unit's section of the daily report for one day (e.g. 大榭边检站's 口岸特定区域监管)."""

    __tablename__ = "report_submissions"
    __table_args__ = (
        UniqueConstraint("unit_id", "section", "report_date"),
        Index("ix_report_submissions_date", "report_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    section: Mapped[str] = mapped_column(String(64))
    report_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=SubmissionStatus.DRAFT)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    #: True while the unit has saved changes it has not (re)submitted: they live in each
    #: entry's ``draft_value``; the submitted ``value`` keeps counting until replaced.
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The office's review: accepted, or returned (status ``returned``) with a reason.
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    unit: Mapped[Unit] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    entries: Mapped[list[FigureEntry]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )

    def entry(self, figure_key: str) -> FigureEntry | None:
        for e in self.entries:
            if e.figure_key == figure_key:
                return e
        return None


class FigureEntry(Base):
    """One figure of a submission.

    ``value`` is what counts: the figure as last submitted (None until then);
    ``draft_value`` is what the unit saved since without submitting. Where the system can
    count the figure from its own records, ``computed_value`` keeps what it counted when the
    entry was submitted; a ``value`` that differs from it is an override and carries
    ``override_reason``. ``comment`` answers
    validation warnings.
    """

    __tablename__ = "report_figure_entries"
    __table_args__ = (UniqueConstraint("submission_id", "figure_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("report_submissions.id", ondelete="CASCADE")
    )
    figure_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 3), nullable=True)
    draft_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 3), nullable=True)
    computed_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 3), nullable=True)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[str] = mapped_column(Text, default="")  # open warning messages, one a line

    submission: Mapped[Submission] = relationship(back_populates="entries")


class DayLock(Base):
    """The office's lock on a day's report; unlocking needs a reason and is audited."""

    __tablename__ = "report_day_locks"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_date: Mapped[date] = mapped_column(Date, unique=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    unlock_reason: Mapped[str] = mapped_column(Text, default="")

    locked_by: Mapped[User | None] = relationship()


class DayException(Base):
    """A locked day opened for one unit's section (an exception, DHIS2-style): that unit
    may correct and resubmit; its submission (or the office) closes it again."""

    __tablename__ = "report_day_exceptions"
    __table_args__ = (Index("ix_report_day_exceptions_date", "report_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_date: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    section: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    unit: Mapped[Unit] = relationship()
