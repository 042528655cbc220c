"""Inputs of the outreach verbs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from jinghai.schemas import StrippedInput as _In
from jinghai.schemas import text_field as _text


class OutreachIn(_In):
    day: date = Field(title="日期")
    audience: Literal["shipping_company", "shipyard", "owner", "worker"] = Field(
        title="宣传对象")
    count: int = Field(ge=1, le=10000, title="数量")
    place: str = _text(200, "地点")
    materials: str = _text(2000, "宣传材料", required=False)
