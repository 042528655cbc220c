"""Compiled reports over a date range as CSV or JSON, for analysts and other systems.

Unlike the xlsx/pdf exports these are not the printed form: one row (or object) per day,
every figure in form order, so a range can be charted or loaded elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from jinghai.reporting.compiled import CompiledReport, format_value
from jinghai.reporting.form import Figure, FormDefinition

__all__ = ["csv_header", "render_csv", "render_json"]


def csv_header(form: FormDefinition) -> list[str]:
    """日期 then one column per figure. The section is part of the name because the form
    reuses labels across sections (出动人力（人） is both 海上巡航 and 沿海地区管控)."""
    labels = {s.key: s.label for s in form.sections}
    return ["日期", *(f"{labels[f.section]}·{f.label}" for f in form.figures)]


def render_csv(rows: Sequence[CompiledReport], form: FormDefinition) -> bytes:
    """UTF-8 with a BOM: without it Excel on Chinese Windows reads the file as GBK and the
    headers come out garbled."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(csv_header(form))
    for report in rows:
        writer.writerow([
            report.report_date.isoformat(),
            *(format_value(f, report.values.get(f.code, Decimal(0))) for f in form.figures),
        ])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _json_number(fig: Figure, value: Decimal) -> int | float:
    # Counts stay exact ints; amounts are rounded to the form's decimals, where a float is
    # exact enough for every value the form allows.
    if fig.decimals:
        return float(round(value, fig.decimals))
    return int(value)


def render_json(rows: Sequence[CompiledReport], form: FormDefinition) -> bytes:
    """A list of days: ``{date, locked, figures: {code: value}, cumulative: {code: value}}``,
    codes being the form's stable ``section.key`` ids rather than the printed labels."""
    out = []
    for report in rows:
        out.append({
            "date": report.report_date.isoformat(),
            "locked": report.locked,
            "figures": {
                f.code: _json_number(f, report.values.get(f.code, Decimal(0)))
                for f in form.figures
            },
            "cumulative": {
                f.code: _json_number(f, report.cumulative.get(f.code, Decimal(0)))
                for f in form.figures
            },
        })
    return json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8")
