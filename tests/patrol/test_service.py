"""Missions, check-ins and inspections through the services, and the daily figures they
count, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jinghai.audit.models import AuditEvent
from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.geo.metric import offset_lonlat
from jinghai.geo.models import ZoneRecord
from jinghai.patrol.models import CheckIn, PatrolMission, TrackPoint
from jinghai.patrol.service import (
    add_track_points,
    attach_ais_track,
    check_in,
    end_mission,
    record_patrol_inspection,
    start_mission,
)
from jinghai.reporting.computed import computed_values
from jinghai.vessels.service import record_inspection

DAY = date(2026, 11, 20)
MIDNIGHT = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)  # local 00:00 of DAY
NOW = MIDNIGHT + timedelta(days=2)
PTS = [(121.93, 29.985), (121.97, 29.975), (122.02, 29.955), (122.06, 29.94)]


def _cid() -> str:
    return uuid.uuid4().hex


def _zone_point(session, zone_id):
    geom = session.get(ZoneRecord, zone_id).geometry
    return geom["coordinates"]


def _checkin(session, user, zone_id, at, **kw):
    lon, lat = _zone_point(session, zone_id)
    lon, lat = offset_lonlat(lon, lat, kw.pop("east_m", 30.0), 0.0)
    data = {"client_id": kw.pop("client_id", _cid()), "zone_id": zone_id, "at": at,
            "lon": float(lon), "lat": float(lat), **kw}
    return check_in(session, user, data, now=NOW)


def test_checkin_two_km_from_the_cove_is_refused_with_the_distance(session, zones,
                                                                  make_liaison):
    sd = make_liaison("sd_qijiashan")
    with pytest.raises(InvalidInput, match=r"约 2,0\d\d 米，超出允许的 500 米") as exc:
        _checkin(session, sd, "lp-qjs-01", MIDNIGHT + timedelta(hours=9), east_m=2000.0)
    assert 1990 <= exc.value.details["distance_m"] <= 2010
    assert session.scalar(select(func.count(CheckIn.id))) == 0


def test_checkin_sent_twice_counts_once(session, zones, make_liaison):
    sd = make_liaison("sd_qijiashan")
    cid = _cid()
    first = _checkin(session, sd, "lp-qjs-01", MIDNIGHT + timedelta(hours=9), client_id=cid,
                     persons_checked=3)
    again = _checkin(session, sd, "lp-qjs-01", MIDNIGHT + timedelta(hours=9), client_id=cid,
                     persons_checked=3)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.checkin.id == first.checkin.id
    values = computed_values(session, sd.unit, "coastal", DAY)
    assert values["cove_patrols"] == 1
    assert values["persons_checked"] == 3


def test_five_patrol_counts_equal_the_days_checkins(session, zones, make_liaison):
    police = make_liaison("police")
    plan = {"lp-ms-02": 2, "lp-qjs-01": 3, "lp-ms-03": 1, "lp-xg-01": 2, "lp-ms-01": 1}
    for zone_id, n in plan.items():
        for k in range(n):
            _checkin(session, police, zone_id, MIDNIGHT + timedelta(hours=8 + k))
    # the evening before and the night after belong to other days
    _checkin(session, police, "lp-qjs-01", MIDNIGHT - timedelta(minutes=1))
    _checkin(session, police, "lp-qjs-01", MIDNIGHT + timedelta(days=1))
    values = computed_values(session, police.unit, "coastal", DAY)
    assert {k: values[k] for k in ("port_patrols", "cove_patrols", "island_patrols",
                                   "wharf_patrols", "mooring_patrols")} == {
        "port_patrols": 2, "cove_patrols": 3, "island_patrols": 1, "wharf_patrols": 2,
        "mooring_patrols": 1}
    # a unit with no patrol records that day gets no counted values (it types them)
    assert computed_values(session, police.unit, "coastal", DAY - timedelta(days=3)) == {}


def test_sea_mission_counts_crew_boats_area_and_inspections(session, zones, make_liaison,
                                                           agri_vessel):
    cg = make_liaison("coast_guard")
    m = start_mission(session, cg, {
        "kind": "sea", "crew_count": 12,
        "boats": [{"name": "海警31101", "mmsi": 412900101, "boat_type": "patrol_boat"},
                  {"name": "快艇1", "boat_type": "speedboat"}],
        "start_at": MIDNIGHT + timedelta(hours=8)}, now=NOW)
    rows = [{"mmsi": 412900101, "ts": MIDNIGHT + timedelta(hours=8, minutes=10 * i),
             "lon": lon, "lat": lat} for i, (lon, lat) in enumerate(PTS)]
    rows.insert(2, {"mmsi": 412900101, "ts": MIDNIGHT + timedelta(hours=8, minutes=15),
                    "lon": 122.5, "lat": 29.6})  # a bad fix: dropped, not refused
    rows.append({"mmsi": 999000111, "ts": MIDNIGHT + timedelta(hours=9), "lon": 121.95,
                 "lat": 29.98})  # not our boat
    assert attach_ais_track(session, m, rows, own_mmsis=[412900101]) == 4
    record_patrol_inspection(session, cg, {"mission_id": m.id, "registry_no": "浙甬渔901",
                                           "persons_checked": 6,
                                           "at": MIDNIGHT + timedelta(hours=9)}, now=NOW)
    record_patrol_inspection(session, cg, {"mission_id": m.id, "mmsi": 413123456,
                                           "vessel_name": "闽渔666", "persons_checked": 9,
                                           "illegal": True,
                                           "at": MIDNIGHT + timedelta(hours=10)}, now=NOW)
    end_mission(session, cg, m.id, {"end_at": MIDNIGHT + timedelta(hours=12)}, now=NOW)
    assert Decimal(50) < m.swept_km2 < Decimal(56)
    values = computed_values(session, cg.unit, "sea_patrol", DAY)
    assert values == {"personnel": 12, "boats": 2, "patrol_area_km2": values["patrol_area_km2"],
                      "vessels_checked": 2, "persons_checked": 15, "illegal_vessels": 1}
    assert values["patrol_area_km2"] == m.swept_km2.quantize(Decimal("0.01"))
    assert session.scalar(select(func.count(AuditEvent.id))
                          .where(AuditEvent.action.like("patrol.%"))) == 4


def test_inspections_count_once_in_the_inspecting_units_section(session, zones, make_liaison,
                                                                agri_vessel):
    police, agri = make_liaison("police"), make_liaison("agriculture", "agri2")
    cg = make_liaison("coast_guard")
    at = MIDNIGHT + timedelta(hours=10)
    record_inspection(session, police, agri_vessel, now=at)           # QR scan at a checkpoint
    record_inspection(session, agri, agri_vessel, now=at)
    record_patrol_inspection(session, cg, {"registry_no": "浙甬渔901", "at": at}, now=NOW)
    assert computed_values(session, police.unit, "coastal", DAY)["vessels_checked"] == 1
    assert computed_values(session, agri.unit, "vessel_control", DAY)["vessels_checked"] == 1
    assert computed_values(session, cg.unit, "sea_patrol", DAY)["vessels_checked"] == 1
    # nowhere else
    assert "vessels_checked" not in computed_values(session, police.unit, "vessel_control", DAY)
    assert computed_values(session, cg.unit, "coastal", DAY) == {}


def test_bad_input_is_refused_whole(session, zones, make_liaison):
    cg = make_liaison("coast_guard")
    m = start_mission(session, cg, {"kind": "coastal", "crew_count": 4,
                                    "start_at": MIDNIGHT + timedelta(hours=8)}, now=NOW)
    ok = [{"ts": MIDNIGHT + timedelta(hours=8, minutes=i), "lon": 121.93 + i * 0.001,
           "lat": 29.985} for i in range(3)]
    assert add_track_points(session, cg, m.id, {"points": ok}) == 3
    assert add_track_points(session, cg, m.id, {"points": ok}) == 0  # resent: nothing new
    jump = [{"ts": MIDNIGHT + timedelta(hours=8, minutes=5), "lon": 121.935, "lat": 29.985},
            {"ts": MIDNIGHT + timedelta(hours=8, minutes=6), "lon": 122.3, "lat": 29.7}]
    with pytest.raises(InvalidInput, match="不可能的跳点"):
        add_track_points(session, cg, m.id, {"points": jump})
    assert session.scalar(select(func.count(TrackPoint.id))
                          .where(TrackPoint.mission_id == m.id)) == 3
    with pytest.raises(InvalidInput, match="结束时间早于开始时间"):
        end_mission(session, cg, m.id, {"end_at": MIDNIGHT + timedelta(hours=7)}, now=NOW)
    assert session.get(PatrolMission, m.id).status == "active"
    with pytest.raises(InvalidInput, match="出动人数"):
        start_mission(session, cg, {"kind": "sea", "crew_count": -1}, now=NOW)
    with pytest.raises(InvalidInput, match="时间"):
        add_track_points(session, cg, m.id, {"points": [{"ts": "2026-11-20T08:00:00",
                                                         "lon": 121.9, "lat": 29.9}]})


def test_viewers_cannot_write_and_liaisons_only_for_their_unit(session, zones, make_liaison,
                                                               viewer):
    with pytest.raises(PermissionDenied):
        start_mission(session, viewer, {"kind": "coastal", "crew_count": 3}, now=NOW)
    sd = make_liaison("sd_qijiashan")
    with pytest.raises(PermissionDenied):
        start_mission(session, sd, {"kind": "coastal", "crew_count": 3,
                                    "unit_key": "police"}, now=NOW)
    police = make_liaison("police")
    m = start_mission(session, police, {"kind": "coastal", "crew_count": 3}, now=NOW)
    with pytest.raises(PermissionDenied):
        end_mission(session, sd, m.id, now=NOW)


def test_anchorage_patrol_counts_by_track_or_checkin(session, zones, make_liaison):
    bs = make_liaison("bs_beilun")
    m = start_mission(session, bs, {"kind": "anchorage", "crew_count": 5,
                                    "boats": [{"name": "边检1号", "boat_type": "speedboat"}],
                                    "start_at": MIDNIGHT + timedelta(hours=8)}, now=NOW)
    pts = [{"ts": MIDNIGHT + timedelta(hours=8, minutes=10 * i), "lon": lon, "lat": 29.84}
           for i, lon in enumerate((122.10, 122.12, 122.14, 122.16))]
    add_track_points(session, bs, m.id, {"points": pts})
    end_mission(session, bs, m.id, {"end_at": MIDNIGHT + timedelta(hours=10)}, now=NOW)
    assert m.entered_anchorage
    # a check-in at the anchorage without a mission counts on its own
    check_in(session, bs, {"client_id": _cid(), "zone_id": "anch-intl-xiazhimen",
                           "at": MIDNIGHT + timedelta(hours=14), "lon": 122.15, "lat": 29.84},
             now=NOW)
    assert computed_values(session, bs.unit, "port_area", DAY) == {"anchorage_patrols": 2}


def test_overdue_landing_points_alert_their_sub_district_once(session, zones, make_liaison):
    from jinghai.notify.models import Notification, WebhookOutbox
    from jinghai.patrol.queries import overdue_landing_points
    from jinghai.patrol.service import notify_overdue

    sd = make_liaison("sd_meishan")
    # 梅山渔港 (港口, daily) visited today; 梅山外无名岛 (无人岛, weekly) 3 days ago
    _checkin(session, sd, "lp-ms-02", MIDNIGHT + timedelta(hours=9))
    _checkin(session, sd, "lp-ms-03", MIDNIGHT - timedelta(days=3) + timedelta(hours=9))
    overdue = {r.zone_id: r for r in overdue_landing_points(session, DAY)}
    assert "lp-ms-02" not in overdue and "lp-ms-03" not in overdue
    assert overdue["lp-ms-01"].days_since is None and overdue["lp-ms-01"].unit_key == "sd_meishan"
    later = {r.zone_id: r for r in overdue_landing_points(session, DAY + timedelta(days=2))}
    assert later["lp-ms-02"].days_since == 2 and later["lp-ms-02"].required_days == 1

    targets = [("http://127.0.0.1:9/hook", "dingtalk")]
    n = notify_overdue(session, DAY, targets=targets, now=NOW)
    assert n == len(overdue)
    assert notify_overdue(session, DAY, targets=targets, now=NOW) == 0
    mine = session.scalars(select(Notification).where(Notification.unit_id == sd.unit_id)).all()
    assert {x.title for x in mine} == {"登陆点逾期未巡查：梅山下湾临时停靠点"}
    assert session.scalar(select(func.count(WebhookOutbox.id))) == n


def test_track_read_from_the_ais_store_of_real_sentences(session, zones, make_liaison,
                                                         tmp_path):
    """The demo feed's NMEA for a coast-guard boat, decoded by pyais into the Parquet store;
    ending the mission reads the boat's track from there (another vessel's is not taken)."""
    from jinghai.ais.simulate import PATROL_MMSIS, Simulation, decoded_positions, iter_sentences
    from jinghai.ais.store import PositionStore

    start = MIDNIGHT + timedelta(hours=8)
    store = PositionStore(tmp_path / "ais")
    lines = [line for _, line in iter_sentences(start, timedelta(minutes=40), step=10.0,
                                                sim=Simulation())]
    table = decoded_positions(lines)
    store.append(table)
    cg = make_liaison("coast_guard")
    m = start_mission(session, cg, {"kind": "sea", "crew_count": 8, "start_at": start,
                                    "boats": [{"name": "海警31101", "mmsi": PATROL_MMSIS[0]},
                                              {"name": "他船", "mmsi": 413999999}]},
                      now=NOW)
    end_mission(session, cg, m.id, {"end_at": start + timedelta(minutes=40)}, now=NOW,
                store=store, own_mmsis=PATROL_MMSIS)
    points = session.scalars(select(TrackPoint).where(TrackPoint.mission_id == m.id)).all()
    ours = [r for r in table.to_pylist() if r["mmsi"] == PATROL_MMSIS[0]]
    assert {p.mmsi for p in points} == {PATROL_MMSIS[0]}
    assert len(points) == len({r["ts"] for r in ours}) > 10
    assert m.track_source == "ais" and m.swept_km2 > 0


def test_concurrent_resend_of_a_checkin_is_stored_once(fresh_database_url):
    """Two connections store the same check-in at once (a phone resending while the first
    copy is in flight): one row, the second answer says duplicate, no error. PostgreSQL
    only: SQLite runs one writer at a time (transactions begin IMMEDIATE), so there the two
    cannot overlap."""
    import threading

    from jinghai.accounts.models import User
    from jinghai.accounts.schemas import UserIn
    from jinghai.accounts.service import add_user
    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.geo.service import seed_demo_zones
    from jinghai.migrate import upgrade
    from jinghai.org.service import init_operation
    from jinghai.org.template import load_template

    engine = make_engine(fresh_database_url("postgresql"))
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        init_operation(s, load_template())
        seed_demo_zones(s)
        add_user(s, None, UserIn(username="sd1", password="correct-horse-9", role="liaison",
                                 unit_key="sd_qijiashan"))
    cid = _cid()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def send() -> None:
        try:
            with session_scope(factory) as s:
                user = s.scalar(select(User).where(User.username == "sd1"))
                barrier.wait(timeout=10)
                r = check_in(s, user, {"client_id": cid, "zone_id": "lp-qjs-01",
                                       "at": MIDNIGHT + timedelta(hours=9), "lon": 121.7552,
                                       "lat": 29.9688}, now=NOW)
                results.append(r.duplicate)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    with session_scope(factory) as s:
        stored = s.scalar(select(func.count(CheckIn.id)).where(CheckIn.client_id == cid))
    engine.dispose()
    assert errors == []
    assert sorted(results) == [False, True]
    assert stored == 1
