"""The ``jinghai`` command against a real database in a temporary data dir."""

import csv
import importlib.util
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from jinghai.accounts.models import Role
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.cli.main import app
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.org.models import Operation
from jinghai.reporting.service import save_section

DAY = date(2026, 11, 10)
ON_TIME = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)

runner = CliRunner()


def _env(tmp_path: Path, database_url: str = "") -> dict[str, str]:
    return {"JINGHAI_DATA_DIR": str(tmp_path), "JINGHAI_DATABASE_URL": database_url}


def _run(env: dict[str, str], *args: str, input: str | None = None):
    return runner.invoke(app, list(args), env=env, input=input)


@pytest.fixture()
def env(tmp_path) -> dict[str, str]:
    env = _env(tmp_path)
    result = _run(env, "init")
    assert result.exit_code == 0, result.output
    return env


def _url(env: dict[str, str]) -> str:
    return f"sqlite:///{Path(env['JINGHAI_DATA_DIR']).resolve() / 'jinghai.db'}"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_init_creates_the_schema_and_the_operation_once(tmp_path, fresh_database_url, backend):
    url = fresh_database_url(backend)
    env = _env(tmp_path, url)

    result = _run(env, "init")
    assert result.exit_code == 0, result.output
    assert "已初始化" in result.output
    engine = make_engine(url)
    try:
        assert {"operations", "units", "users", "alembic_version"} <= set(
            inspect(engine).get_table_names())
        with session_scope(make_session_factory(engine)) as session:
            op = session.scalar(select(Operation))
            assert (op.district, op.short_name) == ("北仑区", "净海")
    finally:
        engine.dispose()

    again = _run(env, "init")
    assert again.exit_code == 5
    assert "已有行动，不能重复初始化" in again.stderr


def test_init_from_another_districts_template(tmp_path):
    from importlib import resources

    text = resources.files("jinghai.templates_data").joinpath("beilun.yaml").read_text("utf-8")
    template = tmp_path / "zhenhai.yaml"
    template.write_text(text.replace("district: 北仑区", "district: 镇海区"), encoding="utf-8")
    env = _env(tmp_path)

    result = _run(env, "init", "--template", str(template))

    assert result.exit_code == 0, result.output
    engine = make_engine(_url(env))
    with session_scope(make_session_factory(engine)) as session:
        assert session.scalar(select(Operation.district)) == "镇海区"
    engine.dispose()


def test_bad_template_is_refused_with_a_message(tmp_path):
    template = tmp_path / "bad.yaml"
    template.write_text("operation: [unclosed", encoding="utf-8")

    result = _run(_env(tmp_path), "init", "--template", str(template))

    assert result.exit_code == 2
    assert "模板不是有效的 YAML" in result.stderr


def test_commands_before_init_say_so(tmp_path):
    result = _run(_env(tmp_path), "users", "list")
    assert result.exit_code == 4
    assert "请先运行 jinghai init" in result.stderr


def test_db_upgrade_is_idempotent(env):
    assert _run(env, "db", "upgrade").exit_code == 0
    assert _run(env, "db", "upgrade").exit_code == 0


def test_users_add_and_list(env):
    added = _run(env, "users", "add", "bs_li", "--role", "liaison", "--unit", "bs_beilun",
                 "--name", "李联络", "--password", "long-enough-1")
    prompted = _run(env, "users", "add", "boss", "--role", "viewer",
                    input="another-pass-2\nanother-pass-2\n")
    listed = _run(env, "users", "list")

    assert added.exit_code == 0, added.output
    assert prompted.exit_code == 0, prompted.output
    assert listed.exit_code == 0, listed.output
    assert "bs_li" in listed.output and "李联络" in listed.output
    assert "北仑边检站" in listed.output and "boss" in listed.output


def test_users_add_refusals(env):
    short = _run(env, "users", "add", "x1", "--role", "office", "--password", "short")
    no_unit = _run(env, "users", "add", "x2", "--role", "liaison", "--password", "long-enough-1")
    bad_unit = _run(env, "users", "add", "x3", "--role", "liaison", "--unit", "nowhere",
                    "--password", "long-enough-1")
    bad_role = _run(env, "users", "add", "x4", "--role", "king", "--password", "long-enough-1")
    _run(env, "users", "add", "x5", "--role", "office", "--password", "long-enough-1")
    twice = _run(env, "users", "add", "x5", "--role", "office", "--password", "long-enough-1")

    assert (short.exit_code, "密码至少需要 8 位" in short.stderr) == (2, True)
    assert (no_unit.exit_code, "必须指定所属单位" in no_unit.stderr) == (2, True)
    assert (bad_unit.exit_code, "没有这个单位" in bad_unit.stderr) == (4, True)
    assert bad_role.exit_code == 2
    assert (twice.exit_code, "用户名已存在" in twice.stderr) == (5, True)


@pytest.fixture()
def reported(env) -> dict[str, str]:
    """Two border stations have submitted their 口岸 figures for DAY."""
    engine = make_engine(_url(env))
    with session_scope(make_session_factory(engine)) as session:
        for unit, inbound in (("bs_beilun", 12), ("bs_daxie", 30)):
            liaison = add_user(session, None, UserIn(username=f"l_{unit}", password="long-enough-1",
                                                     role=Role.LIAISON, unit_key=unit))
            figures = {"inbound_vessels_checked": inbound, "outbound_vessels_checked": 0,
                       "inbound_persons_checked": 0, "outbound_persons_checked": 0,
                       "vessels_guarded": 0, "anchorage_patrols": 0}
            result = save_section(session, liaison, unit, "port_area", DAY, figures,
                                  submit=True, now=ON_TIME)
            assert result.submitted, result.problems
    engine.dispose()
    return env


def _export(env, tmp_path, fmt: str, *extra: str) -> bytes:
    out = tmp_path / "out" / f"report.{fmt}"
    result = _run(env, "report", "export", "--date", f"{DAY}", "--format", fmt,
                  "--output", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _needs(module: str) -> None:
    if importlib.util.find_spec(f"jinghai.reporting.{module}") is None:
        pytest.skip(f"jinghai.reporting.{module} not present yet")


def test_export_xlsx_opens_with_the_days_figures(reported, tmp_path):
    _needs("export_xlsx")
    data = _export(reported, tmp_path, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("净海" in str(v) for v in cells)
    assert 42 in cells or "42" in cells


def test_export_pdf_is_a_pdf(reported, tmp_path):
    _needs("export_pdf")
    assert _export(reported, tmp_path, "pdf").startswith(b"%PDF")


def test_export_csv_and_json_of_a_range(reported, tmp_path):
    _needs("export_tabular")
    rows = list(csv.reader(io.StringIO(
        _export(reported, tmp_path, "csv", "--to", "2026-11-12").decode("utf-8-sig"))))
    text = _export(reported, tmp_path, "json", "--to", "2026-11-12").decode("utf-8")
    assert len(rows) >= 4
    assert any("42" in ",".join(r) for r in rows)
    assert json.loads(text)


def test_export_refusals(reported, tmp_path):
    out = str(tmp_path / "x")
    bad_date = _run(reported, "report", "export", "--date", "2026-13-01", "--format", "csv",
                    "--output", out)
    range_xlsx = _run(reported, "report", "export", "--date", f"{DAY}", "--to", "2026-11-12",
                      "--format", "xlsx", "--output", out)
    backwards = _run(reported, "report", "export", "--date", f"{DAY}", "--to", "2026-11-01",
                     "--format", "json", "--output", out)

    assert (bad_date.exit_code, "YYYY-MM-DD" in bad_date.stderr) == (2, True)
    assert (range_xlsx.exit_code, "只能导出单日" in range_xlsx.stderr) == (2, True)
    assert backwards.exit_code == 2
    assert not Path(out).exists()


def test_demo_builds_its_own_database_and_prints_logins(tmp_path):
    env = _env(tmp_path)

    first = _run(env, "demo", "--no-serve", "--days", "3")
    again = _run(env, "demo", "--no-serve")

    assert first.exit_code == 0, first.output
    assert (tmp_path / "demo" / "jinghai-demo.db").exists()
    assert not (tmp_path / "jinghai.db").exists()
    assert "jh-bs_beilun-2026" in first.output and "office" in first.output
    assert again.exit_code == 0, again.output
    assert "沿用已有演示库" in again.output and "jh-admin-2026" in again.output


def test_export_refuses_a_future_day_and_one_before_the_operation(reported, tmp_path):
    out = str(tmp_path / "x")
    future = date.today().replace(year=date.today().year + 1)
    ahead = _run(reported, "report", "export", "--date", f"{future}", "--format", "json",
                 "--output", out)
    before = _run(reported, "report", "export", "--date", "2026-01-01", "--format", "xlsx",
                  "--output", out)
    assert (ahead.exit_code, "未来日期" in ahead.stderr) == (2, True)
    assert (before.exit_code, "早于行动开始日期" in before.stderr) == (2, True)
    assert not Path(out).exists()


def test_export_weekly_xlsx_and_missing_units(reported, tmp_path):
    data = _export(reported, tmp_path, "xlsx", "--period", "week")
    sheet = load_workbook(io.BytesIO(data)).active
    texts = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert any(t.startswith("周报 2026年第46周") for t in texts)
    day = json.loads(_export(reported, tmp_path, "json"))[0]
    assert day["sections"]["port_area"]["missing"] == ["梅山边检站"]
    assert day["state"] == "初稿（未锁定）"


def test_export_reaches_the_demo_database(tmp_path):
    env = _env(tmp_path)
    out = str(tmp_path / "demo.json")
    no_demo = _run(env, "report", "export", "--date", f"{date.today()}", "--format", "json",
                   "--output", out, "--demo")
    assert (no_demo.exit_code, "jinghai demo" in no_demo.stderr) == (4, True)
    uninitialised = _run(env, "report", "export", "--date", f"{date.today()}",
                         "--format", "json", "--output", out)
    assert uninitialised.exit_code == 4 and "--demo" in uninitialised.stderr

    assert _run(env, "demo", "--no-serve", "--days", "2").exit_code == 0
    ok = _run(env, "report", "export", "--date", f"{date.today()}", "--format", "json",
              "--output", out, "--demo")
    assert ok.exit_code == 0, ok.output
    [day] = json.loads(Path(out).read_text(encoding="utf-8"))
    assert day["state"] == "初稿（未锁定）" and day["sections"]["port_area"]["expected"]
