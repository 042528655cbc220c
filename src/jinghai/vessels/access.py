"""Who may read and change the vessel registry. One condition per line.

The fisheries authority (the unit that reports the 船舶管控 section, 区农业农村局) keeps the
roster together with the office. Every other liaison works checkpoints: they may open a
vessel's code and record an inspection, but not edit the roster or see owners' contacts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.errors import PermissionDenied
from jinghai.org.service import sections_of_unit

SECTION = "vessel_control"


def is_registry_keeper(session: Session, user: User) -> bool:
    if not user.active:
        return False
    if user.role == Role.OFFICE:
        return True
    if user.role != Role.LIAISON or user.unit_id is None:
        return False
    return SECTION in sections_of_unit(session, user.unit_id)


def can_see_contacts(session: Session, user: User) -> bool:
    """Owners' phones and ID numbers are personal data: only the roster keepers see them."""
    return is_registry_keeper(session, user)


def require_registry_keeper(session: Session, user: User) -> None:
    if not is_registry_keeper(session, user):
        raise PermissionDenied("只有专班办公室和渔业主管部门可以修改船舶名录")


def require_reader(user: User) -> None:
    if not user.active:
        raise PermissionDenied("账号已停用")


def require_inspector(user: User) -> None:
    if not user.active:
        raise PermissionDenied("账号已停用")
    if user.role not in (Role.OFFICE, Role.LIAISON):
        raise PermissionDenied("只有专班办公室和单位联络员可以记录查验")
