"""Inbound ships and crews: the crew-list change alert, permissions, and the two counted
查验入境 figures, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from jinghai.alerts.access import can_see
from jinghai.alerts.models import Alert
from jinghai.errors import Conflict, InvalidInput, PermissionDenied
from jinghai.inbound.schemas import DepartureIn, ShipIn
from jinghai.inbound.service import get_ship, record_departure, record_ship
from jinghai.notify.models import Notification
from jinghai.org.service import get_unit
from jinghai.reporting.computed import computed_values
from jinghai.supervision.schemas import parse

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 20)
CREW = [{"name": "JOSE SANTOS", "nationality": "菲律宾", "document": "P12345678"},
        {"name": "AUNG TUN", "nationality": "缅甸", "document": "MA7654321"},
        {"name": "IVAN PETRENKO", "nationality": "乌克兰", "document": "FE0011223"}]


def _ship(**over) -> ShipIn:
    data = {"report_date": DAY, "name": "OCEAN GLORY", "imo": "9312345", "mmsi": "353123456",
            "flag": "巴拿马", "eta": datetime(2026, 11, 20, 6, 30, tzinfo=TZ),
            "berth": "梅山2#泊位", "last_port": "新加坡", "crew": CREW}
    data.update(over)
    return parse(ShipIn, data)


def _alerts(session):
    return list(session.scalars(select(Alert).where(Alert.kind == "crew_change")))


def test_same_crew_at_departure_raises_nothing(session, make_liaison):
    station = make_liaison("bs_meishan")
    ship = record_ship(session, station, _ship())
    record_departure(session, station, ship.id, parse(DepartureIn, {
        "departed_at": datetime(2026, 11, 21, 8, tzinfo=TZ), "crew": list(reversed(CREW))}))
    assert _alerts(session) == []
    with pytest.raises(Conflict, match="已登记离港"):
        record_departure(session, station, ship.id, parse(DepartureIn, {
            "departed_at": datetime(2026, 11, 21, 8, tzinfo=TZ), "crew": CREW}))


def test_a_changed_crew_list_alerts_the_port_area_group(session, make_liaison):
    station = make_liaison("bs_meishan")
    ship = record_ship(session, station, _ship())
    changed = CREW[1:] + [{"name": "MINH NGUYEN", "nationality": "越南",
                           "document": "C9988776"}]
    record_departure(session, station, ship.id, parse(DepartureIn, {
        "departed_at": datetime(2026, 11, 21, 8, tzinfo=TZ), "crew": changed}))
    [alert] = _alerts(session)
    assert alert.title == "外籍船员名单不一致 · OCEAN GLORY（巴拿马）"
    assert alert.severity == "orange"
    assert "离港时缺少：JOSE SANTOS（菲律宾，P1*****78）" in alert.summary
    assert "离港时新增：MINH NGUYEN（越南，C9****76）" in alert.summary
    assert "P12345678" not in alert.summary
    assert [r.group.key for r in alert.routes] == ["port_area"]
    assert ship.alert_id == alert.id
    # the port-area group's units see it; a sub-district does not
    assert can_see(session, make_liaison("cu_beilun"), alert)
    assert not can_see(session, make_liaison("sd_xinqi"), alert)
    lead = get_unit(session, "bs_beilun")
    assert session.scalar(select(Notification.title).where(
        Notification.unit_id == lead.id, Notification.kind == "alert")).startswith("橙色预警")


def test_a_requested_crew_change_is_a_red_alert_at_once(session, make_liaison):
    record_ship(session, make_liaison("bs_meishan"), _ship(crew_change_requested=True))
    [alert] = _alerts(session)
    assert (alert.severity, alert.title) == ("red", "外籍船员申请换班 · OCEAN GLORY（巴拿马）")
    assert alert.vessels == [353123456]


def test_who_records_ships_and_bad_input(session, make_liaison, office, viewer):
    with pytest.raises(PermissionDenied, match="边检站"):
        record_ship(session, make_liaison("police"), _ship())
    with pytest.raises(PermissionDenied):
        record_ship(session, viewer, _ship())
    with pytest.raises(InvalidInput, match="IMO 编号应为7位数字"):
        _ship(imo="93")
    with pytest.raises(InvalidInput, match="证件号码重复"):
        _ship(crew=CREW + [CREW[0]])
    with pytest.raises(InvalidInput, match="船员名单：至少填写一项"):
        _ship(crew=[])
    with pytest.raises(InvalidInput, match="IMO 和 MMSI 至少填写一项"):
        _ship(imo="", mmsi="")
    ship = record_ship(session, make_liaison("bs_meishan"), _ship())
    with pytest.raises(PermissionDenied):
        get_ship(session, make_liaison("bs_daxie"), ship.id)
    assert get_ship(session, office, ship.id).crew[0].document_masked == "P1*****78"


def test_inbound_figures_are_counted_for_the_station_that_records(session, make_liaison):
    station = make_liaison("bs_meishan")
    meishan, daxie = get_unit(session, "bs_meishan"), get_unit(session, "bs_daxie")
    assert "inbound_vessels_checked" not in computed_values(session, meishan, "port_area", DAY)
    record_ship(session, station, _ship())
    record_ship(session, station, _ship(name="PACIFIC STAR", imo="9400001", mmsi="",
                                        crew=CREW[:2]))
    record_ship(session, station, _ship(report_date=DAY + timedelta(days=1)))
    counted = computed_values(session, meishan, "port_area", DAY)
    assert (counted["inbound_vessels_checked"], counted["inbound_persons_checked"]) == (2, 5)
    # a station that keeps no records here types its figures as before
    assert "inbound_vessels_checked" not in computed_values(session, daxie, "port_area", DAY)
