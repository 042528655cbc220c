"""NMEA 0183 framing of AIS: sentences, their wrappers and multi-part assembly.

What receivers and recorders actually write around ``!AIVDM`` (see shared/data/SOURCES.md):

- IEC 61162-450 / IEC 62320 tag blocks ``\\s:src,c:epoch,g:1-2-77*hh\\`` before a sentence,
  sometimes several ``\\tag\\sentence`` pairs on one line (Spire, MarineTraffic);
- a Gatehouse ``$PGHP,1,yyyy,m,d,H,M,S,ms,...`` time sentence before a sentence (DMA, AMSA);
- USCG/NAIS fields after the checksum: ``...,0*4A,b003660465,1272412827`` (station, epoch);
- a leading timestamp written by a recorder (``2024-05-01 12:00:00.123 !AIVDM...`` or an epoch);
- a vendor's extra field before the checksum (Navico GoFree: ``...,payload,0,0*1C``).

Every checksum is checked (https://gpsd.gitlab.io/gpsd/AIVDM.html#_aivdmaivdo_sentence_layout).
A tag block whose checksum fails is not trusted (its time and source are dropped, counted) but
the sentence, whose own checksum passed, is kept. Nothing here raises on any input: a line
becomes sentences, rejects (with a reason from :mod:`jinghai.ais.quarantine`) or is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import xor

from jinghai.ais.quarantine import Reason

_PAYLOAD_OK = re.compile(r"^[0-9:;<=>?@A-W`a-w]*$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?"
                  r"\s*(Z|[+-]\d{2}:?\d{2})?$")


def checksum(body: str) -> int:
    """XOR of the characters between the start delimiter and ``*`` (NMEA 0183)."""
    return reduce(xor, body.encode("latin-1", "replace"), 0)


def _check(text: str) -> tuple[str, str] | None:
    """Split ``body*hh rest`` into (body, rest) if the two hex digits match, else None."""
    # The checksum is the first '*' followed by two hex digits; payloads never contain '*'.
    star = text.find("*")
    if star < 0 or len(text) < star + 3:
        return None
    try:
        want = int(text[star + 1:star + 3], 16)
    except ValueError:
        return None
    body = text[:star]
    if checksum(body) != want:
        return None
    return body, text[star + 3:]


def epoch_value(text: str) -> float | None:
    """Seconds since the epoch from a 10-digit (s) or 13-digit (ms) field, with decimals."""
    text = text.strip()
    head = text.split(".", 1)[0]
    if not head.isdigit():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if len(head) >= 12:  # milliseconds (GFW sdr, exactEarth augmented)
        value /= 1000.0
    if not 0 < value < 4_102_444_800:  # before 2100
        return None
    return value


def parse_timestamp(text: str) -> float | None:
    """A recorder's leading timestamp: an epoch or an ISO-like date-time (UTC if no zone)."""
    text = text.strip().strip("[]").rstrip(",;|:").strip()
    value = epoch_value(text)
    if value is not None:
        return value
    m = _ISO.match(text)
    if not m:
        return None
    try:
        frac = (m.group(7) or "0").ljust(6, "0")
        dt = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                      int(m.group(5)), int(m.group(6)), int(frac), tzinfo=UTC)
        zone = m.group(8)
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            dt = dt.replace(tzinfo=None)
            offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
            return dt.replace(tzinfo=UTC).timestamp() - offset
        return dt.timestamp()
    except ValueError:
        return None


@dataclass(slots=True)
class Sentence:
    """One checked ``!xxVDM``/``!xxVDO`` sentence with the time and source around it."""

    total: int
    number: int
    seq: str
    channel: str
    payload: str
    fill: int
    ts: float | None
    source: str
    raw: str
    group: str = ""  # tag-block group id (g:n-m-id) when present
    link: str = ""  # the source that fragments of one message share (not a $PGHP station)
    own: bool = False  # !xxVDO: the receiver's own vessel


@dataclass(slots=True)
class Reject:
    reason: Reason
    raw: str
    detail: str = ""


@dataclass(slots=True)
class TagBlock:
    ts: float | None = None
    source: str = ""
    group: str = ""
    ok: bool = True


def parse_tag_block(text: str) -> TagBlock:
    """``s:src,c:epoch,g:1-2-77*hh`` (without the backslashes)."""
    checked = _check(text)
    if checked is None:
        return TagBlock(ok=False)
    tag = TagBlock()
    for item in checked[0].split(","):
        key, _, value = item.partition(":")
        if key == "c":
            tag.ts = epoch_value(value)
        elif key == "s":
            tag.source = value
        elif key == "g":
            parts = value.split("-")
            tag.group = parts[-1] if len(parts) >= 3 and parts[-1] else ""
    return tag


def parse_pghp(line: str) -> tuple[float | None, str]:
    """Gatehouse ``$PGHP,1,yyyy,mm,dd,HH,MM,SS,ms,country,region,pss,...*hh``: time, station."""
    checked = _check(line[1:])
    if checked is None:
        return None, ""
    f = checked[0].split(",")
    if len(f) < 9 or f[1] != "1":
        return None, ""
    try:
        dt = datetime(int(f[2]), int(f[3]), int(f[4]), int(f[5]), int(f[6]), int(f[7]),
                      int(f[8]) * 1000, tzinfo=UTC)
    except ValueError:
        return None, ""
    return dt.timestamp(), (f[11] if len(f) > 11 else "")


def parse_sentence(text: str, ts: float | None, source: str,
                   station: str = "") -> Sentence | Reject | None:
    """One ``!..VDM`` sentence, maybe with USCG fields after the checksum.

    ``source`` is the tag block's or the feed's; ``station`` a ``$PGHP`` station, which
    names the receiver but only precedes a message's first fragment, so fragments are
    linked by ``source`` (or the USCG station field, present on every fragment).
    Returns None for a sentence that is not AIS (another formatter)."""
    raw = text
    if text[3:6] not in ("VDM", "VDO"):
        return None
    checked = _check(text[1:])
    if checked is None:
        if "*" not in text:
            return Reject(Reason.TRUNCATED, raw, "no checksum")
        return Reject(Reason.BAD_CHECKSUM, raw)
    body, rest = checked
    if rest and rest[0] == ",":  # USCG / NAIS: ,b003669794,1272412827 or ,d-109,...,r00366..
        for extra in rest[1:].split(","):
            if not extra:
                continue
            if ts is None and extra[0].isdigit():
                ts = epoch_value(extra)
            elif extra[0] in "br" and len(extra) > 3 and extra[1:].isalnum():
                source = extra
    f = body.split(",")
    if len(f) < 7:
        return Reject(Reason.MALFORMED, raw, "too few fields")
    # f[5] is the payload; the fill bits are the last field (GoFree adds one in between).
    total, number, payload, fill = f[1], f[2], f[5], f[-1]
    if not (total.isdigit() and number.isdigit() and fill.isdigit()):
        return Reject(Reason.MALFORMED, raw, "bad count or fill")
    t, n, b = int(total), int(number), int(fill)
    if not (1 <= n <= t <= 9) or b > 5:
        return Reject(Reason.MALFORMED, raw, "bad count or fill")
    if not payload:
        return Reject(Reason.EMPTY_PAYLOAD, raw)
    if not _PAYLOAD_OK.match(payload):
        return Reject(Reason.MALFORMED, raw, "bad payload character")
    return Sentence(t, n, f[3], f[4], payload, b, ts, station or source, raw, link=source,
                    own=f[0].endswith("O"))


class LineParser:
    """Turn lines into sentences; keeps the pending ``$PGHP`` time between lines."""

    def __init__(self) -> None:
        self._pghp: tuple[float | None, str] | None = None
        self.tag_blocks_ignored = 0
        # Consecutive lines mostly share a tag block (same second, same station).
        self._tags: dict[str, TagBlock] = {}

    def _tag(self, text: str) -> TagBlock:
        tag = self._tags.get(text)
        if tag is None:
            if len(self._tags) > 4096:
                self._tags.clear()
            tag = self._tags[text] = parse_tag_block(text)
        return tag

    def parse(self, line: str, default_source: str = "") -> list[Sentence | Reject]:
        """Sentences and rejects found in ``line``; an empty list means an ignored line."""
        line = line.strip()
        if not line or line[0] == "#":
            return []
        first = line[0]
        if first == "!" and "\\" not in line:
            return self._one(line, None, default_source)
        if "\\r\\n" in line or "\\x0d\\x0a" in line:  # CRLF written out as text
            return self._escaped_newlines(line, default_source)
        if first == "\\":
            return self._tagged(line, None, default_source)
        if first == "!":  # a sentence, then tag-blocked ones on the same line
            cut = line.index("\\")
            return self._one(line[:cut], None, default_source) + self._tagged(
                line[cut:], None, default_source)
        if first == "$":
            if line.startswith("$PGHP"):
                self._pghp = parse_pghp(line)
            return []
        # A leading timestamp (or garbage) before the sentence.
        cut = min((i for i in (line.find("!"), line.find("\\")) if i >= 0), default=-1)
        if cut < 0:
            if line[0] == "," and line[1:].replace(",", "").isdigit():
                return []  # a USCG line holding only a timestamp
            return [Reject(Reason.MALFORMED, line, "no sentence")]
        ts = parse_timestamp(line[:cut])
        if ts is None:
            return [Reject(Reason.MALFORMED, line, "unreadable prefix")]
        rest = line[cut:]
        if rest[0] == "\\":
            return self._tagged(rest, ts, default_source)
        return self._one(rest, ts, default_source)

    def _escaped_newlines(self, line: str, source: str) -> list[Sentence | Reject]:
        out: list[Sentence | Reject] = []
        for piece in line.replace("\\x0d\\x0a", "\n").replace("\\r\\n", "\n").split("\n"):
            out += self.parse(piece, source)
        return out

    def _one(self, text: str, ts: float | None, source: str) -> list[Sentence | Reject]:
        station = ""
        if self._pghp is not None:
            pghp_ts, station = self._pghp
            self._pghp = None
            ts = pghp_ts if pghp_ts is not None else ts
        item = parse_sentence(text, ts, source, station)
        return [] if item is None else [item]

    def _tagged(self, line: str, ts: float | None, source: str) -> list[Sentence | Reject]:
        parts = line.split("\\")
        out: list[Sentence | Reject] = []
        # ['', tag, sentence, tag, sentence, ...]; a stray part means a broken wrapper.
        if parts[0] or len(parts) % 2 == 0:
            return [Reject(Reason.MALFORMED, line, "unbalanced tag block")]
        for i in range(1, len(parts), 2):
            tag = self._tag(parts[i])
            text = parts[i + 1]
            if not tag.ok:
                self.tag_blocks_ignored += 1
            if not text.startswith("!"):
                if text.strip():
                    out.append(Reject(Reason.MALFORMED, line, "no sentence after tag block"))
                continue
            got = self._one(text, tag.ts if tag.ts is not None else ts, tag.source or source)
            for s in got:
                if isinstance(s, Sentence):
                    s.group = tag.group
            out += got
        if not out:
            out.append(Reject(Reason.MALFORMED, line, "tag block without sentence"))
        return out


@dataclass(slots=True)
class Message:
    """A whole AIS message: its payload (all fragments joined) and where it came from."""

    payload: str
    fill: int
    ts: float | None
    source: str
    raws: list[str]
    first_line: int
    last_line: int
    own: bool = False


@dataclass(slots=True)
class _Pending:
    total: int
    parts: list[Sentence]
    first_line: int
    checked: int
    lines: list[int] = field(default_factory=list)


class Assembler:
    """Joins multi-part messages keyed by (tag group) or (channel, sequence id, source).

    Keying on the channel and source lets fragments interleaved across channels and
    receivers assemble correctly. A fragment that cannot complete a message (no first part,
    a missing part, or still waiting ``max_gap`` lines later) comes back as an orphan.
    Time is counted in line numbers, so a replay from a checkpoint expires the same
    fragments at the same places as one clean run.
    """

    def __init__(self, max_gap: int = 100) -> None:
        self.max_gap = max_gap
        self._pending: dict[tuple, _Pending] = {}
        self._bucket = -1

    def add(self, s: Sentence, line_no: int) -> tuple[Message | None, list[tuple[str, int]]]:
        """Returns (message or None, orphans as (raw, line_no))."""
        orphans: list[tuple[str, int]] = []
        if line_no >> 6 != self._bucket:  # look for stale fragments every 64 lines
            self._bucket = line_no >> 6
            orphans += self._expire(line_no)
        if s.total == 1:
            return Message(s.payload, s.fill, s.ts, s.source, [s.raw], line_no, line_no,
                           s.own), orphans
        key = ("g", s.group) if s.group else (s.channel, s.seq, s.link)
        pending = self._pending.get(key)
        if s.number == 1:
            if pending is not None:
                orphans += self._drop(key)
            self._pending[key] = _Pending(s.total, [s], line_no, line_no, [line_no])
            return None, orphans
        if pending is not None and line_no - pending.first_line > self.max_gap:
            orphans += self._drop(key)  # too late, whenever the last stale check ran
            pending = None
        if pending is None or pending.total != s.total or len(pending.parts) + 1 != s.number:
            if pending is not None:
                orphans += self._drop(key)
            orphans.append((s.raw, line_no))
            return None, orphans
        pending.parts.append(s)
        pending.lines.append(line_no)
        if s.number < s.total:
            return None, orphans
        del self._pending[key]
        first = pending.parts[0]
        return Message("".join(p.payload for p in pending.parts), s.fill, first.ts,
                       first.source, [p.raw for p in pending.parts], pending.first_line,
                       line_no, first.own), orphans

    def _drop(self, key: tuple) -> list[tuple[str, int]]:
        p = self._pending.pop(key)
        return [(s.raw, n) for s, n in zip(p.parts, p.lines, strict=True)]

    def _expire(self, line_no: int) -> list[tuple[str, int]]:
        old = [k for k, p in self._pending.items() if line_no - p.first_line > self.max_gap]
        out: list[tuple[str, int]] = []
        for key in old:
            out += self._drop(key)
        return out

    def drain(self) -> list[tuple[str, int]]:
        """Every fragment still waiting (end of stream)."""
        out: list[tuple[str, int]] = []
        for key in list(self._pending):
            out += self._drop(key)
        return out

    def earliest_line(self) -> int | None:
        """The first line a pending message started on (where a resume must re-read from)."""
        return min((p.first_line for p in self._pending.values()), default=None)


def iter_messages(lines: Iterator[str], source: str = "") -> Iterator[Message | Reject]:
    """Lines to whole messages and rejects (orphans included); ignored lines are skipped."""
    parser, assembler = LineParser(), Assembler()
    for n, line in enumerate(lines):
        for item in parser.parse(line, source):
            if isinstance(item, Reject):
                yield item
                continue
            msg, orphans = assembler.add(item, n)
            for raw, _ in orphans:
                yield Reject(Reason.ORPHAN_FRAGMENT, raw)
            if msg is not None:
                yield msg
    for raw, _ in assembler.drain():
        yield Reject(Reason.ORPHAN_FRAGMENT, raw)
