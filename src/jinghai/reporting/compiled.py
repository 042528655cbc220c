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
    status: str  # not_started | draft | submitted | late | nil | returned


#: A unit's section counts as reported in these states.
REPORTED = ("submitted", "late", "nil", "returned")


@dataclass(frozen=True)
class FigureSource:
    """Where one unit's part of a figure comes from: ``counted`` (the system's count, as
    submitted or live until the lock), ``typed`` (no count exists), ``overridden`` (typed
    over the count, with the reason)."""

    unit_key: str
    unit_name: str
    value: Decimal
    source: str
    reason: str = ""
    submitted: Decimal | None = None  # what the unit submitted, when the count moved since

    @property
    def changed(self) -> bool:
        return self.submitted is not None and self.submitted != self.value


@dataclass
class SectionState:
    key: str
    label: str
    expected: list[str] = field(default_factory=list)  # unit names
    reported: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # not reported or only a draft
    returned: list[str] = field(default_factory=list)  # reported, returned by the office

    @property
    def none_reported(self) -> bool:
        return bool(self.expected) and not self.reported


NOT_REPORTED = "未报"
DRAFT_MARK = "初稿（未锁定）"


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
    sections: dict[str, SectionState] = field(default_factory=dict)
    sources: dict[str, list[FigureSource]] = field(default_factory=dict)
    #: for a period report (周报/月报): its first day; ``report_date`` is its last
    period_start: date | None = None
    period_label: str = ""

    def display(self, fig: Figure) -> str:
        return format_value(fig, self.values.get(fig.code, Decimal(0)))

    def not_reported(self, fig: Figure) -> bool:
        """The figure's section has units and none of them reported: not a zero."""
        state = self.sections.get(fig.section)
        return bool(state and state.none_reported and fig.typed and self.period_start is None)

    def cell_text(self, fig: Figure) -> str:
        return NOT_REPORTED if self.not_reported(fig) else self.display(fig)

    def cumulative_text(self, fig: Figure) -> str:
        return format_value(fig, self.cumulative.get(fig.code, Decimal(0)))

    @property
    def state_mark(self) -> str:
        return "已锁定" if self.locked else DRAFT_MARK

    def footnotes(self) -> list[str]:
        """One line per section with units missing or returned, naming them."""
        out = []
        for state in self.sections.values():
            parts = []
            if state.missing:
                parts.append(f"未报：{'、'.join(state.missing)}")
            if state.returned:
                parts.append(f"已退回待更正：{'、'.join(state.returned)}")
            if parts:
                counts = f"{len(state.reported)}/{len(state.expected)} 个单位已报"
                out.append(f"{state.label}（{counts}）" + "；".join(parts))
        return out

    @property
    def changed_sources(self) -> list[tuple[str, FigureSource]]:
        return [(code, s) for code, items in self.sources.items() for s in items if s.changed]


def format_value(fig: Figure, value: Decimal | None) -> str:
    if value is None:
        return ""
    if fig.decimals:
        return f"{value:.{fig.decimals}f}"
    return str(int(value))
