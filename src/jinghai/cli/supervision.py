"""``jinghai supervision remind``: remind units of overdue rectifications and listings (in
the app and through the configured webhooks); run it daily from cron or a timer."""

from __future__ import annotations

from typing import Annotated

import typer

from jinghai.settings import Settings

app = typer.Typer(help="督导检查与整改督办", no_args_is_help=True)


@app.command("remind")
def remind(
    day: Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD；缺省为今天")] = None,
) -> None:
    """提醒逾期未整改的问题、会商事项和挂牌整治（每天每项一次）。"""
    from datetime import datetime

    from jinghai.cli.main import _engine, _parse_date, _require_schema, handles_errors
    from jinghai.db import make_session_factory, session_scope
    from jinghai.notify.webhooks import webhook_targets
    from jinghai.supervision.service import remind_overdue

    @handles_errors
    def run() -> None:
        settings = Settings()
        when = _parse_date(day, "--date") if day else datetime.now(settings.tz).date()
        engine = _engine(settings)
        try:
            _require_schema(engine)
            with session_scope(make_session_factory(engine)) as session:
                done = remind_overdue(session, when, webhook_targets(settings))
                n_problems, n_listings = len(done.problems), len(done.listings)
        finally:
            engine.dispose()
        typer.echo(f"已提醒逾期事项 {n_problems} 项、挂牌整治 {n_listings} 项")

    run()
