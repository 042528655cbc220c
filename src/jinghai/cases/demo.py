"""A month of casework for the demo: clues, links, cases, measures and seizures.

The 集中打击 and 反走私 figures are counted from these records, so the demo's
daily reports carry them the way real use would: nobody types them. Everything goes through
the real services; only the record times are set back to the day they stand for, because
the services stamp "now".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.cases.models import Clue
from jinghai.cases.schemas import CaseIn, ClueIn, LinkIn, MeasureIn, PartyIn, SeizureIn
from jinghai.cases.service import (
    add_measure,
    add_party,
    create_clue,
    link_clues,
    open_case,
    record_seizure,
)

PLACES = [
    ("郭巨岙口", 121.93, 29.87), ("梅山港区", 121.97, 29.78), ("峙头岛附近海域", 122.05, 29.90),
    ("大榭码头", 121.96, 29.93), ("白峰渔港", 121.98, 29.88), ("穿山码头", 121.90, 29.95),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡郭林何"
GIVEN = ["建国", "海波", "志强", "小红", "伟", "明", "国平", "春燕", "立新", "海军"]
VESSELS = ["浙甬渔12345", "浙象渔05123", "浙岱渔03318", "闽狮渔07788", "浙甬货0087"]
STORIES = [
    "{place}有可疑人员夜间聚集，疑似等待接驳，联系电话{phone}。",
    "{vessel}近日多次夜间关闭定位出海，船东{name}（电话{phone}）解释不清。",
    "货车{plate}多次凌晨在{place}装卸冻品，疑似走私。",
    "群众反映{place}附近有外籍人员上岸，由{name}接应，手机{phone}。",
    "{vessel}与不明船只在外海并靠约40分钟，疑似过驳。",
    "{name}在{place}招募外来务工人员，无合法手续，电话{phone}。",
]
GOODS = [("frozen_food", "冻品"), ("fuel_oil", "成品油"), ("sugar", "白砂糖"),
         ("wildlife", "野生动物制品"), ("foreign_waste", "洋垃圾")]


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def _written(rng: random.Random, phone: str) -> str:
    """The same mobile number as people write it: plain, spaced, dashed or with +86."""
    return rng.choice([phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}",
                       f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86 {phone}"])


def _plate(rng: random.Random) -> str:
    return "浙B" + "".join(rng.choice("0123456789ACDEFHJK") for _ in range(5))


def _at(day: date, tz: ZoneInfo, rng: random.Random) -> datetime:
    """A daytime moment of ``day``, never in the future: today's clues happened already."""
    at = datetime.combine(day, time(rng.randint(7, 21), rng.randrange(60)), tz)
    # no extra draw from rng: the rest of the demo takes the same random stream
    return min(at, datetime.now(tz) - timedelta(minutes=5))


def seed_casework(session: Session, rng: random.Random, days: list[date],
                  users: dict[str, User], tz: ZoneInfo,
                  each_day: Callable[[date], None] | None = None) -> None:
    """Clues every day (some sharing a phone or vessel, so the linker has work), now and
    then a linked pair, a case with measures and seizures. ``each_day`` runs after each
    day's casework on the same random stream: the demo passes the incidents at sea
    (``incidents.demo``), which sit above cases."""
    police, services = users["police"], users["services"]
    people = [(rng.choice(SURNAMES) + rng.choice(GIVEN), _phone(rng)) for _ in range(12)]
    recent: list[Clue] = []
    for day in days:
        todays: list[Clue] = []
        for _ in range(rng.randint(2, 7)):
            name, phone = rng.choice(people)
            place, lon, lat = rng.choice(PLACES)
            content = rng.choice(STORIES).format(
                place=place, phone=_written(rng, phone), name=name,
                vessel=rng.choice(VESSELS), plate=_plate(rng))
            author = police if rng.random() < 0.7 else services
            clue = create_clue(session, author, ClueIn(
                source_kind=rng.choice(["agency", "patrol", "analyst", "tipoff"]),
                reliability=rng.choice("BCCDF"), content=content, place=place,
                lon=lon + rng.uniform(-0.01, 0.01), lat=lat + rng.uniform(-0.01, 0.01),
                occurred_at=_at(day, tz, rng)))
            clue.created_at = _at(day, tz, rng)
            todays.append(clue)
        if recent and rng.random() < 0.5:
            a, b = rng.choice(recent), rng.choice(todays)
            if a.unit_id == b.unit_id:
                user = police if a.unit_id == police.unit_id else services
                link = link_clues(session, user, LinkIn(clue_a_id=a.id, clue_b_id=b.id,
                                                        reason="同一联系人，经研判串并"))
                link.decided_at = _at(day, tz, rng)
        if rng.random() < 0.12:
            _case(session, rng, day, police, [c for c in todays if c.unit_id == police.unit_id],
                  tz)
        if rng.random() < 0.15:
            _smuggling(session, rng, day, services,
                       [c for c in todays if c.unit_id == services.unit_id], tz)
        if each_day is not None:
            each_day(day)
        recent = (recent + todays)[-20:]
    session.flush()


def _case(session: Session, rng: random.Random, day: date, user: User, clues: list[Clue],
          tz: ZoneInfo) -> None:
    if not clues:
        return
    case = open_case(session, user, CaseIn(title=f"{day:%m月%d日}涉嫌组织偷越国（边）境案",
                                           clue_ids=[c.id for c in clues[:2]]),
                     opened_at=_at(day, tz, rng))
    for _ in range(rng.randint(1, 3)):
        add_measure(session, user, case.id, MeasureIn(
            person_name=rng.choice(SURNAMES) + rng.choice(GIVEN), kind="coercive", day=day))
    if rng.random() < 0.3:
        company = rng.choice(["宁波某水产加工有限公司", "北仑某船舶修造厂", "某冷链物流公司"])
        add_party(session, user, case.id, PartyIn(kind="illegal_employer", name=company,
                                                  day=day, place="小港"))
        for _ in range(rng.randint(1, 3)):
            add_party(session, user, case.id, PartyIn(
                kind="illegal_foreign_worker",
                name=rng.choice(["NGUYEN VAN A", "TRAN THI B", "AUNG KYAW"]), day=day,
                nationality=rng.choice(["越南", "缅甸"]), employer=company,
                document=f"C{rng.randint(1000000, 9999999)}"))
    if rng.random() < 0.4:
        add_measure(session, user, case.id, MeasureIn(
            person_name=rng.choice(SURNAMES) + rng.choice(GIVEN), kind="prosecution_referral",
            day=day))


def _smuggling(session: Session, rng: random.Random, day: date, user: User, clues: list[Clue],
               tz: ZoneInfo) -> None:
    if not clues:
        return
    category, label = rng.choice(GOODS)
    case = open_case(session, user, CaseIn(title=f"{day:%m月%d日}涉嫌走私{label}案",
                                           clue_ids=[clues[0].id], line="smuggling"),
                     opened_at=_at(day, tz, rng))
    record_seizure(session, user, case.id, SeizureIn(
        category=category, day=day, tonnes=Decimal(rng.randint(500, 18000)) / 1000,
        description=label))
    if rng.random() < 0.5:
        record_seizure(session, user, case.id, SeizureIn(category="vehicle", day=day,
                                                         quantity=1, description="运输车辆"))
    if rng.random() < 0.3:
        record_seizure(session, user, case.id, SeizureIn(category="vessel", day=day,
                                                         quantity=1, description="涉案船舶"))
    if rng.random() < 0.5:
        record_seizure(session, user, case.id, SeizureIn(category="person", day=day,
                                                         quantity=rng.randint(1, 3)))
