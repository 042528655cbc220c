"""Compiled reports over a date range as CSV or JSON, for analysts and other systems.

Unlike the xlsx/pdf exports these are not the printed form: one row (or object) per day,
every figure in form order, so a range can be charted or loaded elsewhere. Each day also
carries its state (初稿/已锁定), per section the units expected, reported and missing, and
per figure where each unit's part came from (counted, typed, overridden with the reason).
A figure of a section nobody reported is empty (CSV) or null (JSON), never 0.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from jinghai.reporting.compiled import CompiledReport, FigureSource, format_value
from jinghai.reporting.form import Figure, FormDefinition
from jinghai.textsafe import csv_row

__all__ = ["csv_header", "render_csv", "render_json"]


_SOURCE_LABELS = {"counted": "系统统计", "typed": "填报", "overridden": "修改"}


def csv_header(form: FormDefinition) -> list[str]:
    """日期, 状态, then one column per figure, then per section its missing units, then
    per figure its sources. The section is part of the name because the form reuses
    labels across sections (出动人力（人） is both 海上巡航 and 沿海地区管控)."""
    labels = {s.key: s.label for s in form.sections}
    return ["日期", "状态", *(f"{labels[f.section]}·{f.label}" for f in form.figures),
            *(f"{s.label}·未报单位" for s in form.sections),
            *(f"{labels[f.section]}·{f.label}·来源" for f in form.figures if f.typed)]


def _source_text(items: list[FigureSource]) -> str:
    parts = []
    for s in items:
        text = f"{s.unit_name}:{_SOURCE_LABELS[s.source]}"
        if s.reason:
            text += f"（{s.reason}）"
        if s.changed:
            text += f"（报送后统计由{s.submitted.normalize():f}变为{s.value.normalize():f}）"
        parts.append(text)
    return "；".join(parts)


def render_csv(rows: Sequence[CompiledReport], form: FormDefinition) -> bytes:
    """UTF-8 with a BOM: without it Excel on Chinese Windows reads the file as GBK and the
    headers come out garbled."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(csv_header(form))
    for report in rows:
        writer.writerow(csv_row([
            report.report_date.isoformat(),
            report.state_mark,
            *("" if report.not_reported(f)
              else format_value(f, report.values.get(f.code, Decimal(0)))
              for f in form.figures),
            *("、".join(report.sections[s.key].missing) if s.key in report.sections else ""
              for s in form.sections),
            *(_source_text(report.sources.get(f.code, [])) for f in form.figures if f.typed),
        ]))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _json_number(fig: Figure, value: Decimal) -> int | float:
    # Counts stay exact ints; amounts are rounded to the form's decimals, where a float is
    # exact enough for every value the form allows.
    if fig.decimals:
        return float(round(value, fig.decimals))
    return int(value)


def _source_json(fig: Figure, s: FigureSource) -> dict:
    out = {"unit": s.unit_key, "unit_name": s.unit_name, "value": _json_number(fig, s.value),
           "source": s.source}
    if s.source == "overridden":
        out["reason"] = s.reason
    if s.changed:
        out["changed_after_submission"] = True
        out["submitted"] = _json_number(fig, s.submitted)
    return out


def render_json(rows: Sequence[CompiledReport], form: FormDefinition) -> bytes:
    """A list of days: ``{date, locked, state, figures: {code: value}, cumulative: {...},
    sections: {key: {expected, reported, missing, returned}}, sources: {code: [...]}}``,
    codes being the form's stable ``section.key`` ids rather than the printed labels. A
    figure whose section nobody reported is ``null``."""
    out = []
    for report in rows:
        out.append({
            "date": report.report_date.isoformat(),
            "locked": report.locked,
            "state": report.state_mark,
            "figures": {
                f.code: None if report.not_reported(f)
                else _json_number(f, report.values.get(f.code, Decimal(0)))
                for f in form.figures
            },
            "sections": {
                key: {"label": st.label, "expected": st.expected, "reported": st.reported,
                      "missing": st.missing, "returned": st.returned,
                      "complete": not st.missing}
                for key, st in report.sections.items()
            },
            "sources": {
                f.code: [_source_json(f, s) for s in report.sources.get(f.code, [])]
                for f in form.figures if f.typed
            },
            "cumulative": {
                f.code: _json_number(f, report.cumulative.get(f.code, Decimal(0)))
                for f in form.figures
            },
        })
    return json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8")
