"""Masking personal data for users who may not see it."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****5678: enough to tell two owners apart on a call list, not enough to call."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id(code: str) -> str:
    code = code.strip()
    if len(code) <= 6:
        return "*" * len(code)
    return code[:2] + "*" * (len(code) - 6) + code[-4:]
