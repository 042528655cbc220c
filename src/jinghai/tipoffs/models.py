"""Tip-offs from the public, the tipster's identity (kept apart) and rewards."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.db import Base, UTCDateTime, utcnow

TIPOFF_STATUS = {"received": "已受理", "reviewing": "核查中", "converted": "已转为线索",
                 "closed": "已办结", "rejected": "不予受理"}

REWARD_STATUS = {"proposed": "待审批", "approved": "已批准", "paid": "已发放",
                 "refused": "不予奖励"}


class TipOff(Base):
    """A report from the public (群众举报). Holds nothing that identifies the tipster:
    contact details live in :class:`TipOffIdentity`, which only the office reads. The
    receipt code is the tipster's only handle on it, so it is long enough not to guess."""

    __tablename__ = "tipoffs"
    __table_args__ = (Index("ix_tipoffs_ip_created", "client_ip_hash", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(20), unique=True)
    content: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(nullable=True)
    lat: Mapped[float | None] = mapped_column(nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    photo_path: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="received")
    reply: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(default=True)
    spam_score: Mapped[float] = mapped_column(default=0.0)
    client_ip_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clue_id: Mapped[int | None] = mapped_column(
        ForeignKey("clues.id", ondelete="SET NULL"), nullable=True)

    rewards: Mapped[list[Reward]] = relationship(
        back_populates="tipoff", cascade="all, delete-orphan", order_by="Reward.id")

    @property
    def status_label(self) -> str:
        return TIPOFF_STATUS.get(self.status, self.status)


class TipOffIdentity(Base):
    """Who filed a tip-off, if they chose to say. A separate table so that no list or join
    of tip-offs carries it by accident; every read is audited."""

    __tablename__ = "tipoff_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    tipoff_id: Mapped[int] = mapped_column(
        ForeignKey("tipoffs.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")


class Reward(Base):
    """A reward for a tip-off (举报奖励): proposed, approved, then paid."""

    __tablename__ = "tipoff_rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    tipoff_id: Mapped[int] = mapped_column(ForeignKey("tipoffs.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tipoff: Mapped[TipOff] = relationship(back_populates="rewards")

    @property
    def status_label(self) -> str:
        return REWARD_STATUS.get(self.status, self.status)
