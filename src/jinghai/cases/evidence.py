"""Evidence files and photos owned by a unit (supervision's rectification evidence,
outreach photos): typed by their first bytes (the clue attachments' rules), kept under the
data directory by SHA-256, opened only by those who may see their unit's items, each upload
and download audited. Here, below supervision and outreach, because both store them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from jinghai.accounts.access import may_see_unit_item
from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.cases.attachments import _clean_name, detect_type, write_once
from jinghai.cases.models import EvidenceFile
from jinghai.errors import InvalidInput, NotFound, PermissionDenied

MAX_BYTES = 10 * 1024 * 1024
FOLDER = "attachments/supervision"


def store_file(session: Session, user: User, unit_id: int, filename: str, data: bytes,
               data_dir: Path) -> EvidenceFile:
    if not data:
        raise InvalidInput("文件为空")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"文件不能超过 {MAX_BYTES // (1024 * 1024)} MB")
    ext, ctype = detect_type(data)
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{FOLDER}/{digest[:2]}/{digest}.{ext}"
    write_once(data_dir / relative, data)
    row = EvidenceFile(unit_id=unit_id, filename=_clean_name(filename, ext), content_type=ctype,
                       size=len(data), sha256=digest, path=relative, uploaded_by_id=user.id)
    session.add(row)
    session.flush()
    record(session, user, "upload", "sv_file", row.id, new=f"{row.filename} ({row.size} B)")
    return row


def open_file(session: Session, user: User, file_id: int, data_dir: Path
              ) -> tuple[EvidenceFile, Path]:
    row = session.get(EvidenceFile, file_id)
    if row is None:
        raise NotFound("文件不存在")
    if not may_see_unit_item(user, row.unit_id):
        raise PermissionDenied("只能查看本单位的事项")
    path = (data_dir / row.path).resolve()
    if not path.is_file() or data_dir.resolve() not in path.parents:
        raise NotFound("文件缺失")
    record(session, user, "download", "sv_file", row.id, new=row.filename)
    return row, path
