"""A month of inbound ships for the demo: 梅山边检站's ships with crew lists, some departing,
two crew-change requests and one crew member missing at departure (so crew alerts fire).
Through the real services; the times are set to the day each record stands for."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.inbound.schemas import CrewIn, DepartureIn, ShipIn
from jinghai.inbound.service import record_departure, record_ship

#: The station that keeps its inbound ships here (its two 查验入境 figures are counted).
INBOUND_STATION = "bs_meishan"
FLAGS = [("巴拿马", "PAN"), ("利比里亚", "LBR"), ("马绍尔群岛", "MHL"), ("新加坡", "SGP"),
         ("中国香港", "HKG"), ("希腊", "GRC")]
PORTS = ["新加坡", "釜山", "高雄", "巴生港", "胡志明市", "马尼拉", "东京"]
BERTHS = ["梅山1#泊位", "梅山2#泊位", "梅山3#泊位", "梅山5#泊位"]
CREW_NAT = ["菲律宾", "缅甸", "印度", "乌克兰", "越南", "印度尼西亚"]
GIVEN = ["JOSE", "MARIA", "AUNG", "RAJ", "IVAN", "MINH", "BUDI", "KYAW", "ANDRII", "RAMON"]
FAMILY = ["SANTOS", "REYES", "TUN", "KUMAR", "PETRENKO", "NGUYEN", "SETIAWAN", "LIN", "CRUZ"]


def _crew(rng: random.Random, n: int) -> list[CrewIn]:
    return [CrewIn(name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                   nationality=rng.choice(CREW_NAT),
                   document=f"P{rng.randrange(10**7, 10**8)}", health="well")
            for _ in range(n)]


def seed_inbound(session: Session, rng: random.Random, days: list[date],
                 users: dict[str, User], tz: ZoneInfo) -> None:
    station = users.get(INBOUND_STATION)
    if station is None:
        return
    changed = {days[len(days) // 3], days[-2]}
    for day in days:
        for n in range(rng.randint(10, 16)):
            flag, _code = rng.choice(FLAGS)
            eta = datetime.combine(day, time(rng.randint(0, 22), rng.randrange(60)), tzinfo=tz)
            crew = _crew(rng, rng.randint(15, 22))
            ship = record_ship(session, station, ShipIn(
                report_date=day, name=f"{rng.choice(['OCEAN', 'PACIFIC', 'GOLDEN', 'STAR', 'BLUE'])} "
                                      f"{rng.choice(['GLORY', 'HARMONY', 'PIONEER', 'FORTUNE'])} {n + 1}",
                imo=str(rng.randrange(9_100_000, 9_999_999)),
                mmsi=str(rng.choice([353, 636, 538, 563, 477, 241]) * 10**6 + rng.randrange(10**6)),
                flag=flag, eta=eta, berth=rng.choice(BERTHS), last_port=rng.choice(PORTS),
                crew_change_requested=(day in changed and n == 0), crew=crew),
                now=eta.astimezone(UTC))
            if day < days[-1] and n % 3 == 0:
                leave = list(crew)
                if day in changed and n == 3:
                    leave = leave[1:]  # one crew member missing at departure
                record_departure(session, station, ship.id, DepartureIn(
                    departed_at=eta + timedelta(hours=rng.randint(20, 40)), crew=leave),
                    now=(eta + timedelta(hours=40)).astimezone(UTC))
