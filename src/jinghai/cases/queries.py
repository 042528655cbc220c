"""Permission-checked reads of clues, links and cases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.cases.access import (
    SENSITIVE_KINDS,
    has_sensitive_text,
    mask_value,
    may_see_unit_data,
    require_unit_data,
)
from jinghai.cases.linking import Evidence
from jinghai.cases.models import Case, Clue, ClueEntity, ClueLink
from jinghai.errors import InvalidInput, NotFound, PermissionDenied


def _visible(user: User, unit_col):
    """A WHERE clause limiting rows to what ``user`` may see (owning unit, office, or the
    read-only leadership)."""
    if not user.active or user.role not in (Role.OFFICE, Role.LIAISON, Role.VIEWER):
        return false()
    if user.role in (Role.OFFICE, Role.VIEWER):
        return unit_col.isnot(None)
    return unit_col == user.unit_id


def get_clue_for(session: Session, user: User, clue_id: int) -> Clue:
    clue = session.get(Clue, clue_id)
    if clue is None:
        raise NotFound("线索不存在")
    require_unit_data(user, clue.unit_id)
    return clue


def get_case_for(session: Session, user: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在")
    require_unit_data(user, case.unit_id)
    return case


def list_clues(session: Session, user: User, *, status: str = "", limit: int = 200
               ) -> list[Clue]:
    q = select(Clue).where(_visible(user, Clue.unit_id))
    if status:
        q = q.where(Clue.status == status)
    return list(session.scalars(q.order_by(Clue.id.desc()).limit(limit)))


CLUE_PAGE_SIZE = 50


def search_clues(session: Session, user: User, *, q: str = "", status: str = "",
                 source_kind: str = "", page: int = 1, page_size: int = CLUE_PAGE_SIZE
                 ) -> tuple[list[Clue], int]:
    """One page of the clues ``user`` may see, newest first, and how many match. ``q``
    matches the number (#12), title, content or place."""
    if page < 1 or page > 1_000_000 or not 1 <= page_size <= 500:
        raise InvalidInput("页码超出范围")
    conds = [_visible(user, Clue.unit_id)]
    if status:
        conds.append(Clue.status == status)
    if source_kind:
        conds.append(Clue.source_kind == source_kind)
    text = q.strip()[:100]
    if text.lstrip("#").isdigit() and len(text) <= 12:
        conds.append(Clue.id == int(text.lstrip("#")))
    elif text:
        like = f"%{text}%"
        conds.append(or_(Clue.title.like(like), Clue.content.like(like), Clue.place.like(like)))
    total = session.scalar(select(func.count(Clue.id)).where(*conds)) or 0
    rows = session.scalars(select(Clue).where(*conds).order_by(Clue.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    return list(rows), total


def visible_clues(session: Session, user: User) -> list[Clue]:
    """Every clue the user may see: what the linker runs over on their behalf, so a
    proposal never reveals another unit's clue."""
    return list(session.scalars(select(Clue).where(_visible(user, Clue.unit_id))
                                .order_by(Clue.id)))


def list_cases(session: Session, user: User, limit: int = 200) -> list[Case]:
    return list(session.scalars(select(Case).where(_visible(user, Case.unit_id))
                                .order_by(Case.id.desc()).limit(limit)))


def list_links(session: Session, user: User, *, status: str = "", clue_id: int | None = None
               ) -> list[ClueLink]:
    q = select(ClueLink)
    if status:
        q = q.where(ClueLink.status == status)
    if clue_id is not None:
        q = q.where(or_(ClueLink.clue_a_id == clue_id, ClueLink.clue_b_id == clue_id))
    links = session.scalars(q.order_by(ClueLink.score.desc(), ClueLink.id))
    # Both ends must be visible: a link to a hidden clue would leak that it exists.
    return [lk for lk in links
            if may_see_unit_data(user, lk.clue_a.unit_id)
            and may_see_unit_data(user, lk.clue_b.unit_id)]


@dataclass(frozen=True)
class EntityView:
    """An entity as shown in a list: ID and phone numbers masked."""

    id: int
    kind: str
    kind_label: str
    value: str
    raw: str
    masked: bool
    fields: dict


def entity_view(entity: ClueEntity) -> EntityView:
    sensitive = entity.kind in SENSITIVE_KINDS
    fields = dict(entity.fields or {})
    for k in SENSITIVE_KINDS:
        if fields.get(k):
            fields[k] = mask_value(k, str(fields[k]))
    return EntityView(
        id=entity.id, kind=entity.kind, kind_label=entity.kind_label,
        value=mask_value(entity.kind, entity.value),
        raw=mask_value(entity.kind, entity.raw) if sensitive else entity.raw,
        masked=sensitive or fields != (entity.fields or {}), fields=fields,
    )


def reveal_entity(session: Session, user: User, entity_id: int) -> ClueEntity:
    """The entity with its ID or phone number in full, for one user, logged in the audit
    trail (who, which entity, when) in the same transaction as the read."""
    entity = session.get(ClueEntity, entity_id)
    if entity is None:
        raise NotFound("实体不存在")
    if not may_see_unit_data(user, entity.clue.unit_id):
        raise PermissionDenied("无权查看该人员信息")
    record(session, user, "view_unmasked", "clue_entity", entity.id, field=entity.kind,
           reason=f"clue {entity.clue_id}")
    session.flush()
    return entity


def explain_link(link: ClueLink, mask: bool = True) -> list[str]:
    """One line per piece of evidence, masked by default (lists are never unmasked)."""
    return [Evidence(**e).explain(mask) for e in link.explanation or []]


def reveal_clue_text(session: Session, user: User, clue_id: int) -> Clue:
    """The clue whose original text (with phone and ID numbers) is about to be shown;
    logged when the text holds any, like :func:`reveal_entity`."""
    clue = get_clue_for(session, user, clue_id)
    if has_sensitive_text(f"{clue.title}\n{clue.content}"):
        record(session, user, "view_unmasked", "clue", clue.id, field="content")
        session.flush()
    return clue
