"""Why a sentence was not stored: a small fixed vocabulary, counted per reason.

Feeds are tolerant (STYLE.md): a bad sentence is counted and kept with its raw text in the
``ais_quarantine`` table for the office to inspect; it never stops ingestion.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

#: Raw text longer than this is cut before it is stored (a garbage line can be huge).
MAX_RAW = 500


class Reason(StrEnum):
    BAD_CHECKSUM = "bad_checksum"
    TRUNCATED = "truncated"  # no checksum, or a payload shorter than its type needs
    MALFORMED = "malformed"  # framing that is not a sentence (fields, counts, characters)
    EMPTY_PAYLOAD = "empty_payload"
    ORPHAN_FRAGMENT = "orphan_fragment"
    UNDECODABLE = "undecodable"  # pyais could not decode the payload
    IMPOSSIBLE_VALUE = "impossible_value"  # latitude 91 with a real longitude, MMSI 0, ...
    UNSUPPORTED_TYPE = "unsupported_type"  # message type 0 or above 27


REASON_LABELS = {
    Reason.BAD_CHECKSUM: "校验和错误",
    Reason.TRUNCATED: "语句不完整",
    Reason.MALFORMED: "格式错误",
    Reason.EMPTY_PAYLOAD: "空报文",
    Reason.ORPHAN_FRAGMENT: "孤立分片",
    Reason.UNDECODABLE: "无法解码",
    Reason.IMPOSSIBLE_VALUE: "数值不可能",
    Reason.UNSUPPORTED_TYPE: "不支持的报文类型",
}


def cut_raw(raw: str) -> str:
    raw = raw.replace("\x00", "\\x00")
    return raw if len(raw) <= MAX_RAW else raw[:MAX_RAW - 1] + "…"


class ReasonCounter(Counter):
    """Counts per :class:`Reason` (as plain strings, ready for JSON)."""


# -- the quarantine table ------------------------------------------------------------------

def record_quarantine(session, rows, origin: str = "") -> None:
    """Insert ``(raw, reason, source, line_no, epoch seconds)`` rows in one statement."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from jinghai.ais.models import AisQuarantine

    if not rows:
        return
    session.execute(insert(AisQuarantine), [
        {"raw": raw, "reason": reason, "source": (source or "")[:100], "origin": origin[-300:],
         "line_no": line_no if origin else None,
         "at": datetime.fromtimestamp(ts, UTC) if _plausible(ts) else datetime.now(UTC)}
        for raw, reason, source, line_no, ts in rows])


def _plausible(ts: float) -> bool:
    return 0 < ts < 4_102_444_800


def forget_quarantine_after(session, origin: str, line_no: int) -> None:
    """Delete rows a killed run wrote past its checkpoint (the resumed run writes them again)."""
    from sqlalchemy import delete

    from jinghai.ais.models import AisQuarantine

    session.execute(delete(AisQuarantine).where(AisQuarantine.origin == origin[-300:],
                                                AisQuarantine.line_no >= line_no))


def last_quarantine_id(session, origin: str) -> int:
    """The newest row a file run has written so far (0 if none): a checkpoint keeps it."""
    from sqlalchemy import func, select

    from jinghai.ais.models import AisQuarantine

    return session.scalar(select(func.max(AisQuarantine.id)).where(
        AisQuarantine.origin == origin[-300:])) or 0


def forget_quarantine_since(session, origin: str, last_id: int) -> None:
    """Delete the rows a killed run wrote after its checkpoint, by row, not by line: a
    fragment read before the checkpoint and given up after it has an earlier line."""
    from sqlalchemy import delete

    from jinghai.ais.models import AisQuarantine

    session.execute(delete(AisQuarantine).where(AisQuarantine.origin == origin[-300:],
                                                AisQuarantine.id > last_id))


def quarantine_counts(session) -> dict[str, int]:
    """Rows per reason, most frequent first."""
    from sqlalchemy import func, select

    from jinghai.ais.models import AisQuarantine

    rows = session.execute(select(AisQuarantine.reason, func.count()).group_by(
        AisQuarantine.reason).order_by(func.count().desc())).all()
    return {reason: n for reason, n in rows}


def recent_quarantine(session, reason: str | None = None, limit: int = 50):
    from sqlalchemy import select

    from jinghai.ais.models import AisQuarantine

    q = select(AisQuarantine).order_by(AisQuarantine.id.desc()).limit(limit)
    if reason:
        q = q.where(AisQuarantine.reason == reason)
    return list(session.scalars(q))
