"""Inputs of the inbound-ship verbs."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import Field, field_validator, model_validator

from jinghai.schemas import StrippedInput as _In
from jinghai.schemas import text_field as _text


class CrewIn(_In):
    name: str = _text(100, "姓名")
    nationality: str = _text(60, "国籍")
    document: str = Field(min_length=3, max_length=40, title="证件号码")
    health: str = Field(default="well", pattern="^(well|fever|sick|isolated)$",
                        title="健康状况")
    note: str = _text(500, "备注", required=False)


def _unique(crew: list[CrewIn]) -> list[CrewIn]:
    seen = set()
    for c in crew:
        key = (c.document.upper(), c.nationality)
        if key in seen:
            raise ValueError(f"证件号码重复（{c.name}）")
        seen.add(key)
    return crew


class ShipIn(_In):
    report_date: date = Field(title="日期")
    name: str = _text(100, "船名")
    imo: str = Field(default="", max_length=10, title="IMO")
    mmsi: str = Field(default="", max_length=9, title="MMSI")
    flag: str = _text(60, "船籍")
    eta: datetime = Field(title="抵港时间")
    berth: str = _text(100, "泊位", required=False)
    last_port: str = _text(100, "上一港", required=False)
    crew_change_requested: bool = Field(default=False, title="申请换班")
    crew: list[CrewIn] = Field(min_length=1, title="船员名单")

    @field_validator("imo")
    @classmethod
    def _imo(cls, v: str) -> str:
        if v and not re.fullmatch(r"\d{7}", v):
            raise ValueError("IMO 编号应为7位数字")
        return v

    @field_validator("mmsi")
    @classmethod
    def _mmsi(cls, v: str) -> str:
        if v and not re.fullmatch(r"\d{9}", v):
            raise ValueError("MMSI 应为9位数字")
        return v

    @field_validator("eta")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("时间须带时区")
        return v

    @field_validator("crew")
    @classmethod
    def _crew_unique(cls, v: list[CrewIn]) -> list[CrewIn]:
        return _unique(v)

    @model_validator(mode="after")
    def _identified(self) -> ShipIn:
        if not self.imo and not self.mmsi:
            raise ValueError("IMO 和 MMSI 至少填写一项")
        return self


class DepartureIn(_In):
    departed_at: datetime = Field(title="离港时间")
    crew: list[CrewIn] = Field(min_length=1, title="离港船员名单")

    @field_validator("departed_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("时间须带时区")
        return v

    @field_validator("crew")
    @classmethod
    def _crew_unique(cls, v: list[CrewIn]) -> list[CrewIn]:
        return _unique(v)
