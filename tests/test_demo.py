"""The demo database: every unit can log in and a month of plausible reports is there."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jinghai.accounts.models import User
from jinghai.accounts.service import authenticate
from jinghai.cases.models import Case, Clue
from jinghai.demo import build_demo
from jinghai.org.service import get_operation, local_day_bounds, reporting_slots
from jinghai.reporting.queries import compile_daily_report, compile_range, completeness_board

TODAY = date(2026, 11, 28)

pytestmark = pytest.mark.slow


def test_demo_builds_a_living_month(session):
    logins = build_demo(session, days=30, today=TODAY, seed=7)

    assert get_operation(session).start_date == TODAY - timedelta(days=29)
    usernames = {login.username for login in logins}
    assert {"office", "leader", "admin"} <= usernames
    assert {slot.unit.key for slot in reporting_slots(session)} <= usernames
    assert all(len(login.password) >= 8 for login in logins)
    liaison = next(login for login in logins if login.username == "bs_beilun")
    assert authenticate(session, liaison.username, liaison.password).role == "liaison"

    office = session.scalar(select(User).where(User.username == "office"))
    board = completeness_board(session, office, TODAY - timedelta(days=29), TODAY)
    assert len(board.days) == 30
    # a locked day keeps each unit's status (the lock is the day's, not the unit's)
    assert set(board.counts()) == {"submitted", "late", "nil", "draft", "not_started"}
    yesterday = {r.unit_key: r.cells[-2] for r in board.rows if r.section != "crackdown"}
    assert (yesterday["sd_baifeng"], yesterday["bs_meishan"]) == ("nil", "late")
    assert board.days[-4] in board.locked_days
    assert board.days[-3] not in board.locked_days
    today = [r.cells[-1] for r in board.rows]
    assert {"submitted", "draft", "not_started"} <= set(today)

    past = compile_daily_report(session, office, TODAY - timedelta(days=10))
    assert past.locked
    assert 20 <= past.values["sea_patrol.personnel"] <= 60
    assert 30 <= past.values["port_area.inbound_vessels_checked"] <= 120
    assert past.values["port_area.inbound_persons_checked"] > 300
    assert past.values["coastal.personnel"] > 50
    assert 250 <= past.values["vessel_control.fishing_vessels"] <= 300
    assert past.values["crackdown.clues_collected"] > 0
    # 集中打击/反走私/个案处置 are counted from the month's records, not typed
    month = compile_range(session, office, TODAY - timedelta(days=29), TODAY - timedelta(days=3))
    start, end = local_day_bounds(session, TODAY - timedelta(days=10))
    assert past.values["crackdown.clues_collected"] == session.scalar(
        select(func.count(Clue.id)).where(Clue.line == "illegal_entry",
                                          Clue.created_at >= start, Clue.created_at < end))
    assert sum(r.values["crackdown.clues_linked"] for r in month) > 0
    # 立案侦查数 counts the illegal-entry cases only (打私办's smuggling cases are 反走私's)
    to_yesterday = compile_range(session, office, TODAY - timedelta(days=29),
                                 TODAY - timedelta(days=1))
    assert sum(r.values["crackdown.cases_opened"] for r in to_yesterday) == session.scalar(
        select(func.count(Case.id)).where(Case.line == "illegal_entry",
                                          Case.opened_at < local_day_bounds(session, TODAY)[0]))
    assert session.scalar(select(func.count(Case.id)).where(Case.line == "smuggling")) > 0
    assert sum(r.values["anti_smuggling.goods_tonnes"] for r in month) > 0
    assert sum(r.values["case_handling.illegal_entrants_today"] for r in month) > 0
    # a range that starts mid-operation carries the history in: same figures as the slice
    tail = compile_range(session, office, TODAY - timedelta(days=12), TODAY - timedelta(days=3))
    assert [(r.values, r.cumulative) for r in tail] == \
        [(r.values, r.cumulative) for r in month[-10:]]
    assert any(v for v in tail[0].cumulative.values())
    assert past.cumulative["sea_patrol.personnel"] > 20 * 15

    warned = compile_daily_report(session, office, TODAY - timedelta(days=1))
    assert warned.warnings
    assert all(w.comment for w in warned.warnings)
    assert warned.values["sea_patrol.personnel"] == Decimal(260)
