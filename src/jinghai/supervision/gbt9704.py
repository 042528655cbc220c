"""Official documents laid out as GB/T 9704-2012 (党政机关公文格式) asks, as ``.docx`` and
as PDF, from one list of blocks.

The standard, as applied here:

- A4; top margin 37 mm, left 28 mm; type area 156 mm × 225 mm (so right 26 mm, bottom
  35 mm); 22 lines of 28 characters (5.1, 5.2.1, 5.2.2): line pitch 225/22 mm, character
  pitch 156/28 mm, set as the section's document grid and exact line spacing.
- Body in 3号 (16 pt) 仿宋; title in 2号 (22 pt) 小标宋, centred (7.3.1); first-level
  headings in 黑体 (7.3.3).
- The issuing office's mark (发文机关标志) centred in red 小标宋, its top 35 mm below the
  type area's top (7.2.4); the document number (发文字号) two lines below it with the
  year in 〔〕 (7.2.5); a red separator line the width of the type area 4 mm below (7.2.7).
- Addressees (主送) flush left under the title after a blank line, ending in a full-width
  colon (7.3.2); the date written in Arabic numerals, year, month and day in full
  (7.3.5.1); the closing block (版记): 抄送, then 印发机关 and 印发日期 between rules, in
  4号 (7.4).
- Page numbers in 4号 半角宋体 Arabic numerals between em dashes, ``— 1 —``, odd pages at
  the right and even pages at the left, one character in (7.5).
- Minutes (纪要, 10.3): the mark "…纪要" in red 小标宋, no number line; 出席 and 列席 in
  黑体 before the names.

The ``.docx`` names the fonts office PCs have (仿宋_GB2312, 方正小标宋简体, 黑体,
宋体); the PDF cannot rely on them, so it embeds a free font of the same (Ming/Song)
style: AR PL UMing from Debian's ``fonts-arphic-uming`` (the ``doc_font`` setting,
``JINGHAI_DOC_FONT``, points elsewhere), falling back to the report's font (``pdf_font``,
else WenQuanYi). The entry points (web, CLI) pass those settings in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinghai.errors import JinghaiError

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
TOP_MM, LEFT_MM = 37.0, 28.0
AREA_W_MM, AREA_H_MM = 156.0, 225.0
RIGHT_MM = PAGE_W_MM - LEFT_MM - AREA_W_MM  # 26
BOTTOM_MM = PAGE_H_MM - TOP_MM - AREA_H_MM  # 35
LINES, CHARS = 22, 28
LINE_PITCH_PT = AREA_H_MM / LINES * 72 / 25.4  # 28.99 pt
CHAR_PITCH_PT = AREA_W_MM / CHARS * 72 / 25.4  # 15.79 pt
BODY_PT, TITLE_PT, SMALL_PT = 16.0, 22.0, 14.0  # 3号, 2号, 4号
MARK_PT = 30.0
RED = "FF0000"

FONT_BODY = "仿宋_GB2312"
FONT_TITLE = "方正小标宋简体"
FONT_HEADING = "黑体"
FONT_PAGE = "宋体"

DOC_FONT_ENV = "JINGHAI_DOC_FONT"  # the doc_font setting, named in messages
DOC_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
)


def mark_size(mark: str) -> float:
    """The mark on one line: at most 30 pt, smaller for a long office name."""
    area_pt = AREA_W_MM * 72 / 25.4
    return min(MARK_PT, round(area_pt * 0.96 / max(len(mark), 1), 1))


def cn_date(d: date) -> str:
    """The standard's date: Arabic numerals, year, month and day in full (2026年12月1日)."""
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Block:
    """``kind``: heading | para | table | attendees (label, names) | blank."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    label: str = ""


@dataclass
class OfficialDocument:
    mark: str                      # 发文机关标志 (or the 纪要 mark)
    title: str
    blocks: list[Block]
    number: str = ""               # 发文字号; empty for minutes
    addressees: str = ""           # 主送
    signature: str = ""            # 发文机关署名
    written_on: date | None = None  # 成文日期
    cc: str = ""                   # 抄送
    printer: str = ""              # 印发机关
    printed_on: date | None = None  # 印发日期

    def plain_text(self) -> str:
        parts = [self.mark, self.number, self.title, self.addressees]
        for b in self.blocks:
            parts.append(b.text)
            parts.extend(" ".join(r) for r in b.rows)
        return "\n".join(p for p in parts if p)


# -- .docx ---------------------------------------------------------------------------------
def _font(run, name: str, size: float, *, bold: bool = False, color: str | None = None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _para(doc, text: str = "", *, font: str = FONT_BODY, size: float = BODY_PT,
          align=None, indent_chars: float = 0, bold: bool = False, color: str | None = None,
          space_before_mm: float = 0, left_chars: float = 0, right_chars: float = 0,
          exact: bool = True):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Mm, Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(round(LINE_PITCH_PT, 2))
    fmt.space_before = Mm(space_before_mm) if space_before_mm else Pt(0)
    fmt.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if left_chars:
        fmt.left_indent = Pt(size * left_chars)
    if right_chars:
        fmt.right_indent = Pt(size * right_chars)
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _rule(p, *, color: str = RED, size_eighths: int = 8, where: str = "bottom") -> None:
    """A rule the width of the paragraph (the type area) as a paragraph border."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{where}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_number_footer(footer, align, left: bool) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = align
    if left:
        p.paragraph_format.left_indent = Pt(SMALL_PT)
    else:
        p.paragraph_format.right_indent = Pt(SMALL_PT)
    _font(p.add_run("— "), FONT_PAGE, SMALL_PT)
    run = _font(p.add_run(), FONT_PAGE, SMALL_PT)
    for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                      ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == "1":
            el = OxmlElement("w:t")
            el.text = "1"
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), FONT_PAGE, SMALL_PT)


def render_docx(d: OfficialDocument) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    doc = Document()
    normal = doc.styles["Normal"]
    _font_style(normal, FONT_BODY, BODY_PT)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    sec.top_margin, sec.left_margin = Mm(TOP_MM), Mm(LEFT_MM)
    sec.right_margin, sec.bottom_margin = Mm(RIGHT_MM), Mm(BOTTOM_MM)
    # the page number sits 7 mm below the type area (7.5)
    sec.footer_distance = Mm(BOTTOM_MM - 7 - SMALL_PT * 25.4 / 72)
    sec.header_distance = Mm(15)
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    # charSpace: the extra per character over the font size, in 1/4096 pt
    grid.set(qn("w:charSpace"), str(round((CHAR_PITCH_PT - BODY_PT) * 4096)))
    # odd pages: number at the right; even pages: at the left (7.5)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, left=False)
    _page_number_footer(sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, left=True)

    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, d.mark, font=FONT_TITLE, size=mark_size(d.mark), align=center, color=RED,
          space_before_mm=35, exact=False)
    if d.number:
        _para(doc)
        _para(doc)
        num = _para(doc, d.number, align=center)
    else:
        num = _para(doc)
    num.paragraph_format.space_after = Mm(4)
    _rule(num, size_eighths=12)
    _para(doc)
    _para(doc, d.title, font=FONT_TITLE, size=TITLE_PT, align=center, exact=False)
    _para(doc)
    if d.addressees:
        _para(doc, d.addressees.rstrip("：:") + "：")
    for b in d.blocks:
        if b.kind == "heading":
            _para(doc, b.text, font=FONT_HEADING, indent_chars=2)
        elif b.kind == "para":
            _para(doc, b.text, indent_chars=2)
        elif b.kind == "blank":
            _para(doc)
        elif b.kind == "attendees":
            p = _para(doc, left_chars=0)
            _font(p.add_run(f"{b.label}："), FONT_HEADING, BODY_PT)
            _font(p.add_run(b.text), FONT_BODY, BODY_PT)
        elif b.kind == "table" and b.rows:
            table = doc.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(b.rows):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(str(value))
                    _font(run, FONT_HEADING if r == 0 else FONT_BODY, SMALL_PT)
    if d.signature or d.written_on:
        _para(doc)
        _para(doc)
        if d.signature:
            _para(doc, d.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=2)
        if d.written_on:
            _para(doc, cn_date(d.written_on), align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    if d.cc or d.printer:
        _para(doc)
        first = _para(doc, font=FONT_BODY, size=SMALL_PT)
        _rule(first, color="000000", size_eighths=8)
        if d.cc:
            cc = _para(doc, f"抄送：{d.cc.rstrip('。')}。", size=SMALL_PT, left_chars=1,
                       right_chars=1)
            _rule(cc, color="000000", size_eighths=4)
        if d.printer:
            p = _para(doc, size=SMALL_PT, left_chars=1, right_chars=1)
            _font(p.add_run(d.printer), FONT_BODY, SMALL_PT)
            if d.printed_on:
                p.paragraph_format.tab_stops.add_tab_stop(Mm(AREA_W_MM - 2 * 5))
                from docx.enum.text import WD_TAB_ALIGNMENT

                p.paragraph_format.tab_stops[0].alignment = WD_TAB_ALIGNMENT.RIGHT
                _font(p.add_run(f"\t{cn_date(d.printed_on)}印发"), FONT_BODY, SMALL_PT)
            _rule(p, color="000000", size_eighths=8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _font_style(style, name: str, size: float) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style.font.name = name
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


# -- PDF -----------------------------------------------------------------------------------
def find_doc_font(explicit: Path | None = None, fallback: Path | None = None) -> Path:
    """The Ming/Song font to embed: ``explicit`` (the ``doc_font`` setting), else the
    first of ``DOC_FONT_PATHS`` installed, else the report's CJK font (``fallback``: the
    ``pdf_font`` setting)."""
    if explicit:
        if not Path(explicit).is_file():
            raise JinghaiError(f"公文 PDF 字体文件不存在：{explicit}（请检查 {DOC_FONT_ENV}）")
        return Path(explicit)
    for path in DOC_FONT_PATHS:
        if path.is_file():
            return path
    from jinghai.reporting.export_pdf import find_cjk_font

    return find_cjk_font(fallback)


def _register(path: Path) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"JinghaiDoc-{abs(hash(str(path))) % 10**8}"
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            font = (TTFont(name, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc"
                    else TTFont(name, str(path)))
        except Exception as exc:  # reportlab raises bare TTFError or struct errors
            raise JinghaiError(f"无法加载公文 PDF 字体 {path}：{exc}") from exc
        pdfmetrics.registerFont(font)
    return name


def render_pdf(d: OfficialDocument, font_path: Path | None = None, *,
               fallback_font: Path | None = None) -> bytes:
    """The document as an A4 PDF; ``font_path`` and ``fallback_font`` as
    :func:`find_doc_font`'s ``explicit`` and ``fallback``."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        HRFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.flowables import KeepTogether

    font = _register(find_doc_font(font_path, fallback_font))
    lead = LINE_PITCH_PT

    # 28 characters to a 156 mm line: 3号 (16 pt) at the grid's pitch (15.8 pt), as Word's
    # document grid sets it; reportlab has no character grid, so the size is the pitch.
    body_pt = min(BODY_PT, CHAR_PITCH_PT) * 0.999

    def style(size=body_pt, align=TA_LEFT, indent=0.0, color=colors.black, leading=lead,
              right=0.0, left=0.0):
        return ParagraphStyle("s", fontName=font, fontSize=size, leading=leading,
                              alignment=align, firstLineIndent=indent, textColor=color,
                              rightIndent=right, leftIndent=left, wordWrap="CJK")

    body = style(indent=2 * body_pt)
    red = colors.HexColor("#" + RED)
    story: list = [Spacer(1, 35 * mm),
                   Paragraph(escape(d.mark), style(mark_size(d.mark), TA_CENTER, color=red,
                                                   leading=MARK_PT * 1.2))]
    if d.number:
        story += [Spacer(1, 2 * lead), Paragraph(escape(d.number), style(align=TA_CENTER))]
    story += [Spacer(1, 4 * mm), HRFlowable(width="100%", thickness=1.5, color=red),
              Spacer(1, lead), Paragraph(escape(d.title), style(TITLE_PT, TA_CENTER,
                                                                 leading=TITLE_PT * 1.4)),
              Spacer(1, lead / 2)]
    if d.addressees:
        story.append(Paragraph(escape(d.addressees.rstrip("：:") + "："), style()))
    for b in d.blocks:
        if b.kind in ("para", "heading"):
            story.append(Paragraph(escape(b.text), body))
        elif b.kind == "blank":
            story.append(Spacer(1, lead))
        elif b.kind == "attendees":
            story.append(Paragraph(escape(f"{b.label}：{b.text}"), style()))
        elif b.kind == "table" and b.rows:
            cells = [[Paragraph(escape(str(v)), style(SMALL_PT, leading=SMALL_PT * 1.3))
                      for v in row] for row in b.rows]
            t = Table(cells, repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            story.append(t)
    tail = []
    if d.signature:
        tail.append(Paragraph(escape(d.signature), style(align=TA_RIGHT, right=2 * BODY_PT)))
    if d.written_on:
        tail.append(Paragraph(cn_date(d.written_on), style(align=TA_RIGHT, right=4 * BODY_PT)))
    if tail:
        story += [Spacer(1, 2 * lead), KeepTogether(tail)]
    if d.cc or d.printer:
        small = style(SMALL_PT, left=SMALL_PT, right=SMALL_PT, leading=SMALL_PT * 1.8)
        block = [Spacer(1, lead), HRFlowable(width="100%", thickness=1, color=colors.black)]
        if d.cc:
            block += [Paragraph(escape(f"抄送：{d.cc.rstrip('。')}。"), small),
                      HRFlowable(width="100%", thickness=0.5, color=colors.black)]
        if d.printer:
            printed = f"{cn_date(d.printed_on)}印发" if d.printed_on else ""
            t = Table([[Paragraph(escape(d.printer), small),
                        Paragraph(printed, style(SMALL_PT, TA_RIGHT, right=SMALL_PT))]],
                      colWidths=[AREA_W_MM * mm / 2] * 2)
            t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
            block += [t, HRFlowable(width="100%", thickness=1, color=colors.black)]
        story.append(KeepTogether(block))

    def number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, SMALL_PT)
        text = f"— {doc.page} —"
        y = BOTTOM_MM * mm - 7 * mm - SMALL_PT
        if doc.page % 2:
            canvas.drawRightString((LEFT_MM + AREA_W_MM) * mm - SMALL_PT, y, text)
        else:
            canvas.drawString(LEFT_MM * mm + SMALL_PT, y, text)
        canvas.restoreState()

    out = io.BytesIO()
    pad = 6  # reportlab's frame pads each side by 6 pt: the margins give it back
    SimpleDocTemplate(out, pagesize=A4, topMargin=TOP_MM * mm - pad,
                      leftMargin=LEFT_MM * mm - pad, rightMargin=RIGHT_MM * mm - pad,
                      bottomMargin=BOTTOM_MM * mm - pad,
                      title=d.title, author=d.signature or d.mark).build(
        story, onFirstPage=number, onLaterPages=number)
    return out.getvalue()


__all__ = ["Block", "OfficialDocument", "cn_date", "find_doc_font", "render_docx",
           "render_pdf"]
