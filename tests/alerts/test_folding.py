"""No storms: repeated events of one vessel (or pair), kind and place fold into its open
alert with a count and the latest time; a closed alert does not swallow a new event; many
alerts are handled at once, each checked as if alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from jinghai.alerts.models import Alert, AlertEvent
from jinghai.alerts.queries import count_alerts, inbox_groups, list_alerts
from jinghai.alerts.schemas import AckIn, CloseIn
from jinghai.alerts.service import bulk_acknowledge, bulk_close, close_alert, record_event
from jinghai.audit.models import AuditEvent

from .factories import T0, make_event


def _count(session) -> int:
    return session.scalar(select(func.count(Alert.id)))


def test_repeated_events_fold_into_one_alert(session, operation, office) -> None:
    boat = (413800001,)
    events = [make_event("landing_approach", boat, start=T0 + timedelta(minutes=20 * i),
                         minutes=5, status="closed", zone_id=f"lp-{i}", lon=122.11 + 0.001 * i,
                         lat=29.87) for i in range(9)]
    assert len({e.id for e in events}) == 9
    alerts = [record_event(session, e, now=T0 + timedelta(minutes=20 * i))
              for i, e in enumerate(events)]
    session.flush()
    assert _count(session) == 1 and len({a.id for a in alerts}) == 1
    alert = alerts[0]
    assert alert.occurrences == 9
    assert alert.last_seen_at == events[-1].end and alert.event_end == events[-1].end
    assert [h.action for h in alert.history].count("repeated") == 8
    # a later sighting of a folded event updates the same alert, makes no new one
    again = make_event("landing_approach", boat, start=events[3].start, minutes=50,
                       status="closed", zone_id="lp-3", lon=122.113, lat=29.87)
    assert again.id == events[3].id
    assert record_event(session, again).id == alert.id and _count(session) == 1
    # another boat, or the same boat far away, or another kind: alerts of their own
    record_event(session, make_event("landing_approach", (413800002,), zone_id="lp-0",
                                     lon=122.11, lat=29.87))
    record_event(session, make_event("landing_approach", boat, zone_id="lp-far", lon=122.4,
                                     lat=29.6))
    record_event(session, make_event("loitering", boat, lon=122.11, lat=29.87))
    session.flush()
    assert _count(session) == 4
    # once closed, a new event of the same key is news again
    close_alert(session, office, alert.id, CloseIn(outcome="false_alarm", reason="渔船回港"))
    record_event(session, make_event("landing_approach", boat, start=T0 + timedelta(hours=6),
                                     zone_id="lp-0", lon=122.11, lat=29.87))
    session.flush()
    assert _count(session) == 5


def test_bulk_acknowledge_and_close_with_one_reason(session, operation, office,
                                                    make_liaison) -> None:
    ids = [record_event(session, make_event("encounter", (412300001, 413500000 + i),
                                            lon=122.0 + 0.1 * i, lat=29.9)).id
           for i in range(4)]
    session.flush()
    result = bulk_acknowledge(session, office, ids[:3] + [ids[0]], AckIn(note="出动核查"))
    assert result.done == ids[:3] and result.skipped == {}
    again = bulk_acknowledge(session, office, ids[:2])
    assert again.done == [] and set(again.skipped) == set(ids[:2])  # not new any more
    closed = bulk_close(session, office, ids,
                        CloseIn(outcome="false_alarm", reason="锚泊船舶，非过驳"))
    assert closed.done == ids
    rows = session.scalars(select(Alert).where(Alert.id.in_(ids))).all()
    assert {(a.state, a.outcome, a.close_reason) for a in rows} == {
        ("closed", "false_alarm", "锚泊船舶，非过驳")}
    audited = session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.entity_type == "alert", AuditEvent.field == "state"))
    assert audited == 3 + 4
    # a liaison of a unit outside sea patrol handles none of them
    outsider = make_liaison("cu_meishan")
    ids2 = [record_event(session, make_event("encounter", (412300009, 413500009))).id]
    out = bulk_acknowledge(session, outsider, ids2)
    assert out.done == [] and ids2[0] in out.skipped
    assert session.get(Alert, ids2[0]).state == "new"
    assert session.scalar(select(func.count(AlertEvent.id)).where(
        AlertEvent.alert_id == ids2[0], AlertEvent.action == "acknowledged")) == 0


def test_inbox_pages_and_groups(session, operation, office) -> None:
    for i in range(7):
        record_event(session, make_event("going_dark", (413700000 + i,), lon=122.0 + 0.1 * i))
    session.flush()
    assert count_alerts(session, office, state="open") == 7
    page2 = list_alerts(session, office, state="open", limit=5, offset=5)
    assert len(page2) == 2
    groups = inbox_groups(session, office, state="open")
    assert groups == [{"kind": "going_dark", "place": "海上", "alerts": 7, "new": 7,
                       "occurrences": 7, "latest": groups[0]["latest"]}]


def test_registry_boat_home_with_report_is_quiet(session, operation, office) -> None:
    """Landing-point approach stays quiet for a registry boat returning to its own home
    port with its report filed; without the report, or at another boat's home, it is raised."""
    from jinghai.geo.service import seed_demo_zones
    from jinghai.portcalls.schemas import PortReportIn
    from jinghai.portcalls.service import file_port_report
    from jinghai.vessels.schemas import VesselIn
    from jinghai.vessels.service import add_vessel

    seed_demo_zones(session)
    for m, home in ((412300801, "郭巨"), (412300802, "郭巨"), (412300803, "梅山")):
        add_vessel(session, office, VesselIn.model_validate(
            {"registry_no": f"浙甬渔{m % 100000:05d}",
             "name": f"浙甬渔{m % 100000:05d}", "mmsi": str(m),
             "home_port": home}))
    file_port_report(session, office, PortReportIn(
        vessel="浙甬渔00801", direction="进港", port="郭巨", event_time=T0 + timedelta(minutes=30),
        crew_count=3), now=T0)

    def approach(m: int):
        return record_event(session, make_event("landing_approach", (m,), zone_id="lp-gj-01",
                                                lon=122.1066, lat=29.8696), now=T0)

    assert approach(412300801) is None  # home, reported
    assert approach(412300802) is not None  # home, no report
    assert approach(412300803) is not None  # not its home port
