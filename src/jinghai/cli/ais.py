"""``jinghai ais ...``: ingest recordings, listen to a feed, look at the quarantine.

Mounted by :mod:`jinghai.cli.main` when this module is present. Ingest keeps a checkpoint
(``<ais store>/checkpoint.json``): killed and started again, it resumes where its last
durable batch ended and stores nothing twice.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jinghai.settings import Settings

app = typer.Typer(help="AIS 船舶自动识别数据", no_args_is_help=True)
console = Console()


def _session_factory(settings: Settings, use_db: bool):
    if not use_db:
        return None
    from jinghai.db import make_engine, make_session_factory
    from jinghai.migrate import upgrade

    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    return make_session_factory(engine)


def _print_stats(title: str, stats) -> None:
    table = Table(title=title)
    table.add_column("项目")
    table.add_column("数量", justify="right")
    table.add_row("行数 lines", str(stats.lines))
    table.add_row("忽略行 ignored (blank/comment/other NMEA)", str(stats.ignored))
    table.add_row("语句 sentences", str(stats.sentences))
    table.add_row("入库船位 positions stored", str(stats.positions))
    table.add_row("重复 duplicates (sentences)", str(stats.outcomes.get("duplicate", 0)))
    table.add_row("其他报文 other: static, base stations… (sentences)",
                  str(stats.outcomes.get("other", 0)))
    for reason, n in sorted(stats.quarantined.items()):
        table.add_row(f"隔离 quarantined: {reason}", str(n))
    console.print(table)


@app.command("ingest")
def ingest(
    files: Annotated[list[Path], typer.Argument(help="NMEA 文件（可为 .gz）", exists=True,
                                                dir_okay=False)],
    store_dir: Annotated[Path | None, typer.Option("--store", help="位置库目录")] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="断点文件")] = None,
    batch_rows: Annotated[int, typer.Option(help="每批写入行数")] = 50_000,
    no_db: Annotated[bool, typer.Option("--no-db", help="不写数据库（静态数据与隔离只计数）")]
    = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="不显示进度条")] = False,
) -> None:
    """导入 NMEA 记录文件到位置库（可断点续传）。"""
    from jinghai.ais.ingest import Ingestor
    from jinghai.ais.store import PositionStore

    settings = Settings()
    root = store_dir or settings.resolved_ais_store_dir()
    ingestor = Ingestor(PositionStore(root), _session_factory(settings, not no_db),
                        checkpoint=checkpoint or root / "checkpoint.json", batch_rows=batch_rows)
    for path in files:
        size = path.stat().st_size
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} 行"),
                      TimeElapsedColumn(), console=console, disable=quiet) as progress:
            task = progress.add_task(path.name, total=None if path.suffix == ".gz" else
                                     max(1, size // 60))
            stats = ingestor.ingest_file(path, progress=lambda n, t=task: progress.update(t, completed=n))
        if stats.already_done:
            console.print(f"此前已导入，按断点跳过：{path.name}", soft_wrap=True)
        _print_stats(str(path), stats)


@app.command("listen")
def listen(
    url: Annotated[str, typer.Argument(help="tcp://HOST:PORT 或 udp://HOST:PORT")],
    store_dir: Annotated[Path | None, typer.Option("--store", help="位置库目录")] = None,
    seconds: Annotated[float, typer.Option(help="运行秒数（0 为一直运行）")] = 0,
    flush_every: Annotated[float, typer.Option(help="最长写入间隔（秒）")] = 2.0,
    no_db: Annotated[bool, typer.Option("--no-db")] = False,
) -> None:
    """接收实时 AIS 数据流（TCP 断线自动重连），写入位置库。"""
    from jinghai.ais.ingest import Ingestor
    from jinghai.ais.sources import make_source
    from jinghai.ais.store import PositionStore

    settings = Settings()
    root = store_dir or settings.resolved_ais_store_dir()
    ingestor = Ingestor(PositionStore(root), _session_factory(settings, not no_db),
                        batch_rows=5_000, max_delay=flush_every)
    try:
        source = make_source(url, ingestor.feed_line)
    except ValueError as exc:
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(2) from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    source.start()
    console.print(f"正在接收 {url} …（Ctrl+C 停止）")
    started = time.monotonic()
    try:
        while not stop.wait(flush_every):
            ingestor.flush()
            if seconds and time.monotonic() - started >= seconds:
                break
    except KeyboardInterrupt:
        pass
    finally:
        source.stop()
        ingestor.close()
    _print_stats(url, ingestor.stats)


@app.command("simulate")
def simulate(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP 端口")] = 10110,
    speed: Annotated[float, typer.Option(help="时钟倍速")] = 1.0,
    seed: Annotated[int, typer.Option(help="随机种子")] = 20261129,
    seconds: Annotated[float, typer.Option(help="运行秒数（0 为一直运行）")] = 0,
) -> None:
    """在本地 TCP 端口上提供模拟的北仑 AIS 数据流（NMEA），供 jinghai ais listen 或其他客户端接收。"""
    from jinghai.ais.simulate import Simulation, serve_feed

    server = serve_feed(host, port, speed, sim=Simulation(seed=seed))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"模拟数据流 tcp://{host}:{server.port} …（Ctrl+C 停止）")
    try:
        stop.wait(seconds or None)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command("compact")
def compact(
    store_dir: Annotated[Path | None, typer.Option("--store", help="位置库目录")] = None,
    before: Annotated[str | None, typer.Option(help="合并此日期（UTC，YYYY-MM-DD）之前各天，默认今天")]
    = None,
) -> None:
    """合并位置库中已结束各天的小文件（实时接收每隔几秒写一个文件）。"""
    from datetime import UTC, date, datetime

    from jinghai.ais.store import PositionStore

    root = store_dir or Settings().resolved_ais_store_dir()
    try:
        day = date.fromisoformat(before) if before else datetime.now(UTC).date()
    except ValueError as exc:
        typer.echo(f"错误：日期格式应为 YYYY-MM-DD：{before}", err=True)
        raise typer.Exit(2) from exc
    done = PositionStore(root).compact_before(day)
    for d, n in sorted(done.items()):
        console.print(f"{d}: 合并 {n} 个文件")
    console.print(f"共合并 {len(done)} 天")


@app.command("quarantine")
def quarantine(
    reason: Annotated[str | None, typer.Option(help="只看某一原因的最近记录")] = None,
    limit: Annotated[int, typer.Option(help="显示条数")] = 20,
) -> None:
    """隔离区：按原因统计无法使用的语句。"""
    from jinghai.ais.quarantine import REASON_LABELS, Reason, quarantine_counts, recent_quarantine
    from jinghai.db import session_scope

    factory = _session_factory(Settings(), True)
    with session_scope(factory) as session:
        counts = quarantine_counts(session)
        table = Table(title="AIS 隔离区")
        table.add_column("原因")
        table.add_column("说明")
        table.add_column("条数", justify="right")
        for key, n in counts.items():
            label = REASON_LABELS.get(Reason(key), "") if key in Reason._value2member_map_ else ""
            table.add_row(key, label, str(n))
        console.print(table)
        if reason:
            for row in recent_quarantine(session, reason, limit):
                console.print(f"{row.at:%Y-%m-%d %H:%M:%S} {row.source} {row.raw}", markup=False)
