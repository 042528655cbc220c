"""Recognise identifiers in free text (clue content, tip-offs) and normalise them.

Clues arrive as prose typed by patrol officers, analysts and the public, so the same phone
number shows up as ``13812345678``, ``138-1234-5678`` or ``+86 138 1234 5678``. Linking
(:mod:`jinghai.cases.linking`) compares normalised values, so every kind here has one
canonical form:

=============  =======================================  ==========================
kind           recognised                               normalised value
=============  =======================================  ==========================
``id_number``  18-digit resident ID (GB 11643-1999,      18 characters, ``X`` upper
               ISO 7064 MOD 11-2 check digit), 15-digit
               old form (converted to 18 digits)
``phone``      mainland mobile, with or without +86 /   11 digits
               0086 / (+86), spaces, dashes, dots
``landline``   area code + 7–8 digits (0574-86881234)   ``0574-86881234``
``plate``      vehicle plate, incl. new-energy (D/F)    ``浙B12345``, ``浙BD12345``
``mmsi``       9 digits after "MMSI", or a Chinese      9 digits
               MID (412/413/414) standing alone
``vessel_name`` registry-style names (浙象渔12345,       ``浙象渔12345`` / ``海星``
               浙甬渔运00123) and quoted names “海星”号
=============  =======================================  ==========================

Kinds are matched in that order and a later kind never overlaps an earlier span, and every
digit pattern refuses to start or end inside a longer run of digits: so a phone number is
never found inside an ID number, nor an MMSI inside a phone number. An 18-digit run whose
check digit fails is *not* reported as an ID number (a mistyped ID would link wrong
people); it is left alone rather than re-read as a phone number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "EntitySpan",
    "extract_entities",
    "id_check_digit",
    "is_valid_id_number",
    "normalise_id_number",
    "normalise_mmsi",
    "normalise_phone",
    "normalise_plate",
    "normalise_vessel_name",
    "to_halfwidth",
]

KINDS = ("id_number", "phone", "landline", "plate", "mmsi", "vessel_name")


@dataclass(frozen=True, order=True)
class EntitySpan:
    """One identifier found in a text: where, as written, and in canonical form."""

    start: int
    end: int
    kind: str
    raw: str
    value: str


# --- width and numerals ------------------------------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (１３８, ＭＭＳＩ) to half-width, one character for one, so spans
    found in the result index the original text too (NFKC would not keep lengths)."""
    return text.translate(_FULLWIDTH)


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL_RUN = re.compile(r"[〇零一二两三四五六七八九十百千]+")


def _cn_numeral(run: str) -> str:
    """``一二三`` → ``123`` (digit by digit, as hull numbers are read out) and positional
    ``二十三`` / ``一百零五`` → ``23`` / ``105`` when a unit character is present."""
    if not any(u in run for u in "十百千"):
        return "".join(str(_CN_DIGITS[c]) for c in run)
    total, digit = 0, 0
    for c in run:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (digit or 1) * unit
            digit = 0
    return str(total + digit)


# --- ID numbers ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of an 18-digit resident ID (GB 11643-1999)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _plausible_birth(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return born.year >= 1900


def is_valid_id_number(value: str) -> bool:
    """18 characters, a region code not starting with 0, a real birth date, and the check
    digit right."""
    v = to_halfwidth(value).strip().upper()
    return (len(v) == 18 and v[:17].isdigit() and v[0] != "0"
            and _plausible_birth(v[6:14]) and id_check_digit(v[:17]) == v[17])


def normalise_id_number(value: str) -> str | None:
    """Canonical 18-character ID, or ``None`` if it is not a valid one. The 15-digit form
    (issued before 1999, born 19xx) is widened with ``19`` and its check digit, so both
    forms of one person's number link."""
    v = re.sub(r"[\s\-]", "", to_halfwidth(value)).upper()
    if len(v) == 15 and v.isdigit() and v[0] != "0" and _plausible_birth("19" + v[6:12]):
        v17 = v[:6] + "19" + v[6:]
        return v17 + id_check_digit(v17)
    return v if is_valid_id_number(v) else None


# --- patterns -----------------------------------------------------------------------------

_SEP = r"[ \-.·]?"
_CC = r"(?:[(（]\s*(?:\+|00)?\s*86\s*[)）]|(?:\+|00)\s*86|86(?=[ \-]))[ \-]*"
_MOBILE = re.compile(rf"(?<![\d+])(?:{_CC}|(?<!\d))(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
# 13 bare digits starting 86 (8613812345678) are written often enough to be worth a rule.
_MOBILE_86 = re.compile(r"(?<!\d)86(1[3-9]\d{9})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0(?:10|2\d|[3-9]\d{2}))[ \-]?(\d{3,4})[ \-]?(\d{4})(?!\d)")
_LANDLINE_PAREN = re.compile(r"[(（](0(?:10|2\d|[3-9]\d{2}))[)）]\s*(\d{3,4})[ \-]?(\d{4})(?!\d)")
_ID18 = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])")
_ID15 = re.compile(r"(?<![\dA-Za-z])(\d{15})(?![\dA-Za-z])")

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"(?<![A-Za-z0-9])([{PROVINCES}])\s?([A-HJ-NP-Za-hj-np-z])\s?[·•.\- ]?\s?"
    r"([A-HJ-NP-Za-hj-np-z0-9]{5,6})(挂|学|警)?(?![A-Za-z0-9])"
)
_MMSI_CONTEXT = re.compile(r"(?i)MMSI\s*(?:号|码|number|no\.?)?\s*[:：=]?\s*(\d{9})(?!\d)")
_MMSI_CN = re.compile(r"(?<![\d+])(41[234]\d{6})(?!\d)")

_NUM = r"[0-9〇零一二两三四五六七八九十百千]"
_VESSEL_REG = re.compile(
    rf"([{PROVINCES}])([\u4e00-\u9fff]{{1,2}}?)(渔运|渔冷|渔辅|渔|货|油|运|客|拖)"
    rf"\s?({_NUM}{{3,6}})(?![0-9])(号)?"
)
_VESSEL_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’\n]{1,20})[”\"」』’]\s?号")


# --- normalisers for structured fields (forms, ORM rows) -----------------------------------

def normalise_phone(value: str) -> str | None:
    """Canonical form of one phone number typed in a form field: 11-digit mobile or
    ``0574-86881234``; ``None`` if the field is not one phone number."""
    spans = [s for s in extract_entities(value) if s.kind in ("phone", "landline")]
    if len(spans) == 1:
        return spans[0].value
    digits = re.sub(r"\D", "", to_halfwidth(value))
    if len(digits) == 11 and re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    return None


def normalise_plate(value: str) -> str | None:
    """``浙b·12345`` → ``浙B12345``; ``None`` if not a plate."""
    spans = [s for s in extract_entities(value) if s.kind == "plate"]
    return spans[0].value if len(spans) == 1 else None


def normalise_mmsi(value: str | int) -> str | None:
    """Nine digits, or ``None``: an MMSI field holds nothing else."""
    v = re.sub(r"\s", "", to_halfwidth(str(value)))
    return v if re.fullmatch(r"\d{9}", v) else None


def normalise_vessel_name(value: str) -> str:
    """The key two spellings of one vessel share: half-width, no spaces, quotes or
    trailing 号, Chinese numerals as digits, Latin letters upper case. ``浙象渔１２３４５号``,
    ``浙象渔 12345`` and ``浙象渔一二三四五`` all give ``浙象渔12345``."""
    v = to_halfwidth(value).strip()
    v = re.sub(r"[\s“”\"「」『』‘’'·]", "", v)
    v = v.removesuffix("号").removesuffix("轮")
    v = _CN_NUMERAL_RUN.sub(lambda m: _cn_numeral(m.group(0)), v)
    return v.upper()


def _plate_value(prov: str, letter: str, tail: str, suffix: str | None) -> str | None:
    tail = tail.upper()
    if sum(c.isdigit() for c in tail) < 3:
        return None  # "浙Beilun…" is prose, not a plate
    if len(tail) == 6 and not (tail[0] in "DF" or tail[-1] in "DF"):
        return None  # six characters only on new-energy plates
    return prov + letter.upper() + tail + (suffix or "")


# --- extraction ---------------------------------------------------------------------------

def extract_entities(text: str) -> list[EntitySpan]:
    """All identifiers in ``text``, as non-overlapping spans in text order.

    Kinds are tried from the most to the least self-checking (ID numbers carry a check
    digit; a bare 9-digit number is the weakest guess), and a span is kept only if it does
    not overlap one already taken.
    """
    t = to_halfwidth(text)
    found: list[EntitySpan] = []
    taken: list[tuple[int, int]] = []

    def take(start: int, end: int, kind: str, value: str) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(EntitySpan(start, end, kind, text[start:end], value))

    # Every 15/18-digit run is claimed first, valid or not, so no phone or MMSI is read out
    # of the middle of an ID number.
    blocked: list[tuple[int, int]] = []
    for m in _ID18.finditer(t):
        v = m.group(1).upper()
        if is_valid_id_number(v):
            take(m.start(1), m.end(1), "id_number", v)
        else:
            blocked.append(m.span(1))
    for m in _ID15.finditer(t):
        v = normalise_id_number(m.group(1))
        if v:
            take(m.start(1), m.end(1), "id_number", v)
        else:
            blocked.append(m.span(1))
    taken.extend(blocked)

    for m in _MOBILE.finditer(t):
        take(m.start(), m.end(), "phone", "".join(m.groups()))
    for m in _MOBILE_86.finditer(t):
        take(m.start(), m.end(), "phone", m.group(1))
    for rx in (_LANDLINE_PAREN, _LANDLINE):
        for m in rx.finditer(t):
            take(m.start(), m.end(), "landline", f"{m.group(1)}-{m.group(2)}{m.group(3)}")
    for m in _PLATE.finditer(t):
        v = _plate_value(*m.groups())
        if v:
            take(m.start(), m.end(), "plate", v)
    for rx in (_MMSI_CONTEXT, _MMSI_CN):
        for m in rx.finditer(t):
            take(m.start(1), m.end(1), "mmsi", m.group(1))
    for m in _VESSEL_REG.finditer(t):
        take(m.start(), m.end(), "vessel_name", normalise_vessel_name(m.group(0)))
    for m in _VESSEL_QUOTED.finditer(t):
        take(m.start(), m.end(), "vessel_name", normalise_vessel_name(m.group(1)))
    return sorted(found)
