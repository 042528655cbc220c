"""Inputs of the supervision verbs, one pydantic model per verb, shared by the service, the
JSON API, the forms and the CLI. ``parse`` (from :mod:`jinghai.schemas`, re-exported here for
the callers that read it from this module) turns a validation failure into one Chinese
message (``InvalidInput``) that names the field and what to fix."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from jinghai.schemas import StrippedInput as _In
from jinghai.schemas import parse  # noqa: F401 - re-exported: callers read it from here
from jinghai.schemas import text_field as _text


class AssignTaskIn(_In):
    group_key: str = _text(64, "工作组")
    item_no: int = Field(ge=1, le=50, title="任务序号")
    unit_key: str = _text(64, "责任单位")
    person: str = _text(100, "责任人")
    deadline: date = Field(title="完成时限")


class TaskProgressIn(_In):
    status: Literal["assigned", "in_progress", "done"] = Field(title="状态")
    evidence: str = _text(2000, "完成情况", required=False)


class ProblemIn(_In):
    title: str = _text(200, "问题")
    description: str = _text(4000, "具体情况", required=False)
    unit_key: str = _text(64, "整改单位")
    deadline: date = Field(title="整改时限")
    source: Literal["supervision", "alert", "meeting", "report"] = Field(
        default="report", title="来源")
    source_id: int | None = Field(default=None, title="来源编号")


class NoteIn(_In):
    text: str = _text(4000, "整改进展")


class SignOffIn(_In):
    accept: bool = Field(title="审核结果")
    note: str = _text(2000, "审核意见", required=False)


class FindingIn(_In):
    title: str = _text(200, "发现问题")
    description: str = _text(4000, "具体情况", required=False)
    deadline: date = Field(title="整改时限")


class VisitIn(_In):
    team: str = _text(200, "督导组")
    inspectors: str = _text(300, "督导人员", required=False)
    place_kind: Literal["unit", "sub_district", "landing_point", "checkpoint"] = Field(
        title="督导对象类型")
    place: str = _text(200, "督导地点")
    unit_key: str = _text(64, "被督导单位")
    zone_id: str | None = Field(default=None, max_length=64, title="点位")
    visited_on: date = Field(title="督导日期")
    checked: str = _text(4000, "检查内容")
    findings: list[FindingIn] = Field(default_factory=list, title="发现问题")


class ListingIn(_In):
    target_kind: Literal["place", "unit"] = Field(title="挂牌对象")
    name: str = _text(200, "名称")
    unit_key: str = _text(64, "责任单位")
    zone_id: str | None = Field(default=None, max_length=64, title="点位")
    lon: float | None = Field(default=None, ge=-180, le=180, title="经度")
    lat: float | None = Field(default=None, ge=-90, le=90, title="纬度")
    reason: str = _text(4000, "挂牌原因")
    deadline: date = Field(title="整治时限")
    listed_on: date | None = Field(default=None, title="挂牌日期")


class DecisionIn(_In):
    title: str = _text(200, "议定事项")
    unit_key: str = _text(64, "落实单位")
    deadline: date = Field(title="完成时限")


class MeetingIn(_In):
    held_on: date = Field(title="会商日期")
    place: str = _text(200, "地点", required=False)
    chair: str = _text(100, "主持人", required=False)
    unit_keys: list[str] = Field(min_length=1, title="参会单位")
    topics: str = _text(4000, "会商议题")
    decisions: list[DecisionIn] = Field(default_factory=list, title="议定事项")


class CircularIn(_In):
    kind: Literal["warning", "bulletin"] = Field(title="通报类型")
    period_start: date = Field(title="通报期间起")
    period_end: date = Field(title="通报期间止")
    unit_key: str | None = Field(default=None, max_length=64, title="被通报单位")
    addressees: str = _text(500, "主送", required=False)
    cc: str = _text(500, "抄送", required=False)
    issued_on: date | None = Field(default=None, title="成文日期")
    remarks: str = _text(4000, "工作要求", required=False)

    @field_validator("unit_key")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None
