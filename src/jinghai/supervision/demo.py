"""A month of the office's working mechanisms for the demo, made through the real services:
responsibility assignments, supervision visits and their findings worked to sign-off (some
left overdue), listed places, weekly joint meetings with action items, and — once the
month's reports exist — a situation bulletin and a warning. (Inbound ships and outreach,
which supervision does not own, are seeded by ``inbound.demo`` and ``outreach.demo``.)"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.org.models import WorkGroup
from jinghai.supervision import service
from jinghai.supervision.circulars import issue_circular
from jinghai.supervision.queries import list_problems
from jinghai.supervision.schemas import (
    AssignTaskIn,
    CircularIn,
    ListingIn,
    MeetingIn,
    NoteIn,
    SignOffIn,
    VisitIn,
)

LEADS = {"sea_patrol": "coast_guard", "port_area": "bs_beilun", "coastal": "police",
         "vessel_control": "agriculture", "border_control": "cu_beilun",
         "crackdown": "police", "anti_smuggling": "services", "case_handling": "transport"}
PEOPLE = ["王海涛", "李建军", "张伟", "陈晓东", "周立新", "吴志刚", "郑国平", "孙春燕"]
VISITS = [
    ("sub_district", "郭巨街道峙南岙口", "sd_guoju", "卡点值守、夜间巡查记录",
     ["峙南岙口卡点夜间无人值守", "巡查台账记录不全"]),
    ("landing_point", "白峰上阳岙口", "sd_baifeng", "登陆点看护、警示标识",
     ["上阳岙口警示牌缺失"]),
    ("unit", "大榭边检站", "bs_daxie", "入境船舶登临检查、船员名单核对",
     ["入境船员名单未按日报送"]),
    ("checkpoint", "柴桥穿山码头卡点", "sd_chaiqiao", "车辆人员查验登记",
     ["卡点查验登记簿缺页", "值守人员不熟悉处置预案"]),
    ("unit", "区农业农村局", "agriculture", "渔船进出港报告核查",
     ["部分渔船进出港报告迟报"]),
    ("sub_district", "戚家山街道笠山岙口", "sd_qijiashan", "岙口巡查、无证码头清理",
     ["笠山岙口无证小码头未清理"]),
    ("unit", "大榭海关", "cu_daxie", "集装箱查验台账", ["异常集装箱处置记录不完整"]),
    ("landing_point", "霞浦外峙岙口", "sd_xiapu", "夜间看护、视频监控", ["外峙岙口监控探头损坏"]),
]
LISTINGS = [
    ("place", "郭巨峙南岙口", "sd_guoju", 122.106636, 29.869583, "夜间多次发现不明小船靠泊，看护力量不足"),
    ("place", "戚家山笠山岙口", "sd_qijiashan", 121.754997, 29.968719, "无证小码头长期未清理"),
    ("place", "白峰上阳岙口", "sd_baifeng", 122.020188, 29.890130, "警示标识和隔离设施缺失"),
    ("unit", "大榭海关", "cu_daxie", None, None, "连续多日漏报日报表"),
]
def seed_operations(session: Session, rng: random.Random, days: list[date],
                    users: dict[str, User]) -> None:
    office = users["office"]
    today = days[-1]
    data_dir = None
    for group, unit in LEADS.items():
        wg = session.scalar(select(WorkGroup).where(WorkGroup.key == group))
        for no in range(1, len(wg.task.items) + 1):
            service.assign_task(session, office, AssignTaskIn(
                group_key=group, item_no=no, unit_key=unit, person=rng.choice(PEOPLE),
                deadline=days[0] + timedelta(days=rng.randint(20, 45))))
    # supervision visits every few days; earlier findings mostly closed, recent ones open
    for i, (kind, place, unit, checked, found) in enumerate(VISITS):
        day = days[min(len(days) - 1, 2 + i * max(1, len(days) // len(VISITS)))]
        visit = service.record_visit(session, office, VisitIn(
            team="区“净海”行动联合督导组" if i % 2 else "专班办公室", inspectors="、".join(
                rng.sample(PEOPLE, 2)), place_kind=kind, place=place, unit_key=unit,
            visited_on=day, checked=checked,
            findings=[{"title": t, "deadline": day + timedelta(days=rng.randint(5, 10))}
                      for t in found]))
        liaison = users.get(unit)
        for p in list_problems(session, office, source="supervision", source_id=visit.id):
            if liaison is None or p.deadline >= today - timedelta(days=2) or rng.random() < 0.3:
                continue  # left open: some of these are overdue
            service.add_note(session, liaison, p.id, NoteIn(text="已整改到位，整改前后照片已存档"),
                             submit=True, data_dir=data_dir)
            if rng.random() < 0.8:
                service.sign_off(session, office, p.id, SignOffIn(accept=True, note="同意销号"))
    for i, (kind, name, unit, lon, lat, reason) in enumerate(LISTINGS):
        listed_on = days[min(len(days) - 1, 4 + 5 * i)]
        listing = service.list_for_rectification(session, office, ListingIn(
            target_kind=kind, name=name, unit_key=unit, lon=lon, lat=lat, reason=reason,
            deadline=listed_on + timedelta(days=14), listed_on=listed_on), today=listed_on)
        if i == 2 and unit in users:
            service.review_listing(session, users[unit], listing.id, "已补设警示牌和隔离桩")
            service.delist(session, office, listing.id, "现场验收合格，予以摘牌", today=today)
    # weekly joint meetings
    for week, day in enumerate(days[3::7]):
        decisions = [
            {"title": "开展重点岙口夜间联合巡查", "unit_key": "police", "deadline": day + timedelta(days=7)},
            {"title": "核查锚地外籍船舶船员名单", "unit_key": "bs_beilun",
             "deadline": day + timedelta(days=5)},
        ]
        meeting = service.record_meeting(session, office, MeetingIn(
            held_on=day, place="区政府3号会议室", chair="区“净海”行动办公室主任",
            unit_keys=["coast_guard", "bs_beilun", "bs_meishan", "police", "agriculture",
                       "cu_beilun", "transport"],
            topics=f"通报第{week + 1}周工作情况\n研判近期海上偷渡和走私风险\n部署下阶段重点工作",
            decisions=decisions))
        if day + timedelta(days=8) < today:
            for p in list_problems(session, office, source="meeting",
                                   source_id=meeting.id):
                liaison = users.get(p.unit.key)
                if liaison is None:
                    continue
                service.add_note(session, liaison, p.id, NoteIn(text="已按期落实"), submit=True)
                service.sign_off(session, office, p.id, SignOffIn(accept=True))


def issue_demo_circulars(session: Session, users: dict[str, User], today: date) -> None:
    """A bulletin for last week and a warning to the unit with the most lapses."""
    from jinghai.org.service import get_operation
    from jinghai.supervision.records import (
        overdue_listings,
        overdue_problems,
        reporting_lapses,
    )

    office = users["office"]
    began = get_operation(session).start_date  # a short demo has less history than a week
    start, end = max(today - timedelta(days=8), began), today - timedelta(days=2)
    if end < start:
        return
    issue_circular(session, office, CircularIn(kind="bulletin", period_start=start,
                                               period_end=end), today=today)
    # the warning goes to the unit with the most lapses, overdue items and listings
    score: dict[str, int] = {}
    for x in reporting_lapses(session, office, max(today - timedelta(days=29), began), end,
                              today):
        score[x.unit_key] = score.get(x.unit_key, 0) + x.missing + x.late
    for item in [*overdue_problems(session, today), *overdue_listings(session, today)]:
        score[item.unit.key] = score.get(item.unit.key, 0) + 10  # an overdue item weighs most
    if score:
        worst = max(sorted(score), key=lambda k: score[k])
        issue_circular(session, office, CircularIn(
            kind="warning", unit_key=worst, period_start=today - timedelta(days=29),
            period_end=end), today=today)
