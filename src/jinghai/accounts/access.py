"""Who is who, asked the same way by every domain: the office check and the readers of
every unit's records live here once."""

from __future__ import annotations

from jinghai.accounts.models import Role, User
from jinghai.errors import PermissionDenied


def is_office(user: User) -> bool:
    """An active office (专班办公室) account; a deactivated one is nobody."""
    return bool(user.active) and user.role == Role.OFFICE


def require_office(user: User) -> None:
    if not is_office(user):
        raise PermissionDenied("只有专班办公室可以进行此操作")


def may_read_all(user: User) -> bool:
    """The office, leaders (viewer) and admins read every unit's records."""
    return user.active and user.role in (Role.OFFICE, Role.VIEWER, Role.ADMIN)


def may_see_unit_item(user: User, unit_id: int) -> bool:
    """A record owned by a unit: readers of everything, or that unit's own liaison."""
    if not user.active:
        return False
    if may_read_all(user):
        return True
    if user.role != Role.LIAISON:
        return False
    return user.unit_id is not None and user.unit_id == unit_id
