"""The compiled daily report as a PDF in the printed 附件2 layout.

The PDF goes to people who have no spreadsheet at hand (leaders on a phone, an archive), so
it must show the Chinese text anywhere: the CJK font is embedded, never referenced. The
font is WenQuanYi Micro Hei from Debian's ``fonts-wqy-microhei``, which the project's
set-up installs; the ``pdf_font`` setting (``JINGHAI_PDF_FONT``) points elsewhere when a
site prefers another font, passed in by the web app or the CLI.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jinghai.errors import JinghaiError
from jinghai.reporting.compiled import CompiledReport
from jinghai.textsafe import clean_text

__all__ = ["FONT_ENV", "KNOWN_FONT_PATHS", "find_cjk_font", "render_pdf"]

FONT_ENV = "JINGHAI_PDF_FONT"  # the pdf_font setting, named in messages
# Debian/Ubuntu first (what scripts install), then common places on other systems.
KNOWN_FONT_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc"),
)
_FONT_NAME = "JinghaiCJK"


def find_cjk_font(explicit: str | Path | None = None) -> Path:
    """The CJK TrueType font to embed: ``explicit`` (the ``pdf_font`` setting), else the
    first of ``KNOWN_FONT_PATHS`` that exists. A missing font is an installation problem,
    so the error says which package to install rather than rendering empty boxes."""
    chosen = explicit
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise JinghaiError(f"PDF 字体文件不存在：{path}（请检查 {FONT_ENV} 设置）")
        return path
    for path in KNOWN_FONT_PATHS:
        if path.is_file():
            return path
    raise JinghaiError(
        "未找到用于 PDF 的中文字体：请安装 Debian 软件包 fonts-wqy-microhei"
        f"（apt-get install fonts-wqy-microhei），或用 {FONT_ENV} 指定一个 TrueType 字体文件"
    )


def _register_font(path: Path) -> str:
    """Register ``path`` once per process under a name derived from it."""
    name = f"{_FONT_NAME}-{abs(hash(str(path))) % 10**8}"
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            if path.suffix.lower() == ".ttc":
                font = TTFont(name, str(path), subfontIndex=0)
            else:
                font = TTFont(name, str(path))
        except Exception as exc:  # reportlab raises a bare TTFError or struct errors
            raise JinghaiError(f"无法加载 PDF 字体 {path}：{exc}") from exc
        pdfmetrics.registerFont(font)
    return name


def _block_table(report: CompiledReport, runs, font: str, col_width: float) -> Table:
    """One printed block: 内容 row with merged section headers, column names, 数量."""
    label_style = ParagraphStyle(
        "label", fontName=font, fontSize=6.6, leading=8.2, alignment=TA_CENTER,
        wordWrap="CJK",
    )
    head: list[object] = ["内容"]
    labels: list[object] = [""]
    values: list[object] = ["数量"]
    totals: list[object] = ["累计"]
    spans: list[tuple[int, int]] = []
    col = 1
    for section, figures in runs:
        spans.append((col, col + len(figures) - 1))
        state = report.sections.get(section.key)
        head.append(section.label + ("※" if state and (state.missing or state.returned)
                                     else ""))
        head.extend([""] * (len(figures) - 1))
        for fig in figures:
            labels.append(Paragraph(_label_markup(fig.label), label_style))
            values.append(report.cell_text(fig))
            totals.append(report.cumulative_text(fig))
        col += len(figures)
    first_col = 11 * mm
    table = Table(
        [head, labels, values, totals],
        colWidths=[first_col] + [col_width] * (col - 1),
        rowHeights=[8 * mm, 30 * mm, 8 * mm, 7 * mm],
    )
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, 0), 8.5),
        ("FONTSIZE", (0, 2), (-1, 2), 9),
        ("FONTSIZE", (1, 3), (-1, 3), 8),
        ("FONTSIZE", (0, 0), (0, -1), 9),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
    ]
    for start, end in spans:
        if end > start:
            style.append(("SPAN", (start, 0), (end, 0)))
    table.setStyle(TableStyle(style))
    return table


def render_pdf(report: CompiledReport, font_path: str | Path | None = None) -> bytes:
    """The report as PDF bytes: the form on one landscape A4 page (with its state and the
    units missing under it), the units' comments on an annex page for the office; the CJK
    font embedded (subset)."""
    font = _register_font(find_cjk_font(font_path))
    buf = io.BytesIO()
    page_w, _ = landscape(A4)
    margin = 8 * mm
    doc = SimpleDocTemplate(
        buf, pagesize=landscape(A4), leftMargin=margin, rightMargin=margin,
        topMargin=12 * mm, bottomMargin=10 * mm,
        title=f"{report.caption} {report.report_date:%Y-%m-%d}",
        author=report.office_name, creator="Jinghai 净海",
    )
    blocks = report.form.blocks()
    width = max(sum(len(figs) for _, figs in runs) for runs in blocks)
    col_width = (page_w - 2 * margin - 11 * mm) / width

    title_style = ParagraphStyle("title", fontName=font, fontSize=15, leading=19,
                                 alignment=TA_CENTER)
    date_style = ParagraphStyle("date", fontName=font, fontSize=10.5, leading=13,
                                alignment=TA_RIGHT)
    caption_style = ParagraphStyle("caption", fontName=font, fontSize=13.5, leading=17,
                                   alignment=TA_CENTER)
    body_w = page_w - 2 * margin
    heading = Table(
        [[Paragraph(_escape(report.office_name), title_style),
          Paragraph(_escape(_date_text(report)), date_style)]],
        colWidths=[body_w * 0.78, body_w * 0.22],
    )
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                 ("LEFTPADDING", (0, 0), (0, 0), body_w * 0.22)]))
    story: list[object] = [
        heading,
        Spacer(1, 3 * mm),
        Paragraph(_escape(report.caption + (f"（{report.period_label}）"
                                            if report.period_label else "")), caption_style),
        Spacer(1, 1 * mm),
        Paragraph(_escape(f"状态：{report.state_mark}"), ParagraphStyle(
            "mark", fontName=font, fontSize=10, leading=12,
            textColor=colors.black if report.locked else colors.HexColor("#c00000"))),
        Spacer(1, 3 * mm),
    ]
    for i, runs in enumerate(blocks):
        if i:
            story.append(Spacer(1, 7 * mm))
        story.append(_block_table(report, runs, font, col_width))
    story.extend(_footnotes(report, font))
    story.extend(_annex(report, font))
    doc.build(story)
    return buf.getvalue()


def _date_text(report: CompiledReport) -> str:
    d = report.report_date
    if report.period_start is not None:
        s = report.period_start
        return f"{s.year}年{s.month}月{s.day}日—{d.month}月{d.day}日"
    return f"日期：{d.year}年{d.month}月{d.day}日"


def _footnotes(report: CompiledReport, font: str) -> Sequence[object]:
    """Under the form: which sections have units missing, and counts changed since a
    unit's submission. They are part of what the figures mean, so they stay on the page."""
    style = ParagraphStyle("foot", fontName=font, fontSize=8, leading=10)
    lines = [f"※ {t}" for t in report.footnotes()]
    for code, src in report.changed_sources:
        label = report.form.figure(code).label
        lines.append(f"{src.unit_name}“{label}”报送后系统统计由 {src.submitted.normalize():f} "
                     f"变为 {src.value.normalize():f}，表中按最新统计，待单位确认")
    if not lines:
        return []
    return [Spacer(1, 3 * mm), *(Paragraph(_escape("注：" + t), style) for t in lines)]


def _annex(report: CompiledReport, font: str) -> Sequence[object]:
    """Open warnings and the units' comments on an annex page for the office, not under
    the form that goes upward."""
    if not report.warnings:
        return []
    head = ParagraphStyle("annexhead", fontName=font, fontSize=12, leading=15)
    style = ParagraphStyle("note", fontName=font, fontSize=8.5, leading=11)
    out: list[object] = [PageBreak(), Paragraph("附页：待核实提示及单位说明（供专班办公室）", head),
                         Spacer(1, 3 * mm)]
    for w in report.warnings:
        try:
            label = report.form.figure(w.figure_code).label
        except JinghaiError:
            label = w.figure_code
        text = f"{w.unit_name} · {label}：{w.message}"
        if w.comment:
            text += f"（说明：{w.comment}）"
        out.append(Paragraph(_escape(text), style))
    return out


def _label_markup(label: str) -> str:
    """Put the unit （人） on its own line, as the printed form does: the CJK line breaker
    will not break before a full-width bracket, so a long name would overflow its cell."""
    text = _escape(label)
    head, sep, tail = text.partition("（")
    return f"{head}<br/>{sep}{tail}" if sep and head else text


def _escape(text: str) -> str:
    # Paragraph parses a mini-markup; a '<' or '&' in a name or comment must stay text.
    text = clean_text(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
