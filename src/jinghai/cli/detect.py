"""``jinghai detect run --from … --to …``: every detector over a period of the AIS store,
findings recorded as alerts — the same run as ``python -m jinghai.detect.runner``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from jinghai.errors import InvalidInput, JinghaiError
from jinghai.settings import Settings

app = typer.Typer(help="行为检测", no_args_is_help=True)


def _when(text: str, option: str) -> datetime:
    try:
        t = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{option} 应为 UTC 日期或时间（如 2026-11-20 或 "
                           f"2026-11-20T08:00），收到：{text}") from exc
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@app.command("run")
def run(
    start: Annotated[str, typer.Option("--from", help="开始（UTC 日期或时间，含）")],
    end: Annotated[str, typer.Option("--to", help="结束（UTC 日期或时间，不含）")],
) -> None:
    """对位置库中一段时间运行全部检测器，结果记为预警（可重复运行，不会重复预警）。"""
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.detect.runner import run_batch

    try:
        t0, t1 = _when(start, "--from"), _when(end, "--to")
        if t1 <= t0:
            raise InvalidInput("--to 须晚于 --from")
        settings = Settings()
        engine = make_engine(settings.resolved_database_url())
        try:
            factory = make_session_factory(engine)
            result = run_batch(settings.resolved_ais_store_dir(), t0, t1,
                               lambda: session_scope(factory), settings)
        finally:
            engine.dispose()
    except JinghaiError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from exc
    counts = "，".join(f"{k} {len(v)}" for k, v in result.events.items() if v) or "无"
    typer.echo(f"{result.positions} 个船位，{result.event_count} 个事件（{counts}），"
               f"记录或更新预警 {result.alerts} 条，用时 {result.seconds:.1f} 秒")
