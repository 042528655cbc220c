"""``jinghai patrol ...``: landing points overdue for a patrol, told to their sub-districts.

The web app's background worker sends the same notices every round; this command is for a
server run without it (e.g. from cron) and for a look at the list from the console.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jinghai.settings import Settings

app = typer.Typer(help="巡查巡航：登陆点逾期巡查提醒", no_args_is_help=True)


@app.command("overdue")
def overdue(
    day: Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD（默认今天）")] = None,
    notify: Annotated[bool, typer.Option("--notify", help="通知责任街道和专班办公室")] = False,
) -> None:
    """列出超过规定间隔未打卡的登陆点；加 --notify 发送提醒（每个登陆点每天一次）。"""
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.errors import JinghaiError
    from jinghai.notify.webhooks import webhook_targets
    from jinghai.patrol.queries import overdue_landing_points
    from jinghai.patrol.service import notify_overdue

    settings = Settings()
    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).astimezone(settings.tz).date()
    except ValueError:
        typer.echo("错误：日期格式应为 YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings.resolved_database_url())
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = overdue_landing_points(session, when)
            table = Table(title=f"{when} 逾期未巡查的登陆点（{len(rows)} 处）")
            for col in ("登陆点", "类型", "街道", "上次打卡距今", "要求间隔"):
                table.add_column(col)
            for r in rows:
                table.add_row(r.name, r.subtype, r.unit_name or r.sub_district,
                              "从未打卡" if r.days_since is None else f"{r.days_since} 天",
                              f"{r.required_days} 天")
            Console().print(table)
            if notify:
                n = notify_overdue(session, when, targets=webhook_targets(settings))
                typer.echo(f"已发送提醒 {n} 条")
    except JinghaiError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from exc
    finally:
        engine.dispose()
