"""``jinghai brief --date YYYY-MM-DD --format docx|pdf --output FILE``: the leader's daily
brief, as the office's console operator."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jinghai.settings import Settings


class BriefFormat(StrEnum):
    docx = "docx"
    pdf = "pdf"


def brief(
    day: Annotated[str, typer.Option("--date", help="日期 YYYY-MM-DD")],
    fmt: Annotated[BriefFormat, typer.Option("--format", help="导出格式")],
    output: Annotated[Path, typer.Option("--output", help="输出文件", dir_okay=False)],
) -> None:
    """导出领导日报（docx 或 pdf）。"""
    from jinghai.brief.export import brief_docx, brief_pdf
    from jinghai.brief.queries import daily_brief
    from jinghai.cli.main import _engine, _parse_date, _require_schema, system_user
    from jinghai.db import make_session_factory, session_scope

    when = _parse_date(day, "--date")
    settings = Settings()
    engine = _engine(settings)
    try:
        _require_schema(engine)
        with session_scope(make_session_factory(engine)) as session:
            b = daily_brief(session, system_user(), when)
            data = brief_docx(b) if fmt == BriefFormat.docx else brief_pdf(
                b, font=settings.doc_font, fallback_font=settings.pdf_font)
    finally:
        engine.dispose()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"已导出领导日报 {output}（{len(data)} 字节）")
