"""Inputs of the incident verbs (report an incident, void it), shared by the service, the
JSON API, the intake form and the demo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from jinghai.incidents.models import HEALTH_STATES, INCIDENT_KINDS
from jinghai.schemas import Input, choice


class IncidentIn(Input):
    """Report an incident (open_incident). A time without a zone is the operation's local
    time; the service places it."""

    kind: str
    persons: int
    occurred_at: datetime
    place: str = ""
    nationalities: str = ""
    health_state: str = "unknown"
    description: str = ""
    lon: float | None = Field(default=None, title="经度")
    lat: float | None = Field(default=None, title="纬度")

    _kind = choice("kind", INCIDENT_KINDS, "类型应为查获非法入境或海上求助入境")

    @field_validator("persons", mode="before")
    @classmethod
    def _persons_typed(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip().isdigit():
            raise ValueError("人数应为正整数")
        return v

    @field_validator("persons")
    @classmethod
    def _persons(cls, v: int) -> int:
        if not 1 <= v <= 10000:
            raise ValueError("人数应为 1–10000")
        return v

    _health = choice("health_state", HEALTH_STATES, "健康状况不在可选范围内")

    @model_validator(mode="after")
    def _position(self) -> IncidentIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("经度和纬度须同时填写")
        return self


class VoidIn(Input):
    """作废 an incident recorded in error (void_incident)."""

    reason: str

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("作废个案必须填写原因")
        return v


__all__ = ["IncidentIn", "VoidIn"]
