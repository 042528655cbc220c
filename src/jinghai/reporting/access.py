"""Who may read and change which part of the daily report. One condition per line."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.errors import PermissionDenied
from jinghai.org.models import Unit
from jinghai.org.service import sections_of_unit


def require_section_writer(session: Session, user: User, unit: Unit, section: str) -> None:
    if section not in sections_of_unit(session, unit.id):
        raise PermissionDenied(f"{unit.name} 不填报该栏目")
    if user.role == Role.OFFICE:
        return
    if user.role != Role.LIAISON:
        raise PermissionDenied("当前账号只读，不能填报")
    if user.unit_id != unit.id:
        raise PermissionDenied("只能填报本单位的栏目")


def require_section_reader(session: Session, user: User, unit: Unit, section: str) -> None:
    if user.role in (Role.OFFICE, Role.VIEWER, Role.ADMIN):
        return
    if user.unit_id != unit.id:
        raise PermissionDenied("只能查看本单位的栏目")
    if section not in sections_of_unit(session, unit.id):
        raise PermissionDenied(f"{unit.name} 不填报该栏目")




def require_district_reader(user: User) -> None:
    if user.role not in (Role.OFFICE, Role.VIEWER, Role.ADMIN):
        raise PermissionDenied("只有专班办公室和领导可以查看全区汇总")
