"""The audit trail, for the office."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.models import Role, User
from jinghai.audit.models import AuditEvent
from jinghai.errors import PermissionDenied
from jinghai.web.deps import current_user, get_db
from jinghai.web.render import render

router = APIRouter()

ACTION_LABELS = {
    "figure.set": "修改指标",
    "section.status": "报送状态",
    "day.lock": "锁定日报",
    "day.unlock": "解锁日报",
    "report.remind": "催报",
    "user.create": "新增用户",
    "user.role": "变更角色",
    "user.active": "启用/停用",
    "user.password": "修改密码",
}


def _events(db: Session, user: User, entity: str | None, limit: int) -> list[AuditEvent]:
    if user.role not in (Role.OFFICE, Role.ADMIN):
        raise PermissionDenied("只有专班办公室和管理员可以查看审计记录")
    stmt = select(AuditEvent).options(selectinload(AuditEvent.user)).order_by(
        AuditEvent.id.desc()).limit(limit)
    if entity:
        stmt = stmt.where(AuditEvent.entity_id.contains(entity))
    return list(db.scalars(stmt))


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, q: str | None = None, db: Session = Depends(get_db),
               user: User = Depends(current_user)):
    return render(request, "audit/list.html", {
        "events": _events(db, user, q, 500), "labels": ACTION_LABELS, "q": q or ""})


@router.get("/api/audit", tags=["audit"])
def api_audit(entity: str | None = None, limit: int = Query(200, le=2000),
              db: Session = Depends(get_db), user: User = Depends(current_user)):
    return [
        {"id": e.id, "at": e.at.isoformat(), "user": e.user.username if e.user else None,
         "action": e.action, "entity_type": e.entity_type, "entity_id": e.entity_id,
         "field": e.field, "old": e.old_value, "new": e.new_value, "reason": e.reason}
        for e in _events(db, user, entity, limit)
    ]
