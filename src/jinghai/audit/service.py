"""Writing the audit trail. Callers pass the session they change state in, so the audit
row commits or rolls back with the change it describes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.audit.models import AuditEvent


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    field: str = "",
    old: object = None,
    new: object = None,
    reason: str = "",
) -> AuditEvent:
    event = AuditEvent(
        user_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        reason=reason,
    )
    session.add(event)
    return event
