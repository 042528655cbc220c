"""The verbs that change the vessel registry. Every change is audited in the same
transaction as the change itself."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput, NotFound
from jinghai.masking import mask_name
from jinghai.org.models import Unit
from jinghai.vessels.access import require_inspector, require_registry_keeper
from jinghai.vessels.models import (
    OUT_OF_ROSTER,
    THREE_NO_NEXT,
    THREE_NO_STATUS_LABELS,
    FishingVessel,
    ThreeNoStatus,
    ThreeNoVessel,
    VesselInspection,
    VesselOwner,
    VesselStatus,
)

MMSI_RE = re.compile(r"^\d{9}$")
OWNER_FIELDS = ("kind", "name", "phone", "id_code")
VESSEL_FIELDS = ("registry_no", "name", "home_port", "mmsi", "beidou_no", "length_m",
                 "tonnage", "status")
OWNER_KIND_WORDS = {"enterprise": "enterprise", "企业": "enterprise", "公司": "enterprise",
                    "individual": "individual", "个人": "individual"}
STATUS_WORDS = {"active": "active", "在册": "active", "在册作业": "active", "正常": "active",
                "laid_up": "laid_up", "停港": "laid_up", "休渔": "laid_up", "停港/休渔": "laid_up",
                "repair": "repair", "修造": "repair", "修造中": "repair",
                "deregistered": "deregistered", "注销": "deregistered", "已注销": "deregistered",
                "scrapped": "scrapped", "拆解": "scrapped", "已拆解": "scrapped"}


def new_qr_token() -> str:
    """128 random bits: the code on the card must not be forgeable from the registry number."""
    return secrets.token_urlsafe(16)


# --- cleaning input: one place, used by forms, the API and roster import -----------------


def _text(value: object, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise InvalidInput(f"内容过长（最多 {limit} 个字符）: {text[:20]}…")
    return text


def _decimal(value: object, label: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{label}应为数字: {value}") from None
    if not number.is_finite() or number <= 0 or number > 100000:
        raise InvalidInput(f"{label}应为正数: {value}")
    return number.quantize(Decimal("0.01"))


def clean_mmsi(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    text = text.removesuffix(".0")  # spreadsheets hand numbers back as floats
    if text == "":
        return None
    if not MMSI_RE.match(text):
        raise InvalidInput(f"MMSI 应为 9 位数字: {text}")
    return text


def clean_owner_fields(data: dict[str, object]) -> dict[str, object]:
    kind = OWNER_KIND_WORDS.get(_text(data.get("kind"), 20).lower())
    if kind is None:
        raise InvalidInput(f"船东类型应为“企业”或“个人”: {data.get('kind') or '（空）'}")
    name = _text(data.get("name"), 200)
    if not name:
        raise InvalidInput("船东名称不能为空")
    phone = _text(data.get("phone"), 40)
    if phone and not re.fullmatch(r"[0-9+\-\s]{5,40}", phone):
        raise InvalidInput(f"联系电话格式有误: {phone}")
    return {"kind": kind, "name": name, "phone": phone, "id_code": _text(data.get("id_code"), 40)}


def clean_vessel_fields(data: dict[str, object], *, partial: bool = False) -> dict[str, object]:
    """Check and normalise vessel fields; ``partial`` cleans only the keys given."""
    out: dict[str, object] = {}
    keys = [k for k in VESSEL_FIELDS if k in data] if partial else list(VESSEL_FIELDS)
    for key in keys:
        value = data.get(key)
        if key == "registry_no":
            text = _text(value, 40)
            if not text:
                raise InvalidInput("渔船编号不能为空")
            out[key] = text
        elif key == "name":
            text = _text(value, 100)
            if not text:
                raise InvalidInput("船名不能为空")
            out[key] = text
        elif key in ("home_port", "beidou_no"):
            out[key] = _text(value, 100 if key == "home_port" else 40)
        elif key == "mmsi":
            out[key] = clean_mmsi(value)
        elif key == "length_m":
            out[key] = _decimal(value, "船长")
        elif key == "tonnage":
            out[key] = _decimal(value, "总吨位")
        elif key == "status":
            word = _text(value, 20) or "active"
            status = STATUS_WORDS.get(word.lower()) or STATUS_WORDS.get(word)
            if status is None:
                raise InvalidInput(f"状态无法识别: {word}")
            out[key] = status
    return out


# --- owners -------------------------------------------------------------------------------


def add_owner(session: Session, user: User, data: dict[str, object]) -> VesselOwner:
    require_registry_keeper(session, user)
    fields = clean_owner_fields(data)
    owner = VesselOwner(**fields)
    session.add(owner)
    session.flush()
    record(session, user, "vessel_owner.add", "vessel_owner", owner.id, new=fields["kind"])
    return owner


def update_owner(session: Session, user: User, owner_id: int,
                 data: dict[str, object]) -> VesselOwner:
    require_registry_keeper(session, user)
    owner = session.get(VesselOwner, owner_id)
    if owner is None:
        raise NotFound("没有这个船东")
    merged = {k: data.get(k, getattr(owner, k)) for k in OWNER_FIELDS}
    _apply(session, user, owner, "vessel_owner", clean_owner_fields(merged))
    return owner


def find_or_add_owner(session: Session, user: User, data: dict[str, object]) -> VesselOwner:
    """The same owner appears on many rows of a roster: match by ID/credit code when given,
    otherwise by kind and name (and phone when both sides have one)."""
    fields = clean_owner_fields(data)
    if fields["id_code"]:
        found = session.scalar(select(VesselOwner).where(VesselOwner.id_code == fields["id_code"]))
        if found is not None:
            return found
    query = select(VesselOwner).where(VesselOwner.kind == fields["kind"],
                                      VesselOwner.name == fields["name"])
    for candidate in session.scalars(query):
        same_phone = not fields["phone"] or not candidate.phone or candidate.phone == fields["phone"]
        no_id_clash = not fields["id_code"] or not candidate.id_code
        if same_phone and no_id_clash:
            return candidate
    return add_owner(session, user, fields)


def _apply(session: Session, user: User, obj: object, entity: str,
           fields: dict[str, object]) -> bool:
    changed = False
    for key, new in fields.items():
        old = getattr(obj, key)
        if old != new:
            shown = mask_name if entity == "vessel_owner" and key == "name" else (lambda v: v)
            record(session, user, f"{entity}.set", entity, obj.id, field=key,
                   old=shown(old) if old else old, new=shown(new) if new else new)
            setattr(obj, key, new)
            changed = True
    if changed:
        obj.updated_at = utcnow()
    return changed


# --- vessels ------------------------------------------------------------------------------


def _check_unique(session: Session, fields: dict[str, object], vessel_id: int | None) -> None:
    if "registry_no" in fields:
        other = session.scalar(select(FishingVessel.id).where(
            FishingVessel.registry_no == fields["registry_no"]))
        if other is not None and other != vessel_id:
            raise Conflict(f"渔船编号已存在: {fields['registry_no']}")
    if fields.get("mmsi"):
        other = session.scalar(select(FishingVessel.id).where(
            FishingVessel.mmsi == fields["mmsi"]))
        if other is not None and other != vessel_id:
            raise Conflict(f"MMSI 已登记在另一艘渔船上: {fields['mmsi']}")


def add_vessel(session: Session, user: User, data: dict[str, object], *,
               owner: VesselOwner | None = None, now: datetime | None = None) -> FishingVessel:
    """Add a vessel to the roster. ``data`` may carry an ``owner`` dict (kind, name, phone,
    id_code) instead of an ``owner`` object; the owner is matched or created."""
    require_registry_keeper(session, user)
    fields = clean_vessel_fields(data)
    _check_unique(session, fields, None)
    if owner is None and isinstance(data.get("owner"), dict):
        owner = find_or_add_owner(session, user, data["owner"])
    if owner is None and data.get("owner_id"):
        owner = session.get(VesselOwner, int(data["owner_id"]))
        if owner is None:
            raise NotFound("没有这个船东")
    now = now or utcnow()
    vessel = FishingVessel(**fields, owner=owner, qr_token=new_qr_token(), created_at=now,
                           updated_at=now,
                           removed_at=now if fields["status"] in OUT_OF_ROSTER else None)
    session.add(vessel)
    session.flush()
    record(session, user, "vessel.add", "fishing_vessel", vessel.id,
           new=f"{vessel.registry_no} {vessel.name}")
    return vessel


def update_vessel(session: Session, user: User, vessel_id: int, data: dict[str, object], *,
                  now: datetime | None = None) -> FishingVessel:
    require_registry_keeper(session, user)
    vessel = session.get(FishingVessel, vessel_id)
    if vessel is None:
        raise NotFound("没有这艘渔船")
    fields = clean_vessel_fields(data, partial=True)
    _check_unique(session, fields, vessel.id)
    was_out = vessel.status in OUT_OF_ROSTER
    _apply(session, user, vessel, "fishing_vessel", fields)
    if "owner_id" in data:
        owner_id = int(data["owner_id"]) if data["owner_id"] else None
        if owner_id is not None and session.get(VesselOwner, owner_id) is None:
            raise NotFound("没有这个船东")
        _apply(session, user, vessel, "fishing_vessel", {"owner_id": owner_id})
    is_out = vessel.status in OUT_OF_ROSTER
    if is_out and not was_out:
        vessel.removed_at = now or utcnow()
    elif was_out and not is_out:
        vessel.removed_at = None
    session.flush()
    return vessel


def set_vessel_status(session: Session, user: User, vessel_id: int, status: str, *,
                      reason: str = "", now: datetime | None = None) -> FishingVessel:
    if status not in {s.value for s in VesselStatus}:
        raise InvalidInput(f"状态无法识别: {status}")
    vessel = update_vessel(session, user, vessel_id, {"status": status}, now=now)
    if reason:
        record(session, user, "vessel.status_reason", "fishing_vessel", vessel.id,
               field="status", new=status, reason=reason)
    return vessel


def regenerate_qr_token(session: Session, user: User, vessel_id: int) -> FishingVessel:
    """A lost or photographed card can be revoked: the old code stops working at once."""
    require_registry_keeper(session, user)
    vessel = session.get(FishingVessel, vessel_id)
    if vessel is None:
        raise NotFound("没有这艘渔船")
    vessel.qr_token = new_qr_token()
    record(session, user, "vessel.qr_regenerated", "fishing_vessel", vessel.id)
    return vessel


# --- inspections --------------------------------------------------------------------------


def record_inspection(
    session: Session,
    user: User,
    vessel: FishingVessel,
    *,
    via: str = "qr",
    place: str = "",
    lat: float | None = None,
    lon: float | None = None,
    note: str = "",
    now: datetime | None = None,
) -> VesselInspection:
    require_inspector(user)
    if via not in ("qr", "form"):
        raise InvalidInput("查验方式应为 qr 或 form")
    if lat is not None and not -90 <= lat <= 90:
        raise InvalidInput("纬度超出范围")
    if lon is not None and not -180 <= lon <= 180:
        raise InvalidInput("经度超出范围")
    inspection = VesselInspection(
        vessel_id=vessel.id, inspected_at=now or utcnow(), user_id=user.id,
        unit_id=user.unit_id, via=via, place=_text(place, 200), lat=lat, lon=lon,
        note=_text(note, 2000),
    )
    session.add(inspection)
    session.flush()
    record(session, user, "vessel.inspect", "fishing_vessel", vessel.id, new=via)
    return inspection


# --- three-no vessels ---------------------------------------------------------------------


def _aware(value: datetime | None, label: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(f"{label}缺少时区")
    return value


def record_three_no(
    session: Session,
    user: User,
    *,
    found_at: datetime,
    place: str,
    description: str = "",
    found_by_unit_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    seized_at: datetime | None = None,
) -> ThreeNoVessel:
    """Record a three-no vessel when found; pass ``seized_at`` when it was seized on the spot."""
    require_registry_keeper(session, user)
    _aware(found_at, "发现时间")
    _aware(seized_at, "查扣时间")
    place = _text(place, 200)
    if not place:
        raise InvalidInput("发现地点不能为空")
    if found_at > utcnow():
        raise InvalidInput("发现时间不能晚于现在")
    if found_by_unit_id is None:
        found_by_unit_id = user.unit_id
    if found_by_unit_id is not None and session.get(Unit, found_by_unit_id) is None:
        raise NotFound("没有这个单位")
    case = ThreeNoVessel(found_at=found_at, place=place, description=_text(description, 4000),
                         found_by_unit_id=found_by_unit_id, lat=lat, lon=lon,
                         created_by_id=user.id)
    session.add(case)
    session.flush()
    record(session, user, "three_no.add", "three_no_vessel", case.id, new=place)
    if seized_at is not None:
        advance_three_no(session, user, case.id, ThreeNoStatus.SEIZED.value, at=seized_at)
    return case


def advance_three_no(session: Session, user: User, case_id: int, status: str, *,
                     at: datetime | None = None, note: str = "") -> ThreeNoVessel:
    """Move a case on: found → seized → dismantled | disposed. The seizure time is what the
    daily report counts, so it may not precede the find nor lie in the future."""
    require_registry_keeper(session, user)
    case = session.get(ThreeNoVessel, case_id)
    if case is None:
        raise NotFound("没有这条“三无”船舶记录")
    if status not in THREE_NO_NEXT.get(case.status, set()):
        target = THREE_NO_STATUS_LABELS.get(status, status)
        raise Conflict(f"不能从“{case.status_label}”改为“{target}”")
    at = _aware(at, "时间") or utcnow()
    if at > utcnow():
        raise InvalidInput("时间不能晚于现在")
    earliest = case.seized_at if case.seized_at else case.found_at
    if at < earliest:
        raise InvalidInput("时间不能早于上一环节")
    old = case.status
    case.status = status
    if status == ThreeNoStatus.SEIZED.value:
        case.seized_at = at
    else:
        case.disposed_at = at
    if note:
        case.note = (case.note + "\n" if case.note else "") + _text(note, 2000)
    case.updated_at = utcnow()
    record(session, user, "three_no.status", "three_no_vessel", case.id, field="status",
           old=old, new=status, reason=note)
    session.flush()
    return case
