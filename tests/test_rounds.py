"""The web app's background rounds (jinghai.rounds): each domain's round runs on a real
database, and one round's failure neither stops the others nor the next round."""

from __future__ import annotations

from datetime import datetime

from jinghai import rounds
from jinghai.db import make_engine, make_session_factory
from jinghai.migrate import upgrade
from jinghai.settings import Settings


def test_every_round_runs_and_a_failure_stays_in_its_round(fresh_database_url, tmp_path,
                                                           caplog) -> None:
    engine = make_engine(fresh_database_url("sqlite"))
    upgrade(engine)
    factory = make_session_factory(engine)
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url))
    ran: list[str] = []

    def broken(factory, settings, now: datetime) -> None:
        ran.append("broken")
        raise RuntimeError("round failed")

    def after(factory, settings, now: datetime) -> None:
        ran.append("after")

    done = rounds.run_round(factory, settings, (*rounds.ROUNDS, ("broken", broken),
                                                ("after", after)))
    assert done == {"alerts": True, "patrol overdue": True, "supervision": True, "brief push": True,
                    "broken": False, "after": True}
    assert ran == ["broken", "after"]
    assert "broken round failed" in caplog.text
    engine.dispose()
