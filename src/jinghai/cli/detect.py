"""``jinghai detect run``: every detector over a period of the AIS store, into alerts.

Without a Dask scheduler (``--scheduler`` or ``JINGHAI_DASK_SCHEDULER``) the run is the
single-process :func:`jinghai.alerts.pipeline.run_batch`; with one, the work is partitioned
by vessel shard, spatial tile and day (:mod:`jinghai.detect.partition`) and runs on the
cluster, with the same events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from jinghai.settings import Settings

app = typer.Typer(help="检测：对 AIS 历史数据运行全部检测器", no_args_is_help=True)


def _when(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"无法识别的时间：{text}（示例：2026-11-20 或 2026-11-20T08:00）") \
            from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _progress(fed: int) -> None:
    typer.echo(f"已处理 {fed:,} 个船位", err=True)


@app.command("run")
def run(
    start: Annotated[str, typer.Option("--from", help="开始（UTC 日期或 ISO 时间）")],
    end: Annotated[str, typer.Option("--to", help="结束（不含，UTC 日期或 ISO 时间）")],
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask 调度器地址，如 tcp://10.0.0.5:8786（默认取 JINGHAI_DASK_SCHEDULER）")] = None,
    shards: Annotated[int, typer.Option("--shards", min=1, help="按船舶分片数（集群上）")] = 4,
    tile_deg: Annotated[float, typer.Option("--tile-deg", min=0.01, help="空间分块边长（度）")] = 0.5,
    window_min: Annotated[int, typer.Option(
        "--window-min", min=1, help="单机运行时按此时长（分钟）分段读入，内存随时段而非整天")] = 60,
) -> None:
    """运行全部检测器并把发现记录为预警。"""
    from jinghai.alerts.pipeline import run_batch, run_partitioned
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.errors import JinghaiError

    t0, t1 = _when(start), _when(end)
    if t1 <= t0:
        raise typer.BadParameter("结束时间须晚于开始时间")
    settings = Settings()
    address = scheduler or settings.dask_scheduler
    engine = make_engine(settings.resolved_database_url())
    factory = make_session_factory(engine)
    try:
        if address:
            typer.echo(f"在 Dask 集群 {address} 上运行（{shards} 个船舶分片，{tile_deg}° 分块）")
            result = run_partitioned(settings.resolved_ais_store_dir(), t0, t1,
                                     lambda: session_scope(factory), settings,
                                     scheduler=address, shards=shards, tile_deg=tile_deg)
        else:
            result = run_batch(settings.resolved_ais_store_dir(), t0, t1,
                               lambda: session_scope(factory), settings,
                               window=timedelta(minutes=window_min), keep_events=False,
                               progress=_progress)
    except JinghaiError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    counts = "，".join(f"{k} {n}" for k, n in result.counts.items() if n) or "无"
    typer.echo(f"{result.positions} 个船位，{result.event_count} 个事件（{counts}），"
               f"记录或更新预警 {result.alerts} 条，用时 {result.seconds:.1f} 秒")
