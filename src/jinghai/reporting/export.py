"""The one door to the report's files: a format and a period in, the file out. The web's
download routes and ``jinghai report export`` both come through here, so what may be
exported (and what is refused, in which words) is decided once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.errors import InvalidInput
from jinghai.reporting.export_pdf import render_pdf
from jinghai.reporting.export_tabular import render_csv, render_json
from jinghai.reporting.export_xlsx import render_xlsx
from jinghai.reporting.form import default_form
from jinghai.reporting.queries import compile_daily_report, compile_period, compile_range

FORMATS = ("xlsx", "pdf", "csv", "json")
PERIODS = ("day", "week", "month")
#: The printed layouts: one day's report, or the week's or month's containing it.
LAYOUT_FORMATS = ("xlsx", "pdf")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
_KIND = {"day": "daily", "week": "weekly", "month": "monthly"}


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    media_type: str


def render_export(session: Session, user: User, fmt: str, start: date, end: date | None = None,
                  period: str = "day", *, pdf_font: Path | None = None) -> bytes:
    """The report as ``fmt``: xlsx and pdf are one day (or, with ``period`` week or month,
    the period containing ``start``) in the official layout; csv and json the days from
    ``start`` to ``end``. ``pdf_font`` is the CJK font to embed (settings' ``pdf_font``;
    none: the installed default)."""
    end = end or start
    if period not in PERIODS:
        raise InvalidInput("周期只能是 day（日报）、week（周报）或 month（月报）")
    if period != "day" and fmt not in LAYOUT_FORMATS:
        raise InvalidInput("周报和月报导出为 xlsx 或 pdf；逐日数据请用 csv 或 json 的日期范围")
    if fmt in LAYOUT_FORMATS:
        if start != end and period == "day":
            raise InvalidInput("xlsx 和 pdf 只能导出单日日报表，日期范围请用 csv 或 json")
        report = (compile_daily_report(session, user, start) if period == "day"
                  else compile_period(session, user, period, start))
        if fmt == "xlsx":
            return render_xlsx(report)
        return render_pdf(report, font_path=pdf_font)
    if fmt in ("csv", "json"):
        reports = compile_range(session, user, start, end)
        render = render_csv if fmt == "csv" else render_json
        return render(reports, default_form())
    raise InvalidInput("导出格式只能是 xlsx、pdf、csv 或 json")


def export_file(session: Session, user: User, fmt: str, start: date, end: date | None = None,
                period: str = "day", *, pdf_font: Path | None = None) -> ExportFile:
    """:func:`render_export` with the file's name (``jinghai-daily-20250601.xlsx``) and
    media type, for a download."""
    end = end or start
    data = render_export(session, user, fmt, start, end, period, pdf_font=pdf_font)
    stem = f"jinghai-{_KIND.get(period, 'daily')}-{start:%Y%m%d}" + (
        f"-{end:%Y%m%d}" if end != start else "")
    return ExportFile(data, f"{stem}.{fmt}", MEDIA_TYPES[fmt])


__all__ = ["FORMATS", "MEDIA_TYPES", "PERIODS", "ExportFile", "export_file", "render_export"]
