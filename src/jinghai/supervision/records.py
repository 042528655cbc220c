"""What circulars and the leader's brief say, read from the records: the period's figures,
each unit's late and missing reports, overdue rectifications and supervision findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.org.service import operation_tz
from jinghai.reporting.form import FigureKind, default_form
from jinghai.reporting.queries import compile_range, completeness_board
from jinghai.supervision.models import Listing, Problem, SupervisionVisit

#: The figures a leader or a bulletin looks at first, in the form's order.
KEY_FIGURES = (
    "sea_patrol.personnel", "sea_patrol.boats", "sea_patrol.vessels_checked",
    "port_area.inbound_vessels_checked", "port_area.inbound_persons_checked",
    "coastal.personnel", "coastal.persons_checked", "vessel_control.vessels_checked",
    "vessel_control.three_no_seized", "crackdown.clues_collected", "crackdown.cases_opened",
    "anti_smuggling.persons_seized", "case_handling.illegal_entrants_today",
    "case_handling.sea_rescue_today",
)


@dataclass(frozen=True)
class FigureLine:
    code: str
    label: str
    unit: str
    value: Decimal


def period_figures(session: Session, user: User, start: date, end: date,
                   codes: tuple[str, ...] = KEY_FIGURES) -> list[FigureLine]:
    """Flows summed over the period's days; a stock is its value on the last day."""
    form = default_form()
    reports = compile_range(session, user, start, end, form)
    out = []
    for code in codes:
        fig = form.figure(code)
        if fig.kind == FigureKind.STOCK:
            value = reports[-1].values.get(code, Decimal(0))
        else:
            value = sum((r.values.get(code, Decimal(0)) for r in reports), Decimal(0))
        out.append(FigureLine(code, f"{form.section(fig.section).label}·{fig.short}", fig.unit,
                              value))
    return out


@dataclass(frozen=True)
class Lapses:
    unit_key: str
    unit_name: str
    late: int
    missing: int


def reporting_lapses(session: Session, user: User, start: date, end: date,
                     today: date) -> list[Lapses]:
    """Late and missing daily reports per unit over the period (today not yet missing)."""
    board = completeness_board(session, user, start, end)
    late: Counter = Counter()
    missing: Counter = Counter()
    names = {}
    for row in board.rows:
        names[row.unit_key] = row.unit_name
        for day, cell in zip(board.days, row.cells, strict=True):
            if cell == "late":
                late[row.unit_key] += 1
            elif cell in ("not_started", "draft") and day < today:
                missing[row.unit_key] += 1
    return [Lapses(k, names[k], late[k], missing[k]) for k in names
            if late[k] or missing[k]]


def overdue_problems(session: Session, today: date, unit_id: int | None = None
                     ) -> list[Problem]:
    q = select(Problem).where(Problem.status != "closed", Problem.deadline < today)
    if unit_id is not None:
        q = q.where(Problem.unit_id == unit_id)
    return list(session.scalars(q.order_by(Problem.deadline, Problem.id)))


def overdue_listings(session: Session, today: date, unit_id: int | None = None
                     ) -> list[Listing]:
    q = select(Listing).where(Listing.status == "listed", Listing.deadline < today)
    if unit_id is not None:
        q = q.where(Listing.unit_id == unit_id)
    return list(session.scalars(q.order_by(Listing.deadline)))


def findings(session: Session, start: date, end: date, unit_id: int | None = None
             ) -> list[tuple[SupervisionVisit, Problem]]:
    q = (select(SupervisionVisit, Problem)
         .join(Problem, (Problem.source == "supervision")
               & (Problem.source_id == SupervisionVisit.id))
         .where(SupervisionVisit.visited_on.between(start, end)))
    if unit_id is not None:
        q = q.where(SupervisionVisit.unit_id == unit_id)
    return [(v, p) for v, p in session.execute(
        q.order_by(SupervisionVisit.visited_on, Problem.id))]


def local_today(session: Session) -> date:
    """Today in the operation's time zone (deadlines are local days)."""
    return datetime.now(operation_tz(session)).date()


def local_bounds(session: Session, start: date, end: date) -> tuple[datetime, datetime]:
    tz = operation_tz(session)
    return (datetime.combine(start, time(0), tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz))


def fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
