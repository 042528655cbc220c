"""Inputs of the vessel registry verbs, shared by the forms, the JSON API and the roster
import: a vessel (new or changed), its owner, an inspection, a three-no vessel and its next
step. Each reads what people and spreadsheets write ("在册", "个人", 4.12E+08) and says in
Chinese what to fix; the service checks uniqueness, permissions and the steps' order."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field, field_validator

from jinghai.db import utcnow
from jinghai.schemas import Input

MMSI_RE = re.compile(r"^\d{9}$")
OWNER_KIND_WORDS = {"enterprise": "enterprise", "企业": "enterprise", "公司": "enterprise",
                    "individual": "individual", "个人": "individual"}
STATUS_WORDS = {"active": "active", "在册": "active", "在册作业": "active", "正常": "active",
                "laid_up": "laid_up", "停港": "laid_up", "休渔": "laid_up", "停港/休渔": "laid_up",
                "repair": "repair", "修造": "repair", "修造中": "repair",
                "deregistered": "deregistered", "注销": "deregistered", "已注销": "deregistered",
                "scrapped": "scrapped", "拆解": "scrapped", "已拆解": "scrapped"}


def text(value: object, limit: int) -> str:
    """Stripped text of at most ``limit`` characters (a cell may hold a number)."""
    out = "" if value is None else str(value).strip()
    if len(out) > limit:
        raise ValueError(f"内容过长（最多 {limit} 个字符）: {out[:20]}…")
    return out


def _decimal(value: object, label: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{label}应为数字: {value}") from None
    if not number.is_finite() or number <= 0 or number > 100000:
        raise ValueError(f"{label}应为正数: {value}")
    return number.quantize(Decimal("0.01"))


def clean_mmsi(value: object) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    out = out.removesuffix(".0")  # spreadsheets hand numbers back as floats
    if out == "":
        return None
    if not MMSI_RE.match(out):
        raise ValueError(f"MMSI 应为 9 位数字: {out}")
    return out


def _aware(value: datetime | None, label: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{label}缺少时区")
    return value


class OwnerIn(Input):
    """A vessel's owner, matched or created with the vessel (add_owner, find_or_add_owner)."""

    kind: str = Field(default="", validate_default=True)
    name: str = Field(default="", validate_default=True)
    phone: str = ""
    id_code: str = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> str:
        kind = OWNER_KIND_WORDS.get(text(v, 20).lower())
        if kind is None:
            raise ValueError(f"船东类型应为“企业”或“个人”: {v or '（空）'}")
        return kind

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> str:
        name = text(v, 200)
        if not name:
            raise ValueError("船东名称不能为空")
        return name

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v: Any) -> str:
        phone = text(v, 40)
        if phone and not re.fullmatch(r"[0-9+\-\s]{5,40}", phone):
            raise ValueError(f"联系电话格式有误: {phone}")
        return phone

    @field_validator("id_code", mode="before")
    @classmethod
    def _id_code(cls, v: Any) -> str:
        return text(v, 40)


class _VesselFields(Input):
    """The cleaning every vessel field gets, on a new vessel and on a change."""

    @field_validator("registry_no", mode="before", check_fields=False)
    @classmethod
    def _registry_no(cls, v: Any) -> str:
        out = text(v, 40)
        if not out:
            raise ValueError("渔船编号不能为空")
        return out

    @field_validator("name", mode="before", check_fields=False)
    @classmethod
    def _name(cls, v: Any) -> str:
        out = text(v, 100)
        if not out:
            raise ValueError("船名不能为空")
        return out

    @field_validator("home_port", mode="before", check_fields=False)
    @classmethod
    def _home_port(cls, v: Any) -> str:
        return text(v, 100)

    @field_validator("beidou_no", mode="before", check_fields=False)
    @classmethod
    def _beidou_no(cls, v: Any) -> str:
        return text(v, 40)

    @field_validator("mmsi", mode="before", check_fields=False)
    @classmethod
    def _mmsi(cls, v: Any) -> str | None:
        return clean_mmsi(v)

    @field_validator("length_m", mode="before", check_fields=False)
    @classmethod
    def _length(cls, v: Any) -> Decimal | None:
        return _decimal(v, "船长")

    @field_validator("tonnage", mode="before", check_fields=False)
    @classmethod
    def _tonnage(cls, v: Any) -> Decimal | None:
        return _decimal(v, "总吨位")

    @field_validator("status", mode="before", check_fields=False)
    @classmethod
    def _status(cls, v: Any) -> str:
        word = text(v, 20) or "active"
        status = STATUS_WORDS.get(word.lower()) or STATUS_WORDS.get(word)
        if status is None:
            raise ValueError(f"状态无法识别: {word}")
        return status

    @field_validator("owner_id", mode="before", check_fields=False)
    @classmethod
    def _owner_id(cls, v: Any) -> Any:
        return None if v == "" else v


class VesselIn(_VesselFields):
    """A vessel added to the roster (add_vessel), with its owner or the id of one."""

    registry_no: str = Field(default="", validate_default=True)
    name: str = Field(default="", validate_default=True)
    home_port: str = ""
    mmsi: str | None = None
    beidou_no: str = ""
    length_m: Decimal | None = None
    tonnage: Decimal | None = None
    status: str = "active"
    owner: OwnerIn | None = None
    owner_id: int | None = None


#: The vessel's own columns, as ``VesselIn`` and ``VesselPatch`` name them.
VESSEL_FIELDS = ("registry_no", "name", "home_port", "mmsi", "beidou_no", "length_m",
                 "tonnage", "status")


class VesselPatch(_VesselFields):
    """A change to a vessel (update_vessel): only the fields given are changed; an empty
    ``owner_id`` takes the owner off."""

    registry_no: str | None = None
    name: str | None = None
    home_port: str | None = None
    mmsi: str | None = None
    beidou_no: str | None = None
    length_m: Decimal | None = None
    tonnage: Decimal | None = None
    status: str | None = None
    owner_id: int | None = None


class InspectionIn(Input):
    """An inspection of a vessel (record_inspection); ``token`` is the scanned code when the
    API records a scan."""

    token: str | None = Field(None, description="the QR token, when recorded by a scan")
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    note: str = ""

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, v: Any) -> str:
        return text(v, 200)

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, v: Any) -> str:
        return text(v, 2000)

    @field_validator("lat")
    @classmethod
    def _lat(cls, v: float | None) -> float | None:
        if v is not None and not -90 <= v <= 90:
            raise ValueError("纬度超出范围")
        return v

    @field_validator("lon")
    @classmethod
    def _lon(cls, v: float | None) -> float | None:
        if v is not None and not -180 <= v <= 180:
            raise ValueError("经度超出范围")
        return v


class ThreeNoIn(Input):
    """A three-no vessel found, seized on the spot when ``seized_at`` is given
    (record_three_no)."""

    found_at: datetime
    place: str = Field(default="", validate_default=True)
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    seized_at: datetime | None = None

    @field_validator("found_at")
    @classmethod
    def _found(cls, v: datetime) -> datetime:
        _aware(v, "发现时间")
        if v > utcnow():
            raise ValueError("发现时间不能晚于现在")
        return v

    @field_validator("seized_at")
    @classmethod
    def _seized(cls, v: datetime | None) -> datetime | None:
        return _aware(v, "查扣时间")

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, v: Any) -> str:
        out = text(v, 200)
        if not out:
            raise ValueError("发现地点不能为空")
        return out

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, v: Any) -> str:
        return text(v, 4000)


class AdvanceIn(Input):
    """The next step of a three-no vessel: seized, dismantled or disposed
    (advance_three_no); ``at`` defaults to now."""

    status: str
    at: datetime | None = None
    note: str = ""

    @field_validator("at")
    @classmethod
    def _at(cls, v: datetime | None) -> datetime | None:
        _aware(v, "时间")
        if v is not None and v > utcnow():
            raise ValueError("时间不能晚于现在")
        return v

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, v: Any) -> str:
        return text(v, 2000)


__all__ = ["AdvanceIn", "InspectionIn", "OwnerIn", "ThreeNoIn", "VesselIn", "VesselPatch"]
