"""``jinghai brief`` and ``jinghai supervision remind`` against a real database."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from jinghai.accounts.models import Role
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.cli.main import app
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.reporting.form import default_form
from jinghai.reporting.service import save_section
from jinghai.supervision.schemas import ListingIn
from jinghai.supervision.service import list_for_rectification

runner = CliRunner()
DAY = date(2026, 11, 10)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_brief_and_remind_commands(tmp_path: Path, fresh_database_url, backend):
    url = fresh_database_url(backend)
    env = {"JINGHAI_DATA_DIR": str(tmp_path), "JINGHAI_DATABASE_URL": url}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as s:
        cg = add_user(s, None, UserIn(username="cg", password="correct-horse-9", role=Role.LIAISON,
                                      unit_key="coast_guard"))
        office = add_user(s, None, UserIn(username="o", password="correct-horse-9",
                                          role=Role.OFFICE))
        # a submission gives every figure of the section (a blank is not a zero)
        figures = {f.key: 0 for f in default_form().section("sea_patrol").figures}
        result = save_section(s, cg, "coast_guard", "sea_patrol", DAY,
                              figures | {"personnel": 42, "boats": 3}, submit=True)
        assert result.submitted
        list_for_rectification(s, office, ListingIn(
            target_kind="unit", name="郭巨街道", unit_key="sd_guoju", reason="连续漏报",
            deadline=date(2026, 11, 5)), today=date(2026, 11, 1))
    engine.dispose()

    out = tmp_path / "brief.docx"
    result = runner.invoke(app, ["brief", "--date", "2026-11-10", "--format", "docx",
                                 "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    doc = Document(io.BytesIO(out.read_bytes()))
    rows = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert (rows["海上巡航·出动人力（人）"], rows["海上巡航·出动船只（艘）"]) == ("42", "3")
    assert any("郭巨街道：挂牌整治：郭巨街道（逾期5天）" in p.text for p in doc.paragraphs)

    pdf = tmp_path / "brief.pdf"
    result = runner.invoke(app, ["brief", "--date", "2026-11-10", "--format", "pdf",
                                 "--output", str(pdf)], env=env)
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "领导日报（2026年11月10日）" in text and "应报" in text

    bad = runner.invoke(app, ["brief", "--date", "11/10", "--format", "pdf", "--output",
                              str(pdf)], env=env)
    assert bad.exit_code == 2 and "日期格式应为 YYYY-MM-DD" in bad.output

    result = runner.invoke(app, ["supervision", "remind", "--date", "2026-11-10"], env=env)
    assert result.exit_code == 0 and "挂牌整治 1 项" in result.output
    again = runner.invoke(app, ["supervision", "remind", "--date", "2026-11-10"], env=env)
    assert "挂牌整治 0 项" in again.output
