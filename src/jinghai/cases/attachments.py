"""Files attached to clues: photos, scanned statements, PDFs, office documents.

The type is judged by the file's first bytes, not by its name or the browser's claim; the
bytes are stored under the data directory by their SHA-256 (so a name can never point
outside it), and each download is served as a download with the type we determined. Only
those who may see the clue may add or open its files, and both are audited.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.cases.access import require_staff_writer
from jinghai.cases.models import ClueAttachment
from jinghai.cases.queries import get_clue_for
from jinghai.errors import InvalidInput, NotFound

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_CLUE = 20
FOLDER = "attachments/clues"

#: The one list of accepted photo types: clue attachments and public tip-off photos (which
#: become clue attachments) accept the same.
IMAGE_TYPES: list[tuple[bytes, str, str]] = [
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
]
IMAGE_NAMES = "JPG、PNG 或 WebP"
_MAGIC: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "pdf", "application/pdf"),
]



def write_once(target: Path, data: bytes) -> None:
    """Write a content-addressed file atomically (temp file + rename); an existing file
    already holds the same bytes, so it is left alone."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)

def detect_image(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG, PNG or WebP photo, judged by its bytes."""
    for magic, ext, ctype in IMAGE_TYPES:
        if data.startswith(magic):
            return ext, ctype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None
_OOXML = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ACCEPTED = "JPEG、PNG、WebP、PDF、Word（.docx）、Excel（.xlsx）或纯文本"


def detect_type(data: bytes) -> tuple[str, str]:
    """(extension, content type) from the content, or InvalidInput naming what we accept."""
    image = detect_image(data)
    if image:
        return image
    for magic, ext, ctype in _MAGIC:
        if data.startswith(magic):
            return ext, ctype
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
        for prefix, kind in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    elif b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "txt", "text/plain; charset=utf-8"
    raise InvalidInput(f"不支持的附件类型，请上传 {ACCEPTED} 文件")


def _clean_name(filename: str, ext: str) -> str:
    """The uploader's name for display only: no path, no control characters, our extension."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip() or "附件"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:150]}.{ext}"


def add_attachment(session: Session, user: User, clue_id: int, filename: str, data: bytes,
                   data_dir: Path) -> ClueAttachment:
    require_staff_writer(user)
    clue = get_clue_for(session, user, clue_id)
    if not data:
        raise InvalidInput("附件为空")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(f"附件不能超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
    if len(clue.attachments) >= MAX_ATTACHMENTS_PER_CLUE:
        raise InvalidInput(f"每条线索最多 {MAX_ATTACHMENTS_PER_CLUE} 个附件")
    ext, ctype = detect_type(data)
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{FOLDER}/{clue.id}/{digest}.{ext}"
    write_once(data_dir / relative, data)
    row = ClueAttachment(clue_id=clue.id, filename=_clean_name(filename, ext), content_type=ctype,
                         size=len(data), sha256=digest, path=relative, uploaded_by_id=user.id)
    clue.attachments.append(row)
    session.flush()
    record(session, user, "attach", "clue", clue.id, new=f"{row.filename} ({row.size} B)")
    return row


def open_attachment(session: Session, user: User, clue_id: int, attachment_id: int,
                    data_dir: Path) -> tuple[ClueAttachment, Path]:
    """The row and the file's path, for someone who may see the clue; the access is logged."""
    clue = get_clue_for(session, user, clue_id)
    row = next((a for a in clue.attachments if a.id == attachment_id), None)
    if row is None:
        raise NotFound("附件不存在")
    path = (data_dir / row.path).resolve()
    if not path.is_file() or data_dir.resolve() not in path.parents:
        raise NotFound("附件文件缺失")
    record(session, user, "download", "clue_attachment", row.id, new=row.filename)
    return row, path
