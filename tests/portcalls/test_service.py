"""Entry/exit reports: the form, owners' report links, import with row errors, and the
unreported-arrival detector matching against what was filed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jinghai.detect import UnreportedArrivalDetector
from jinghai.detect import synthetic as s
from jinghai.detect.positions import Fleet
from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.geo import ZoneIndex
from jinghai.geo.service import load_zones, seed_demo_zones
from jinghai.portcalls.models import PortReport
from jinghai.portcalls.schemas import PortReportIn
from jinghai.portcalls.service import (
    entry_reports_for_detector,
    file_owner_report,
    file_port_report,
    import_port_reports,
    issue_owner_link,
    revoke_owner_link,
)
from jinghai.schemas import parse
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture()
def fleet(session, office):
    seed_demo_zones(session)
    return [add_vessel(session, office, VesselIn.model_validate(
        {"registry_no": f"浙甬渔6012{i}", "name": f"甬渔{i}",
         "mmsi": str(412300001 + i)})) for i in range(3)]


def test_form_report_resolves_vessel_port_and_local_time(session, office, fleet) -> None:
    r = file_port_report(session, office, PortReportIn(
        vessel="浙甬渔60120", direction="进港", port="梅山港区", event_time="2026-11-20 09:30",
        crew_count="7"), now=NOW)
    assert (r.vessel_id, r.mmsi, r.direction, r.port_zone_id, r.event_time, r.crew_count,
            r.via) == (fleet[0].id, "412300001", "entry", "port-meishan",
                       datetime(2026, 11, 20, 1, 30, tzinfo=UTC), 7, "form")
    assert entry_reports_for_detector(session) == [
        {"mmsi": 412300001, "port": "port-meishan", "time": r.event_time}]


@pytest.mark.parametrize("field,value,message", [
    ("vessel", "浙甬渔99999", "名录中没有渔船"),
    ("direction", "路过", "方向只能是"),
    ("event_time", "昨天下午", "无法识别"),
    ("crew_count", "-1", "船上人数须在"),
    ("port", "", "请填写港口"),
])
def test_form_rejects_bad_input_saying_what_to_fix(session, office, fleet, field, value,
                                                   message) -> None:
    data = {"vessel": "浙甬渔60120", "direction": "出港", "port": "北仑港",
            "event_time": "2026-11-20 09:30", "crew_count": 5, field: value}
    with pytest.raises(InvalidInput, match=message):
        file_port_report(session, office, parse(PortReportIn, data), now=NOW)


def test_only_office_and_fisheries_authority_file(session, fleet, make_liaison) -> None:
    data = PortReportIn(vessel="浙甬渔60120", direction="进港", port="北仑港",
                           event_time=NOW, crew_count=5)
    assert file_port_report(session, make_liaison("agriculture"), data, now=NOW).id
    with pytest.raises(PermissionDenied):
        file_port_report(session, make_liaison("police"), data, now=NOW)


def test_owner_link_files_for_its_own_vessel_only_until_revoked(session, office, fleet) -> None:
    link, token = issue_owner_link(session, office, fleet[1].id)
    assert link.token_hash != token and len(token) >= 32
    r = file_owner_report(session, token, PortReportIn(
        vessel="浙甬渔60120", direction="出港", port="北仑港", event_time=NOW,
        crew_count=4, reporter_name="王船东"), now=NOW)
    assert (r.vessel_id, r.via, r.created_by_id) == (fleet[1].id, "owner_link", None)
    # a new link replaces the old one
    _, token2 = issue_owner_link(session, office, fleet[1].id)
    with pytest.raises(PermissionDenied):
        file_owner_report(session, token, PortReportIn(
            vessel="", direction="进港", port="北仑港", event_time=NOW, crew_count=4), now=NOW)
    revoke_owner_link(session, office, link.id + 1)
    with pytest.raises(PermissionDenied):
        file_owner_report(session, token2, PortReportIn(
            vessel="", direction="进港", port="北仑港", event_time=NOW, crew_count=4), now=NOW)


def test_import_takes_good_rows_and_lists_bad_ones(session, office, fleet) -> None:
    csv = ("渔船编号,方向,港口,时间,船上人数,备注\n"
           "浙甬渔60120,进港,北仑港,2026-11-20 08:00,6,\n"
           "浙甬渔60121,出港,大榭港区,2026/11/20 09:15,5,夜班\n"
           "浙甬渔00000,进港,北仑港,2026-11-20 08:00,6,\n"
           "浙甬渔60122,进港,北仑港,2026-11-20 08:00,很多,\n").encode("utf-8-sig")
    report = import_port_reports(session, office, csv, "reports.csv", now=NOW)
    assert report.imported == 2
    assert [(e.row, e.error) for e in report.errors] == [
        (4, "名录中没有渔船“浙甬渔00000”"), (5, "船上人数须为整数")]
    assert session.query(PortReport).filter_by(via="import").count() == 2
    with pytest.raises(InvalidInput, match="表头缺少必填列: 船上人数"):
        import_port_reports(session, office, "渔船编号,方向,港口,时间\n".encode(), "x.csv")


def test_import_xlsx(session, office, fleet) -> None:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["渔船编号", "进出港", "港口", "进出港时间", "人数"])
    ws.append(["浙甬渔60122", "出港", "梅山港区", datetime(2026, 11, 20, 6, 0), 9])
    buf = io.BytesIO()
    wb.save(buf)
    report = import_port_reports(session, office, buf.getvalue(), "r.xlsx", now=NOW)
    assert (report.imported, report.errors) == (1, [])


def test_detector_matches_filed_entry_reports(session, office) -> None:
    seed_demo_zones(session)
    sc = s.beilun_scenario()
    for m in (s.F_UNREPORTED, s.F_REPORTED):
        add_vessel(session, office, VesselIn.model_validate(
            {"registry_no": f"浙甬渔{m % 100000:05d}",
             "name": f"渔{m % 100}", "mmsi": str(m)}))
    file_port_report(session, office, PortReportIn(
        vessel=str(s.F_REPORTED), direction="进港", port="北仑港",
        event_time=sc.t0 + timedelta(hours=3.9), crew_count=5), now=sc.t0)
    det = UnreportedArrivalDetector(zones=ZoneIndex(load_zones(session)),
                                    fleet=Fleet.build((), sc.fishing_mmsis, sc.static),
                                    reports=entry_reports_for_detector(session))
    assert {e.vessels for e in det.run(sc.positions)} == {(s.F_UNREPORTED,)}
