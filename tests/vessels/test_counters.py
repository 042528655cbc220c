"""The registry feeds the 船舶管控 section of the daily report through the counter seam."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from jinghai.reporting.computed import computed_values
from jinghai.reporting.service import entry_view, save_section
from jinghai.vessels.schemas import AdvanceIn, ThreeNoIn, VesselIn
from jinghai.vessels.service import (
    add_vessel,
    advance_three_no,
    record_inspection,
    record_three_no,
    set_vessel_status,
)

DAY = date(2026, 11, 20)
# Local midnight of DAY in Asia/Shanghai is 16:00 UTC the day before.
LOCAL_MIDNIGHT = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
EARLIER = datetime(2026, 11, 1, tzinfo=UTC)


def _fleet(session, agri):
    firm = {"kind": "企业", "name": "海丰渔业", "id_code": "91330206MA2AAAAA1X"}
    vessels = [
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔1", "name": "浙甬渔1", "owner": firm}), now=EARLIER),
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔2", "name": "浙甬渔2", "owner": firm}), now=EARLIER),
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔3", "name": "浙甬渔3", "status": "laid_up",
             "owner": {"kind": "个人", "name": "张三"}}), now=EARLIER),
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔4", "name": "浙甬渔4",
             "owner": {"kind": "个人", "name": "李四"}}), now=EARLIER),
        # Entered the roster the day after: not in DAY's count.
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔5", "name": "浙甬渔5",
             "owner": {"kind": "个人", "name": "王五"}}),
                   now=LOCAL_MIDNIGHT + timedelta(days=1, minutes=1)),
    ]
    # 李四's only boat was deregistered during DAY: out of the count at the day's close.
    set_vessel_status(session, agri, vessels[3].id, "deregistered",
                      now=LOCAL_MIDNIGHT + timedelta(hours=8))
    return vessels


def test_counts_follow_the_local_day(session, agri, make_liaison):
    vessels = _fleet(session, agri)
    police = make_liaison("police")
    record_inspection(session, police, vessels[0], now=LOCAL_MIDNIGHT + timedelta(minutes=5))
    record_inspection(session, agri, vessels[0], now=LOCAL_MIDNIGHT + timedelta(hours=3))
    record_inspection(session, agri, vessels[1], now=LOCAL_MIDNIGHT + timedelta(hours=23, minutes=59))
    record_inspection(session, agri, vessels[2], now=LOCAL_MIDNIGHT - timedelta(minutes=1))
    case = record_three_no(session, agri, ThreeNoIn(
        found_at=LOCAL_MIDNIGHT - timedelta(hours=2), place="穿山码头"))
    advance_three_no(session, agri, case.id,
                     AdvanceIn(status="seized", at=LOCAL_MIDNIGHT + timedelta(minutes=30)))
    late = record_three_no(session, agri, ThreeNoIn(found_at=LOCAL_MIDNIGHT, place="郭巨"))
    advance_three_no(session, agri, late.id,
                     AdvanceIn(status="seized", at=LOCAL_MIDNIGHT + timedelta(days=1)))

    assert computed_values(session, agri.unit, "vessel_control", DAY) == {
        "fishing_vessels": Decimal(3),
        "owners_enterprise": Decimal(1),
        "owners_individual": Decimal(1),
        "three_no_seized": Decimal(1),
        "vessels_checked": Decimal(2),
    }
    # Other units that report other sections get no vessel counts.
    assert computed_values(session, police.unit, "vessel_control", DAY) == {}


def test_entry_form_shows_counts_and_override_needs_a_reason(session, agri):
    vessels = _fleet(session, agri)
    record_inspection(session, agri, vessels[0], now=LOCAL_MIDNIGHT + timedelta(hours=2))
    view = entry_view(session, agri, "agriculture", "vessel_control", DAY)
    computed = {f.key: f.computed for f in view.fields}
    assert computed["fishing_vessels"] == 3 and computed["vessels_checked"] == 1

    typed = {"fishing_vessels": "3", "owners_enterprise": "1", "owners_individual": "1",
             "three_no_seized": "0", "vessels_checked": "5",
             # a blank is not a zero: every figure is given on submission
             "publicity_shipping_cos": "0", "publicity_shipyards": "0",
             "publicity_owners": "0", "publicity_workers": "0"}
    refused = save_section(session, agri, "agriculture", "vessel_control", DAY, typed,
                           submit=True)
    assert not refused.submitted
    assert any("查验船只" in p and "修改原因" in p for p in refused.problems)

    accepted = save_section(session, agri, "agriculture", "vessel_control", DAY, typed,
                            reasons={"vessels_checked": "另有4艘现场查验未扫码"}, submit=True)
    assert accepted.submitted, accepted.problems
