"""Reading the audit trail: for the office and the admin, filtered, paged, and told in
Chinese — who did what to which record, when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from jinghai.audit.models import AuditEvent
from jinghai.errors import InvalidInput, PermissionDenied

if TYPE_CHECKING:  # accounts sits above audit; the actor is reached through the relationship
    from jinghai.accounts.models import User

#: accounts.models.Role.OFFICE and Role.ADMIN (a StrEnum: equal to its value).
AUDITOR_ROLES = frozenset({"office", "admin"})
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

ACTION_LABELS = {
    "create": "新建", "update": "修改", "set": "设置", "reset": "恢复默认", "decide": "研判",
    "propose": "提出", "convert": "转为线索", "attach": "上传附件", "download": "下载附件",
    "approve": "批准", "pay": "登记发放", "start": "开始", "complete": "完成",
    "revoke": "撤销", "escalate": "升级", "view_unmasked": "查看完整信息",
    "figure.set": "修改指标", "section.status": "报送状态", "day.lock": "锁定日报",
    "day.unlock": "解锁日报", "report.remind": "催报", "user.create": "新增用户",
    "user.role": "变更角色", "user.active": "启用/停用", "user.password": "重置密码",
    "vessel.add": "登记渔船", "vessel.inspect": "查验渔船", "vessel.qr_regenerated": "重新生成专属码",
    "vessel.status_reason": "变更渔船状态", "vessel_owner.add": "登记船东",
    "vessels.demo_seed": "导入演示船舶", "three_no.add": "登记三无船舶", "three_no.status": "三无船舶处置",
    "fishing_vessel.set": "修改渔船", "vessel_owner.set": "修改船东",
}
ENTITY_LABELS = {
    "alert": "预警", "case": "案件", "case_measure": "案件措施", "case_party": "涉案单位/人员",
    "clue": "线索", "clue_entity": "线索实体", "clue_link": "串并", "clue_attachment": "线索附件",
    "detector": "检测器", "fishing_vessel": "渔船", "incident": "个案", "incident_step": "处置步骤",
    "owner_report_link": "船东报告链接", "port_report": "进出港报告", "report_day": "日报",
    "report_section": "日报填报", "reward": "举报奖励", "seizure": "查获", "three_no_vessel": "三无船舶",
    "tipoff": "群众举报", "tipoff_identity": "举报人身份", "user": "用户", "vessel_owner": "船东",
    "zone": "区域",
}
FIELD_LABELS = {
    "status": "状态", "state": "状态", "active": "启用", "role": "角色", "password": "密码",
    "content": "原文", "identity": "举报人身份", "contacts": "联系方式", "phone": "电话",
    "id_code": "证件号码", "id_number": "身份证号", "name": "名称", "escalated": "升级",
}
#: Codes that some services put in details (alert kinds and states), said in Chinese.
VALUE_LABELS = {
    "new": "待处理", "acknowledged": "已接收", "closed": "已关闭", "accepted": "已串并",
    "rejected": "已否决", "proposed": "待研判", "approved": "已批准", "paid": "已发放",
    "True": "是", "False": "否", "coercive": "采取强制措施", "prosecution_referral": "起送审查起诉",
}
_HASHLIKE = re.compile(r"\b[0-9a-f]{12,}\b")


@dataclass(frozen=True)
class AuditFilter:
    q: str = ""  # the record: "线索 12", "clue 12", or a bare id or text
    who: str = ""  # user name
    action: str = ""
    entity_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class AuditLine:
    """One event as a sentence's parts, for the page."""

    id: int
    at: datetime
    who: str
    action: str
    target: str
    detail: str
    reason: str


def require_auditor(user: User) -> None:
    if not user.active or user.role not in AUDITOR_ROLES:
        raise PermissionDenied("只有专班办公室和管理员可以查看审计记录")


def _entity_from_query(q: str) -> tuple[str, str] | None:
    """"线索 12" / "clue 12" / "线索#12" → (entity_type, id)."""
    m = re.fullmatch(r"\s*([^\s#\d]+)\s*#?\s*(\d+)\s*", q)
    if not m:
        return None
    name, ident = m.group(1), m.group(2)
    for code, label in ENTITY_LABELS.items():
        if name in (code, label):
            return code, ident
    return None


def list_events(session: Session, user: User, flt: AuditFilter, *, tz: ZoneInfo,
                page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[AuditEvent], int]:
    require_auditor(user)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"每页条数应为 1–{MAX_PAGE_SIZE}")
    if page < 1 or page > 1_000_000:
        raise InvalidInput("页码超出范围")
    conds = []
    if flt.q.strip():
        entity = _entity_from_query(flt.q)
        if entity:
            conds += [AuditEvent.entity_type == entity[0], AuditEvent.entity_id == entity[1]]
        else:
            like = f"%{flt.q.strip()[:100]}%"
            conds.append(or_(AuditEvent.entity_id.like(like), AuditEvent.entity_type.like(like),
                             AuditEvent.reason.like(like)))
    if flt.who.strip():
        conds.append(AuditEvent.user.has(username=flt.who.strip()))
    if flt.action:
        conds.append(AuditEvent.action == flt.action)
    if flt.entity_type:
        conds.append(AuditEvent.entity_type == flt.entity_type)
    if flt.date_from:
        conds.append(AuditEvent.at >= datetime.combine(flt.date_from, time(0), tz))
    if flt.date_to:
        conds.append(AuditEvent.at < datetime.combine(flt.date_to + timedelta(days=1), time(0), tz))
    total = session.scalar(select(func.count(AuditEvent.id)).where(*conds)) or 0
    rows = session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.user)).where(*conds)
        .order_by(AuditEvent.id.desc()).offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def _value(text: str | None) -> str:
    if text is None or text == "":
        return ""
    text = VALUE_LABELS.get(text, text)
    return _HASHLIKE.sub(lambda m: m.group(0)[:8] + "…", text)


def describe(event: AuditEvent) -> AuditLine:
    """谁 · 做了什么 · 对哪条记录 · 改了什么, in Chinese."""
    who = (event.user.display_name or event.user.username) if event.user else "系统"
    action = ACTION_LABELS.get(event.action, event.action)
    entity = ENTITY_LABELS.get(event.entity_type, event.entity_type)
    target = f"{entity} #{event.entity_id}" if event.entity_id.isdigit() else \
        f"{entity} {event.entity_id}"
    field = FIELD_LABELS.get(event.field, event.field)
    old, new = _value(event.old_value), _value(event.new_value)
    if event.entity_type == "alert" and event.action == "create":
        new = ""  # the detector's event key: shown on the alert itself
    if field and (old or new):
        detail = f"{field}：{old or '（空）'} → {new or '（空）'}"
    elif field:
        detail = field
    else:
        detail = new
    return AuditLine(event.id, event.at, who, action, target, detail, _value(event.reason))
