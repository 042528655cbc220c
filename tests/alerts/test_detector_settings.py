"""The office tunes detector parameters from the settings page: stored, audited, merged over
the server's settings, picked up by batch runs at once and by live detection within its
refresh, refused to anyone else and for values that make no sense."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jinghai.alerts.detector_settings import (
    effective_overrides,
    reset_detector_params,
    save_detector_params,
)
from jinghai.alerts.pipeline import LiveRunner, build_suite
from jinghai.audit.models import AuditEvent
from jinghai.errors import InvalidInput, PermissionDenied

SETTINGS = type("S", (), {"own_mmsis": [], "detector_params": {"encounter": {
    "min_duration_s": 2400}, "loitering": {"min_duration_s": 7200}},
    "alert_webhooks": [], "webhook_urls": [], "alert_escalation_minutes": 15})()


def test_office_values_override_settings_field_by_field_and_are_audited(session, office):
    kept = save_detector_params(session, office, "encounter",
                                {"max_distance_m": "300", "min_duration_s": "1800"}, SETTINGS)
    # 1800 differs from the settings' 2400, so it is kept; an unchanged field would not be
    assert kept == {"max_distance_m": 300.0, "min_duration_s": 1800}
    merged = effective_overrides(session, SETTINGS)
    assert merged["encounter"] == {"min_duration_s": 1800, "max_distance_m": 300.0}
    assert merged["loitering"] == {"min_duration_s": 7200}
    suite = build_suite(session, SETTINGS)
    assert (suite["encounter"].params.max_distance_m,
            suite["encounter"].params.min_duration_s) == (300.0, 1800)
    logged = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "detector"))
    assert [(e.field, e.old_value, e.new_value) for e in logged] == [
        ("max_distance_m", None, "300.0"), ("min_duration_s", None, "1800")]
    again = save_detector_params(session, office, "encounter", {"max_distance_m": "300",
                                                                "min_duration_s": "2400"},
                                 SETTINGS)
    assert again == {"max_distance_m": 300.0}  # back to what the settings give: not kept

    reset_detector_params(session, office, "encounter")
    assert build_suite(session, SETTINGS)["encounter"].params.min_duration_s == 2400


@pytest.mark.parametrize(("values", "message"), [
    ({"max_distance_m": "-5"}, "不小于 0"),
    ({"max_distance_m": "近"}, "必须是数字"),
    ({"min_duration_s": "90.5"}, "必须是整数"),
    ({"zone_max_distance_m": "1"}, "不能在页面上修改"),
    ({"max_distance_m": "nan"}, "不小于 0"),
])
def test_values_that_make_no_sense_are_refused(session, office, values, message):
    with pytest.raises(InvalidInput, match=message):
        save_detector_params(session, office, "encounter", values)
    with pytest.raises(InvalidInput, match="没有名为"):
        save_detector_params(session, office, "teleport", {})


def test_only_the_office_tunes(session, viewer, make_liaison):
    for user in (viewer, make_liaison("coast_guard", "cg9")):
        with pytest.raises(PermissionDenied):
            save_detector_params(session, user, "encounter", {"max_distance_m": "100"})


def test_live_detection_takes_new_parameters_at_its_refresh(session, office, scope):
    live = LiveRunner(scope, SETTINGS, reports_every_s=0)
    loiter_before = live.suite["loitering"]
    assert live.suite["encounter"].params.max_distance_m == 500.0
    save_detector_params(session, office, "encounter", {"max_distance_m": "250"})
    live.flush()  # a round: reports refreshed, new parameters applied
    assert live.suite["encounter"].params.max_distance_m == 250.0
    assert live.suite["loitering"] is loiter_before  # untouched detectors keep their state
