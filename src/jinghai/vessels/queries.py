"""Permission-checked reads of the vessel registry."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.errors import NotFound, PermissionDenied
from jinghai.vessels.access import can_see_contacts, require_reader
from jinghai.vessels.masking import mask_id, mask_phone
from jinghai.vessels.models import (
    OUT_OF_ROSTER,
    FishingVessel,
    ThreeNoVessel,
    VesselInspection,
    VesselOwner,
)


@dataclass(frozen=True)
class OwnerView:
    """An owner as a given user may see it: contact fields masked unless allowed."""

    id: int
    kind: str
    kind_label: str
    name: str
    phone: str
    id_code: str
    masked: bool


def owner_view(owner: VesselOwner | None, show_contacts: bool) -> OwnerView | None:
    if owner is None:
        return None
    return OwnerView(
        id=owner.id, kind=owner.kind, kind_label=owner.kind_label, name=owner.name,
        phone=owner.phone if show_contacts else mask_phone(owner.phone),
        id_code=owner.id_code if show_contacts else mask_id(owner.id_code),
        masked=not show_contacts,
    )


def get_vessel_for(session: Session, user: User, vessel_id: int) -> FishingVessel:
    require_reader(user)
    vessel = session.get(FishingVessel, vessel_id)
    if vessel is None:
        raise NotFound("没有这艘渔船")
    return vessel


def get_vessel_by_token(session: Session, user: User, token: str) -> FishingVessel:
    """The exclusive code's lookup. An unknown token says only "not found", never which
    tokens exist."""
    require_reader(user)
    vessel = session.scalar(select(FishingVessel).where(FishingVessel.qr_token == token))
    if vessel is None:
        raise NotFound("船舶专属码无效或已作废")
    return vessel


def vessel_for_mmsi(session: Session, mmsi: str) -> FishingVessel | None:
    """The registry vessel behind an AIS identity, for the map and detectors. Unchecked:
    callers are domain code that then applies its own reader checks."""
    return session.scalar(select(FishingVessel).where(FishingVessel.mmsi == mmsi))


def vessel_by_registry_no(session: Session, registry_no: str) -> FishingVessel | None:
    """The registry vessel with this number (船名号). Unchecked, as :func:`vessel_for_mmsi`:
    the caller's own verb checks who may act on it."""
    return session.scalar(select(FishingVessel).where(FishingVessel.registry_no == registry_no))


def registry_mmsis(session: Session) -> set[str]:
    """MMSIs of registry vessels still in the roster: the map colours these as 'ours'."""
    rows = session.scalars(select(FishingVessel.mmsi).where(
        FishingVessel.mmsi.is_not(None), FishingVessel.status.not_in(OUT_OF_ROSTER)))
    return set(rows)


def search_vessels(
    session: Session,
    user: User,
    q: str = "",
    *,
    status: str = "",
    port: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FishingVessel], int]:
    """Vessels matching ``q`` in number, name, MMSI, Beidou number or owner name."""
    require_reader(user)
    query = select(FishingVessel).outerjoin(VesselOwner)
    q = q.strip()
    if q:
        like = f"%{q}%"
        query = query.where(or_(
            FishingVessel.registry_no.ilike(like), FishingVessel.name.ilike(like),
            FishingVessel.mmsi.ilike(like), FishingVessel.beidou_no.ilike(like),
            VesselOwner.name.ilike(like),
        ))
    if status:
        query = query.where(FishingVessel.status == status)
    if port:
        query = query.where(FishingVessel.home_port == port)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(FishingVessel.owner))
        .order_by(FishingVessel.registry_no).limit(max(1, min(limit, 500))).offset(max(0, offset))
    )
    return list(rows), total


def home_ports(session: Session) -> list[str]:
    return sorted(p for p in session.scalars(select(FishingVessel.home_port).distinct()) if p)


def recent_inspections(session: Session, vessel: FishingVessel,
                       limit: int = 20) -> list[VesselInspection]:
    return list(session.scalars(
        select(VesselInspection).where(VesselInspection.vessel_id == vessel.id)
        .options(selectinload(VesselInspection.user), selectinload(VesselInspection.unit))
        .order_by(VesselInspection.inspected_at.desc()).limit(limit)
    ))


def list_three_no(session: Session, user: User, status: str = "") -> list[ThreeNoVessel]:
    require_reader(user)
    query = select(ThreeNoVessel).options(selectinload(ThreeNoVessel.found_by_unit))
    if status:
        query = query.where(ThreeNoVessel.status == status)
    return list(session.scalars(query.order_by(ThreeNoVessel.found_at.desc())))


def contacts_visible(session: Session, user: User) -> bool:
    """Whether ``user`` may reveal an owner's phone and ID number (each reveal is logged);
    lists and pages show them masked to everybody."""
    return can_see_contacts(session, user)


def reveal_owner(session: Session, user: User, vessel: FishingVessel) -> OwnerView | None:
    """The owner's contacts in full, for a roster keeper, logged in the same transaction."""
    if not can_see_contacts(session, user):
        raise PermissionDenied("只有专班办公室和渔业主管部门可以查看船东完整联系方式")
    if vessel.owner is None:
        return None
    record(session, user, "view_unmasked", "vessel_owner", vessel.owner.id,
           field="contacts", reason=f"vessel {vessel.id}")
    session.flush()
    return owner_view(vessel.owner, True)
