"""Who sees and acts on which supervision record. One condition per line.

- office: every record; the only one who creates lists, visits, listings, circulars and
  meetings, and who signs off, sends back or takes a listing down;
- a liaison: the items of their own unit, on which they report progress and give evidence;
- leaders (viewer) and admins: read everything, change nothing.
"""

from __future__ import annotations

from jinghai.accounts.access import may_see_unit_item
from jinghai.accounts.models import Role, User
from jinghai.errors import PermissionDenied


def require_see(user: User, unit_id: int) -> None:
    if not may_see_unit_item(user, unit_id):
        raise PermissionDenied("只能查看本单位的事项")


def require_unit_actor(user: User, unit_id: int) -> None:
    """The unit that owns the item (its liaison) or the office may report on it."""
    if not user.active:
        raise PermissionDenied("账号已停用")
    if user.role == Role.OFFICE:
        return
    if user.role != Role.LIAISON:
        raise PermissionDenied("当前账号只读，不能修改")
    if user.unit_id != unit_id:
        raise PermissionDenied("只能处理本单位的事项")
