"""The leader's daily brief (领导日报): the day on one page, composed from the records.

Key figures against yesterday and the last seven days' average, reporting completeness,
open red alerts, new clues, cases, incidents and seizures, overdue rectifications, landing
points not patrolled within their interval. Counts and names of units and places only: a
leader's read-only account does not see case or personal data (see
:mod:`jinghai.cases.access`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.alerts.models import Alert
from jinghai.cases.models import Case, Clue, Seizure
from jinghai.errors import InvalidInput
from jinghai.incidents.models import Incident
from jinghai.org.service import get_operation
from jinghai.patrol.queries import overdue_landing_points
from jinghai.reporting.access import require_district_reader
from jinghai.reporting.form import FigureKind, default_form
from jinghai.reporting.queries import compile_range, completeness_board
from jinghai.supervision.records import (
    KEY_FIGURES,
    fmt,
    local_bounds,
    overdue_listings,
    overdue_problems,
)

SUBMITTED = ("submitted", "late", "nil", "locked")


@dataclass(frozen=True)
class BriefFigure:
    code: str
    label: str
    unit: str
    today: Decimal
    yesterday: Decimal
    week_avg: Decimal

    @property
    def change(self) -> str:
        diff = self.today - self.yesterday
        return "持平" if diff == 0 else (f"+{fmt(diff)}" if diff > 0 else fmt(diff))


@dataclass
class Brief:
    day: date
    office_name: str
    operation_name: str
    figures: list[BriefFigure]
    slots_total: int
    slots_submitted: int
    late_units: list[str]
    missing_units: list[str]
    red_alerts: list[tuple[int, str]]
    new_clues: int
    new_cases: int
    incidents: int
    incident_persons: int
    seizures: int
    overdue: list[tuple[str, str, int]] = field(default_factory=list)  # unit, item, days
    # place, sub-district, days since the last check-in (None: never visited), required days
    unpatrolled: list[tuple[str, str, int | None, int]] = field(default_factory=list)

    @property
    def completeness(self) -> str:
        if not self.slots_total:
            return "—"
        return f"{self.slots_submitted}/{self.slots_total}（{100 * self.slots_submitted // self.slots_total}%）"


def daily_brief(session: Session, user: User, day: date) -> Brief:
    require_district_reader(user)
    op = get_operation(session)
    if day < op.start_date:
        raise InvalidInput(f"{day:%Y-%m-%d} 早于行动开始日期 {op.start_date:%Y-%m-%d}")
    form = default_form()
    start = max(day - timedelta(days=7), op.start_date)
    reports = {r.report_date: r for r in compile_range(session, user, start, day, form)}
    week = [reports[d] for d in (day - timedelta(days=i) for i in range(1, 8)) if d in reports]
    figures = []
    for code in KEY_FIGURES:
        fig = form.figure(code)
        today = reports[day].values.get(code, Decimal(0)) if day in reports else Decimal(0)
        yday = reports.get(day - timedelta(days=1))
        yesterday = yday.values.get(code, Decimal(0)) if yday else Decimal(0)
        avg = (sum((r.values.get(code, Decimal(0)) for r in week), Decimal(0)) / len(week)
               if week else Decimal(0))
        if fig.kind != FigureKind.STOCK:
            avg = avg.quantize(Decimal("0.1"))
        label = f"{form.section(fig.section).label}·{fig.short}"
        figures.append(BriefFigure(code, label, fig.unit, today, yesterday, avg))

    board = completeness_board(session, user, day, day, form)
    units_done: dict[str, bool] = {}
    late: set[str] = set()
    for row in board.rows:
        ok = row.cells[0] in SUBMITTED
        units_done[row.unit_name] = units_done.get(row.unit_name, True) and ok
        if row.cells[0] == "late":
            late.add(row.unit_name)
    submitted = sum(1 for row in board.rows if row.cells[0] in SUBMITTED)

    lo, hi = local_bounds(session, day, day)
    red = [(a.id, a.title) for a in session.scalars(
        select(Alert).where(Alert.severity == "red", Alert.state != "closed",
                            Alert.created_at < hi).order_by(Alert.created_at.desc()).limit(20))]
    count = lambda q: session.scalar(q) or 0
    overdue = [(p.unit.name, f"{p.kind_label}：{p.title}", (day - p.deadline).days)
               for p in overdue_problems(session, day)]
    overdue += [(x.unit.name, f"挂牌整治：{x.name}", (day - x.deadline).days)
                for x in overdue_listings(session, day)]
    return Brief(
        day=day, office_name=op.office_name, operation_name=op.name, figures=figures,
        slots_total=len(board.rows), slots_submitted=submitted, late_units=sorted(late),
        missing_units=[u for u, ok in units_done.items() if not ok and u not in late],
        red_alerts=red,
        new_clues=count(select(func.count(Clue.id)).where(Clue.created_at >= lo,
                                                          Clue.created_at < hi)),
        new_cases=count(select(func.count(Case.id)).where(Case.opened_at >= lo,
                                                          Case.opened_at < hi)),
        incidents=count(select(func.count(Incident.id)).where(Incident.occurred_at >= lo,
                                                              Incident.occurred_at < hi)),
        incident_persons=count(select(func.coalesce(func.sum(Incident.persons), 0)).where(
            Incident.occurred_at >= lo, Incident.occurred_at < hi)),
        seizures=count(select(func.count(Seizure.id)).where(Seizure.day == day)),
        overdue=overdue,
        unpatrolled=[(p.name, p.sub_district or "—", p.days_since, p.required_days)
                     for p in overdue_landing_points(session, day)],
    )
