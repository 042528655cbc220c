"""Need to know (知悉范围): who may see a clue, a case and the personal data in them.

Case and personal data belong to the unit that holds them and the office; the leadership
(read-only ``viewer`` accounts) reads everything and writes nothing; other units'
liaisons and the system administrator do not read them. ID and phone numbers are masked
wherever records are shown; showing one unmasked is a deliberate act that is logged (see
:func:`jinghai.cases.queries.reveal_entity`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.cases.entities import extract_entities
from jinghai.errors import PermissionDenied
from jinghai.masking import SENSITIVE_KINDS, mask_value  # noqa: F401 - cases.queries imports it from here
from jinghai.org.models import Unit


def may_see_unit_data(user: User, unit_id: int) -> bool:
    """Owning unit, office or leadership (read only: every writer also calls
    :func:`require_staff_writer`); one condition per line so a reviewer can check each."""
    if not user.active:
        return False
    if user.role == Role.OFFICE:
        return True
    if user.role == Role.VIEWER:
        return True
    if user.role != Role.LIAISON:
        return False
    return user.unit_id is not None and user.unit_id == unit_id


def require_unit_data(user: User, unit_id: int) -> None:
    if not may_see_unit_data(user, unit_id):
        raise PermissionDenied("无权查看其他单位的线索、案件和人员信息")


def require_staff_writer(user: User) -> None:
    """Office staff and unit liaisons record clues, cases and incidents; viewers do not."""
    if not user.active or user.role not in (Role.OFFICE, Role.LIAISON):
        raise PermissionDenied("只有专班办公室和单位联络员可以录入")
    if user.role == Role.LIAISON and user.unit_id is None:
        raise PermissionDenied("联络员账号未绑定单位")




def owning_unit_id(session: Session, user: User) -> int:
    """The unit a user's records belong to: their own, or the office unit for office staff
    (who have no unit of their own)."""
    if user.unit_id is not None:
        return user.unit_id
    office_id = session.scalar(select(Unit.id).where(Unit.kind == "office").order_by(Unit.id))
    if office_id is None:
        raise PermissionDenied("未找到专班办公室单位")
    return office_id


def has_sensitive_text(text: str) -> bool:
    return any(span.kind in ("phone", "landline", "id_number") for span in extract_entities(text))


def mask_text(text: str) -> str:
    """Free text with every recognised phone and ID number masked, for lists and for
    pages until someone deliberately shows the original (which is logged)."""
    out, last = [], 0
    for span in sorted(extract_entities(text)):
        if span.kind not in ("phone", "landline", "id_number") or span.start < last:
            continue
        out.append(text[last:span.start])
        kind = "id_number" if span.kind == "id_number" else "phone"
        out.append(mask_value(kind, text[span.start:span.end]))
        last = span.end
    out.append(text[last:])
    return "".join(out)
