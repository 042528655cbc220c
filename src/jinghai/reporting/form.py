"""The daily report form (附件2) loaded from its one definition, ``daily_form.yaml``.

Everything that shows, checks, sums or exports a figure asks this module what the figure
is; nothing else hard-codes a label, a kind or a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from jinghai.errors import InvalidInput


class FigureKind(StrEnum):
    COUNT = "count"
    AMOUNT = "amount"
    STOCK = "stock"
    RUNNING_TOTAL = "running_total"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """A validation rule: data, not code. ``type`` is max | spike | requires | lte | ratio.

    ``lte``: the figure may not exceed figure ``other`` of the same section (查获违法船只 ≤
    查验船舶); ``ratio``: it may not exceed ``factor`` × ``other`` (persons checked against
    personnel deployed) — checks across figures that need no history."""

    type: str
    severity: Severity
    message: str
    value: Decimal | None = None
    factor: Decimal | None = None
    days: int | None = None
    floor: Decimal | None = None
    other: str | None = None


@dataclass(frozen=True)
class Figure:
    section: str
    key: str
    number: int  # 1..46, the column's position on the printed form
    label: str
    short: str
    unit: str
    kind: FigureKind
    decimals: int = 0
    of: str | None = None  # for running totals: the daily figure summed
    rules: tuple[Rule, ...] = ()

    @property
    def code(self) -> str:
        """Stable id across the system: ``section.key``."""
        return f"{self.section}.{self.key}"

    @property
    def typed(self) -> bool:
        return self.kind != FigureKind.RUNNING_TOTAL

    @property
    def whole(self) -> bool:
        return self.kind in (FigureKind.COUNT, FigureKind.STOCK)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    figures: tuple[Figure, ...]

    @property
    def typed_figures(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.typed)


@dataclass(frozen=True)
class FormDefinition:
    version: int
    block_size: int
    sections: tuple[Section, ...]
    _by_code: dict[str, Figure] = field(default_factory=dict, compare=False, repr=False)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for s in self.sections for f in s.figures)

    @property
    def section_keys(self) -> frozenset[str]:
        return frozenset(s.key for s in self.sections)

    def figure(self, code: str) -> Figure:
        try:
            return self._by_code[code]
        except KeyError:
            raise InvalidInput(f"未知的报表指标: {code}") from None

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise InvalidInput(f"未知的报表栏目: {key}")

    def blocks(self) -> list[list[tuple[Section, list[Figure]]]]:
        """The printed layout: figures in order, cut into blocks of ``block_size`` columns,
        each block as runs of (section, its figures in this block) for the merged headers."""
        figures = list(self.figures)
        out: list[list[tuple[Section, list[Figure]]]] = []
        for start in range(0, len(figures), self.block_size):
            chunk = figures[start : start + self.block_size]
            runs: list[tuple[Section, list[Figure]]] = []
            for fig in chunk:
                if runs and runs[-1][0].key == fig.section:
                    runs[-1][1].append(fig)
                else:
                    runs.append((self.section(fig.section), [fig]))
            out.append(runs)
        return out


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v))


_DEFAULT_MESSAGES = {
    "max": "数值超出合理范围（上限 {value}），请核对",
    "spike": "数值远高于近{days}日中位数的{factor}倍，请核对并说明原因",
    "requires": "本项大于0但相关项为0，请核对",
    "lte": "本项不能大于相关项，请核对",
    "ratio": "本项超过相关项的{factor}倍，请核对",
}


def _parse_rule(raw: dict) -> Rule:
    rtype = raw["type"]
    if rtype not in _DEFAULT_MESSAGES:
        raise InvalidInput(f"未知的校验规则类型: {rtype}")
    severity = Severity(raw.get("severity", "error" if rtype in ("max", "lte") else "warning"))
    message = raw.get("message") or _DEFAULT_MESSAGES[rtype].format(
        value=raw.get("value"), days=raw.get("days"), factor=raw.get("factor")
    )
    return Rule(
        type=rtype,
        severity=severity,
        message=message,
        value=_dec(raw.get("value")),
        factor=_dec(raw.get("factor")),
        days=raw.get("days"),
        floor=_dec(raw.get("floor")),
        other=raw.get("other"),
    )


def parse_form(data: dict) -> FormDefinition:
    sections: list[Section] = []
    number = 0
    by_code: dict[str, Figure] = {}
    for s in data["sections"]:
        figs = []
        for f in s["figures"]:
            number += 1
            fig = Figure(
                section=s["key"],
                key=f["key"],
                number=number,
                label=f["label"],
                short=f.get("short", f["label"]),
                unit=f.get("unit", ""),
                kind=FigureKind(f["kind"]),
                decimals=int(f.get("decimals", 0)),
                of=f.get("of"),
                rules=tuple(_parse_rule(r) for r in f.get("rules", [])),
            )
            figs.append(fig)
            by_code[fig.code] = fig
        sections.append(Section(key=s["key"], label=s["label"], figures=tuple(figs)))
    form = FormDefinition(
        version=int(data.get("version", 1)),
        block_size=int(data.get("block_size", number)),
        sections=tuple(sections),
        _by_code=by_code,
    )
    for fig in form.figures:
        if fig.kind == FigureKind.RUNNING_TOTAL:
            base = form.figure(f"{fig.section}.{fig.of}")
            if not base.typed:
                raise InvalidInput(f"{fig.code}: 累计项必须基于每日填报项")
        for rule in fig.rules:
            if rule.other:
                form.figure(f"{fig.section}.{rule.other}")
    return form


def load_form(path: Path | None = None) -> FormDefinition:
    if path is None:
        return default_form()
    return parse_form(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@cache
def default_form() -> FormDefinition:
    text = resources.files("jinghai.reporting").joinpath("daily_form.yaml").read_text("utf-8")
    return parse_form(yaml.safe_load(text))
