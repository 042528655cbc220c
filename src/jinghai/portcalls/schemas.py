"""Input of the port-report verb (进出港报告: the form, an owner's link, a spreadsheet row,
the JSON API): one model, which reads the ways people write a direction, a time and a
count; the service checks what needs the registry (the vessel, the port) and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import field_validator

from jinghai.schemas import Input

TZ = ZoneInfo("Asia/Shanghai")
MAX_CREW = 200
DIRECTIONS = {"entry": "entry", "exit": "exit", "进港": "entry", "出港": "exit", "入港": "entry",
              "进": "entry", "出": "exit", "in": "entry", "out": "exit"}


class PortReportIn(Input):
    """What a report says. ``event_time`` may be naive or text: it is then local time
    (Asia/Shanghai), as owners and spreadsheets write it; it is kept in UTC."""

    vessel: str = ""  # registry number (渔船编号), or the vessel id as text; a link's own
    direction: str
    port: str  # port zone id or name, or a free port name
    event_time: datetime
    crew_count: int
    reporter_name: str = ""
    reporter_phone: str = ""
    note: str = ""

    @field_validator("vessel", "port", "reporter_name", "reporter_phone", "note",
                     mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if v is None else str(v) if isinstance(v, int | float) else v

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, v: Any) -> str:
        direction = DIRECTIONS.get(str(v).strip().lower())
        if direction is None:
            raise ValueError("方向只能是“进港”或“出港”")
        return direction

    @field_validator("event_time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> datetime:
        if isinstance(value, str):
            text = value.strip().replace("/", "-").replace("T", " ")
            for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f"):
                try:
                    value = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(f"时间“{value}”无法识别，请写成 2026-11-20 08:30")
        if not isinstance(value, datetime):  # a ValueError, which pydantic reports
            raise ValueError(f"时间“{value}”无法识别，请写成 2026-11-20 08:30")  # noqa: TRY004
        if value.tzinfo is None:
            value = value.replace(tzinfo=TZ)
        return value.astimezone(UTC)

    @field_validator("crew_count", mode="before")
    @classmethod
    def _crew(cls, v: Any) -> int:
        try:
            crew = int(str(v).strip())
        except ValueError:
            raise ValueError("船上人数须为整数") from None
        if not 0 <= crew <= MAX_CREW:
            raise ValueError(f"船上人数须在 0–{MAX_CREW} 之间")
        return crew


__all__ = ["DIRECTIONS", "MAX_CREW", "PortReportIn"]
