"""The compiled daily report as an ``.xlsx`` in the official layout of 附件2.

The office forwards this file upwards exactly as the paper form looked, so the layout is
the printed one: title and date, caption, then two blocks of ``block_size`` columns, each
with a 内容 row of merged section headers, a row of column names, a 数量 row and a 累计 row
(as on the page). Figures are written as numbers (not text) so that the receiving office
can sum them in Excel; a section none of whose units reported shows 未报, never 0, and a
note under the form names the units missing. An unlocked day says 初稿（未锁定）.
Every text goes through :mod:`jinghai.textsafe`.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jinghai.errors import InvalidInput
from jinghai.reporting.compiled import NOT_REPORTED, CompiledReport
from jinghai.reporting.form import Figure
from jinghai.textsafe import set_text

__all__ = ["CAPTION_ROW", "MARK_ROW", "SHEET_TITLE", "TITLE_ROW", "block_rows",
           "cumulative_row", "notes_row", "render_xlsx"]

# 宋体 is what the printed form uses and what every Chinese Office install has; LibreOffice
# and WPS map the name to a local CJK font when it is missing.
FONT_NAME = "宋体"
SHEET_TITLE = "日报表"
TITLE_ROW = 1
CAPTION_ROW = 2
MARK_ROW = 3  # the day's state (初稿（未锁定） / 已锁定) between the caption and the form
_FIRST_BLOCK_ROW = 4
_BLOCK_HEIGHT = 4  # 内容, column names, 数量, 累计
_BLOCK_GAP = 1  # blank row between the blocks

_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)


def block_rows(index: int) -> tuple[int, int, int]:
    """Rows (内容, column names, 数量) of block ``index`` (0-based); tests use this too."""
    top = _FIRST_BLOCK_ROW + index * (_BLOCK_HEIGHT + _BLOCK_GAP)
    return top, top + 1, top + 2


def cumulative_row(index: int) -> int:
    """The 累计 row of block ``index``."""
    return block_rows(index)[2] + 1


def notes_row(blocks: int) -> int:
    """The first row of the notes under the form (missing units, changed counts)."""
    return cumulative_row(blocks - 1) + 2


def _number(fig: Figure, value: Decimal) -> int | float:
    # openpyxl writes Decimal as a number too, but an int/float keeps the cell type obvious
    # to any reader of the file; amounts are rounded to the form's decimals first.
    if fig.decimals:
        return float(round(value, fig.decimals))
    return int(value)


def _number_format(fig: Figure) -> str:
    return "0." + "0" * fig.decimals if fig.decimals else "0"


def _date_text(report: CompiledReport) -> str:
    d = report.report_date
    if report.period_start is not None:
        s = report.period_start
        return f"{report.period_label}：{s.year}年{s.month}月{s.day}日—{d.month}月{d.day}日"
    return f"日期：{d.year}年{d.month}月{d.day}日"


def _style(cell, *, bold: bool = False, size: int = 10) -> None:
    cell.font = Font(name=FONT_NAME, size=size, bold=bold)
    cell.alignment = _CENTRE
    cell.border = _BORDER


def _write_report_sheet(ws: Worksheet, report: CompiledReport) -> None:
    blocks = report.form.blocks()
    width = max(sum(len(figs) for _, figs in runs) for runs in blocks)
    last_col = 1 + width

    ws.title = SHEET_TITLE
    # Title across the form, date in the last few columns at the right as printed.
    date_cols = 4
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW,
                   end_column=last_col - date_cols)
    title = ws.cell(TITLE_ROW, 1)
    set_text(title, report.office_name)
    title.font = Font(name=FONT_NAME, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=TITLE_ROW, start_column=last_col - date_cols + 1,
                   end_row=TITLE_ROW, end_column=last_col)
    date_cell = ws.cell(TITLE_ROW, last_col - date_cols + 1)
    set_text(date_cell, _date_text(report))
    date_cell.font = Font(name=FONT_NAME, size=11)
    date_cell.alignment = Alignment(horizontal="right", vertical="center")

    ws.merge_cells(start_row=CAPTION_ROW, start_column=1, end_row=CAPTION_ROW,
                   end_column=last_col)
    caption = ws.cell(CAPTION_ROW, 1)
    set_text(caption, report.caption)
    caption.font = Font(name=FONT_NAME, size=14, bold=True)
    caption.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 26
    ws.row_dimensions[CAPTION_ROW].height = 22
    mark = ws.cell(MARK_ROW, 1, f"状态：{report.state_mark}")
    mark.font = Font(name=FONT_NAME, size=11, bold=not report.locked,
                     color="000000" if report.locked else "C00000")

    for index, runs in enumerate(blocks):
        head_row, label_row, value_row = block_rows(index)
        cum_row = value_row + 1
        for row, text in ((head_row, "内容"), (label_row, ""), (value_row, "数量"),
                          (cum_row, "累计")):
            _style(ws.cell(row, 1, text or None), bold=True)
        col = 2
        for section, figures in runs:
            end = col + len(figures) - 1
            if end > col:
                ws.merge_cells(start_row=head_row, start_column=col, end_row=head_row,
                               end_column=end)
            state = report.sections.get(section.key)
            head = section.label + ("※" if state and (state.missing or state.returned) else "")
            _style(ws.cell(head_row, col, head), bold=True)
            for c in range(col + 1, end + 1):  # borders on merged cells' hidden parts
                _style(ws.cell(head_row, c), bold=True)
            for fig in figures:
                _style(ws.cell(label_row, col, fig.label), size=9)
                value = report.values.get(fig.code, Decimal(0))
                if report.not_reported(fig):
                    cell = ws.cell(value_row, col, NOT_REPORTED)
                else:
                    cell = ws.cell(value_row, col, _number(fig, value))
                _style(cell, size=11)
                cell.number_format = _number_format(fig)
                cum = ws.cell(cum_row, col,
                              _number(fig, report.cumulative.get(fig.code, Decimal(0))))
                _style(cum, size=10)
                cum.number_format = _number_format(fig)
                col += 1
        ws.row_dimensions[head_row].height = 20
        ws.row_dimensions[label_row].height = 78  # column names wrap over several lines
        ws.row_dimensions[value_row].height = 22
        ws.row_dimensions[cum_row].height = 20

    notes = _footnotes(report)
    row = notes_row(len(blocks))
    for text in notes:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        cell = ws.cell(row, 1)
        set_text(cell, text)
        cell.font = Font(name=FONT_NAME, size=9)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        row += 1
    ws.column_dimensions["A"].width = 7
    for c in range(2, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 8.5

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.3
    last_row = row - 1 if notes else cumulative_row(len(blocks) - 1)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"


def _footnotes(report: CompiledReport) -> list[str]:
    out = []
    for i, text in enumerate(report.footnotes()):
        out.append(("注：※ " if i == 0 else "　　※ ") + text)
    for code, src in report.changed_sources:
        label = report.form.figure(code).label
        out.append(f"注：{src.unit_name}“{label}”报送后系统统计已由 {src.submitted.normalize():f} "
                   f"变为 {src.value.normalize():f}，表中按最新统计，待单位确认")
    return out


_STATUS_LABELS = {
    "not_started": "未报",
    "draft": "草稿（未报送）",
    "submitted": "已提交",
    "late": "逾期提交",
    "nil": "无情况",
    "returned": "已退回",
}


def _write_notes_sheet(ws: Worksheet, report: CompiledReport) -> None:
    """Open warnings and who reported: not on the printed form, but the office asks it."""
    ws.title = "说明"
    bold = Font(name=FONT_NAME, bold=True)
    plain = Font(name=FONT_NAME)
    row = 1
    set_text(ws.cell(row, 1), f"{report.operation_name} {_date_text(report)}")
    ws.cell(row, 1).font = bold
    row += 1
    ws.cell(row, 1, f"日报状态：{report.state_mark}").font = bold
    row += 2
    if report.warnings:
        ws.cell(row, 1, "待核实提示").font = bold
        row += 1
        for col, text in enumerate(("单位", "指标", "提示", "说明"), start=1):
            ws.cell(row, col, text).font = bold
        for w in report.warnings:
            row += 1
            try:
                fig_label = report.form.figure(w.figure_code).label
            except InvalidInput:  # a figure since dropped from the form: show its code
                fig_label = w.figure_code
            for col, text in enumerate((w.unit_name, fig_label, w.message, w.comment), 1):
                cell = ws.cell(row, col)
                set_text(cell, text)
                cell.font = plain
                cell.alignment = _WRAP
        row += 2
    if report.units:
        ws.cell(row, 1, "各单位填报情况").font = bold
        row += 1
        for col, text in enumerate(("单位", "栏目", "状态"), start=1):
            ws.cell(row, col, text).font = bold
        for u in report.units:
            row += 1
            try:
                section = report.form.section(u.section).label
            except InvalidInput:
                section = u.section
            for col, text in enumerate(
                (u.unit_name, section, _STATUS_LABELS.get(u.status, u.status)), 1
            ):
                cell = ws.cell(row, col)
                set_text(cell, text)
                cell.font = plain
    # One page wide, landscape: unit, figure, message and comment stay side by side.
    for letter, width in (("A", 22), ("B", 22), ("C", 40), ("D", 40)):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.3


def render_xlsx(report: CompiledReport) -> bytes:
    """The report as xlsx bytes: sheet 日报表 as printed, sheet 说明 when there is anything
    to explain (open warnings, unit statuses)."""
    wb = Workbook()
    _write_report_sheet(wb.active, report)
    if report.warnings or report.units:
        _write_notes_sheet(wb.create_sheet(), report)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
