"""Inputs of the alert workflow verbs (acknowledge, close, and both in bulk), shared by the
service, the inbox forms and the JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from jinghai.alerts.models import OUTCOME_LABELS
from jinghai.schemas import Input, choice


class AckIn(Input):
    """签收: the group has seen the alert and is on it (acknowledge_alert)."""

    note: str = ""


class CloseIn(Input):
    """Close with a judgement and a reason (close_alert): each detector's precision is
    computed from these judgements, so the reason is required."""

    outcome: str
    reason: str = Field(default="", validate_default=True)

    _outcome = choice("outcome", OUTCOME_LABELS, f"处置结果须为 {'、'.join(OUTCOME_LABELS.values())} 之一")

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

    _action = choice("action", ("acknowledge", "close"), "action 须为 acknowledge 或 close", mode="before")


__all__ = ["AckIn", "BulkIn", "CloseIn"]
