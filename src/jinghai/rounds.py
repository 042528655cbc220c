"""The web app's background work, composed in one place above the domains.

Every ``alert_worker_interval_s`` seconds one round of each domain's periodic work runs in
a worker thread (``asyncio.to_thread``) so the event loop keeps serving pages: the alerts'
round (escalate overdue red alerts, deliver the webhook outbox), the patrol round (landing
points overdue for a patrol), the supervision round (overdue reminders) and the daily push of the
leader's brief. A failed round is logged and the next one runs as usual; one domain's failure does
not stop another's.

The live side starts here too: the AIS runtime (feeds, ingestor, live picture) and, when
feeds are configured, live detection attached to it. No domain imports this module: it is
wiring, started from the web app's lifespan.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from jinghai.ais.runtime import AisRuntime
from jinghai.alerts import worker as alerts_worker
from jinghai.alerts.pipeline import LiveRunner
from jinghai.brief import push as brief_push
from jinghai.db import session_scope, utcnow
from jinghai.notify.webhooks import webhook_targets
from jinghai.patrol.service import notify_overdue
from jinghai.supervision import worker as supervision_worker

log = logging.getLogger(__name__)

Factory = sessionmaker[Session]
Round = Callable[[Factory, Any, datetime], Any]


def alerts_round(factory: Factory, settings: Any, now: datetime) -> Any:
    return alerts_worker.run_once(factory, settings)


def patrol_overdue_round(factory: Factory, settings: Any, now: datetime) -> int:
    """Landing points overdue for a patrol, told to their sub-districts (once a day each)."""
    today = now.astimezone(settings.tz).date()
    with session_scope(factory) as s:
        return notify_overdue(s, today, targets=webhook_targets(settings))


def supervision_round(factory: Factory, settings: Any, now: datetime) -> None:
    supervision_worker.run_once(factory, settings, now)


def brief_round(factory: Factory, settings: Any, now: datetime) -> None:
    brief_push.run_once(factory, settings, now)


ROUNDS: tuple[tuple[str, Round], ...] = (
    ("alerts", alerts_round),
    ("patrol overdue", patrol_overdue_round),
    ("supervision", supervision_round),
    ("brief push", brief_round),
)


def run_round(factory: Factory, settings: Any, rounds: tuple[tuple[str, Round], ...] = ROUNDS,
              now: datetime | None = None) -> dict[str, bool]:
    """Each round once, in order; ``{name: succeeded}`` (a failure is logged)."""
    now = now or utcnow()
    done = {}
    for name, fn in rounds:
        try:
            fn(factory, settings, now)
            done[name] = True
        except Exception:
            log.exception("%s round failed", name)
            done[name] = False
    return done


async def background_rounds(factory: Factory, settings: Any,
                            rounds: tuple[tuple[str, Round], ...] = ROUNDS) -> None:
    """Every ``alert_worker_interval_s`` seconds, every round, until cancelled."""
    while True:
        await asyncio.sleep(settings.alert_worker_interval_s)
        await asyncio.to_thread(run_round, factory, settings, rounds)


def start_ais(factory: Factory, settings: Any) -> tuple[AisRuntime, LiveRunner | None]:
    """The AIS runtime, and live detection attached to it when feeds are configured (a
    failure to start detection is logged: the map still runs)."""
    live = None
    if settings.ais_feeds:  # attached before the feeds start: it misses no batch
        try:
            live = LiveRunner(lambda: session_scope(factory), settings,
                              decide_early=settings.live_decide_early)
            live.attach()
        except Exception:
            log.exception("live detection did not start")
            live = None
    return AisRuntime(settings, factory).start(), live


def stop_ais(runtime: AisRuntime | None, live: LiveRunner | None) -> None:
    if runtime is not None:
        runtime.stop()  # the ingestor flushed first: its last batch reaches the runner
    if live is not None:
        live.detach()  # the consumer list is the process's: leave no runner behind


__all__ = ["ROUNDS", "background_rounds", "run_round", "start_ais", "stop_ais"]
