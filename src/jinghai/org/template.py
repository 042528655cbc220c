"""Read and check an operation template (YAML) before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from jinghai.errors import InvalidInput


class UnitSpec(BaseModel):
    key: str
    name: str
    kind: str = "agency"
    parent: str = ""

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in {"agency", "sub_district", "office"}:
            raise ValueError("kind must be agency, sub_district or office")
        return v


class GroupSpec(BaseModel):
    key: str
    number: int
    name: str
    lead: str
    cooperating: list[str] = Field(default_factory=list)
    reporting_units: list[str]


class TaskSpec(BaseModel):
    title: str
    items: list[str]


class OperationSpec(BaseModel):
    key: str
    name: str
    short_name: str
    district: str
    office_name: str
    report_caption: str
    reports_to: str = ""
    start_date: date
    timezone: str = "Asia/Shanghai"
    # The daily report's deadline, local time (HH:MM). Late submissions are marked, not refused.
    report_deadline: str = "17:00"

    @field_validator("report_deadline")
    @classmethod
    def _deadline(cls, v: str) -> str:
        hh, _, mm = v.partition(":")
        if not (hh.isdigit() and mm.isdigit() and 0 <= int(hh) < 24 and 0 <= int(mm) < 60):
            raise ValueError("report_deadline must be HH:MM")
        return f"{int(hh):02d}:{int(mm):02d}"


class TemplateSpec(BaseModel):
    operation: OperationSpec
    units: list[UnitSpec]
    groups: list[GroupSpec]
    tasks: dict[str, TaskSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> TemplateSpec:
        keys = [u.key for u in self.units]
        if len(keys) != len(set(keys)):
            raise ValueError("unit keys must be unique")
        known = set(keys)
        for g in self.groups:
            for ref in [g.lead, *g.cooperating, *g.reporting_units]:
                if ref not in known:
                    raise ValueError(f"group {g.key} names unknown unit {ref}")
            if not g.reporting_units:
                raise ValueError(f"group {g.key} has no reporting unit")
        for key in self.tasks:
            if key not in {g.key for g in self.groups}:
                raise ValueError(f"task for unknown group {key}")
        return self


@dataclass(frozen=True)
class LoadedTemplate:
    spec: TemplateSpec
    text: str


def parse_template(text: str) -> LoadedTemplate:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"模板不是有效的 YAML: {exc}") from exc
    try:
        spec = TemplateSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"模板内容有误: {exc}") from exc
    return LoadedTemplate(spec=spec, text=text)


def load_template(path: Path | None = None) -> LoadedTemplate:
    if path is None:
        text = resources.files("jinghai.templates_data").joinpath("beilun.yaml").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse_template(text)
