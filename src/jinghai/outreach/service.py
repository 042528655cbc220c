"""Recording outreach visits, with photos typed by content."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.access import may_read_all
from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.cases.evidence import store_file
from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.outreach.models import OutreachVisit
from jinghai.outreach.schemas import OutreachIn

MAX_PHOTOS = 9


def record_outreach(session: Session, user: User, data: OutreachIn, *,
                    photos: Sequence[tuple[str, bytes]] = (), data_dir: Path | None = None
                    ) -> OutreachVisit:
    if not user.active or user.role not in (Role.OFFICE, Role.LIAISON):
        raise PermissionDenied("只有专班办公室和单位联络员可以录入宣传记录")
    if user.role == Role.LIAISON and user.unit_id is None:
        raise PermissionDenied("联络员账号未绑定单位")
    photos = [p for p in photos if p[1]]
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"照片最多 {MAX_PHOTOS} 张")
    if photos and data_dir is None:
        raise InvalidInput("未配置文件存放目录")
    from jinghai.cases.access import owning_unit_id

    unit_id = owning_unit_id(session, user)
    files = [store_file(session, user, unit_id, name, data, data_dir) for name, data in photos]
    visit = OutreachVisit(unit_id=unit_id, day=data.day, audience=data.audience,
                          count=data.count, place=data.place, materials=data.materials,
                          file_ids=[f.id for f in files], created_by_id=user.id)
    session.add(visit)
    session.flush()
    record(session, user, "create", "or_visit", visit.id,
           new=f"{data.day} {data.audience} {data.count} {data.place}")
    return visit


def list_outreach(session: Session, user: User, limit: int = 300) -> list[OutreachVisit]:
    q = select(OutreachVisit)
    if not may_read_all(user):
        if user.unit_id is None:
            return []
        q = q.where(OutreachVisit.unit_id == user.unit_id)
    return list(session.scalars(q.order_by(OutreachVisit.day.desc(),
                                           OutreachVisit.id.desc()).limit(limit)))
