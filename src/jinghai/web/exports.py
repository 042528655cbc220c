"""Report downloads for pages and the API: :mod:`jinghai.reporting.export` makes the file,
this wraps it in a response."""

from __future__ import annotations

from datetime import date

from fastapi.responses import Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.reporting.export import export_file
from jinghai.settings import Settings


def export_response(db: Session, user: User, start: date, end: date, fmt: str,
                    period: str = "day", *, settings: Settings) -> Response:
    file = export_file(db, user, fmt, start, end, period, pdf_font=settings.pdf_font)
    return Response(
        file.data,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
