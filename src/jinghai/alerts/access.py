"""Who sees and handles which alert. One condition per line.

- office: every alert, and may act on every one;
- a liaison: alerts routed to a working group their unit belongs to (lead, cooperating or
  reporting), and alerts routed to their unit directly. A sub-district (街道) sees only the
  alerts routed to it by place, not every alert of the coastal group: a cove in 郭巨 is
  not 新碶's business;
- leaders (viewer) and admins: read every alert, act on none.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.alerts.models import Alert, AlertRoute
from jinghai.errors import NotFound, PermissionDenied
from jinghai.org.models import GroupMember, Unit, WorkGroup


def visible_clause(session: Session, user: User):
    """A WHERE clause on :class:`Alert` limiting rows to what ``user`` may see."""
    if not user.active:
        return false()
    if user.role in (Role.OFFICE, Role.VIEWER, Role.ADMIN):
        return true()
    if user.role != Role.LIAISON or user.unit_id is None:
        return false()
    unit = session.get(Unit, user.unit_id)
    direct = select(AlertRoute.alert_id).where(AlertRoute.unit_id == user.unit_id)
    if unit is not None and unit.kind == "sub_district":
        return Alert.id.in_(direct)
    groups = select(GroupMember.group_id).where(GroupMember.unit_id == user.unit_id).union(
        select(WorkGroup.id).where(WorkGroup.lead_unit_id == user.unit_id))
    by_group = select(AlertRoute.alert_id).where(AlertRoute.group_id.in_(groups))
    return or_(Alert.id.in_(direct), Alert.id.in_(by_group))


def can_see(session: Session, user: User, alert: Alert) -> bool:
    return session.scalar(select(Alert.id).where(Alert.id == alert.id,
                                                 visible_clause(session, user))) is not None


def can_act(session: Session, user: User, alert: Alert) -> bool:
    if not user.active:
        return False
    if user.role == Role.OFFICE:
        return True
    if user.role != Role.LIAISON:
        return False
    return can_see(session, user, alert)


def get_alert_for(session: Session, user: User, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or not can_see(session, user, alert):
        raise NotFound("没有这条预警，或无权查看")
    return alert


def require_actor(session: Session, user: User, alert: Alert) -> None:
    if not can_act(session, user, alert):
        raise PermissionDenied("无权处理这条预警")


