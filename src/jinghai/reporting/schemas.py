"""Inputs of the daily report's verbs, shared by the service, the pages and the JSON API:
a section's figures, the office's review, the day's lock and unlock, and an exception for
one unit."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from jinghai.schemas import Input, choice


class EntryIn(Input):
    """A section's figures as saved or submitted. Numbers are checked by the form's rules
    (finite, bounded, whole where counted), the same as the page's; a value that is not one
    is named in the answer, never stored."""

    values: dict[str, str | float | int | None] = Field(default_factory=dict)
    comments: dict[str, str] = Field(default_factory=dict)
    reasons: dict[str, str] = Field(default_factory=dict)
    correction_reason: str = ""
    submit: bool = False


class ReviewIn(Input):
    """The office accepts a unit's section, or returns it (退回) with a reason
    (review_section)."""

    decision: str
    reason: str = ""

    _decision = choice("decision", ("accept", "return"), "审核操作只能是通过或退回", mode="before")

    @field_validator("reason")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _return_needs_reason(self) -> ReviewIn:
        if self.decision == "return" and not self.reason:
            raise ValueError("退回必须填写原因")
        return self

    @property
    def accept(self) -> bool:
        return self.decision == "accept"


class LockIn(Input):
    """Lock the day; with units outstanding only when ``confirm`` (lock_day)."""

    confirm: bool = False


def _reason(message: str):
    def check(cls: type, v: str) -> str:
        if not v.strip():
            raise ValueError(message)
        return v.strip()

    return classmethod(check)


class OpenIn(Input):
    """Open a locked day for one unit's section (open_day_for_unit)."""

    reason: str = Field(default="", validate_default=True)

    _check = field_validator("reason")(_reason("为单位开放修改必须填写原因"))


class UnlockIn(Input):
    """Unlock a locked day (unlock_day)."""

    reason: str = Field(default="", validate_default=True)

    _check = field_validator("reason")(_reason("解锁必须填写原因"))


__all__ = ["EntryIn", "LockIn", "OpenIn", "ReviewIn", "UnlockIn"]
