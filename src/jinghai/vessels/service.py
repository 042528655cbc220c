"""The verbs that change the vessel registry. Every change is audited in the same
transaction as the change itself."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput, NotFound
from jinghai.masking import mask_name
from jinghai.org.models import Unit
from jinghai.schemas import parse
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
from jinghai.vessels.schemas import (
    VESSEL_FIELDS,
    AdvanceIn,
    InspectionIn,
    OwnerIn,
    ThreeNoIn,
    VesselIn,
    VesselPatch,
)


def new_qr_token() -> str:
    """128 random bits: the code on the card must not be forgeable from the registry number."""
    return secrets.token_urlsafe(16)


# --- owners -------------------------------------------------------------------------------


def add_owner(session: Session, user: User, data: OwnerIn) -> VesselOwner:
    require_registry_keeper(session, user)
    fields = data.model_dump()
    owner = VesselOwner(**fields)
    session.add(owner)
    session.flush()
    record(session, user, "vessel_owner.add", "vessel_owner", owner.id, new=fields["kind"])
    return owner


def update_owner(session: Session, user: User, owner_id: int, data: OwnerIn) -> VesselOwner:
    require_registry_keeper(session, user)
    owner = session.get(VesselOwner, owner_id)
    if owner is None:
        raise NotFound("没有这个船东")
    _apply(session, user, owner, "vessel_owner", data.model_dump())
    return owner


def find_or_add_owner(session: Session, user: User, data: OwnerIn) -> VesselOwner:
    """The same owner appears on many rows of a roster: match by ID/credit code when given,
    otherwise by kind and name (and phone when both sides have one)."""
    fields = data.model_dump()
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
    return add_owner(session, user, data)


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


def add_vessel(session: Session, user: User, data: VesselIn, *,
               owner: VesselOwner | None = None, now: datetime | None = None) -> FishingVessel:
    """Add a vessel to the roster. ``data`` may carry an ``owner`` (kind, name, phone,
    id_code) or an ``owner_id`` instead of an ``owner`` object; the owner is matched or
    created."""
    require_registry_keeper(session, user)
    fields = data.model_dump(include=set(VESSEL_FIELDS))
    _check_unique(session, fields, None)
    if owner is None and data.owner is not None:
        owner = find_or_add_owner(session, user, data.owner)
    if owner is None and data.owner_id:
        owner = session.get(VesselOwner, data.owner_id)
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


def update_vessel(session: Session, user: User, vessel_id: int, data: VesselPatch, *,
                  now: datetime | None = None) -> FishingVessel:
    """Change the fields ``data`` gives (set), and only those."""
    require_registry_keeper(session, user)
    vessel = session.get(FishingVessel, vessel_id)
    if vessel is None:
        raise NotFound("没有这艘渔船")
    given = data.model_dump(exclude_unset=True)
    fields = {k: v for k, v in given.items() if k in VESSEL_FIELDS}
    _check_unique(session, fields, vessel.id)
    was_out = vessel.status in OUT_OF_ROSTER
    _apply(session, user, vessel, "fishing_vessel", fields)
    if "owner_id" in given:
        owner_id = given["owner_id"] or None
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
    vessel = update_vessel(session, user, vessel_id, VesselPatch(status=status), now=now)
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


def record_inspection(session: Session, user: User, vessel: FishingVessel,
                      data: InspectionIn | None = None, *, via: str = "qr",
                      now: datetime | None = None) -> VesselInspection:
    """An inspection of ``vessel``; ``via`` is how the inspector reached it (a scanned code
    or the registry form), which the door knows, not the user's to say."""
    require_inspector(user)
    if via not in ("qr", "form"):
        raise InvalidInput("查验方式应为 qr 或 form")
    data = data or InspectionIn()
    inspection = VesselInspection(
        vessel_id=vessel.id, inspected_at=now or utcnow(), user_id=user.id,
        unit_id=user.unit_id, via=via, place=data.place, lat=data.lat, lon=data.lon,
        note=data.note,
    )
    session.add(inspection)
    session.flush()
    record(session, user, "vessel.inspect", "fishing_vessel", vessel.id, new=via)
    return inspection


# --- three-no vessels ---------------------------------------------------------------------


def record_three_no(session: Session, user: User, data: ThreeNoIn, *,
                    found_by_unit_id: int | None = None) -> ThreeNoVessel:
    """Record a three-no vessel when found; it is seized on the spot when ``data`` has
    ``seized_at``. The finding unit is the user's unless given."""
    require_registry_keeper(session, user)
    if found_by_unit_id is None:
        found_by_unit_id = user.unit_id
    if found_by_unit_id is not None and session.get(Unit, found_by_unit_id) is None:
        raise NotFound("没有这个单位")
    case = ThreeNoVessel(found_at=data.found_at, place=data.place,
                         description=data.description, found_by_unit_id=found_by_unit_id,
                         lat=data.lat, lon=data.lon, created_by_id=user.id)
    session.add(case)
    session.flush()
    record(session, user, "three_no.add", "three_no_vessel", case.id, new=data.place)
    if data.seized_at is not None:
        advance_three_no(session, user, case.id, parse(
            AdvanceIn, {"status": ThreeNoStatus.SEIZED.value, "at": data.seized_at}))
    return case


def advance_three_no(session: Session, user: User, case_id: int,
                     data: AdvanceIn) -> ThreeNoVessel:
    """Move a case on: found → seized → dismantled | disposed. The seizure time is what the
    daily report counts, so it may not precede the find nor lie in the future."""
    require_registry_keeper(session, user)
    case = session.get(ThreeNoVessel, case_id)
    if case is None:
        raise NotFound("没有这条“三无”船舶记录")
    status, note = data.status, data.note
    if status not in THREE_NO_NEXT.get(case.status, set()):
        target = THREE_NO_STATUS_LABELS.get(status, status)
        raise Conflict(f"不能从“{case.status_label}”改为“{target}”")
    at = data.at or utcnow()
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
        case.note = (case.note + "\n" if case.note else "") + note
    case.updated_at = utcnow()
    record(session, user, "three_no.status", "three_no_vessel", case.id, field="status",
           old=old, new=status, reason=note)
    session.flush()
    return case
