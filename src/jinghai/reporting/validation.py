"""Validation of a section's figures against the rules in the form definition."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from statistics import median

from jinghai.reporting.form import Figure, Section, Severity


@dataclass(frozen=True)
class Issue:
    figure_key: str
    severity: Severity
    message: str


#: Beyond any daily figure's sane bound (rules give the real ones); refused outright.
ABSURD = Decimal(10) ** 11  # the figure column holds 14 digits, 3 after the point


def parse_value(fig: Figure, raw: object) -> tuple[Decimal | None, Issue | None]:
    """Turn what a form or API sent into a number, or say what is wrong with it."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        return None, Issue(fig.key, Severity.ERROR, f"“{fig.short}”必须是数字")
    if not value.is_finite():
        return None, Issue(fig.key, Severity.ERROR, f"“{fig.short}”必须是数字")
    if abs(value) >= ABSURD:
        # Not even a draft: no daily figure comes near it, and the column could not hold it.
        return None, Issue(fig.key, Severity.ERROR, f"“{fig.short}”数值过大，请核对")
    if value < 0:
        return value, Issue(fig.key, Severity.ERROR, f"“{fig.short}”不能为负数")
    if fig.whole and value != value.to_integral_value():
        return value, Issue(fig.key, Severity.ERROR, f"“{fig.short}”必须是整数")
    if not fig.whole and value.as_tuple().exponent < -max(fig.decimals, 0):
        return value, Issue(
            fig.key, Severity.ERROR, f"“{fig.short}”最多保留 {fig.decimals} 位小数"
        )
    return value, None


def check_rules(
    section: Section,
    values: dict[str, Decimal | None],
    history: dict[str, list[Decimal]],
) -> list[Issue]:
    """Apply each figure's rules. ``history`` holds the unit's recent daily values per
    figure (oldest first), for the spike rule's trailing median."""
    issues: list[Issue] = []
    for fig in section.typed_figures:
        value = values.get(fig.key)
        if value is None:
            continue
        for rule in fig.rules:
            hit = False
            if rule.type == "max":
                hit = rule.value is not None and value > rule.value
            elif rule.type == "spike":
                past = history.get(fig.key, [])[-(rule.days or 14):]
                if len(past) >= 3:
                    base = Decimal(median(past))
                    floor = rule.floor or Decimal(0)
                    hit = value > floor and value > (rule.factor or 4) * base
            elif rule.type == "requires":
                other = values.get(rule.other or "")
                hit = value > 0 and (other is None or other == 0)
            elif rule.type == "lte":
                other = values.get(rule.other or "")
                hit = other is not None and value > other
            elif rule.type == "ratio":
                other = values.get(rule.other or "")
                hit = other is not None and other > 0 and value > (rule.factor or 1) * other
            if hit:
                issues.append(Issue(fig.key, rule.severity, rule.message))
    return issues
