"""The operation as data: who takes part, in which groups, reporting which sections."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.db import Base


class Operation(Base):
    """A special operation run by one district's task-force office (e.g. Beilun's 净海).

    One database holds one operation; its template YAML is kept verbatim so the office can
    see exactly what it was created from.
    """

    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(50))
    district: Mapped[str] = mapped_column(String(100))
    office_name: Mapped[str] = mapped_column(String(200))
    report_caption: Mapped[str] = mapped_column(String(200))
    reports_to: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    report_deadline: Mapped[str] = mapped_column(String(5), default="17:00")
    template_text: Mapped[str] = mapped_column(Text, default="")


class Unit(Base):
    """An agency, a sub-district (街道) or the office itself."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # agency | sub_district | office
    parent_name: Mapped[str] = mapped_column(String(100), default="")


class WorkGroup(Base):
    """One of the eight working groups (工作组); its key is also its daily-form section."""

    __tablename__ = "work_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))

    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    members: Mapped[list[GroupMember]] = relationship(back_populates="group", cascade="all")
    task: Mapped[GroupTask | None] = relationship(back_populates="group", cascade="all")


class GroupMember(Base):
    """A unit's part in a group: lead (牵头), cooperating (配合) and/or reporting (填报)."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("work_groups.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(20))  # lead | cooperating | reporting

    group: Mapped[WorkGroup] = relationship(back_populates="members")
    unit: Mapped[Unit] = relationship()


class GroupTask(Base):
    """The group's task in section 三 of the plan, with its numbered sub-items."""

    __tablename__ = "group_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("work_groups.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    items_text: Mapped[str] = mapped_column(Text)  # one sub-item per line

    group: Mapped[WorkGroup] = relationship(back_populates="task")

    @property
    def items(self) -> list[str]:
        return [line for line in self.items_text.splitlines() if line.strip()]
