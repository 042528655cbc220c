"""Daily outreach by the fisheries bureau for the demo (its 宣传 figures are counted from
these records), through the real service."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.outreach.schemas import OutreachIn
from jinghai.outreach.service import record_outreach

AUDIENCES = [("shipping_company", 0, 2, "航运公司"), ("shipyard", 0, 1, "修船厂"),
             ("owner", 3, 20, "渔港码头"), ("worker", 8, 50, "渔业村")]


def seed_outreach(session: Session, rng: random.Random, days: list[date],
                  users: dict[str, User]) -> None:
    agri = users.get("agriculture")
    if agri is None:
        return
    for day in days:
        for audience, low, high, place in AUDIENCES:
            count = rng.randint(low, high)
            if count:
                record_outreach(session, agri, OutreachIn(
                    day=day, audience=audience, count=count, place=f"{place}（{rng.choice(['郭巨', '白峰', '梅山', '春晓'])}）",
                    materials="《致船东船员的一封信》、防范非法入境宣传册"))
