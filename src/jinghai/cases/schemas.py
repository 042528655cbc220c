"""Inputs of the clue and case verbs, one model per verb, shared by the service, the JSON
API, the forms and the demo. Each checks what needs no database and says what to fix in
Chinese; the service checks permissions, existence and the unit's defaults."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field, field_validator, model_validator

from jinghai.cases.models import (
    ENTITY_KINDS,
    PARTY_LABELS,
    RELIABILITY,
    ClueSource,
    LineOfWork,
    SeizureCategory,
)
from jinghai.schemas import Input, choice

#: Bounds of one seizure record: far above any real one, far below what breaks a column.
MAX_TONNES = Decimal(100000)
MAX_QUANTITY = 100000
GOODS = {c.value for c in SeizureCategory} - {"vehicle", "vessel", "person"}


def _line(value: str) -> str:
    value = value.strip()
    if value and value not in {v.value for v in LineOfWork}:
        raise ValueError("工作条线应为“偷渡/非法入境”或“走私”")
    return value


class EntityIn(Input):
    """An entity as typed on a form or sent to the API; ``fields`` carries the rest of a
    person (id_number, phone, nationality) or a vessel (mmsi, registry_number)."""

    kind: str
    value: str
    fields: dict[str, str] = Field(default_factory=dict)

    _kind = choice("kind", ENTITY_KINDS, lambda v: f"未知的实体类型：{v}")

    @field_validator("value")
    @classmethod
    def _value(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("实体内容不能为空")
        return v


class ClueIn(Input):
    """Record a clue (create_clue)."""

    source_kind: str
    reliability: str = "F"
    content: str
    title: str = ""
    source_detail: str = ""
    occurred_at: datetime | None = None
    place: str = ""
    lon: float | None = Field(default=None, title="经度")
    lat: float | None = Field(default=None, title="纬度")
    entities: list[EntityIn] = Field(default_factory=list)
    line: str = ""  # illegal_entry | smuggling; empty: the recording unit's line

    _source = choice("source_kind", {s.value for s in ClueSource}, "线索来源应为：系统预警、部门通报、巡查发现、群众举报、研判发现之一")

    _reliability = choice("reliability", RELIABILITY, "来源可靠性应为 A–F")

    @field_validator("content")
    @classmethod
    def _content(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("请填写线索内容")
        if len(v) > 20000:
            raise ValueError("线索内容过长（不超过 20000 字）")
        return v

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("时间须带时区")
        return v

    _check_line = field_validator("line")(_line)

    @model_validator(mode="after")
    def _position(self) -> ClueIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        if self.lon is not None and not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValueError("经纬度超出范围")
        return self


class LinkIn(Input):
    """An analyst links two clues by hand (link_clues)."""

    clue_a_id: int
    clue_b_id: int
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _two(self) -> LinkIn:
        if self.clue_a_id == self.clue_b_id:
            raise ValueError("不能与自身串并")
        return self


class CaseIn(Input):
    """Open a case from clues (open_case)."""

    title: str
    clue_ids: list[int]
    summary: str = ""
    line: str = ""  # illegal_entry | smuggling; empty: the clues' line

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("请填写案件名称")
        return v

    @field_validator("clue_ids")
    @classmethod
    def _clues(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("立案须至少关联一条线索")
        return v

    _check_line = field_validator("line")(_line)


class MeasureIn(Input):
    """A coercive measure or a referral for prosecution, one per person (add_measure)."""

    person_name: str
    kind: str
    day: date
    id_number: str = ""
    note: str = ""

    _kind = choice("kind", ("coercive", "prosecution_referral"), "措施类型应为采取强制措施或起送审查起诉")

    @field_validator("person_name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("请填写人员姓名")
        return v


class PartyIn(Input):
    """An illegal employer or illegal foreign worker found in a case (add_party)."""

    kind: str
    name: str = Field(max_length=200)
    day: date
    nationality: str = ""
    document: str = ""
    employer: str = ""
    place: str = ""
    note: str = ""

    _kind = choice("kind", PARTY_LABELS, "类型应为非法用工单位或非法务工外籍人员")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("请填写单位名称或人员姓名")
        return v

    @field_validator("document")
    @classmethod
    def _document(cls, v: str) -> str:
        if len(v.strip()) > 60:
            raise ValueError("证件号码过长")
        return v


class SeizureIn(Input):
    """What a case seized (record_seizure): vehicles, vessels and persons count by
    quantity; goods by tonnes (反走私)."""

    category: str
    day: date
    quantity: int = 0
    tonnes: Decimal = Decimal(0)
    description: str = ""

    _category = choice("category", {c.value for c in SeizureCategory}, "查获类别不在方案所列范围内")

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip() or "0"
            if not v.isdigit():
                raise ValueError("数量应为整数")
        return v

    @field_validator("tonnes", mode="before")
    @classmethod
    def _tonnes(cls, v: Any) -> Decimal:
        try:
            t = Decimal(str(v or 0).strip() or 0)
        except (ArithmeticError, InvalidOperation):
            raise ValueError("吨数须为数字") from None
        if not t.is_finite():
            raise ValueError("吨数须为有限的数字")
        return t

    @model_validator(mode="after")
    def _amounts(self) -> SeizureIn:
        t, quantity = self.tonnes, self.quantity
        if quantity < 0 or t < 0:
            raise ValueError("数量和吨数不能为负")
        if t > MAX_TONNES or quantity > MAX_QUANTITY:
            raise ValueError(f"数量或吨数超出合理范围（每次查获不超过 {MAX_QUANTITY} 件、"
                             f"{MAX_TONNES} 吨），请核对")
        if t != t.quantize(Decimal("0.001")):
            raise ValueError("吨数最多保留 3 位小数")
        if self.category in GOODS and t == 0 and quantity == 0:
            raise ValueError("请填写物品吨数或数量")
        if self.category not in GOODS and quantity <= 0:
            raise ValueError("请填写查获数量")
        return self


__all__ = ["CaseIn", "ClueIn", "EntityIn", "LinkIn", "MeasureIn", "PartyIn", "SeizureIn"]
