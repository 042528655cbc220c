"""Inputs of the patrol verbs, shared by the JSON API, the phone pages and the demo."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from jinghai.patrol.models import MissionKind

M = TypeVar("M", bound=BaseModel)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BoatIn(_In):
    name: str = Field(min_length=1, max_length=100)
    mmsi: int | None = Field(default=None, ge=100_000_000, le=999_999_999)
    boat_type: str = "patrol_boat"


class MissionStart(_In):
    kind: MissionKind
    title: str = Field(default="", max_length=200)
    crew_count: int = Field(ge=0, le=2000)
    vehicles: int = Field(default=0, ge=0, le=500)
    boats: list[BoatIn] = Field(default_factory=list, max_length=50)
    planned_area: dict[str, Any] | None = None
    start_at: AwareDatetime | None = None
    track_source: str = Field(default="phone", pattern="^(ais|phone)$")
    note: str = Field(default="", max_length=2000)
    unit_key: str | None = None  # the office may record for a unit


class MissionEnd(_In):
    end_at: AwareDatetime | None = None
    persons_checked: int = Field(default=0, ge=0, le=100_000)
    vehicles_checked: int = Field(default=0, ge=0, le=100_000)
    note: str = Field(default="", max_length=2000)


class PointIn(_In):
    ts: AwareDatetime
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)


class TrackIn(_In):
    points: list[PointIn] = Field(min_length=1, max_length=20_000)


class CheckInIn(_In):
    client_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    zone_id: str = Field(min_length=1, max_length=64)
    at: AwareDatetime
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    persons_checked: int = Field(default=0, ge=0, le=10_000)
    vessels_checked: int = Field(default=0, ge=0, le=1_000)
    finding: str = Field(default="", max_length=2000)
    make_clue: bool = False
    mission_id: int | None = None


class InspectionIn(_In):
    client_id: str | None = Field(default=None, min_length=8, max_length=64,
                                  pattern=r"^[A-Za-z0-9_-]+$")
    mission_id: int | None = None
    at: AwareDatetime | None = None
    place_kind: str = Field(default="sea", pattern="^(sea|checkpoint)$")
    registry_no: str = Field(default="", max_length=40)
    mmsi: int | None = Field(default=None, ge=100_000_000, le=999_999_999)
    vessel_name: str = Field(default="", max_length=100)
    persons_checked: int = Field(default=0, ge=0, le=10_000)
    illegal: bool = False
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    note: str = Field(default="", max_length=2000)


FIELD_LABELS = {
    "kind": "任务类型", "crew_count": "出动人数", "vehicles": "车辆数", "boats": "船只",
    "start_at": "开始时间", "end_at": "结束时间", "points": "轨迹点", "ts": "时间",
    "lon": "经度", "lat": "纬度", "client_id": "打卡编号", "zone_id": "打卡点位",
    "at": "时间", "persons_checked": "查验人数", "vessels_checked": "查验船数",
    "vehicles_checked": "查验车辆数", "mmsi": "MMSI", "name": "船名", "finding": "发现情况",
    "registry_no": "渔船编号", "vessel_name": "船名", "place_kind": "查验地点类型",
}


def parse(model: type[M], data: Any) -> M:
    """``model`` from untrusted data, or InvalidInput naming the fields in Chinese (never
    echoing the input)."""
    from pydantic import ValidationError

    from jinghai.errors import InvalidInput

    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        names = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ()) if not isinstance(p, int)]
            names.append(FIELD_LABELS.get(loc[-1], loc[-1]) if loc else "内容")
        raise InvalidInput("以下内容有误，请检查：" + "、".join(dict.fromkeys(names)),
                           details=[{"loc": list(e.get("loc", ())), "type": e.get("type")}
                                    for e in exc.errors()]) from None
