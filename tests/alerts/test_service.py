"""Alerts from events: routing, one alert per event, the workflow with its audit, clues,
escalation timing, counters for the daily report, and who may see and act."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from jinghai.alerts.access import can_act
from jinghai.alerts.models import Alert, AlertDisposition
from jinghai.alerts.queries import detector_stats, list_alerts, precision_by_week
from jinghai.alerts.schemas import AckIn, CloseIn
from jinghai.alerts.service import (
    AlertConfig,
    acknowledge_alert,
    close_alert,
    escalate_due,
    note_filed_reports,
    record_event,
)
from jinghai.audit.models import AuditEvent
from jinghai.cases.models import Clue
from jinghai.errors import Conflict, InvalidInput, NotFound
from jinghai.geo.service import seed_demo_zones
from jinghai.notify.models import Notification
from jinghai.org.models import Unit
from jinghai.reporting.computed import computed_values
from jinghai.schemas import parse

from .factories import T0, make_event


@pytest.fixture()
def zones(session, operation):
    seed_demo_zones(session)


def _routes(alert: Alert) -> set[str]:
    return {r.group.key if r.group else r.unit.key for r in alert.routes}


def test_routing_follows_the_plan(session, zones) -> None:
    enc = record_event(session, make_event("encounter"))
    arr = record_event(session, make_event("unreported_arrival", (412300002,), score=0.8,
                                           zone_id="port-meishan", port="梅山港区"))
    land = record_event(session, make_event("landing_approach", (413800001,), score=0.9,
                                            zone_id="lp-gj-01", night=True))
    assert (_routes(enc), enc.severity) == ({"sea_patrol"}, "red")
    assert (_routes(arr), arr.severity) == ({"vessel_control"}, "orange")
    assert (_routes(land), land.severity, land.sub_district) == (
        {"coastal", "sd_guoju"}, "red", "郭巨")
    # the arrival counts for the customs unit its port reports to
    assert session.get(Unit, arr.report_unit_id).key == "cu_meishan"
    # the routed units are notified; a red alert also tells the office
    notes = session.scalars(select(Notification).where(Notification.kind == "alert")).all()
    assert {(n.unit_id and session.get(Unit, n.unit_id).key) or n.role for n in notes} == {
        "coast_guard", "agriculture", "police", "sd_guoju", "office"}


def test_an_ongoing_event_updates_its_one_alert(session, zones) -> None:
    ev = make_event("encounter", minutes=30)
    first = record_event(session, ev)
    later = record_event(session, replace(ev, end=ev.end + timedelta(minutes=20)))
    done = record_event(session, replace(ev, end=ev.end + timedelta(minutes=25),
                                         status="closed"))
    assert first.id == later.id == done.id
    assert session.scalars(select(Alert)).all() == [first]
    assert (first.updates, first.event_status, first.event_end) == (
        2, "closed", ev.end + timedelta(minutes=25))
    assert [h.action for h in first.history] == ["created", "event_closed"]


def test_port_visit_is_no_alert_but_an_unreported_exit_is(session, zones) -> None:
    visit = make_event("port_visit", (412300003,), status="open", zone_id="port-beilun",
                       port="北仑港")
    assert record_event(session, visit) is None
    assert record_event(session, replace(visit, status="closed")) is None  # a record
    dep = record_event(session, make_event("unreported_departure", (412300003,),
                                           status="closed", zone_id="port-beilun",
                                           port="北仑港"))
    assert (dep.kind, _routes(dep)) == ("unreported_departure", {"vessel_control"})


def test_acknowledge_then_close_with_reason_and_audit(session, zones, make_liaison) -> None:
    cg = make_liaison("coast_guard")
    alert = record_event(session, make_event("encounter"))
    acknowledge_alert(session, cg, alert.id, AckIn(note="巡逻艇前往核查"),
                      now=T0 + timedelta(minutes=5))
    with pytest.raises(Conflict):
        acknowledge_alert(session, cg, alert.id)
    with pytest.raises(InvalidInput, match="请填写关闭理由"):
        parse(CloseIn, {"outcome": "confirmed", "reason": "  "})
    with pytest.raises(InvalidInput, match="处置结果须为 确认属实、误报、转为线索 之一"):
        parse(CloseIn, {"outcome": "maybe", "reason": "不知道"})
    close_alert(session, cg, alert.id, CloseIn(outcome="confirmed", reason="登临检查发现过驳"),
                now=T0 + timedelta(hours=1))
    assert (alert.state, alert.outcome, alert.close_reason, alert.closed_by_id) == (
        "closed", "confirmed", "登临检查发现过驳", cg.id)
    assert [h.action for h in alert.history] == ["created", "acknowledged", "closed"]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "alert",
                                                     AuditEvent.entity_id == str(alert.id))
                            .order_by(AuditEvent.id)).all()
    assert [(a.user_id, a.new_value) for a in audit] == [
        (None, f"encounter {alert.event_id}"), (cg.id, "acknowledged"),
        (cg.id, "closed:confirmed")]
    assert audit[-1].reason == "登临检查发现过驳"
    with pytest.raises(Conflict):
        close_alert(session, cg, alert.id, CloseIn(outcome="false_alarm", reason="再关一次"))


def test_turning_an_alert_into_a_clue(session, zones, office) -> None:
    alert = record_event(session, make_event("going_dark", (413700001,), score=0.7))
    close_alert(session, office, alert.id, CloseIn(outcome="clue", reason="消失前与不明快艇接触，转线索研判"))
    clue = session.get(Clue, alert.clue_id)
    assert (clue.source_kind, clue.source_detail) == ("alert", f"系统预警 #{alert.id}（关闭AIS（消失））")
    assert "413700001" in clue.content
    assert any(e.kind == "mmsi" and e.value == "413700001" for e in clue.entities)


def test_red_alert_escalates_after_n_minutes_once(session, zones, make_liaison) -> None:
    config = AlertConfig(escalation_minutes=15)
    red = record_event(session, make_event("encounter"), now=T0)
    acked = record_event(session, make_event("encounter", (412300009, 413500009)), now=T0)
    orange = record_event(session, make_event("loitering", (413750001,), score=0.5), now=T0)
    acknowledge_alert(session, make_liaison("coast_guard"), acked.id, now=T0)
    assert escalate_due(session, T0 + timedelta(minutes=14, seconds=59), config=config) == []
    assert escalate_due(session, T0 + timedelta(minutes=15), config=config) == [red]
    assert escalate_due(session, T0 + timedelta(minutes=30), config=config) == []
    assert (red.escalated, red.escalated_at, acked.escalated, orange.escalated) == (
        True, T0 + timedelta(minutes=15), False, False)
    office_notes = session.scalars(select(Notification).where(
        Notification.role == "office", Notification.title.startswith("【升级】"))).all()
    assert [n.link for n in office_notes] == [f"/alerts/{red.id}"]


def test_confirmed_unreported_arrivals_feed_border_control(session, zones, office) -> None:
    units = {u.key: u for u in session.scalars(select(Unit))}
    a1 = record_event(session, make_event("unreported_arrival", (412300002,),
                                          zone_id="port-meishan"))
    a2 = record_event(session, make_event("unreported_arrival", (412300007,),
                                          zone_id="port-meishan", start=T0 + timedelta(hours=1)))
    d1 = record_event(session, make_event("unreported_departure", (412300003,),
                                          status="closed", zone_id="port-daxie"))
    day = T0.date()  # 10:00 local on 20 November
    close_alert(session, office, a1.id, CloseIn(outcome="confirmed", reason="渔政登船核实未报告"),
                now=T0 + timedelta(hours=2))
    close_alert(session, office, a2.id, CloseIn(outcome="false_alarm", reason="已电话报告，系统漏录"),
                now=T0 + timedelta(hours=2))
    close_alert(session, office, d1.id, CloseIn(outcome="confirmed", reason="未报告出港"),
                now=T0 + timedelta(hours=2))
    assert computed_values(session, units["cu_meishan"], "border_control", day) == {
        "abnormal_departures": 0, "abnormal_arrivals": 1}
    assert computed_values(session, units["cu_daxie"], "border_control", day) == {
        "abnormal_departures": 1, "abnormal_arrivals": 0}
    assert computed_values(session, units["cu_meishan"], "border_control",
                           day + timedelta(days=1)) == {"abnormal_departures": 0,
                                                        "abnormal_arrivals": 0}
    assert computed_values(session, units["police"], "border_control", day) == {}


def test_other_groups_cannot_see_or_act(session, zones, make_liaison, viewer) -> None:
    enc = record_event(session, make_event("encounter"))
    land = record_event(session, make_event("landing_approach", (413800001,),
                                            zone_id="lp-gj-01"))
    cg, customs = make_liaison("coast_guard"), make_liaison("cu_meishan")
    guoju, xinqi = make_liaison("sd_guoju"), make_liaison("sd_xinqi")
    # the coast guard leads sea patrol and cooperates in the coastal group: both
    assert {a.id for a in list_alerts(session, cg)} == {enc.id, land.id}
    assert list_alerts(session, customs) == []
    assert [a.id for a in list_alerts(session, guoju)] == [land.id]
    assert list_alerts(session, xinqi) == []
    assert {a.id for a in list_alerts(session, viewer)} == {enc.id, land.id}
    assert not can_act(session, viewer, enc)
    with pytest.raises(NotFound):
        acknowledge_alert(session, customs, enc.id)
    with pytest.raises(NotFound):
        close_alert(session, xinqi, land.id, CloseIn(outcome="false_alarm", reason="不是我们的"))
    assert enc.state == "new" and land.state == "new"


def test_precision_per_detector_by_week(session, zones, office) -> None:
    outcomes = ["confirmed", "confirmed", "false_alarm", "clue"]
    for i, outcome in enumerate(outcomes):
        a = record_event(session, make_event("encounter", (412300100 + i, 413500100 + i)))
        close_alert(session, office, a.id, CloseIn(outcome=outcome, reason="核查结论"),
                    now=T0 + timedelta(hours=i))
    late = record_event(session, make_event("encounter", (412300200, 413500200)))
    close_alert(session, office, late.id, CloseIn(outcome="false_alarm", reason="误报"),
                now=T0 + timedelta(days=7))
    stats = {s.detector: s for s in detector_stats(session, office)}
    assert (stats["encounter"].by_state, stats["encounter"].precision) == ({"closed": 5}, 0.5)
    series = precision_by_week(session, office, today=T0.date() + timedelta(days=8))
    assert series["encounter"] == [
        {"week": "2026-W47", "confirmed": 2, "false_alarm": 1, "clue": 1, "precision": 0.667},
        {"week": "2026-W48", "confirmed": 0, "false_alarm": 1, "clue": 0, "precision": 0.0}]
    assert session.scalar(select(AlertDisposition.id).where(
        AlertDisposition.alert_id == late.id)) is not None


def test_a_late_entry_report_is_noted_on_the_open_alert(session, zones, office) -> None:
    from jinghai.portcalls.schemas import PortReportIn
    from jinghai.portcalls.service import file_port_report
    from jinghai.vessels.schemas import VesselIn
    from jinghai.vessels.service import add_vessel

    add_vessel(session, office, VesselIn.model_validate(
        {"registry_no": "浙甬渔00002", "name": "甬渔2",
         "mmsi": "412300002"}))
    alert = record_event(session, make_event("unreported_arrival", (412300002,),
                                             zone_id="port-meishan", port="梅山港区"))
    file_port_report(session, office, PortReportIn(
        vessel="浙甬渔00002", direction="进港", port="北仑港", event_time=T0, crew_count=3),
        now=T0 + timedelta(hours=1))  # another port: not this visit
    file_port_report(session, office, PortReportIn(
        vessel="浙甬渔00002", direction="进港", port="梅山港区",
        event_time=T0 + timedelta(minutes=30), crew_count=3), now=T0 + timedelta(hours=1))
    note_filed_reports(session, now=T0 + timedelta(hours=1))
    note_filed_reports(session, now=T0 + timedelta(hours=2))  # noted once
    assert [(h.action, h.note) for h in alert.history] == [
        ("created", alert.summary), ("reported", "已收到进港报告（梅山港区）")]
    assert alert.state == "new"
