"""The demo's patrol work: made through the services, counted into its reports, with a few
overdue landing points on the coverage map."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jinghai.accounts.models import User
from jinghai.demo import build_demo
from jinghai.org.service import reporting_slots
from jinghai.patrol.demo import NEGLECTED
from jinghai.patrol.models import CheckIn, PatrolMission, TrackPoint
from jinghai.patrol.queries import local_day_bounds, overdue_landing_points
from jinghai.reporting.queries import compile_daily_report
from jinghai.reporting.service import entry_view

TODAY = date(2026, 11, 28)

pytestmark = pytest.mark.slow


def test_demo_patrols_are_counted_and_leave_overdue_points(session):
    build_demo(session, days=8, today=TODAY, seed=3)
    office = session.scalar(select(User).where(User.username == "office"))
    day = TODAY - timedelta(days=4)

    sea = session.scalars(select(PatrolMission).where(PatrolMission.kind == "sea")).all()
    assert len(sea) >= 8 * 2 - 2
    ais = session.scalar(select(func.count(TrackPoint.id)).where(TrackPoint.source == "ais"))
    assert ais > 500  # the demo feed's coast-guard boats

    for unit, section in (("coast_guard", "sea_patrol"), ("police", "coastal"),
                          ("sd_meishan", "coastal")):
        view = entry_view(session, office, unit, section, day)
        counted = {f.key: f.computed for f in view.fields if f.computed is not None}
        assert counted, (unit, section)
        assert {f.key: f.value for f in view.fields if f.key in counted} == counted

    report = compile_daily_report(session, office, day)
    assert report.values["sea_patrol.patrol_area_km2"] > 50
    start, end = local_day_bounds(session, day)
    coves = session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.zone_subtype == "岙口", CheckIn.at >= start, CheckIn.at < end))
    # every check-in at a cove that day is counted for its unit; units with no patrol record
    # that day typed their figures, so the report holds at least the counted ones
    counted_coves = sum(
        next(f.computed for f in entry_view(session, office, slot.unit.key, "coastal", day).fields
             if f.key == "cove_patrols") or 0
        for slot in reporting_slots(session) if slot.section == "coastal")
    assert counted_coves == coves > 0
    assert report.values["coastal.cove_patrols"] >= coves

    overdue = {p.zone_id for p in overdue_landing_points(session, TODAY)}
    assert set(NEGLECTED) <= overdue
    assert len(overdue) < 12
