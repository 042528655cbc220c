"""Inputs of the alert workflow verbs (acknowledge, close, and both in bulk), shared by the
service, the inbox forms and the JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from jinghai.alerts.models import OUTCOME_LABELS
from jinghai.schemas import Input


class AckIn(Input):
    """签收: the group has seen the alert and is on it (acknowledge_alert)."""

    note: str = ""


class CloseIn(Input):
    """Close with a judgement and a reason (close_alert): each detector's precision is
    computed from these judgements, so the reason is required."""

    outcome: str
    reason: str = Field(default="", validate_default=True)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, v: str) -> str:
        if v not in OUTCOME_LABELS:
            raise ValueError(f"处置结果须为 {'、'.join(OUTCOME_LABELS.values())} 之一")
        return v

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not (v or "").strip():
            raise ValueError("请填写关闭理由")
        return v.strip()


class BulkIn(Input):
    """The JSON API's bulk action: acknowledge, or close with one judgement and reason."""

    ids: list[int]
    action: Literal["acknowledge", "close"]
    outcome: str = "false_alarm"
    reason: str = ""
    note: str = ""

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, v: object) -> object:
        if v not in ("acknowledge", "close"):
            raise ValueError("action 须为 acknowledge 或 close")
        return v


__all__ = ["AckIn", "BulkIn", "CloseIn"]
