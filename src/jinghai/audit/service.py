"""Writing the audit trail. Callers pass the session they change state in, so the audit
row commits or rolls back with the change it describes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from jinghai.audit.models import AuditEvent
from jinghai.masking import PERSONAL_FIELDS, mask_numbers_in_text

if TYPE_CHECKING:
    from jinghai.accounts.models import User


def _text(value: object, field: str = "") -> str | None:
    """Audit details never hold a personal number in full: a personal field's value is
    masked whole, any other text has the numbers in it masked. The row says who changed
    or viewed which record; the record itself holds the data."""
    if value is None:
        return None
    text = str(value)
    if field in PERSONAL_FIELDS:
        return PERSONAL_FIELDS[field](text)
    return mask_numbers_in_text(text)


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
        old_value=_text(old, field),
        new_value=_text(new, field),
        reason=mask_numbers_in_text(reason),
    )
    session.add(event)
    return event
