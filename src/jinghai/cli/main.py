"""The ``jinghai`` command: a thin door onto the same services the web app uses.

This is an entry point, so it is one of the few places that read the environment
(``Settings()`` from ``JINGHAI_*``). Errors from ``jinghai.errors`` become a Chinese message
on stderr and the error's exit code.
"""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from jinghai.accounts.models import Role, User
from jinghai.errors import InvalidInput, JinghaiError, NotFound
from jinghai.settings import Settings
from jinghai.wiring import load_counters

log = logging.getLogger(__name__)

load_counters()  # every command that reads or writes a report may count figures
app = typer.Typer(help="净海（Jinghai）平台命令行", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库", no_args_is_help=True)
users_app = typer.Typer(help="用户管理", no_args_is_help=True)
report_app = typer.Typer(help="日报表", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(report_app, name="report")

# Each domain's commands, mounted explicitly after the Typer apps they join.
from jinghai.cli.ais import app as ais_app
from jinghai.cli.detect import app as detect_app
from jinghai.cli.patrol import app as patrol_app
from jinghai.cli.supervision import app as supervision_app
from jinghai.cli.zones import app as zones_app

app.add_typer(ais_app, name="ais")
app.add_typer(detect_app, name="detect")
app.add_typer(patrol_app, name="patrol")
app.add_typer(supervision_app, name="supervision")
app.add_typer(zones_app, name="zones")
from jinghai.cli.detect import app as detect_app

app.add_typer(detect_app, name="detect")

F = TypeVar("F", bound=Callable)


def handles_errors(fn: F) -> F:
    """Turn the platform's errors into a message and the error's exit code, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except JinghaiError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from exc

    return wrapper  # type: ignore[return-value]


def _engine(settings: Settings) -> Engine:
    from jinghai.db import make_engine

    return make_engine(settings.resolved_database_url())


def _upgrade(engine: Engine) -> None:
    from jinghai.migrate import upgrade

    upgrade(engine)


def _require_schema(engine: Engine) -> None:
    if not inspect(engine).has_table("operations"):
        raise NotFound("数据库尚未初始化，请先运行 jinghai init；"
                       "要导出演示库（jinghai demo 建立的）的日报，请加 --demo")


def system_user() -> User:
    """The operator at the server's console, acting as the task-force office for reads.

    Never added to a session, so it is not a login anyone can use; the services still run
    their permission checks against its role.
    """
    return User(username="cli", display_name="命令行", role=Role.OFFICE.value, password_hash="!",
                active=True)


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{option} 的日期格式应为 YYYY-MM-DD，收到: {value}") from exc


# --- init / db ---------------------------------------------------------------------------


@app.command()
@handles_errors
def init(
    template: Annotated[Path | None, typer.Option(
        "--template", help="行动模板文件（YAML）；缺省为北仑区净海行动模板",
        exists=True, dir_okay=False, readable=True)] = None,
) -> None:
    """建库：执行数据库迁移，并按模板创建行动、单位和工作组。"""
    from jinghai.db import make_session_factory, session_scope
    from jinghai.geo.service import seed_default_layers
    from jinghai.org.service import init_operation
    from jinghai.org.template import load_template
    from jinghai.reporting.form import default_form

    settings = Settings()
    loaded = load_template(template)  # a bad template fails before the database is touched
    engine = _engine(settings)
    try:
        _upgrade(engine)
        with session_scope(make_session_factory(engine)) as session:
            op = init_operation(session, loaded, default_form().section_keys)
            name, start = op.name, op.start_date
            zones = seed_default_layers(session)
    finally:
        engine.dispose()
    typer.echo(f"已初始化：{name}（开始日期 {start:%Y-%m-%d}）")
    typer.echo(f"默认图层：载入 {zones} 个区域（锚地、港口；jinghai zones list 查看）")
    typer.echo(f"数据库：{settings.resolved_database_url()}")


@db_app.command("upgrade")
@handles_errors
def db_upgrade() -> None:
    """把数据库结构升级到最新版本。"""
    engine = _engine(Settings())
    try:
        _upgrade(engine)
    finally:
        engine.dispose()
    typer.echo("数据库已是最新结构")


# --- users -------------------------------------------------------------------------------


class RoleChoice(StrEnum):
    office = "office"
    liaison = "liaison"
    viewer = "viewer"
    admin = "admin"


@users_app.command("add")
@handles_errors
def users_add(
    username: Annotated[str, typer.Argument(help="登录名")],
    role: Annotated[RoleChoice, typer.Option("--role", help="角色")],
    unit: Annotated[str | None, typer.Option("--unit", help="所属单位代码（联络员必填）")] = None,
    name: Annotated[str, typer.Option("--name", help="显示姓名")] = "",
    password: Annotated[str | None, typer.Option(
        "--password", help="密码；不给则交互输入两次")] = None,
) -> None:
    """添加用户（以服务器操作员身份，记入审计）。"""
    from jinghai.accounts.schemas import UserIn
    from jinghai.accounts.service import add_user
    from jinghai.db import make_session_factory, session_scope
    from jinghai.schemas import parse

    if password is None:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    engine = _engine(Settings())
    try:
        _require_schema(engine)
        with session_scope(make_session_factory(engine)) as session:
            add_user(session, None, parse(UserIn, {
                "username": username, "password": password, "role": role.value,
                "display_name": name, "unit_key": unit}))
    finally:
        engine.dispose()
    typer.echo(f"已添加用户 {username}（{role.value}）")


@users_app.command("list")
@handles_errors
def users_list() -> None:
    """列出所有用户。"""
    from jinghai.db import make_session_factory, session_scope

    engine = _engine(Settings())
    try:
        _require_schema(engine)
        with session_scope(make_session_factory(engine)) as session:
            table = Table("用户名", "姓名", "角色", "单位", "状态")
            for user in session.scalars(select(User).order_by(User.id)):
                table.add_row(user.username, user.display_name, user.role_label,
                              user.unit.name if user.unit else "",
                              "启用" if user.active else "停用")
    finally:
        engine.dispose()
    Console().print(table)


# --- report ------------------------------------------------------------------------------


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    pdf = "pdf"
    csv = "csv"
    json = "json"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


@report_app.command("export")
@handles_errors
def report_export(
    day: Annotated[str, typer.Option("--date", help="日期 YYYY-MM-DD")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="导出格式")],
    output: Annotated[Path, typer.Option("--output", help="输出文件", dir_okay=False)],
    to: Annotated[str | None, typer.Option(
        "--to", help="结束日期 YYYY-MM-DD（仅 csv/json 的日期范围）")] = None,
    period: Annotated[Period, typer.Option(
        "--period", help="day 日报；week/month 为包含该日期的周报/月报（xlsx/pdf）")] = Period.day,
    demo: Annotated[bool, typer.Option(
        "--demo", help="从演示库（jinghai demo 建立的）导出")] = False,
) -> None:
    """导出汇总日报表：xlsx/pdf 为官方版式的单日报表（或周报/月报），csv/json 可导出日期范围。
    未锁定的日期标“初稿（未锁定）”；未来日期和行动开始前的日期不能导出。"""
    from jinghai.db import make_session_factory, session_scope
    from jinghai.reporting.export import render_export

    start = _parse_date(day, "--date")
    end = _parse_date(to, "--to") if to else start
    settings = demo_settings(Settings()) if demo else Settings()
    if demo and not Path(settings.database_url.split("///", 1)[1]).exists():
        raise NotFound("还没有演示库，请先运行 jinghai demo（或 jinghai demo --no-serve）")
    engine = _engine(settings)
    try:
        _require_schema(engine)
        with session_scope(make_session_factory(engine)) as session:
            data = render_export(session, system_user(), fmt.value, start, end, period.value,
                                 pdf_font=settings.pdf_font)
    finally:
        engine.dispose()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"已导出 {output}（{len(data)} 字节）")


# --- serve / demo ------------------------------------------------------------------------


def start_ais_feeds(settings: Settings) -> None:
    """The feeds of ``settings.ais_feeds`` start inside the web app (its lifespan runs
    ``jinghai.ais.runtime.AisRuntime``: sources, ingestor, live map); say which."""
    for feed in settings.ais_feeds:
        typer.echo(f"AIS 数据源：{feed.name or feed.url}（{feed.url}）")


def start_demo_feed(settings: Settings):
    """Start the simulated Beilun AIS feed on a local TCP port and point the server at it;
    returns the server's settings and the running feed (``.stop()`` ends it).

    The registry's fishing boats with an MMSI sail in it (so the map shows registry vessels),
    the demo's patrol boats are the task force's own, and positions go to a store of the
    demo's own beside its database."""
    from jinghai.ais.simulate import PATROL_MMSIS, FishingSpec, Simulation, serve_feed
    from jinghai.db import make_engine, make_session_factory
    from jinghai.portcalls.demo import seed_demo_port_calls
    from jinghai.settings import FeedSetting
    from jinghai.vessels.models import FishingVessel

    engine = make_engine(settings.resolved_database_url())
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(select(
                FishingVessel.mmsi, FishingVessel.name, FishingVessel.home_port,
            ).where(FishingVessel.mmsi.is_not(None), FishingVessel.status == "active")
                .order_by(FishingVessel.registry_no).limit(40)).all()
            fishing = [FishingSpec(int(m), name, port, class_b=i % 4 != 0)
                       for i, (m, name, port) in enumerate(rows) if m and m.isdigit()]
            sim = Simulation(fishing=fishing or None)
            seed_demo_port_calls(session, sim)  # owners report their boats' port calls
            session.commit()
    finally:
        engine.dispose()
    settings = settings.model_copy(update={
        "own_mmsis": sorted({*settings.own_mmsis, *PATROL_MMSIS}),
        "ais_store_dir": settings.ais_store_dir or settings.data_dir / "demo" / "ais",
    })
    _backfill_demo_store(settings, sim)
    server = serve_feed("127.0.0.1", settings.demo_feed_port, sim=sim)
    typer.echo(f"模拟AIS数据源：{server.url}（{len(sim.vessels)} 艘船，含名录渔船 "
               f"{len(fishing)} 艘）")
    return settings.model_copy(update={
        "ais_feeds": [FeedSetting(url=server.url, name="demo-sim"), *settings.ais_feeds]}), server


def _backfill_demo_store(settings: Settings, sim, hours: int = 3) -> None:
    """Ingest the simulated last hours before the live feed starts, so tracks on the map
    have a past from the first minute. Skipped when the store already has the last hour."""
    from datetime import UTC, datetime, timedelta

    from jinghai.ais.ingest import Ingestor
    from jinghai.ais.simulate import iter_sentences
    from jinghai.ais.store import PositionStore
    from jinghai.db import make_engine, make_session_factory

    root = settings.resolved_ais_store_dir()
    root.mkdir(parents=True, exist_ok=True)
    store = PositionStore(root)
    now = datetime.now(UTC)
    if store.days() and store.latest(now - timedelta(hours=1)).num_rows:
        return
    typer.echo(f"正在生成最近 {hours} 小时的模拟航迹……")
    engine = make_engine(settings.resolved_database_url())
    try:
        ingestor = Ingestor(store, make_session_factory(engine))
        start = now - timedelta(hours=hours)
        for at, line in iter_sentences(start, timedelta(hours=hours), step=2.0, sim=sim):
            ingestor.feed_line(line, at, source="demo-sim")
        ingestor.close()
    finally:
        engine.dispose()


def _serve(settings: Settings) -> None:
    import uvicorn

    from jinghai.web.app import create_app

    start_ais_feeds(settings)
    app = create_app(settings)
    # What is loaded by now (modules, models, templates, the app) lives as long as the
    # process: kept out of the collector's full passes, which took 120-150 ms each with
    # it (every request in flight stopped meanwhile) and take 10-25 ms without it.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=settings.host, port=settings.port)


@app.command()
@handles_errors
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口")] = None,
    dev: Annotated[bool, typer.Option(
        "--dev", help="开发模式：允许默认密钥，Cookie 不要求 HTTPS（勿用于生产）")] = False,
) -> None:
    """启动网页服务（以及配置中的 AIS 数据源）。"""
    settings = Settings()
    update = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    if dev:
        update["dev"] = True
    settings = settings.model_copy(update=update)
    settings.refuse_unsafe_secret()
    typer.echo(f"净海平台：http://{settings.host}:{settings.port}")
    _serve(settings)


def demo_settings(settings: Settings) -> Settings:
    """The demo always has its own SQLite file under the data dir, never the real database."""
    path = (settings.data_dir / "demo" / "jinghai-demo.db").resolve()
    # The demo runs on a laptop over plain HTTP with the default key: development mode.
    return settings.model_copy(update={"database_url": f"sqlite:///{path}", "dev": True})


def _print_logins(logins) -> None:
    from jinghai.accounts.models import ROLE_LABELS

    table = Table("用户名", "密码", "角色", "单位", title="演示账号")
    for login in logins:
        table.add_row(login.username, login.password, ROLE_LABELS[Role(login.role)],
                      login.unit_name)
    Console().print(table)


@app.command()
@handles_errors
def demo(
    fresh: Annotated[bool, typer.Option("--fresh", help="删除已有演示库并重建")] = False,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只建库，不启动网页服务")] = False,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="演示数据天数")] = 30,
    no_feed: Annotated[bool, typer.Option(
        "--no-feed", help="不启动模拟AIS数据源（海图只显示已存船位）")] = False,
) -> None:
    """演示：建立北仑区净海行动的演示库（各单位账号和近 N 天日报），然后启动网页服务。"""
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.demo import build_demo, demo_logins

    settings = demo_settings(Settings())
    path = Path(settings.database_url.split("///", 1)[1])
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        import shutil

        shutil.rmtree(path.parent / "ais", ignore_errors=True)  # the demo's position store
    engine = make_engine(settings.database_url)
    try:
        if path.exists() and inspect(engine).has_table("operations"):
            _upgrade(engine)
            with session_scope(make_session_factory(engine)) as session:
                logins = demo_logins(session)
            typer.echo(f"沿用已有演示库 {path}（重建请加 --fresh）")
        else:
            typer.echo(f"正在建立演示库 {path}（{days} 天数据）……")
            _upgrade(engine)
            with session_scope(make_session_factory(engine)) as session:
                logins = build_demo(session, days=days)
    finally:
        engine.dispose()
    _print_logins(logins)
    if no_serve:
        return
    if not no_feed:
        settings, _feed = start_demo_feed(settings)
    typer.echo(f"净海平台：http://{settings.host}:{settings.port}  （Ctrl+C 停止）")
    _serve(settings)


from jinghai.cli.brief import brief as _brief

app.command("brief")(handles_errors(_brief))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
