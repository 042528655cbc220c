"""Migration 0010_report_review on a database with reports in it: a draft's figures move
to ``draft_value``, submitted figures stay in ``value``, and nothing is lost (a batch table
copy on SQLite would cascade-delete every figure entry)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import text

from jinghai.db import make_engine
from jinghai.migrate import alembic_config


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_drafts_move_aside_and_nothing_is_lost(fresh_database_url, backend):
    engine = make_engine(fresh_database_url(backend))
    cfg = alembic_config()

    def run(fn, revision):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            fn(cfg, revision)

    try:
        run(command.upgrade, "0001_foundation")
        with engine.begin() as c:
            c.execute(text(
                "insert into operations (id, key, name, short_name, district, office_name, "
                "report_caption, reports_to, start_date, timezone, report_deadline, "
                "template_text) values (1, 'k', 'n', 's', 'd', 'o', 'c', 'r', '2026-10-01', "
                "'Asia/Shanghai', '17:00', '')"))
            c.execute(text("insert into units (id, key, name, kind, parent_name) "
                           "values (1, 'u', 'U', 'agency', '')"))
            for sid, day, status in ((1, "2026-11-01", "draft"), (2, "2026-11-02", "submitted")):
                c.execute(text(
                    "insert into report_submissions (id, unit_id, section, report_date, status,"
                    " late, note, created_at, updated_at) values (:id, 1, 'sea_patrol', :day,"
                    " :status, false, '', '2026-11-01 00:00:00+00:00',"
                    " '2026-11-01 00:00:00+00:00')"), {"id": sid, "day": day, "status": status})
            c.execute(text(
                "insert into report_figure_entries (submission_id, figure_key, value, "
                "override_reason, comment, warnings) values (1, 'personnel', 5, '', '', ''), "
                "(2, 'personnel', 7, '', '', '')"))
        run(command.upgrade, "heads")
        with engine.begin() as c:
            entries = c.execute(text("select submission_id, value, draft_value from "
                                     "report_figure_entries order by submission_id")).all()
            subs = c.execute(text("select id, status, draft from report_submissions "
                                  "order by id")).all()
        assert [(s, v if v is None else Decimal(v), d if d is None else Decimal(d))
                for s, v, d in entries] == [(1, None, Decimal(5)), (2, Decimal(7), None)]
        assert [(i, st, bool(d)) for i, st, d in subs] == [(1, "draft", True),
                                                          (2, "submitted", False)]
    finally:
        engine.dispose()
