"""Turning compiled reports into downloadable files (shared by pages and the API)."""

from __future__ import annotations

from datetime import date

from fastapi.responses import Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.errors import InvalidInput
from jinghai.reporting.form import default_form
from jinghai.reporting.queries import compile_daily_report, compile_period, compile_range

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def render_export(db: Session, user: User, start: date, end: date, fmt: str,
                  period: str = "day") -> bytes:
    if period not in ("day", "week", "month"):
        raise InvalidInput("周期只能是 day（日报）、week（周报）或 month（月报）")
    if period != "day" and fmt not in ("xlsx", "pdf"):
        raise InvalidInput("周报和月报导出为 xlsx 或 pdf；逐日数据请用 csv 或 json 的日期范围")
    if fmt in ("xlsx", "pdf"):
        if start != end and period == "day":
            raise InvalidInput("xlsx 和 pdf 导出单日日报；多日请用 csv 或 json")
        report = (compile_daily_report(db, user, start) if period == "day"
                  else compile_period(db, user, period, start))
        if fmt == "xlsx":
            from jinghai.reporting.export_xlsx import render_xlsx

            return render_xlsx(report)
        from jinghai.reporting.export_pdf import render_pdf

        return render_pdf(report)
    if fmt in ("csv", "json"):
        reports = compile_range(db, user, start, end)
        if fmt == "csv":
            from jinghai.reporting.export_tabular import render_csv

            return render_csv(reports, default_form())
        from jinghai.reporting.export_tabular import render_json

        return render_json(reports, default_form())
    raise InvalidInput("导出格式只能是 xlsx、pdf、csv 或 json")


def export_response(db: Session, user: User, start: date, end: date, fmt: str,
                    period: str = "day") -> Response:
    data = render_export(db, user, start, end, fmt, period)
    kind = {"day": "daily", "week": "weekly", "month": "monthly"}.get(period, "daily")
    stem = f"jinghai-{kind}-{start:%Y%m%d}" + (f"-{end:%Y%m%d}" if end != start else "")
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
