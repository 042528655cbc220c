"""The supervision lists and their states, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jinghai.audit.models import AuditEvent
from jinghai.errors import Conflict, InvalidInput, PermissionDenied
from jinghai.notify.models import Notification, WebhookOutbox
from jinghai.supervision import service
from jinghai.supervision.models import Problem, SupervisionVisit
from jinghai.supervision.queries import list_problems, listings_geojson, responsibility_list
from jinghai.supervision.schemas import (
    AssignTaskIn,
    ListingIn,
    MeetingIn,
    NoteIn,
    SignOffIn,
    TaskProgressIn,
    VisitIn,
    parse,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _audits(session, entity_type):
    return list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)))


def test_responsibility_list_shows_the_plan_and_takes_assignments(session, office,
                                                                  make_liaison, viewer):
    rows = responsibility_list(session, office)
    assert len(rows) == 28  # the eight groups' sub-items of plan section 三
    assert rows[0].group.key == "sea_patrol" and rows[0].assignment is None
    task = service.assign_task(session, office, AssignTaskIn(
        group_key="port_area", item_no=2, unit_key="bs_beilun", person="王科长",
        deadline=date(2026, 12, 10)))
    assert task.item_text == "加强国际航行船舶及船员监管，外籍船员不得登陆和换班"
    liaison = make_liaison("bs_beilun")
    mine = responsibility_list(session, liaison)
    assert [(r.group.key, r.item_no) for r in mine] == [("port_area", 2)]
    assert responsibility_list(session, make_liaison("bs_daxie")) == []
    with pytest.raises(InvalidInput, match="标记完成须填写"):
        service.update_task(session, liaison, task.id, TaskProgressIn(status="done"))
    service.update_task(session, liaison, task.id,
                        TaskProgressIn(status="done", evidence="已制定外籍船员管控台账"))
    assert task.status_label == "已完成"
    with pytest.raises(PermissionDenied):
        service.update_task(session, viewer, task.id, TaskProgressIn(status="in_progress"))
    with pytest.raises(PermissionDenied):
        service.assign_task(session, liaison, AssignTaskIn(
            group_key="port_area", item_no=1, unit_key="bs_beilun", person="x",
            deadline=date(2026, 12, 10)))
    with pytest.raises(InvalidInput, match="只有 4 项"):
        service.assign_task(session, office, AssignTaskIn(
            group_key="port_area", item_no=9, unit_key="bs_beilun", person="x",
            deadline=date(2026, 12, 10)))
    assert _audits(session, "sv_task") == ["assign", "update"]


def test_visit_findings_become_problems_worked_to_sign_off(session, office, make_liaison,
                                                           tmp_path):
    visit = service.record_visit(session, office, VisitIn(
        team="联合督导组", inspectors="张三、李四", place_kind="sub_district", place="郭巨街道峙南岙口",
        unit_key="sd_guoju", visited_on=date(2026, 11, 20), checked="卡点值守、巡查台账",
        findings=[{"title": "峙南岙口卡点夜间无人值守", "deadline": date(2026, 11, 25)},
                  {"title": "巡查台账记录不全", "deadline": date(2026, 11, 30)}]))
    problems = list_problems(session, office, source="supervision", source_id=visit.id)
    assert [(p.title, p.status, p.unit.key) for p in problems] == [
        ("峙南岙口卡点夜间无人值守", "open", "sd_guoju"), ("巡查台账记录不全", "open", "sd_guoju")]
    unit = make_liaison("sd_guoju")
    other = make_liaison("sd_xinqi")
    assert len(list_problems(session, unit)) == 2
    assert list_problems(session, other) == []
    first = problems[0]
    with pytest.raises(PermissionDenied):
        service.add_note(session, other, first.id, NoteIn(text="不是我们的"))
    with pytest.raises(InvalidInput, match="尚未报告"):
        service.sign_off(session, office, first.id, SignOffIn(accept=True))
    note = service.add_note(session, unit, first.id, NoteIn(text="已安排两人夜间值守"),
                            upload=("值守照片.png", PNG), data_dir=tmp_path, submit=True)
    assert note.file.content_type == "image/png" and note.file.filename == "值守照片.png"
    assert first.status == "submitted"
    with pytest.raises(InvalidInput, match="不支持的附件类型"):
        service.add_note(session, unit, first.id, NoteIn(text="x"),
                         upload=("a.exe", b"MZ\x90\x00\x03\x00\x00\x00"), data_dir=tmp_path)
    with pytest.raises(PermissionDenied):
        service.sign_off(session, unit, first.id, SignOffIn(accept=True))
    with pytest.raises(InvalidInput, match="退回须写明理由"):
        service.sign_off(session, office, first.id, SignOffIn(accept=False))
    service.sign_off(session, office, first.id, SignOffIn(accept=False, note="缺少排班表"))
    assert first.status == "open"
    service.add_note(session, unit, first.id, NoteIn(text="补充排班表"), submit=True)
    service.sign_off(session, office, first.id, SignOffIn(accept=True, note="同意销号"))
    assert first.status_label == "已销号"
    with pytest.raises(Conflict):
        service.add_note(session, unit, first.id, NoteIn(text="again"))
    assert _audits(session, "sv_problem").count("update") == 4


def test_a_visit_with_a_bad_finding_saves_nothing(session, office):
    before = session.scalar(select(SupervisionVisit.id).limit(1))
    with pytest.raises(InvalidInput, match="发现问题·第1项·发现问题：不能为空"):
        service.record_visit(session, office, parse(VisitIn, {
            "team": "办公室", "place_kind": "unit", "place": "北仑边检站", "unit_key": "bs_beilun",
            "visited_on": "2026-11-20", "checked": "台账",
            "findings": [{"title": "", "deadline": "2026-11-30"}]}))
    with pytest.raises(InvalidInput, match="督导日期：日期格式应为 YYYY-MM-DD"):
        parse(VisitIn, {"team": "办公室", "place_kind": "unit", "place": "x",
                        "unit_key": "bs_beilun", "visited_on": "20号", "checked": "台账"})
    with pytest.raises(InvalidInput, match="单位不存在"):
        service.record_visit(session, office, VisitIn(
            team="办公室", place_kind="unit", place="x", unit_key="nope",
            visited_on=date(2026, 11, 20), checked="台账",
            findings=[{"title": "a", "deadline": date(2026, 11, 30)}]))
    assert session.scalar(select(SupervisionVisit.id).limit(1)) == before
    assert session.scalar(select(Problem.id).limit(1)) is None


def test_listing_reviewed_until_delisted_and_on_the_map(session, office, make_liaison,
                                                        tmp_path):
    listing = service.list_for_rectification(session, office, ListingIn(
        target_kind="place", name="白峰小门村简易码头", unit_key="sd_baifeng", lon=121.98,
        lat=29.88, reason="无证码头，夜间有小船靠泊", deadline=date(2026, 12, 15)),
        today=date(2026, 12, 1))
    geo = listings_geojson(session, office)
    assert [f["properties"]["name"] for f in geo["features"]] == ["白峰小门村简易码头"]
    assert geo["features"][0]["geometry"]["coordinates"] == [121.98, 29.88]
    unit = make_liaison("sd_baifeng")
    with pytest.raises(InvalidInput, match="尚无整治情况"):
        service.delist(session, office, listing.id, "验收合格")
    service.review_listing(session, unit, listing.id, "已设置隔离桩和监控",
                           upload=("监控.png", PNG), data_dir=tmp_path)
    with pytest.raises(PermissionDenied):
        service.delist(session, unit, listing.id, "自行摘牌")
    service.delist(session, office, listing.id, "现场验收合格", today=date(2026, 12, 10))
    assert (listing.status, listing.delisted_on) == ("delisted", date(2026, 12, 10))
    assert listings_geojson(session, office)["features"] == []
    assert _audits(session, "sv_listing") == ["list", "review", "delist"]
    with pytest.raises(InvalidInput, match="整治时限不能早于挂牌日期"):
        service.list_for_rectification(session, office, ListingIn(
            target_kind="unit", name="x", unit_key="sd_baifeng", reason="r",
            deadline=date(2026, 11, 1)), today=date(2026, 12, 1))


def test_meeting_decisions_are_action_items_closed_like_problems(session, office,
                                                                 make_liaison):
    meeting = service.record_meeting(session, office, MeetingIn(
        held_on=date(2026, 11, 26), place="区政府3号会议室", chair="区“净海”行动办公室主任",
        unit_keys=["police", "coast_guard", "bs_beilun"], topics="研判近期偷渡风险",
        decisions=[{"title": "开展夜间联合巡查", "unit_key": "police",
                    "deadline": date(2026, 12, 5)}]))
    assert meeting.number == "第1期"
    [action] = list_problems(session, office, kind="action")
    assert (action.source, action.source_id, action.unit.key) == ("meeting", meeting.id,
                                                                  "police")
    police = make_liaison("police")
    service.add_note(session, police, action.id, NoteIn(text="11月30日已开展"), submit=True)
    service.sign_off(session, office, action.id, SignOffIn(accept=True))
    assert action.status == "closed"


def test_overdue_items_remind_the_unit_in_the_app_and_by_webhook(session, office):
    service.record_visit(session, office, VisitIn(
        team="办公室", place_kind="checkpoint", place="春晓卡点", unit_key="sd_chunxiao",
        visited_on=date(2026, 11, 20), checked="值守",
        findings=[{"title": "卡点登记簿缺页", "deadline": date(2026, 11, 25)},
                  {"title": "未到期的问题", "deadline": date(2026, 12, 31)}]))
    service.list_for_rectification(session, office, ListingIn(
        target_kind="unit", name="春晓街道", unit_key="sd_chunxiao", reason="连续漏报",
        deadline=date(2026, 11, 28)), today=date(2026, 11, 20))
    targets = [("http://hooks.example/robot", "dingtalk"), ("http://hooks.example/j", "json")]
    done = service.remind_overdue(session, date(2026, 12, 1), targets)
    assert [p.title for p in done.problems] == ["卡点登记簿缺页"]
    assert [x.name for x in done.listings] == ["春晓街道"]
    notes = list(session.scalars(select(Notification.title).where(
        Notification.kind == "reminder", Notification.title.like("【逾期%"))))
    assert sorted(notes) == ["【逾期3天】挂牌整治：春晓街道", "【逾期6天】问题：卡点登记簿缺页"]
    rows = list(session.scalars(select(WebhookOutbox).order_by(WebhookOutbox.id)))
    assert [r.format for r in rows] == ["dingtalk", "json"]
    assert "卡点登记簿缺页（逾期6天）" in rows[0].payload["markdown"]["text"]
    assert rows[1].payload["lines"][1] == "春晓街道：挂牌整治 春晓街道（逾期3天）"
    # once a day: a second run the same day sends nothing new
    again = service.remind_overdue(session, date(2026, 12, 1), targets)
    assert again.problems == [] and again.listings == []
    assert len(list(session.scalars(select(WebhookOutbox)))) == 2


def test_a_problem_from_an_alert_must_name_a_real_alert(session, office):
    from jinghai.supervision.schemas import ProblemIn

    with pytest.raises(InvalidInput, match="来源记录不存在：系统预警 #999"):
        service.add_problem(session, office, ProblemIn(
            title="预警未及时签收", unit_key="coast_guard", deadline=date(2026, 12, 1),
            source="alert", source_id=999))
    problem = service.add_problem(session, office, ProblemIn(
        title="日报数据与台账不符", unit_key="coast_guard", deadline=date(2026, 12, 1)))
    assert (problem.source_label, problem.status_label) == ("日报核查", "整改中")
