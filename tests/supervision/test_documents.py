"""A circular, meeting minutes and the leader's brief made from the demo's month, read back
with python-docx (and pdftotext/pdffonts for the PDF): the right figures and units, and the
page, margins and fonts of GB/T 9704-2012."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy import select

from jinghai.accounts.models import User
from jinghai.brief.export import brief_docx, brief_pdf
from jinghai.brief.queries import daily_brief
from jinghai.demo import build_demo
from jinghai.reporting.queries import compile_daily_report, compile_range
from jinghai.supervision.circulars import circular_pdf
from jinghai.supervision.minutes import minutes_docx
from jinghai.supervision.models import Circular, Meeting
from jinghai.supervision.records import overdue_listings, overdue_problems, reporting_lapses

TODAY = date(2026, 11, 28)
pytestmark = pytest.mark.slow


def _east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def _para(doc, text: str):
    return next(p for p in doc.paragraphs if p.text == text)


def _pdf_text(data: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    return text, fonts


def mm(length) -> float:
    """.docx keeps twentieths of a point: compare lengths to 0.1 mm (36 000 EMU a mm)."""
    return round(int(length) / 36000, 1)


def _assert_gbt9704_page(doc) -> None:
    sec = doc.sections[0]

    assert (mm(sec.page_width), mm(sec.page_height)) == (210.0, 297.0)
    assert (mm(sec.top_margin), mm(sec.left_margin)) == (37.0, 28.0)
    # type area 156 × 225 mm
    assert mm(sec.page_width - sec.left_margin - sec.right_margin) == 156.0
    assert mm(sec.page_height - sec.top_margin - sec.bottom_margin) == 225.0
    grid = sec._sectPr.find(qn("w:docGrid"))
    # 22 lines: 225 mm / 22 = 28.99 pt = 580 twentieths of a point
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("linesAndChars", "580")
    footer = sec.footer.paragraphs[0]
    assert footer.text == "— 1 —"  # the PAGE field's placeholder between em dashes
    assert "PAGE" in footer._p.xml
    assert sec.even_page_footer.paragraphs[0].alignment == 0  # even pages: left


def test_circular_minutes_and_brief_from_the_demo_month(session, tmp_path):
    build_demo(session, days=30, today=TODAY, seed=7)
    office = session.scalar(select(User).where(User.username == "office"))
    bulletin, warning = session.scalars(select(Circular).order_by(Circular.id)).all()
    assert (bulletin.number, warning.number) == ("净海办通〔2026〕1号", "净海办通〔2026〕2号")

    doc = Document(io.BytesIO(warning.docx))
    _assert_gbt9704_page(doc)
    mark = doc.paragraphs[0]
    assert mark.text == '北仑区防范打击非法入境"净海"行动办公室'
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert _east_asian(mark.runs[0]) == "方正小标宋简体"
    number = _para(doc, warning.number)
    assert mm(number.paragraph_format.space_after) == 4.0
    assert 'w:color="FF0000"' in number._p.xml  # the red separator line under the number
    title = _para(doc, warning.title)
    assert (title.runs[0].font.size, _east_asian(title.runs[0])) == (Pt(22), "方正小标宋简体")
    assert _para(doc, "各成员单位，各街道：")
    body = [p for p in doc.paragraphs if p.paragraph_format.first_line_indent == Pt(32)]
    assert body and all(r.font.size == Pt(16) for p in body for r in p.runs)
    assert {_east_asian(r) for p in body for r in p.runs} == {"仿宋_GB2312", "黑体"}
    assert _para(doc, "2026年11月28日")  # 成文日期 in Arabic numerals
    assert _para(doc, "抄送：区境外疫情输入防控工作组。")
    printed = next(p for p in doc.paragraphs if p.text.endswith("2026年11月28日印发"))
    assert printed.runs[0].font.size == Pt(14)

    # the warning names the unit and its lapses exactly as the records have them
    lapses = {x.unit_key: x for x in reporting_lapses(
        session, office, TODAY - timedelta(days=29), TODAY - timedelta(days=2), TODAY)}
    unit = warning.unit
    text = "\n".join(p.text for p in doc.paragraphs)
    assert unit.name in warning.title
    lapse = lapses[unit.key]
    parts = ([f"迟报日报表{lapse.late}次"] if lapse.late else []) + (
        [f"漏报日报表{lapse.missing}次"] if lapse.missing else [])
    assert f"通报期间{'，'.join(parts)}。" in text
    overdue = overdue_problems(session, TODAY, unit.id)
    listed = overdue_listings(session, TODAY, unit.id)
    assert overdue or listed  # the demo warns a unit with overdue items
    assert all(f"“{p.title}”" in text for p in overdue)
    assert all(f"挂牌整治点位“{x.name}”" in text for x in listed)

    # the bulletin's figures are the period's sums of the compiled reports
    bdoc = Document(io.BytesIO(bulletin.docx))
    reports = compile_range(session, office, bulletin.period_start, bulletin.period_end)
    inbound = sum(r.values["port_area.inbound_vessels_checked"] for r in reports)
    clues = sum(r.values["crackdown.clues_collected"] for r in reports)
    rows = {r.cells[0].text: r.cells[1].text for r in bdoc.tables[0].rows}
    assert rows["口岸特定区域监管·查验入境船舶"] == str(int(inbound))
    assert rows["集中打击·搜集线索"] == str(int(clues))
    assert f"查验入境船舶{int(inbound)}艘" in "\n".join(p.text for p in bdoc.paragraphs)

    pdf_text, fonts = _pdf_text(circular_pdf(session, warning), tmp_path)
    assert warning.number in pdf_text and unit.name in pdf_text
    assert re.search(r"— 1 —", pdf_text)
    assert re.search(r"UMing\S*\s+TrueType.*yes\s+yes", fonts)
    _minutes(session, office)
    _brief(session, tmp_path)


def _minutes(session, office) -> None:
    meeting = session.scalars(select(Meeting).order_by(Meeting.id)).first()
    mdoc = Document(io.BytesIO(minutes_docx(session, office, meeting)))
    _assert_gbt9704_page(mdoc)
    assert mdoc.paragraphs[0].text == "净海行动联席会商纪要"
    attend = next(p for p in mdoc.paragraphs if p.text.startswith("出席："))
    assert _east_asian(attend.runs[0]) == "黑体" and "北仑边检站" in attend.text
    assert any("由公安分局负责落实" in p.text for p in mdoc.paragraphs)


def _brief(session, tmp_path) -> None:
    leader = session.scalar(select(User).where(User.username == "leader"))
    day = TODAY - timedelta(days=1)
    brief = daily_brief(session, leader, day)
    office = session.scalar(select(User).where(User.username == "office"))
    report = compile_daily_report(session, office, day)
    before = compile_daily_report(session, office, day - timedelta(days=1))

    doc = Document(io.BytesIO(brief_docx(brief)))
    _assert_gbt9704_page(doc)
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in doc.tables[0].rows}
    inbound = rows["口岸特定区域监管·查验入境船舶（艘）"]
    assert inbound[:2] == [str(int(report.values["port_area.inbound_vessels_checked"])),
                           str(int(before.values["port_area.inbound_vessels_checked"]))]
    patrol = rows["海上巡航·出动人力（人）"]
    assert patrol[0] == "260"  # the demo's sweep day (yesterday) in the sea-patrol figure
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"应报{brief.slots_total}项，已报{brief.slots_submitted}项" in text
    assert "梅山边检站" in brief.late_units and "迟报单位：" in text
    assert f"未关闭红色预警{len(brief.red_alerts)}条" in text
    assert brief.overdue and f"{brief.overdue[0][0]}：{brief.overdue[0][1]}" in text

    pdf_text, fonts = _pdf_text(brief_pdf(brief), tmp_path)
    assert "领导日报（2026年11月27日）" in pdf_text
    assert re.search(r"UMing\S*\s+TrueType.*yes\s+yes", fonts)
