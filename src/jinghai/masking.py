"""The one masker of personal numbers: every list, detail page, export, graph and audit
detail masks phone and ID numbers here, in one style, so that a number never shows in
three shapes on three pages.

- phones: separators and a +86/0086 prefix dropped, then the first three and last four
  digits: ``138****5678``, ``+86 138****5678``, a landline ``057*****1234``;
- ID numbers (18 characters): the first two and last four: ``33************1234``;
- shorter documents (passports, up to 10): the first two and last two: ``C1****67``.

Enough to tell two apart on a list or a call sheet, not enough to use. Showing one in full
is a separate, logged act (a reveal).
"""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^\s*(\+\s*86|0086)[\s-]*")
SENSITIVE_KINDS = ("phone", "id_number")


def mask_phone(phone: str) -> str:
    text = (phone or "").strip()
    if not text:
        return ""
    m = _PREFIX.match(text)
    prefix = "+86 " if m else ""
    digits = re.sub(r"\D", "", text[m.end():] if m else text)
    if len(digits) <= 4:
        return prefix + "*" * len(digits)
    if len(digits) < 8:
        return prefix + "*" * (len(digits) - 2) + digits[-2:]
    return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id(code: str) -> str:
    c = re.sub(r"\s", "", code or "")
    if len(c) <= 6:
        return "*" * len(c)
    if len(c) <= 10:
        return c[:2] + "*" * (len(c) - 4) + c[-2:]
    return c[:2] + "*" * (len(c) - 6) + c[-4:]


def mask_name(name: str) -> str:
    """王** / N*********: a person's name in an audit detail, enough to tell a change."""
    n = (name or "").strip()
    return n[:1] + "*" * (len(n) - 1) if n else ""


def mask_value(kind: str, value: str) -> str:
    """Mask ``value`` if ``kind`` is a personal number (``phone``, ``id_number``)."""
    if kind == "phone":
        return mask_phone(value)
    if kind == "id_number":
        return mask_id(value)
    return value


# Numbers in free text: an 18-character ID, a mobile (with or without +86 and separators),
# a landline with its area code. Deliberately broad: over-masking an audit detail is safe.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:\+\s*86|0086)[\s-]*)?(?:1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{7,8})(?!\d)")


def mask_numbers_in_text(text: str) -> str:
    """Every ID and phone number in ``text`` masked: for details that must not carry them
    (the audit trail), where the recognised-entity masker of clues is not needed."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


#: Fields whose values are personal: the audit trail keeps them masked.
PERSONAL_FIELDS = {"phone": mask_phone, "id_code": mask_id, "id_number": mask_id,
                   "document": mask_id, "contact_phone": mask_phone}
