"""Rare incidents at sea for the demo (illegal entrants, rescues), so the 个案处置 figures
are counted from records. Through the real service; the time is set back to the day."""

from __future__ import annotations

import random
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.cases.demo import PLACES, _at
from jinghai.incidents.schemas import IncidentIn
from jinghai.incidents.service import open_incident


def seed_incidents_of_day(session: Session, rng: random.Random, day: date, user: User,
                          tz: ZoneInfo) -> None:
    """Now and then an incident on ``day``, reported by ``user`` (the transport bureau)."""
    for kind, p in (("illegal_entry", 0.06), ("sea_rescue", 0.04)):
        if rng.random() < p:
            place, lon, lat = rng.choice(PLACES)
            open_incident(session, user, IncidentIn(
                kind=kind, persons=rng.randint(1, 4), occurred_at=_at(day, tz, rng),
                place=place, lon=lon, lat=lat,
                nationalities=rng.choice(["越南", "缅甸", "不明"]),
                health_state=rng.choice(["well", "unknown", "sick"])))
