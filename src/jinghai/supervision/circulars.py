"""Circulars (通报): drafted by the office from the records and issued under a document
number (净海办通〔2026〕N号) as a GB/T 9704-2012 ``.docx``, which is kept with it.

- a warning (通报警示) names one unit's failures in the period: late and missing daily
  reports, overdue rectifications and listings, supervision findings;
- a situation bulletin (情况通报) gives the period's key figures, reporting discipline by
  unit, findings and what is overdue, for every unit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jinghai.accounts.access import may_read_all, require_office
from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.errors import InvalidInput, NotFound
from jinghai.notify.service import notify_unit
from jinghai.org.models import Unit
from jinghai.org.service import get_operation
from jinghai.supervision.gbt9704 import Block, OfficialDocument, cn_date, render_docx, render_pdf
from jinghai.supervision.models import Circular
from jinghai.supervision.records import (
    findings,
    fmt,
    local_today,
    overdue_listings,
    overdue_problems,
    period_figures,
    reporting_lapses,
)
from jinghai.supervision.schemas import CircularIn

NUMBER_PREFIX = "净海办通"
MAX_PERIOD_DAYS = 366


def number_of(year: int, seq: int) -> str:
    """发文字号: the office's code, the year in 〔〕, the sequence with 号 (GB/T 9704 7.2.5)."""
    return f"{NUMBER_PREFIX}〔{year}〕{seq}号"


def _span(start: date, end: date) -> str:
    return f"{cn_date(start)}至{cn_date(end)}"


def _warning_blocks(session: Session, user: User, unit: Unit, data: CircularIn,
                    today: date) -> list[Block]:
    lapses = next((x for x in reporting_lapses(session, user, data.period_start,
                                               data.period_end, today)
                   if x.unit_key == unit.key), None)
    overdue = overdue_problems(session, today, unit.id)
    listed = overdue_listings(session, today, unit.id)
    found = findings(session, data.period_start, data.period_end, unit.id)
    if lapses is None and not overdue and not listed and not found:
        raise InvalidInput(f"{unit.name}在通报期间没有迟报、漏报、逾期整改或督导发现的问题，无需通报警示")
    blocks = [Block("para", f"{_span(data.period_start, data.period_end)}，区“净海”行动办公室"
                            f"对各成员单位工作落实情况进行了检查。经查，{unit.name}存在以下问题：")]
    n = 0
    numerals = "一二三四五六七八九十"
    if lapses is not None:
        blocks.append(Block("heading", f"{numerals[n]}、日报报送不及时"))
        n += 1
        parts = ([f"迟报日报表{lapses.late}次"] if lapses.late else []) + (
            [f"漏报日报表{lapses.missing}次"] if lapses.missing else [])
        blocks.append(Block("para", f"通报期间{'，'.join(parts)}。"))
    if overdue or listed:
        blocks.append(Block("heading", f"{numerals[n]}、整改落实不到位"))
        n += 1
        for p in overdue:
            blocks.append(Block("para", f"“{p.title}”（{p.source_label}，整改时限"
                                        f"{cn_date(p.deadline)}）逾期{(today - p.deadline).days}天未完成整改。"))
        for x in listed:
            blocks.append(Block("para", f"挂牌整治点位“{x.name}”（整治时限{cn_date(x.deadline)}）"
                                        f"逾期{(today - x.deadline).days}天未完成整治。"))
    if found:
        blocks.append(Block("heading", f"{numerals[n]}、督导检查发现问题"))
        n += 1
        for visit, p in found:
            blocks.append(Block("para", f"{cn_date(visit.visited_on)}，{visit.team}在{visit.place}"
                                        f"督导检查发现：{p.title}。"))
    blocks.append(Block("heading", f"{numerals[n]}、工作要求"))
    blocks.append(Block("para", data.remarks or f"请{unit.name}高度重视，立即对照问题逐项整改，"
                                                "于5个工作日内将整改情况书面报区“净海”行动办公室。"
                                                "各成员单位要引以为戒，举一反三，确保各项防控措施落实到位。"))
    return blocks


def _bulletin_blocks(session: Session, user: User, data: CircularIn, today: date
                     ) -> list[Block]:
    figures = period_figures(session, user, data.period_start, data.period_end)
    lapses = reporting_lapses(session, user, data.period_start, data.period_end, today)
    found = findings(session, data.period_start, data.period_end)
    overdue = overdue_problems(session, today)
    listed = overdue_listings(session, today)
    blocks = [Block("para", f"现将{_span(data.period_start, data.period_end)}全区"
                            "“净海”行动工作情况通报如下：")]
    blocks.append(Block("heading", "一、主要工作数据"))
    blocks.append(Block("para", "；".join(f"{f.label}{fmt(f.value)}{f.unit}"
                                         for f in figures) + "。"))
    blocks.append(Block("table", rows=[["项目", "数量", "单位"]]
                        + [[f.label, fmt(f.value), f.unit] for f in figures]))
    blocks.append(Block("heading", "二、日报报送情况"))
    if lapses:
        blocks.append(Block("para", "通报期间存在迟报、漏报的单位：" + "；".join(
            f"{x.unit_name}迟报{x.late}次、漏报{x.missing}次" for x in lapses) + "。"))
    else:
        blocks.append(Block("para", "通报期间各单位均按时报送日报表。"))
    blocks.append(Block("heading", "三、督导检查和整改情况"))
    blocks.append(Block("para", f"通报期间开展督导检查发现问题{len(found)}个。截至"
                                f"{cn_date(today)}，逾期未完成整改的问题{len(overdue)}个、"
                                f"挂牌整治点位{len(listed)}个。"))
    for p in overdue:
        blocks.append(Block("para", f"{p.unit.name}：{p.title}（整改时限{cn_date(p.deadline)}）。"))
    for x in listed:
        blocks.append(Block("para", f"{x.unit.name}：挂牌整治“{x.name}”（整治时限"
                                    f"{cn_date(x.deadline)}）。"))
    blocks.append(Block("heading", "四、工作要求"))
    blocks.append(Block("para", data.remarks or "各成员单位要对照通报问题，压实责任，按时报送，"
                                                "确保逾期事项尽快整改销号。"))
    return blocks


def document_of(session: Session, circular: Circular) -> OfficialDocument:
    op = get_operation(session)
    return OfficialDocument(
        mark=op.office_name, number=circular.number, title=circular.title,
        addressees=circular.addressees,
        blocks=[Block(kind=b["kind"], text=b.get("text", ""), rows=b.get("rows", []))
                for b in _blocks_of(circular)],
        signature=op.office_name, written_on=circular.issued_on, cc=circular.cc,
        printer=op.office_name, printed_on=circular.issued_on)


def _blocks_of(circular: Circular) -> list[dict]:
    import json

    return json.loads(circular.body)


def issue_circular(session: Session, user: User, data: CircularIn, *,
                   today: date | None = None) -> Circular:
    """Draft from the records, number, render and keep the ``.docx``; audited."""
    import json

    require_office(user)
    today = today or local_today(session)
    if data.period_end < data.period_start:
        raise InvalidInput("通报期间的结束日期早于开始日期")
    if (data.period_end - data.period_start).days > MAX_PERIOD_DAYS:
        raise InvalidInput("通报期间最长一年")
    unit = None
    if data.kind == "warning":
        if not data.unit_key:
            raise InvalidInput("通报警示须选择被通报单位")
        unit = session.scalar(select(Unit).where(Unit.key == data.unit_key))
        if unit is None:
            raise InvalidInput(f"单位不存在：{data.unit_key}")
        blocks = _warning_blocks(session, user, unit, data, today)
        title = f"关于{unit.name}“净海”行动工作落实不到位情况的通报"
    else:
        blocks = _bulletin_blocks(session, user, data, today)
        title = (f"关于{data.period_start.month}月{data.period_start.day}日至"
                 f"{data.period_end.month}月{data.period_end.day}日“净海”行动工作情况的通报")
    op = get_operation(session)
    issued_on = data.issued_on or today
    year = issued_on.year
    seq = (session.scalar(select(func.max(Circular.seq)).where(Circular.year == year)) or 0) + 1
    circular = Circular(kind=data.kind, year=year, seq=seq, number=number_of(year, seq),
                        title=title, addressees=data.addressees or "各成员单位，各街道",
                        cc=data.cc or op.reports_to, unit_id=unit.id if unit else None,
                        period_start=data.period_start, period_end=data.period_end,
                        issued_on=issued_on, created_by_id=user.id, docx=b"",
                        body=json.dumps([{"kind": b.kind, "text": b.text, "rows": b.rows}
                                         for b in blocks], ensure_ascii=False))
    circular.docx = render_docx(document_of(session, circular))
    session.add(circular)
    session.flush()
    record(session, user, "issue", "sv_circular", circular.id, new=circular.number,
           reason=title)
    if unit is not None:
        notify_unit(session, unit.id, "reminder", f"通报警示：{circular.number}", body=title,
                    link=f"/supervision/circulars/{circular.id}", by=user)
    return circular


def get_circular(session: Session, user: User, circular_id: int) -> Circular:
    circular = session.get(Circular, circular_id)
    if circular is None:
        raise NotFound("通报不存在")
    if not (may_read_all(user) or circular.kind == "bulletin"
            or (user.unit_id is not None and circular.unit_id == user.unit_id)):
        raise NotFound("通报不存在")
    return circular


def circular_pdf(session: Session, circular: Circular, *, font: Path | None = None,
                 fallback_font: Path | None = None) -> bytes:
    """The circular as PDF; the fonts are the ``doc_font`` and ``pdf_font`` settings."""
    return render_pdf(document_of(session, circular), font, fallback_font=fallback_font)


def visible_circulars(session: Session, user: User) -> list[Circular]:
    q = select(Circular)
    if not may_read_all(user):
        q = q.where(or_(Circular.kind == "bulletin", Circular.unit_id == user.unit_id))
    return list(session.scalars(q.order_by(Circular.issued_on.desc(), Circular.id.desc())))
