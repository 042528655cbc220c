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
from jinghai.reporting.compiled import (
    REPORTED,
    CompiledReport,
    FigureSource,
    OpenWarning,
    SectionState,
    UnitStatus,
)
from jinghai.reporting.computed import computed_values
from jinghai.reporting.form import FigureKind, FormDefinition, default_form
from jinghai.reporting.models import DayLock, FigureEntry, Submission
from jinghai.reporting.service import COUNTED_STATUSES, check_report_day

MAX_RANGE_DAYS = 1200
#: Counted figures are recounted live for unlocked days in ranges up to this long (a
#: report, an export); longer ranges (trends over the whole operation) use what was
#: submitted, which the lock brings up to date.
LIVE_RANGE_DAYS = 62


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


def cell_status(sub: Submission | None, locked: bool = False) -> str:
    """A unit's section on a day: not_started | draft | submitted | late | nil | returned.
    The lock is the day's state, kept apart, so a locked day still tells who was late."""
    if sub is None:
        return "not_started"
    return _status_of(sub.status, sub.late)


def _status_of(status: str, late: bool) -> str:
    if status == "submitted" and late:
        return "late"
    return status


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
            FigureEntry.computed_value,
            FigureEntry.override_reason,
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
    stocks = []
    if stock_keys:
        # each unit's last value of each stock figure: the latest day per (unit, figure),
        # found by the database, then its value (a handful of rows, not a year of them)
        latest = (
            select(Submission.unit_id, Submission.section, FigureEntry.figure_key,
                   func.max(Submission.report_date).label("day"))
            .join(FigureEntry, FigureEntry.submission_id == Submission.id)
            .where(*counted, FigureEntry.figure_key.in_(stock_keys))
            .group_by(Submission.unit_id, Submission.section, FigureEntry.figure_key)
            .subquery()
        )
        stocks = session.execute(
            select(Submission.unit_id, Submission.section, FigureEntry.figure_key,
                   FigureEntry.value)
            .join(FigureEntry, FigureEntry.submission_id == Submission.id)
            .join(latest, (latest.c.unit_id == Submission.unit_id)
                  & (latest.c.section == Submission.section)
                  & (latest.c.figure_key == FigureEntry.figure_key)
                  & (latest.c.day == Submission.report_date))
            .where(Submission.status.in_(COUNTED_STATUSES))
        ).all()
    return totals, stocks


def _section_states(session: Session, form: FormDefinition, slots, start: date, end: date):
    """Per day, per section: which units were expected, reported, missing, returned."""
    rows = session.execute(
        select(Submission.unit_id, Submission.section, Submission.report_date,
               Submission.status, Submission.late)
        .where(Submission.report_date.between(start, end))
    ).all()
    status = {(r.unit_id, r.section, r.report_date): _status_of(r.status, r.late) for r in rows}
    out: dict[date, dict[str, SectionState]] = {}
    units: dict[date, list[UnitStatus]] = {}
    for day in _days(start, end):
        states = {s.key: SectionState(s.key, s.label) for s in form.sections}
        for slot in slots:
            st = status.get((slot.unit.id, slot.section, day), "not_started")
            units.setdefault(day, []).append(
                UnitStatus(slot.unit.key, slot.unit.name, slot.section, st))
            state = states.get(slot.section)
            if state is None:
                continue
            state.expected.append(slot.unit.name)
            if st in REPORTED:
                state.reported.append(slot.unit.name)
                if st == "returned":
                    state.returned.append(slot.unit.name)
            else:
                state.missing.append(slot.unit.name)
        out[day] = states
    return out, units


def compile_range(
    session: Session,
    user: User,
    start: date,
    end: date,
    form: FormDefinition | None = None,
    *,
    now=None,
) -> list[CompiledReport]:
    """District reports for each day from ``start`` to ``end`` (the operation's days up to
    today only: a future day or one before the start is refused).

    Flows are summed over units; running totals and cumulative figures add every counted
    day since the operation began, so a corrected past day changes every later total.
    A stock (point-in-time) figure is each unit's latest value on or before the day,
    summed over units. The days before ``start`` are summed by the database, so one day's
    report costs the same after a year as after a week.

    What counts is what units submitted (a later draft does not replace it). A counted
    figure of an unlocked day is recounted live (ranges up to ``LIVE_RANGE_DAYS``): a
    change since the unit's submission is used and shown in ``sources``.
    """
    require_district_reader(user)
    form = form or default_form()
    op = get_operation(session)
    check_report_day(session, start, now)
    check_report_day(session, end, now)
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
    slots = reporting_slots(session)
    unit_by_id = {slot.unit.id: slot.unit for slot in slots}
    states, unit_statuses = _section_states(session, form, slots, start, end)
    live = (end - start).days < LIVE_RANGE_DAYS
    out: list[CompiledReport] = []
    for day in _days(start, end):
        today: dict[str, Decimal] = defaultdict(Decimal)
        sources: dict[str, list[FigureSource]] = defaultdict(list)
        recount: dict[tuple[int, str], dict[str, Decimal]] = {}
        for row in by_day.get(day, []):
            code = f"{row.section}.{row.figure_key}"
            if code not in kinds:
                continue
            value = Decimal(row.value)
            unit = unit_by_id.get(row.unit_id)
            submitted = None
            if row.computed_value is None:
                source = "typed"
            elif value != Decimal(row.computed_value):
                source = "overridden"
            else:
                source = "counted"
                if live and day not in locked and unit is not None:
                    key = (row.unit_id, row.section)
                    if key not in recount:
                        recount[key] = computed_values(session, unit, row.section, day)
                    now_counted = recount[key].get(row.figure_key)
                    if now_counted is not None and now_counted != value:
                        submitted, value = value, now_counted
            sources[code].append(FigureSource(
                unit.key if unit else str(row.unit_id), unit.name if unit else "",
                value, source, row.override_reason if source == "overridden" else "",
                submitted))
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
                office_name=curly_quotes(op.office_name),
                caption=curly_quotes(op.report_caption),
                operation_name=curly_quotes(op.name),
                district=op.district,
                report_date=day,
                values=values,
                cumulative=cumulative,
                units=unit_statuses.get(day, []),
                locked=day in locked,
                compiled_at=utcnow(),
                sections=states[day],
                sources=dict(sources),
            )
        )
    return out


def curly_quotes(text: str) -> str:
    """“净海” as the plan prints it: ASCII double quotes in a name become paired quotes."""
    parts = text.split('"')
    if len(parts) < 3 or len(parts) % 2 == 0:
        return text
    return "".join(p + ("“" if i % 2 == 0 else "”") if i < len(parts) - 1 else p
                   for i, p in enumerate(parts))


def compile_daily_report(
    session: Session, user: User, day: date, form: FormDefinition | None = None, *, now=None
) -> CompiledReport:
    """The district report for ``day`` with its open warnings and each unit's status."""
    form = form or default_form()
    report = compile_range(session, user, day, day, form, now=now)[0]
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


def period_bounds(session: Session, period: str, day: date, now=None) -> tuple[date, date, str]:
    """The week (ISO, Monday first) or month containing ``day``, clipped to the
    operation's start and to today; with its label (2026年第47周 / 2026年11月)."""
    op = get_operation(session)
    check_report_day(session, day, now)
    if period == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
        iso = day.isocalendar()
        label = f"{iso.year}年第{iso.week}周"
    elif period == "month":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        label = f"{day.year}年{day.month}月"
    else:
        raise InvalidInput("周期只能是 week（周报）或 month（月报）")
    today = utcnow() if now is None else now
    from jinghai.org.service import local_today

    return max(start, op.start_date), min(end, local_today(op, today)), label


def compile_period(
    session: Session, user: User, period: str, day: date,
    form: FormDefinition | None = None, *, now=None,
) -> CompiledReport:
    """周报/月报 in the daily layout: flows summed over the period's days, stocks and
    running totals as of its last day, 累计 since the operation's start. Locked only when
    every day of it is."""
    form = form or default_form()
    start, end, label = period_bounds(session, period, day, now)
    reports = compile_range(session, user, start, end, form, now=now)
    summary = summarize(reports, period)[0]
    last = reports[-1]
    return CompiledReport(
        form=form,
        office_name=last.office_name,
        caption=last.caption,
        operation_name=last.operation_name,
        district=last.district,
        report_date=end,
        values=summary.values,
        cumulative=last.cumulative,
        locked=all(r.locked for r in reports),
        compiled_at=utcnow(),
        period_start=start,
        period_label=("周报 " if period == "week" else "月报 ") + label,
    )
