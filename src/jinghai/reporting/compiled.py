"""The compiled district report for one day: what the office signs off and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from jinghai.reporting.form import Figure, FormDefinition


@dataclass(frozen=True)
class OpenWarning:
    unit_name: str
    figure_code: str
    message: str
    comment: str


@dataclass(frozen=True)
class UnitStatus:
    unit_key: str
    unit_name: str
    section: str
    status: str  # not_started | draft | submitted | late | nil | locked


@dataclass
class CompiledReport:
    """Figures for ``report_date`` summed over units, with running totals.

    ``values`` holds what the form prints in its 数量 row: daily flows, stocks as of the
    day, and running totals (累计) for the running-total columns. ``cumulative`` holds
    each figure's total since the operation's start (stocks: the day's value), for
    screens and exports that want both.
    """

    form: FormDefinition
    office_name: str
    caption: str
    operation_name: str
    district: str
    report_date: date
    values: dict[str, Decimal]
    cumulative: dict[str, Decimal]
    warnings: list[OpenWarning] = field(default_factory=list)
    units: list[UnitStatus] = field(default_factory=list)
    locked: bool = False
    compiled_at: datetime | None = None

    def display(self, fig: Figure) -> str:
        return format_value(fig, self.values.get(fig.code, Decimal(0)))


def format_value(fig: Figure, value: Decimal | None) -> str:
    if value is None:
        return ""
    if fig.decimals:
        return f"{value:.{fig.decimals}f}"
    return str(int(value))
