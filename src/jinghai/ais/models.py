"""What the platform remembers about vessels from AIS, apart from their positions.

Positions live in the Parquet store (:mod:`jinghai.ais.store`); these tables hold the much
smaller static and voyage data and the sentences that could not be used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jinghai.db import Base, UTCDateTime, utcnow


class AisVessel(Base):
    """A vessel as it describes itself over AIS (types 5, 19, 21, 24): the latest name,
    call sign, IMO number, ship type, dimensions (metres) and destination, and when it was
    first and last heard. The registry (``jinghai.vessels``) links to it by MMSI."""

    __tablename__ = "ais_vessels"

    mmsi: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(40))
    callsign: Mapped[str | None] = mapped_column(String(20))
    imo: Mapped[int | None] = mapped_column(BigInteger)
    ship_type: Mapped[int | None] = mapped_column(Integer)
    length: Mapped[int | None] = mapped_column(Integer)
    beam: Mapped[int | None] = mapped_column(Integer)
    destination: Mapped[str | None] = mapped_column(String(40))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    last_static_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))


class AisStaticChange(Base):
    """One change of a vessel's self-description (e.g. a new name or destination): a
    vessel that renames itself at sea is exactly what the task force wants to see."""

    __tablename__ = "ais_static_changes"
    __table_args__ = (Index("ix_ais_static_changes_mmsi_at", "mmsi", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mmsi: Mapped[int] = mapped_column(BigInteger)
    field: Mapped[str] = mapped_column(String(20))
    old: Mapped[str | None] = mapped_column(String(60))
    new: Mapped[str | None] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))


class AisQuarantine(Base):
    """A sentence (or line) that could not be used, kept with its raw text (cut to
    ``quarantine.MAX_RAW``) and the reason, so the office can see what feeds send.
    ``origin``/``line_no`` say where in a file it came from (a restart replaces them)."""

    __tablename__ = "ais_quarantine"
    __table_args__ = (Index("ix_ais_quarantine_reason_at", "reason", "at"),
                      Index("ix_ais_quarantine_origin_line", "origin", "line_no"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(100), default="")
    origin: Mapped[str] = mapped_column(String(300), default="")
    line_no: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
