"""Reads of the daily report: completeness board, compiled reports, trends. Each checks
who may read first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.db import utcnow
from jinghai.errors import InvalidInput
from jinghai.org.models import Unit
from jinghai.org.service import get_operation, reporting_slots
from jinghai.reporting.access import require_district_reader
from jinghai.reporting.compiled import CompiledReport, OpenWarning, UnitStatus
from jinghai.reporting.form import FigureKind, FormDefinition, default_form
from jinghai.reporting.models import DayLock, FigureEntry, Submission
from jinghai.reporting.service import COUNTED_STATUSES

MAX_RANGE_DAYS = 1200


@dataclass
class BoardRow:
    unit_id: int
    unit_key: str
    unit_name: str
    section: str
    section_label: str
    cells: list[str]  # one status per day


@dataclass
class Board:
    days: list[date]
    rows: list[BoardRow]
    locked_days: set[date]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for cell in row.cells:
                out[cell] += 1
        return dict(out)


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise InvalidInput("结束日期早于开始日期")
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"日期范围过长（最多 {MAX_RANGE_DAYS} 天）")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _locked_days(session: Session, start: date, end: date) -> set[date]:
    return set(
        session.scalars(
            select(DayLock.report_date).where(
                DayLock.locked.is_(True), DayLock.report_date.between(start, end)
            )
        )
    )


def cell_status(sub: Submission | None, locked: bool) -> str:
    if sub is None:
        return "not_started"
    if locked and sub.status != "draft":
        return "locked"
    if sub.status == "submitted" and sub.late:
        return "late"
    return sub.status


def completeness_board(
    session: Session, user: User, start: date, end: date, form: FormDefinition | None = None
) -> Board:
    require_district_reader(user)
    form = form or default_form()
    days = _days(start, end)
    locked = _locked_days(session, start, end)
    subs = {
        (s.unit_id, s.section, s.report_date): s
        for s in session.scalars(
            select(Submission).where(Submission.report_date.between(start, end))
        )
    }
    rows = []
    for slot in reporting_slots(session):
        rows.append(
            BoardRow(
                unit_id=slot.unit.id,
                unit_key=slot.unit.key,
                unit_name=slot.unit.name,
                section=slot.section,
                section_label=form.section(slot.section).label,
                cells=[cell_status(subs.get((slot.unit.id, slot.section, d)), d in locked)
                       for d in days],
            )
        )
    return Board(days=days, rows=rows, locked_days=locked)


def _entries_between(session: Session, start: date, end: date):
    return session.execute(
        select(
            Submission.report_date,
            Submission.unit_id,
            Submission.section,
            FigureEntry.figure_key,
            FigureEntry.value,
        )
        .join(FigureEntry, FigureEntry.submission_id == Submission.id)
        .where(Submission.report_date.between(start, end),
               Submission.status.in_(COUNTED_STATUSES), FigureEntry.value.is_not(None))
        .order_by(Submission.report_date)
    ).all()


def _history_before(session: Session, start: date, stock_keys: set[str]):
    """What came before ``start``, aggregated in the database: flow totals per figure, and
    the stock figures' rows (few) so each unit's last value can be carried in."""
    counted = (Submission.report_date < start, Submission.status.in_(COUNTED_STATUSES),
               FigureEntry.value.is_not(None))
    totals = session.execute(
        select(Submission.section, FigureEntry.figure_key, func.sum(FigureEntry.value))
        .join(FigureEntry, FigureEntry.submission_id == Submission.id)
        .where(*counted)
        .group_by(Submission.section, FigureEntry.figure_key)
    ).all()
    stocks = session.execute(
        select(Submission.unit_id, Submission.section, FigureEntry.figure_key,
               FigureEntry.value)
        .join(FigureEntry, FigureEntry.submission_id == Submission.id)
        .where(*counted, FigureEntry.figure_key.in_(stock_keys))
        .order_by(Submission.report_date)
    ).all() if stock_keys else []
    return totals, stocks


def compile_range(
    session: Session, user: User, start: date, end: date, form: FormDefinition | None = None
) -> list[CompiledReport]:
    """District reports for each day from ``start`` to ``end``.

    Flows are summed over units; running totals and cumulative figures add every counted
    day since the operation began, so a corrected past day changes every later total.
    A stock (point-in-time) figure is each unit's latest value on or before the day,
    summed over units. The days before ``start`` are summed by the database, so one day's
    report costs the same after a year as after a week.
    """
    require_district_reader(user)
    form = form or default_form()
    op = get_operation(session)
    kinds = {f.code: f.kind for f in form.figures}
    stock_codes = {c for c, k in kinds.items() if k == FigureKind.STOCK}
    running: dict[str, Decimal] = defaultdict(Decimal)
    last_stock: dict[tuple[int, str], Decimal] = {}
    totals, stocks = _history_before(session, start, {c.split(".", 1)[1] for c in stock_codes})
    for section, key, total in totals:
        code = f"{section}.{key}"
        if code in kinds and code not in stock_codes and total is not None:
            running[code] += Decimal(total)
    for unit_id, section, key, value in stocks:
        code = f"{section}.{key}"
        if code in stock_codes:
            last_stock[(unit_id, code)] = Decimal(value)
    by_day: dict[date, list] = defaultdict(list)
    for row in _entries_between(session, start, end):
        by_day[row.report_date].append(row)
    locked = _locked_days(session, start, end)
    out: list[CompiledReport] = []
    for day in _days(start, end):
        today: dict[str, Decimal] = defaultdict(Decimal)
        for row in by_day.get(day, []):
            code = f"{row.section}.{row.figure_key}"
            if code not in kinds:
                continue
            value = Decimal(row.value)
            if kinds[code] == FigureKind.STOCK:
                last_stock[(row.unit_id, code)] = value
            else:
                today[code] += value
                running[code] += value
        stock_sums: dict[str, Decimal] = defaultdict(Decimal)
        for (_, code), v in last_stock.items():
            stock_sums[code] += v
        values: dict[str, Decimal] = {}
        cumulative: dict[str, Decimal] = {}
        for fig in form.figures:
            if fig.kind == FigureKind.STOCK:
                values[fig.code] = cumulative[fig.code] = stock_sums[fig.code]
            elif fig.kind == FigureKind.RUNNING_TOTAL:
                base = f"{fig.section}.{fig.of}"
                values[fig.code] = cumulative[fig.code] = running[base]
            else:
                values[fig.code] = today[fig.code]
                cumulative[fig.code] = running[fig.code]
        out.append(
            CompiledReport(
                form=form,
                office_name=op.office_name,
                caption=op.report_caption,
                operation_name=op.name,
                district=op.district,
                report_date=day,
                values=values,
                cumulative=cumulative,
                locked=day in locked,
                compiled_at=utcnow(),
            )
        )
    return out


def compile_daily_report(
    session: Session, user: User, day: date, form: FormDefinition | None = None
) -> CompiledReport:
    """The district report for ``day`` with its open warnings and each unit's status."""
    form = form or default_form()
    report = compile_range(session, user, day, day, form)[0]
    board = completeness_board(session, user, day, day, form)
    report.units = [
        UnitStatus(r.unit_key, r.unit_name, r.section, r.cells[0]) for r in board.rows
    ]
    rows = session.execute(
        select(Unit.name, Submission.section, FigureEntry.figure_key, FigureEntry.warnings,
               FigureEntry.comment)
        .join(Submission, FigureEntry.submission_id == Submission.id)
        .join(Unit, Submission.unit_id == Unit.id)
        .where(Submission.report_date == day, Submission.status.in_(COUNTED_STATUSES),
               FigureEntry.warnings != "")
        .order_by(Unit.id, FigureEntry.figure_key)
    ).all()
    for unit_name, section, key, warnings, comment in rows:
        for message in warnings.splitlines():
            report.warnings.append(OpenWarning(unit_name, f"{section}.{key}", message, comment))
    return report


@dataclass
class PeriodSummary:
    label: str
    start: date
    end: date
    values: dict[str, Decimal]


def summarize(reports: list[CompiledReport], period: str) -> list[PeriodSummary]:
    """Week (ISO, Monday first) or month summaries: flows sum, stocks and running totals
    take the period's last value."""
    if period not in ("week", "month"):
        raise InvalidInput("period 只能是 week 或 month")
    buckets: dict[tuple, list[CompiledReport]] = defaultdict(list)
    for r in reports:
        d = r.report_date
        key = (d.isocalendar().year, d.isocalendar().week) if period == "week" else (d.year, d.month)
        buckets[key].append(r)
    out = []
    for key, items in buckets.items():
        form = items[0].form
        values: dict[str, Decimal] = {}
        for fig in form.figures:
            if fig.kind in (FigureKind.STOCK, FigureKind.RUNNING_TOTAL):
                values[fig.code] = items[-1].values[fig.code]
            else:
                values[fig.code] = sum((r.values[fig.code] for r in items), Decimal(0))
        label = f"{key[0]}年第{key[1]}周" if period == "week" else f"{key[0]}年{key[1]}月"
        out.append(PeriodSummary(label, items[0].report_date, items[-1].report_date, values))
    return out
