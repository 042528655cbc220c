"""Vectorised decoding of position reports (types 1, 2, 3 and 18), the bulk of any feed.

The first 168 bits of every payload (28 six-bit characters) hold all the fields we keep.
A whole batch is decoded at once: the AIS armouring is re-mapped onto the base64 alphabet
(the trick pyais' ``int_bit_vector`` uses), ``b64decode`` repacks 28 characters into
21 bytes in C, and numpy reads each field with shifts and masks over three big-endian
words. Field positions and scaling follow https://gpsd.gitlab.io/gpsd/AIVDM.html
("Types 1, 2 and 3: Position Report Class A", "Type 18: Standard Class B CS Position
Report"); scaling matches pyais bit for bit (``to_lat_lon``: ``((10*v+3)//6)/1e6``), which
tests check field by field on every recording in shared/data.
"""

from __future__ import annotations

from base64 import b64decode

import numpy as np

_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ARMOR = [(c - 56 if c - 48 > 40 else c - 48) if 48 <= c <= 119 else 0 for c in range(256)]
_TO_B64 = bytes(_B64[v] for v in _ARMOR)

#: Message types the fast path decodes, and the first payload character of each.
FAST_TYPES = frozenset({1, 2, 3, 18})
FAST_FIRST_CHARS = frozenset("123B")
#: Bits up to the end of the last field we keep (class A "second"); a report cut short in
#: the radio status (real receivers send some, see gpsd's sample.aivdm) is still usable.
NEEDED_BITS = 143

#: (start bit, width, signed) per field; from the gpsd AIVDM tables.
CLASS_A = {
    "msg_type": (0, 6, False), "repeat": (6, 2, False), "mmsi": (8, 30, False),
    "status": (38, 4, False), "turn": (42, 8, True), "speed": (50, 10, False),
    "accuracy": (60, 1, False), "lon": (61, 28, True), "lat": (89, 27, True),
    "course": (116, 12, False), "heading": (128, 9, False), "second": (137, 6, False),
    "maneuver": (143, 2, False), "raim": (148, 1, False), "radio": (149, 19, False),
}
CLASS_B = {
    "msg_type": (0, 6, False), "repeat": (6, 2, False), "mmsi": (8, 30, False),
    "speed": (46, 10, False), "accuracy": (56, 1, False), "lon": (57, 28, True),
    "lat": (85, 27, True), "course": (112, 12, False), "heading": (124, 9, False),
    "second": (133, 6, False), "cs": (141, 1, False), "display": (142, 1, False),
    "dsc": (143, 1, False), "band": (144, 1, False), "msg22": (145, 1, False),
    "assigned": (146, 1, False), "raim": (147, 1, False), "radio": (148, 20, False),
}
_WORD_BITS = (64, 64, 40)


def _words(payloads: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three uint64 words per payload holding bits 0-63, 64-127 and 128-167."""
    blob = "".join([p[:28].ljust(28, "0") for p in payloads]).encode("ascii").translate(_TO_B64)
    return _raw_words(np.frombuffer(b64decode(blob), dtype=np.uint8).reshape(-1, 21))


def _raw_words(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three words of :func:`_words` from 21 bytes (168 bits) per payload."""
    w0 = raw[:, 0:8].copy().view(">u8").ravel().astype(np.uint64)
    w1 = raw[:, 8:16].copy().view(">u8").ravel().astype(np.uint64)
    tail = np.zeros((len(raw), 8), dtype=np.uint8)
    tail[:, 3:] = raw[:, 16:21]
    w2 = tail.view(">u8").ravel().astype(np.uint64)
    return w0, w1, w2


def _field(words, start: int, width: int, signed: bool) -> np.ndarray:
    end = start + width
    k, k_end = start // 64, (end - 1) // 64
    if k == k_end:
        shift = 64 * k + _WORD_BITS[k] - end
        value = (words[k] >> np.uint64(shift)) & np.uint64((1 << width) - 1)
    else:
        low_bits = end - 64 * k_end
        high = words[k] & np.uint64((1 << (64 * k_end - start)) - 1)
        low = words[k_end] >> np.uint64(_WORD_BITS[k_end] - low_bits)
        value = (high << np.uint64(low_bits)) | low
    value = value.astype(np.int64)
    if signed:
        value = np.where(value >= (1 << (width - 1)), value - (1 << width), value)
    return value


def decode_raw(payloads: list[str], layout: dict) -> dict[str, np.ndarray]:
    """Raw integer fields of ``layout`` for every payload (missing bits read as 0)."""
    if not payloads:
        return {name: np.empty(0, np.int64) for name in layout}
    words = _words(payloads)
    return {name: _field(words, *spec) for name, spec in layout.items()}


def lat_lon(raw: np.ndarray) -> np.ndarray:
    """1/10000 minute to degrees, rounded to 6 decimals exactly as pyais does."""
    return ((10 * raw + 3) // 6) / 1e6


def turn(raw: np.ndarray) -> np.ndarray:
    """Rate of turn as pyais gives it: 0, ±127 and -128 kept, else sign * round((r/4.733)^2)."""
    scaled = np.copysign(np.round((raw / 4.733) ** 2), raw)
    special = (raw == 0) | (np.abs(raw) >= 127)
    return np.where(special, raw.astype(np.float64), scaled)


def decode_positions(payloads: list[str]) -> dict[str, np.ndarray]:
    """The stored position columns for payloads of types 1, 2, 3 and 18 (mixed).

    ``lon``/``lat`` in degrees (91/181 kept for the caller to judge), ``sog`` knots and
    ``cog`` degrees with NaN for "not available" (1023 / 3600 and above), ``heading`` 511
    when not available or out of range, ``nav_status`` 15 for class B (it has none).
    """
    n = len(payloads)
    if n == 0:
        return {k: np.empty(0) for k in
                ("msg_type", "mmsi", "lon", "lat", "sog", "cog", "heading", "nav_status")}
    return _position_columns(_words(payloads))


def _position_columns(words) -> dict[str, np.ndarray]:
    msg_type = _field(words, 0, 6, False)
    b = msg_type == 18

    any_b, all_b = bool(b.any()), bool(b.all())

    def pick(name: str) -> np.ndarray:
        a, c = CLASS_A[name], CLASS_B[name]
        if not any_b:
            return _field(words, *a)
        if all_b:
            return _field(words, *c)
        return np.where(b, _field(words, *c), _field(words, *a))

    speed, course, heading = pick("speed"), pick("course"), pick("heading")
    status = np.where(b, 15, _field(words, *CLASS_A["status"]))
    return {
        "msg_type": msg_type,
        "mmsi": _field(words, 8, 30, False),
        "lon": lat_lon(pick("lon")),
        "lat": lat_lon(pick("lat")),
        "sog": np.where(speed >= 1023, np.nan, speed / 10.0).astype(np.float32),
        "cog": np.where(course >= 3600, np.nan, course / 10.0).astype(np.float32),
        "heading": np.where(heading >= 360, 511, heading).astype(np.int16),
        "nav_status": status.astype(np.int8),
    }


# -- framing a chunk of lines ---------------------------------------------------------------
_FILL = {str(i): i for i in range(6)}


def frame_simple(lines: list[str], tag_of) -> tuple[list[str | None], list[int], list, list]:
    """Frame the lines that are one whole single-part ``!xxVDM`` sentence, bare or behind
    one tag block: returns per line (payload or None, fill, tag time or None, tag source).

    This is the common shape of a recording or an aggregator's feed. The checksums of the
    whole chunk are checked at once (``np.bitwise_xor.reduceat`` over the joined sentence
    bodies). Any other line (fragments, USCG suffixes, $PGHP, a bad checksum or tag block,
    anything odd) gets None and goes through :class:`jinghai.ais.nmea.LineParser`, which
    says exactly what is wrong with it. ``tag_of(text)`` parses (and caches) tag blocks.
    """
    from jinghai.ais.nmea import _PAYLOAD_OK

    n = len(lines)
    payloads: list[str | None] = [None] * n
    fills = [0] * n
    times: list = [None] * n
    sources: list = [""] * n
    bodies: list[str] = []
    sums: list[str] = []
    where: list[int] = []
    ok = _PAYLOAD_OK.match
    for j, line in enumerate(lines):
        if not line:
            continue
        first = line[0]
        if first == "\\":
            k = line.find("\\", 1)
            if k < 0:
                continue
            tag = tag_of(line[1:k])
            if not tag.ok or tag.group:
                continue
            sentence = line[k + 1:].rstrip()
            times[j], sources[j] = tag.ts, tag.source
        elif first == "!":
            sentence = line.rstrip()
        else:
            continue
        if sentence[:1] != "!":
            continue
        star = sentence.find("*")
        if star < 14 or len(sentence) < star + 3 or "\\" in sentence:
            continue
        if len(sentence) != star + 3:
            # fields after the checksum (a receiver epoch): the tag block's time wins, as
            # in the line parser; a station id there names the source, so leave it to it
            rest = sentence[star + 3:]
            if times[j] is None or rest[0] != "," or "b" in rest or "r" in rest:
                continue
        body = sentence[1:star]
        f = body.split(",")
        if len(f) != 7 or f[1] != "1" or f[2] != "1" or f[0][2:] != "VDM":
            continue
        payload, fill = f[5], _FILL.get(f[6])
        if fill is None or not payload or not ok(payload):
            continue
        payloads[j], fills[j] = payload, fill
        bodies.append(body)
        sums.append(sentence[star + 1:star + 3])
        where.append(j)
    if not where:
        return payloads, fills, times, sources
    data = np.frombuffer("".join(bodies).encode("latin-1"), dtype=np.uint8)
    lengths = np.fromiter(map(len, bodies), dtype=np.int64, count=len(bodies))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    got = np.bitwise_xor.reduceat(data, starts)
    try:
        want = np.frombuffer(bytes.fromhex("".join(sums)), dtype=np.uint8)
    except ValueError:  # a non-hex checksum somewhere: judge them one by one
        want = np.array([_hex(s) for s in sums], dtype=np.int16)
    for i in np.flatnonzero(got != want):
        payloads[where[i]] = None  # the line parser will reject it with its reason
    return payloads, fills, times, sources


def _hex(text: str) -> int:
    try:
        return int(text, 16) if text.isalnum() else -1
    except ValueError:
        return -1


def _frame_core(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> dict[str, np.ndarray]:
    """The per-line verdicts of :func:`frame_chunk` over the bytes ``a`` whose lines run
    from ``starts`` to ``ends`` (exclusive, the newline): ``ok`` (a whole single-part VDM
    sentence, bare or behind one tag block, payload and checksum good), ``unsure`` (ends in
    blanks: leave it to :func:`frame_simple`), and the spans of tag block and payload."""
    size = len(a)
    pad = np.concatenate([a, np.zeros(16, dtype=np.uint8)])
    far = size + 16

    def next_at(positions: np.ndarray, at: np.ndarray) -> np.ndarray:
        i = np.searchsorted(positions, at)
        ext = np.append(positions, far)
        return ext[np.minimum(i, len(positions))]

    backslashes = np.flatnonzero(a == 92)
    stars = np.flatnonzero(a == 42)
    commas = np.flatnonzero(a == 44)
    first = a[starts]
    is_tag = first == 92
    tag_end = next_at(backslashes, starts + 1)
    ss = np.where(is_tag, tag_end + 1, starts)
    ok = ((first == 33) | (is_tag & (tag_end < ends))) & (pad[np.minimum(ss, far - 1)] == 33)
    ok &= next_at(backslashes, ss) >= ends
    st = next_at(stars, ss)
    exact = st + 3 == ends
    # fields after the checksum (an epoch) are fine behind a tag block with a time, unless
    # they name a station ('b...'/'r...'): the rule of frame_simple
    br = np.zeros(size + 1, dtype=np.int32)
    np.cumsum((a == 98) | (a == 114), dtype=np.int32, out=br[1:])
    rest = np.minimum(st + 3, size)
    suffix = is_tag & (st + 3 < ends) & (pad[rest] == 44) & (br[ends] - br[rest] == 0)
    # a line ending in blanks: frame_simple decides
    last = pad[np.maximum(ends - 1, 0)]
    unsure = ok & (ends > starts) & ((last <= 32) | (last == 0x85) | (last == 0xA0))
    ok &= (exact | suffix) & ~unsure
    ci = np.searchsorted(commas, ss)
    ext = np.append(commas, [far] * 8)
    c = [ext[np.minimum(ci + k, len(commas) + 7)] for k in range(7)]
    ok &= (c[5] < st) & (c[6] > st) & (c[0] == ss + 6)
    ok &= (pad[np.minimum(ss + 3, far - 1)] == 86) & (pad[np.minimum(ss + 4, far - 1)] == 68)
    ok &= pad[np.minimum(ss + 5, far - 1)] == 77
    c0, c1, c2, c4, c5 = (np.minimum(x, far - 2) for x in (c[0], c[1], c[2], c[4], c[5]))
    ok &= (c1 == c0 + 2) & (pad[c0 + 1] == 49) & (c2 == c1 + 2) & (pad[c1 + 1] == 49)
    fill = pad[c5 + 1].astype(np.int64) - 48
    ok &= (c5 + 2 == st) & (fill >= 0) & (fill <= 5) & (c5 > c4 + 1)
    bad = np.zeros(size + 1, dtype=np.int32)
    np.cumsum(~_PAYLOAD_BYTES[a], dtype=np.int32, out=bad[1:])
    p0, p1 = np.minimum(c4 + 1, size), np.minimum(c5, size)
    ok &= bad[p1] - bad[p0] == 0
    prefix = np.zeros(size + 1, dtype=np.uint8)
    np.bitwise_xor.accumulate(a, out=prefix[1:])
    s1, stc = np.minimum(ss + 1, size), np.minimum(st, size)
    want = _HEX_BYTES[pad[np.minimum(st + 1, far - 1)]] * 16 + _HEX_BYTES[pad[np.minimum(st + 2, far - 1)]]
    ok &= (prefix[stc] ^ prefix[s1]).astype(np.int32) == want

    return {"ok": ok, "unsure": unsure, "is_tag": is_tag, "tag_end": tag_end, "p0": p0,
            "p1": p1, "fill": fill, "suffix": suffix}


_PAYLOAD_BYTES = np.zeros(256, dtype=bool)
_PAYLOAD_BYTES[list(b"0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw")] = True
_HEX_BYTES = np.full(256, 4096, dtype=np.int32)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX_BYTES[_c] = _i
    _HEX_BYTES[bytes([_c]).lower()[0]] = _i


def frame_chunk(lines: list[str], tag_of) -> tuple[list[str | None], list[int], list, list]:
    """:func:`frame_simple` with the per-line work done by numpy over the joined chunk.

    Positions of ``\\``, ``*`` and ``,`` are found once for the chunk; each line's sentence
    start, checksum star and six field commas come from ``searchsorted`` on them, the
    checksum from a prefix XOR, the payload check from a prefix count of bad bytes. A line
    it cannot settle cheaply (trailing blanks, fields after the checksum) is handed to
    :func:`frame_simple`; the result is the same line for line (a test checks it).
    """
    n = len(lines)
    try:
        blob = ("\n".join(lines) + "\n").encode("latin-1")
    except UnicodeEncodeError:
        return frame_simple(lines, tag_of)
    a = np.frombuffer(blob, dtype=np.uint8)
    ends = np.flatnonzero(a == 10)
    if n == 0 or len(ends) != n:  # a line holding a newline: do it the slow way
        return frame_simple(lines, tag_of)
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    f = _frame_core(a, starts, ends)
    ok, unsure, is_tag, tag_end = f["ok"], f["unsure"], f["is_tag"], f["tag_end"]
    p0, p1, fill, suffix = f["p0"], f["p1"], f["fill"], f["suffix"]

    payloads: list[str | None] = [None] * n
    fills = [0] * n
    times: list = [None] * n
    sources: list = [""] * n
    rel0, rel1, reltag = (p0 - starts).tolist(), (p1 - starts).tolist(), (tag_end - starts).tolist()
    tagged, with_suffix = is_tag.tolist(), suffix.tolist()
    fill_list = fill.tolist()
    seen: dict = {}
    for j in np.flatnonzero(ok).tolist():
        line = lines[j]
        if tagged[j]:
            text = line[1:reltag[j]]
            tag = seen.get(text)
            if tag is None:
                tag = seen[text] = tag_of(text)
            if not tag.ok or tag.group or (tag.ts is None and with_suffix[j]):
                continue
            times[j], sources[j] = tag.ts, tag.source
        payloads[j] = line[rel0[j]:rel1[j]]
        fills[j] = fill_list[j]
    for j in np.flatnonzero(unsure).tolist():
        p, f, t, src = frame_simple([lines[j]], tag_of)
        payloads[j], fills[j], times[j], sources[j] = p[0], f[0], t[0], src[0]
    return payloads, fills, times, sources


# -- a whole buffer at once -----------------------------------------------------------------
_TO_B64_NP = np.frombuffer(_TO_B64, dtype=np.uint8)
_ZERO_B64 = _TO_B64[ord("0")]
_IS_HEX = _HEX_BYTES < 16
#: Sentence window read per line (``!AIVDM,1,1,s,c,`` + 28-character payload + ``,f*hh`` and
#: one byte more), and the longest tag block taken on the fast path; other payload lengths
#: or longer tags go the slow way.
PAYLOAD_CHARS = 28  # 168 bits: every well-formed position report
WINDOW = 56  # 13 + 28 + 6 bytes used, rounded up to whole 8-byte words
MAX_TAG = 64
_BAD_PAYLOAD = bytes(0 if _PAYLOAD_BYTES[c] else 1 for c in range(256))
_FAST_FIRST = np.zeros(256, dtype=bool)
_FAST_FIRST[list(b"123B")] = True


def _next(positions: np.ndarray, at: np.ndarray, far: int) -> np.ndarray:
    i = np.searchsorted(positions, at)
    return np.append(positions, far)[np.minimum(i, len(positions))]


def _rows_at(w: np.ndarray, col: np.ndarray) -> np.ndarray:
    return np.take_along_axis(w, col[:, None], axis=1)[:, 0]


_STATION_MAX = 24  # longest station field read here (``r003669946`` is 10); longer: parser
_ALNUM = np.zeros(256, dtype=bool)
_ALNUM[list(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")] = True


def _stations(a: np.ndarray, size: int, suffix: np.ndarray, after: np.ndarray,
              ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The station named in the fields after the checksum (USCG/NAIS ``,r003669946``), by
    the rule of :func:`jinghai.ais.nmea.parse_sentence`: a field starting with ``b`` or
    ``r``, longer than 3, letters and digits after the first, names the source.

    Returns, for the ``suffix`` rows holding such a field start: the rows, where the field
    starts in ``a`` and its length; the length is 0 when the field does not qualify (no
    station: the tag block's source stays) and -1 when this is not sure (two candidate
    fields, a field longer than ``_STATION_MAX``, non-ASCII bytes), for the line parser.
    ``after`` is where the fields after the checksum start, ``ends`` where the lines end."""
    rows = np.flatnonzero(suffix)
    none = np.zeros(0, dtype=np.int64)
    if not len(rows):
        return none, none, none
    nxt = a[1:size]
    marks = np.flatnonzero((a[:size - 1] == 44) & ((nxt == 98) | (nxt == 114)))  # ",b" ",r"
    first = np.searchsorted(marks, after[rows])
    count = np.searchsorted(marks, ends[rows]) - first
    rows, first, count = rows[count > 0], first[count > 0], count[count > 0]
    if not len(rows):
        return none, none, none
    start = marks[first] + 1
    window = np.lib.stride_tricks.sliding_window_view(a, _STATION_MAX + 1)[start]
    room = ends[rows] - start  # bytes left on the line
    comma = window == 44
    length = np.where(comma.any(axis=1), comma.argmax(axis=1), _STATION_MAX + 1)
    length = np.minimum(length, room)
    cols = np.arange(1, _STATION_MAX + 1)[None, :]
    inside = cols < length[:, None]
    alnum = (_ALNUM[window[:, 1:]] | ~inside).all(axis=1)
    ascii_ = ((window[:, 1:] < 128) | ~inside).all(axis=1)
    qualifies = (length > 3) & alnum
    unsure = (count > 1) | (length > _STATION_MAX) | ~ascii_
    length = np.where(unsure, -1, np.where(qualifies, length, 0))
    return rows, start, length


def decode_buffer(blob: bytes, tag_of=None) -> dict:
    """Frame and decode every position report (types 1-3, 18) of a buffer of lines at once.

    No Python runs per line: each line's sentence is read through a fixed window
    (``sliding_window_view`` rows, a copy of ``WINDOW`` bytes per line), the NMEA fields
    are found at the few offsets a single-part sentence allows (a one-character sequence
    id and channel), payload bytes, fill, checksum (XOR over the window) and line end are
    checked with array operations, the first 28 payload characters re-mapped to base64
    and unpacked by ``b64decode``; tag blocks are parsed once per run of equal texts.
    The acceptance rules are those of :func:`frame_chunk`, except that a station named
    after the checksum (USCG/NAIS) is read here too (:func:`_stations`); anything else
    (other types, fragments, longer fields, blanks at the end, bad
    checksums or tag blocks, payloads too short for the fields kept) is listed in
    ``rest`` for :class:`jinghai.ais.nmea.LineParser`, which says what is wrong with it.

    Returns the columns of :func:`decode_positions` for the decoded lines plus ``line``
    (index of the line in the buffer), ``ts`` (tag block time, NaN without one),
    ``source`` (index into ``sources``, -1 without), ``payload`` (the payload characters,
    one row of ``PAYLOAD_CHARS`` bytes per decoded line) and ``rest``.
    """
    from jinghai.ais.nmea import parse_tag_block

    tag_of = tag_of or parse_tag_block
    blob_view = bytes(blob)
    a = np.frombuffer(blob, dtype=np.uint8)
    if len(a) and a[-1] != 10:
        blob_view += b"\n"
        a = np.frombuffer(blob_view, dtype=np.uint8)
    ends = np.flatnonzero(a == 10)
    n = len(ends)
    starts = np.zeros(n, dtype=np.int64)
    starts[1:] = ends[:-1] + 1
    size = len(a)
    a = np.concatenate([a, np.zeros(WINDOW + 2, dtype=np.uint8)])  # windows of the last line
    if n:  # CRLF: the line ends before the CR
        ends = ends - ((ends > starts) & (a[np.maximum(ends - 1, 0)] == 13))
    far = size + 1
    backslashes = np.flatnonzero(a == 92)
    first = a[starts]
    is_tag = first == 92
    tag_end = _next(backslashes, starts + 1, far)
    ss = np.where(is_tag, tag_end + 1, starts)
    cand = ((first == 33) | (is_tag & (tag_end < ends))) & (_next(backslashes, ss, far) >= ends)
    cand &= (ends - ss >= 13 + PAYLOAD_CHARS + 5) & (~is_tag | (tag_end - starts - 1 <= MAX_TAG))
    rows = np.flatnonzero(cand)
    ss_r = ss[rows]
    # the header ``!xxVDM,1,1,`` and where the payload starts (one-character sequence id
    # and channel, or none): read straight from the buffer, one byte per line each
    hdr = np.lib.stride_tricks.sliding_window_view(a, 15)[ss_r]
    ok = (hdr[:, 0] == 33) & (hdr[:, 3] == 86) & (hdr[:, 4] == 68) & (hdr[:, 5] == 77)
    ok &= (hdr[:, 6] == 44) & (hdr[:, 7] == 49) & (hdr[:, 8] == 44) & (hdr[:, 9] == 49)
    ok &= hdr[:, 10] == 44
    c3 = np.where(hdr[:, 11] == 44, 11, 12)
    ok &= _rows_at(hdr, c3) == 44
    c4 = np.where(_rows_at(hdr, c3 + 1) == 44, c3 + 1, c3 + 2)
    ok &= _rows_at(hdr, np.minimum(c4, 14)) == 44
    # one window per line aligned so that the payload is at column 13 whatever the header
    d = c4 - 12
    w = np.lib.stride_tricks.sliding_window_view(a, WINDOW)[ss_r + d]
    v, st0 = 13, 13 + PAYLOAD_CHARS + 2
    # GoFree (Navico) puts one more field before the fill bits: ``payload,0,0*hh``; the
    # fill is the last field, as parse_sentence reads it (a one-digit middle field here)
    mid = w[:, st0 - 1]
    gofree = (w[:, st0] == 44) & (mid >= 48) & (mid <= 57) & (w[:, st0 + 2] == 42)
    st = np.where(gofree, st0 + 2, st0)  # the column of '*'
    fill = _rows_at(w, st - 1).astype(np.int64) - 48
    ok &= (w[:, st0 - 2] == 44) & (_rows_at(w, st) == 42) & (fill >= 0) & (fill <= 5)
    ok &= _FAST_FIRST[w[:, v]]
    chars = np.ascontiguousarray(w[:, v:v + PAYLOAD_CHARS])
    bad = np.frombuffer(chars.tobytes().translate(_BAD_PAYLOAD), dtype=np.uint32)
    ok &= np.bitwise_or.reduce(bad.reshape(-1, PAYLOAD_CHARS // 4), axis=1) == 0
    # checksum: XOR of the window's first 40 bytes eight at a time, then 3 more (5 with
    # GoFree's field), corrected for the window's shift (it holds '!' when d is 0 and
    # misses a header byte when 2)
    x = np.bitwise_xor.reduce(w.view(np.uint64)[:, :5], axis=1)
    x ^= x >> np.uint64(32)
    x ^= x >> np.uint64(16)
    x ^= x >> np.uint64(8)
    got = (x & np.uint64(255)).astype(np.uint8) ^ w[:, 40] ^ w[:, 41] ^ w[:, 42]
    got ^= np.where(gofree, w[:, 43] ^ w[:, 44], 0).astype(np.uint8)
    got ^= np.where(d == 0, hdr[:, 0], np.where(d == 2, hdr[:, 1], 0)).astype(np.uint8)
    h1, h2 = _rows_at(w, st + 1), _rows_at(w, st + 2)
    ok &= _IS_HEX[h1] & _IS_HEX[h2] & (_HEX_BYTES[h1] * 16 + _HEX_BYTES[h2] == got)
    follows = _rows_at(w, st + 3)  # the byte after the checksum
    st = st + d
    # the line ends at the checksum, or (behind a tag block with a time) fields follow
    # (USCG/NAIS: a receiver time, maybe a station)
    line_end = ends[rows] - ss_r
    exact = st + 3 == line_end
    last = a[np.maximum(ends[rows] - 1, 0)]
    blank_end = (last <= 32) | (last == 0x85) | (last == 0xA0)
    tagged = is_tag[rows]
    suffix = tagged & (st + 3 < line_end) & (follows == 44)
    station_rows, station_at, station_len = _stations(a, size, suffix, ss_r + st + 3,
                                                      ends[rows])
    suffix[station_rows[station_len < 0]] = False  # unsure: the line parser decides
    ok &= (exact | suffix) & ~blank_end
    # tag blocks, parsed once per run of equal texts
    ts = np.full(len(rows), np.nan)
    source = np.full(len(rows), -1, dtype=np.int64)
    sources: list[str] = []
    names: dict = {}
    t_idx = np.flatnonzero(ok & tagged)
    if len(t_idx):
        t_rows = rows[t_idx]
        tlen = tag_end[t_rows] - starts[t_rows] - 1
        head = np.ones(len(t_rows), dtype=bool)
        for length in np.unique(tlen).tolist():  # equal texts have equal lengths
            sel = np.flatnonzero(tlen == length)
            tw = np.lib.stride_tricks.sliding_window_view(a, length)[starts[t_rows[sel]] + 1]
            head[sel[1:]] = (tw[1:] != tw[:-1]).any(axis=1)
        run = np.cumsum(head) - 1
        h_rows = np.flatnonzero(head)
        seen: dict = {}
        h_ts, h_src, h_ok = [], [], []
        for r in h_rows.tolist():
            at = starts[t_rows[r]] + 1
            text = blob_view[at:at + tlen[r]].decode("latin-1")
            tag = seen.get(text)
            if tag is None:
                tag = seen[text] = tag_of(text)
            h_ok.append(tag.ok and not tag.group)
            h_ts.append(np.nan if tag.ts is None else tag.ts)
            h_src.append(names.setdefault(tag.source, len(names)))
        sources = list(names)
        h_ts_a = np.array(h_ts, dtype=np.float64)
        good = np.array(h_ok, dtype=bool)[run] & ~(np.isnan(h_ts_a[run]) & suffix[t_idx])
        ok[t_idx] = good
        ts[t_idx] = h_ts_a[run]
        source[t_idx] = np.array(h_src, dtype=np.int64)[run]
    named = station_len > 0
    if named.any():
        # a station field after the checksum names the source (as parse_sentence does):
        # the few distinct names found once, from fixed-width rows of their bytes
        at, length = station_at[named], station_len[named]
        field = np.lib.stride_tricks.sliding_window_view(a, _STATION_MAX)[at].copy()
        field[np.arange(_STATION_MAX)[None, :] >= length[:, None]] = 0
        unique, inverse = np.unique(field.view(f"S{_STATION_MAX}")[:, 0], return_inverse=True)
        names_of = np.array([names.setdefault(u.decode("latin-1"), len(names))
                             for u in unique.tolist()], dtype=np.int64)
        source[station_rows[named]] = names_of[inverse.ravel()]
        sources = list(names)
    keep = np.flatnonzero(ok)
    raw = np.frombuffer(b64decode(chars[keep].tobytes().translate(_TO_B64)),
                        dtype=np.uint8).reshape(-1, 21)
    out = _position_columns(_raw_words(raw))
    line = rows[keep]
    rest = np.ones(n, dtype=bool)
    rest[line] = False
    return {**out, "line": line, "ts": ts[keep], "source": source[keep], "sources": sources,
            "payload": chars[keep], "rest": np.flatnonzero(rest & (ends > starts))}
