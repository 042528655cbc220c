"""Masking personal data: the platform's one masker, :mod:`jinghai.masking`."""

from __future__ import annotations

from jinghai.masking import mask_id, mask_phone

__all__ = ["mask_id", "mask_phone"]
