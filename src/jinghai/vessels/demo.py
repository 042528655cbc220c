"""Plausible demo data for the Beilun fishing fleet: ~300 vessels, their owners, a few
three-no cases and a week of checkpoint inspections.

Rows are written directly (not through the service verbs) because a seed has no signed-in
actor; one audit event records that the seed ran.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.org.models import Unit
from jinghai.vessels.models import (
    FishingVessel,
    ThreeNoVessel,
    VesselInspection,
    VesselOwner,
)
from jinghai.vessels.service import new_qr_token

PORTS = ["郭巨", "梅山", "白峰", "穿山"]
SURNAMES = "王李张陈林周吴徐孙胡朱高何郭马罗梁宋郑谢韩唐冯於董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "海军国明建华伟强平东波峰荣祥福贵根良永康水生兴德忠林宝金龙才杰斌勇辉"
FIRM_WORDS = ["海丰", "甬渔", "远洋", "东海", "梅山湾", "白峰", "穿山", "郭巨", "北仑", "春晓",
              "海盛", "鑫海", "浙洋", "金港", "蓝湾", "恒达"]
FIRM_KINDS = ["渔业有限公司", "水产有限公司", "海洋渔业专业合作社", "远洋渔业有限公司"]
THREE_NO_PLACES = ["白峰小门村岸边", "郭巨峙南滩涂", "梅山七姓涂", "穿山码头东侧", "春晓洋沙山岸段",
                   "霞浦小港渡口"]
# Roster entered well before the operation started, so every report day sees the fleet.
ROSTER_SINCE = datetime(2026, 3, 1, tzinfo=UTC)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _id_card(rng: random.Random) -> str:
    born = datetime(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
    return f"330206{born:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"


def seed_vessels(session: Session, rng: random.Random, *, vessels: int = 300,
                 enterprises: int = 15) -> list[FishingVessel]:
    """Create the demo fleet. Call once on an initialised operation; returns the vessels."""
    now = utcnow()
    owners: list[VesselOwner] = []
    firm_names = rng.sample([w + k for w in FIRM_WORDS for k in FIRM_KINDS], enterprises)
    for name in firm_names:
        owners.append(VesselOwner(
            kind="enterprise", name=f"宁波市北仑区{name}",
            phone=f"0574-86{rng.randrange(100000, 999999)}",
            id_code=f"91330206MA2{rng.randrange(16**6):06X}{rng.choice('0123456789X')}",
            created_at=ROSTER_SINCE, updated_at=ROSTER_SINCE))
    individuals = vessels - enterprises * 3 - rng.randrange(0, enterprises)
    for _ in range(individuals):
        owners.append(VesselOwner(
            kind="individual", name=_person(rng),
            phone=f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            id_code=_id_card(rng), created_at=ROSTER_SINCE, updated_at=ROSTER_SINCE))
    session.add_all(owners)
    session.flush()

    firms = owners[:enterprises]
    people = owners[enterprises:]
    holders = people + [firms[i % enterprises] for i in range(vessels - len(people))]
    numbers = rng.sample(range(10000, 99999), vessels)
    mmsis = iter(rng.sample(range(412400000, 413999999), vessels))
    fleet: list[FishingVessel] = []
    for i, owner in enumerate(holders):
        prefix = "浙甬渔" if rng.random() < 0.6 else "浙北渔"
        no = f"{prefix}{numbers[i]}"
        length = Decimal(rng.randrange(120, 550)) / 10
        status = rng.choices(["active", "laid_up", "repair", "deregistered"],
                             weights=[80, 14, 4, 2])[0]
        since = ROSTER_SINCE + timedelta(days=rng.randrange(0, 60))
        fleet.append(FishingVessel(
            registry_no=no, name=no, home_port=rng.choice(PORTS),
            mmsi=str(next(mmsis)) if rng.random() < 0.5 else None,
            beidou_no=f"BD{rng.randrange(10**6, 10**7)}" if rng.random() < 0.7 else "",
            length_m=length, tonnage=(length * length * Decimal("0.12")).quantize(Decimal("0.1")),
            owner=owner, status=status, qr_token=new_qr_token(),
            created_at=since, updated_at=since,
            removed_at=since + timedelta(days=30) if status == "deregistered" else None))
    session.add_all(fleet)
    session.flush()

    agriculture = session.scalar(select(Unit).where(Unit.key == "agriculture"))
    unit_id = agriculture.id if agriculture else None
    for k in range(6):
        found = now - timedelta(days=rng.randrange(1, 20), hours=rng.randrange(0, 12))
        case = ThreeNoVessel(found_at=found, place=THREE_NO_PLACES[k],
                             description=rng.choice(["无船名玻璃钢快艇", "无证木质小船，船长约8米",
                                                     "改装铁壳船，无船籍港标识"]),
                             found_by_unit_id=unit_id, status="found")
        if k >= 2:
            case.status, case.seized_at = "seized", found + timedelta(hours=rng.randrange(1, 6))
        if k >= 4:
            case.status = "dismantled" if k == 4 else "disposed"
            case.disposed_at = case.seized_at + timedelta(days=1)
            if case.disposed_at > now:
                case.status, case.disposed_at = "seized", None
        session.add(case)

    in_roster = [v for v in fleet if v.status != "deregistered"]
    for day in range(7, 0, -1):
        for v in rng.sample(in_roster, rng.randrange(5, 16)):
            session.add(VesselInspection(
                vessel_id=v.id, inspected_at=now - timedelta(days=day, minutes=rng.randrange(600)),
                unit_id=unit_id, via=rng.choice(["qr", "qr", "form"]), place=f"{v.home_port}渔港"))
    record(session, None, "vessels.demo_seed", "fishing_vessel", "*", new=len(fleet))
    session.flush()
    return fleet
