"""Benchmark the daily report: compile and export one day with a full year behind it.

    .venv/bin/python benchmarks/bench_report.py                    # SQLite, 30 units, 365 days
    .venv/bin/python benchmarks/bench_report.py --postgres         # and PostgreSQL (127.0.0.1)
    .venv/bin/python benchmarks/bench_report.py --units 30 --days 365 --repeat 5

The Beilun template is copied and given extra coastal sub-districts until ``--units`` units
report; every unit then has a submitted section for every day of the year (bulk-inserted:
the set-up is not what is measured). Measured, median of ``--repeat`` runs each:

1. compiling the last day's district report (sums over units, running totals since the
   operation's start, warnings, each unit's status) — what the office does every evening;
2. rendering that report to the official ``.xlsx`` and to PDF;
3. compiling the whole year day by day and writing it as CSV (the trends and range export).

Baseline: the same compile for the operation's first day (nothing behind it), so the cost of
a year of history shows as a ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation, reporting_slots
from jinghai.org.template import LoadedTemplate, UnitSpec, load_template
from jinghai.reporting.export_pdf import render_pdf
from jinghai.reporting.export_tabular import render_csv
from jinghai.reporting.export_xlsx import render_xlsx
from jinghai.reporting.form import FigureKind, default_form
from jinghai.reporting.models import FigureEntry, Submission
from jinghai.reporting.queries import compile_daily_report, compile_range


def template_with_units(units: int, start: date) -> LoadedTemplate:
    """The Beilun template with extra sub-districts in the coastal group until ``units``
    distinct units report."""
    base = load_template()
    spec = base.spec.model_copy(deep=True)
    spec.operation.start_date = start
    reporting = {u for g in spec.groups for u in g.reporting_units}
    coastal = next(g for g in spec.groups if g.key == "coastal")
    n = 0
    while len(reporting) < units:
        n += 1
        key = f"sd_bench_{n:02d}"
        spec.units.append(UnitSpec(key=key, name=f"测试街道{n:02d}", kind="sub_district"))
        coastal.reporting_units.append(key)
        reporting.add(key)
    return LoadedTemplate(spec=spec, text=base.text)


def fill_year(session: Session, start: date, days: int, seed: int = 1) -> int:
    """Submitted sections for every reporting slot and day; returns the figure rows."""
    form = default_form()
    rng = random.Random(seed)
    slots = [(s.unit.id, s.section) for s in reporting_slots(session)]
    submitted_at = datetime(start.year, start.month, start.day, 8, tzinfo=UTC)
    rows = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        subs = [{"unit_id": u, "section": sec, "report_date": day, "status": "submitted",
                 "late": False, "note": "", "created_at": submitted_at,
                 "updated_at": submitted_at, "submitted_at": submitted_at}
                for u, sec in slots]
        ids = session.execute(insert(Submission).returning(Submission.id, Submission.section),
                              subs).all()
        entries = []
        for sub_id, section in ids:
            for fig in form.section(section).typed_figures:
                if fig.kind == FigureKind.AMOUNT:
                    value = Decimal(rng.randint(0, 50000)) / 100
                else:
                    value = Decimal(rng.randint(0, 40))
                entries.append({"submission_id": sub_id, "figure_key": fig.key, "value": value,
                                "override_reason": "", "comment": "", "warnings": ""})
        session.execute(insert(FigureEntry), entries)
        rows += len(entries)
    return rows


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run(url: str, label: str, units: int, days: int, repeat: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    last = date(2026, 11, 28)
    start = last - timedelta(days=days - 1)
    t0 = time.perf_counter()
    with session_scope(factory) as s:
        init_operation(s, template_with_units(units, start))
        add_user(s, None, UserIn(username="office", password="bench-office-2026",
                                 role=Role.OFFICE, unit_key="office"))
    with session_scope(factory) as s:
        rows = fill_year(s, start, days)
    with session_scope(factory) as s:
        n_units = len({sl.unit.id for sl in reporting_slots(s)})
    setup = time.perf_counter() - t0
    print(f"\n== {label}: {n_units} reporting units × {days} days, {rows:,} figure rows "
          f"(set-up {setup:.1f} s, not measured)")

    with session_scope(factory) as s:
        office = s.scalar(select(User).where(User.username == "office"))
        first_s, _ = timed(lambda: compile_daily_report(s, office, start), repeat)
        last_s, report = timed(lambda: compile_daily_report(s, office, last), repeat)
        xlsx_s, xlsx = timed(lambda: render_xlsx(report), repeat)
        pdf_s, pdf = timed(lambda: render_pdf(report), repeat)
        year_s, reports = timed(lambda: compile_range(s, office, start, last), max(1, repeat // 2))
        csv_s, csv = timed(lambda: render_csv(reports, default_form()), repeat)
        assert report.values, "the compiled report has no figures"
        assert len(reports) == days

    total = last_s + xlsx_s
    print(f"compile last day (a year behind it) : {last_s * 1000:8.1f} ms")
    print(f"compile first day (baseline)        : {first_s * 1000:8.1f} ms   "
          f"ratio {last_s / first_s:5.2f}×")
    print(f"render .xlsx                        : {xlsx_s * 1000:8.1f} ms   ({len(xlsx):,} bytes)")
    print(f"render PDF                          : {pdf_s * 1000:8.1f} ms   ({len(pdf):,} bytes)")
    print(f"compile + .xlsx, one report         : {total * 1000:8.1f} ms")
    print(f"compile + PDF, one report           : {(last_s + pdf_s) * 1000:8.1f} ms")
    print(f"compile the whole year ({days} days)   : {year_s:8.2f} s    "
          f"({year_s / days * 1000:.1f} ms/day)")
    print(f"render CSV of the year              : {csv_s * 1000:8.1f} ms   ({len(csv):,} bytes)")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true",
                        help="also run on PostgreSQL at 127.0.0.1:5432 (a scratch database)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", "SQLite", args.units, args.days, args.repeat)
    if args.postgres:
        sys.path.insert(0, "tests")
        from conftest import make_postgres_database

        url, drop = make_postgres_database()
        try:
            run(url, "PostgreSQL", args.units, args.days, args.repeat)
        finally:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
