"""Inputs of the tip-off verbs (file one from the public, convert it to a clue, change its
status, propose a reward), shared by the service, the forms and the JSON API."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field, field_validator, model_validator

from jinghai.cases.models import RELIABILITY
from jinghai.db import utcnow
from jinghai.schemas import Input, choice
from jinghai.tipoffs.models import TIPOFF_STATUS

MAX_CONTENT = 2000


class TipOffIn(Input):
    """A tip-off as the public files it (submit_tipoff). The photo's size and kind are
    checked by the service, from its bytes."""

    content: str
    place: str = ""
    lon: float | None = Field(default=None, title="经度")
    lat: float | None = Field(default=None, title="纬度")
    occurred_at: datetime | None = None
    contact_name: str = ""
    contact_phone: str = ""
    photo: bytes | None = None

    @field_validator("content")
    @classmethod
    def _content(cls, v: str) -> str:
        if len(v.strip()) < 5:
            raise ValueError("请描述您看到的情况（至少 5 个字）")
        if len(v.strip()) > MAX_CONTENT:
            raise ValueError(f"内容不能超过 {MAX_CONTENT} 字")
        return v

    @model_validator(mode="after")
    def _rest(self) -> TipOffIn:
        if len(self.place) > 200 or len(self.contact_name) > 50 or len(self.contact_phone) > 30:
            raise ValueError("地点或联系方式过长")
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        if self.lon is not None and not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValueError("经纬度超出范围")
        if self.occurred_at is not None and self.occurred_at.tzinfo is None:
            raise ValueError("时间须带时区")
        if self.occurred_at is not None and self.occurred_at > utcnow() + timedelta(hours=1):
            raise ValueError("发生时间不能晚于现在")
        return self


class ConvertIn(Input):
    """Turn a tip-off into a clue, optionally handed to a unit (convert_to_clue)."""

    unit_key: str = ""
    reliability: str = "F"

    _reliability = choice("reliability", RELIABILITY, "来源可靠性应为 A–F")


class StatusIn(Input):
    """The office moves a tip-off along and may reply to the tipster (set_status)."""

    status: str
    reply: str = ""

    _status = choice("status", TIPOFF_STATUS, "状态不在可选范围内")


class RewardIn(Input):
    """A reward proposed for a tipster (propose_reward)."""

    amount: Decimal
    note: str = ""

    @field_validator("amount", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Decimal:
        try:
            value = Decimal(str(v).strip())
        except InvalidOperation:
            raise ValueError("奖励金额须为数字") from None
        if not value.is_finite() or value <= 0 or value > Decimal(1000000):
            raise ValueError("奖励金额应大于 0")
        return value


__all__ = ["ConvertIn", "RewardIn", "StatusIn", "TipOffIn"]
