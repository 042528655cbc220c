"""Who is who, asked the same way by every domain: the office check lives here once."""

from __future__ import annotations

from jinghai.accounts.models import Role, User
from jinghai.errors import PermissionDenied


def is_office(user: User) -> bool:
    """An active office (专班办公室) account; a deactivated one is nobody."""
    return bool(user.active) and user.role == Role.OFFICE


def require_office(user: User) -> None:
    if not is_office(user):
        raise PermissionDenied("只有专班办公室可以进行此操作")
