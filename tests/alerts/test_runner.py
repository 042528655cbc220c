"""Batch over the store and live over the same positions end with the same alerts."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa
from sqlalchemy import select

from jinghai.alerts.models import Alert, AlertFold
from jinghai.alerts.pipeline import LiveRunner, build_suite, run_batch
from jinghai.detect import synthetic as s
from jinghai.detect.windows import iter_days, store_days

SETTINGS_OWN = type("S", (), {"own_mmsis": [s.PATROL], "detector_params": {},
                              "alert_webhooks": [], "webhook_urls": [],
                              "alert_escalation_minutes": 15})()


def _alerts(session) -> dict[str, tuple]:
    rows = session.scalars(select(Alert).order_by(Alert.event_id))
    return {a.event_id: (a.detector, a.kind, a.severity, a.event_status, a.event_start,
                         a.event_end, tuple(a.vessels), a.zone_id, a.sub_district,
                         tuple(sorted((r.group_id or 0, r.unit_id or 0) for r in a.routes)),
                         a.event["track"], a.event["details"])
            for a in rows}


def test_store_days_cross_midnight(store, scenario) -> None:
    days = store_days(store)
    assert [d.isoformat() for d in days] == ["2026-11-20", "2026-11-21"]
    tables = list(iter_days(store, scenario.t0, scenario.t0 + timedelta(days=2)))
    assert sum(t.num_rows for t in tables) == len(scenario.positions)


def test_batch_finds_planted_events_as_alerts(session, beilun, store, scope) -> None:
    t0 = beilun.t0
    suite = build_suite(session, SETTINGS_OWN, static=beilun.static)
    result = run_batch(store, t0, t0 + timedelta(days=2), scope, SETTINGS_OWN, suite=suite)
    assert result.positions == len(beilun.positions)
    alerts = session.scalars(select(Alert)).all()
    by_kind: dict[str, set] = {}
    for a in alerts:
        by_kind.setdefault(a.kind, set()).add(tuple(a.vessels))
    assert (s.F_TRANSFER, s.C_TRANSFER) in {tuple(sorted(v)) for v in by_kind["encounter"]}
    # the midnight transfer is one alert spanning both days
    mid = [a for a in alerts if a.kind == "encounter"
           and set(a.vessels) == {s.F_MIDNIGHT, s.C_MIDNIGHT}]
    assert len(mid) == 1
    assert mid[0].event_start.date() != mid[0].event_end.date()
    # fly-by, parallel transit, anchorage and patrol boat make no encounter
    enc_vessels = set().union(*by_kind["encounter"])
    assert not enc_vessels & {s.FLYBY_A, s.FLYBY_B, s.PAIR_A, s.PAIR_B, s.PATROL,
                              *s.ANCHORED}
    assert by_kind["unreported_arrival"] == {(s.F_UNREPORTED,)}
    assert (s.FAKE,) in by_kind["invalid_mmsi"]
    assert (s.DARK,) in by_kind["going_dark"]
    assert (s.LANDER,) in by_kind["landing_approach"]
    # with the recording's static data, only the ghost and the two bad MMSIs lack it
    assert by_kind["no_static"] == {(s.GHOST,), (s.FAKE,), (s.UNKNOWN_MID,)}
    # a finished port visit with no exit report on file is an unreported departure
    assert by_kind["unreported_departure"] == {(s.F_UNREPORTED,), (s.F_REPORTED,)}


def test_live_equals_batch_through_the_database(session, beilun, store, scope) -> None:
    t0 = beilun.t0
    nested = session.begin_nested()
    run_batch(store, t0, t0 + timedelta(days=2), scope, SETTINGS_OWN,
              suite=build_suite(session, SETTINGS_OWN, static=beilun.static))
    session.flush()
    batch = _alerts(session)
    nested.rollback()
    assert session.scalar(select(Alert.id)) is None

    live = LiveRunner(scope, SETTINGS_OWN,
                      suite=build_suite(session, SETTINGS_OWN, static=beilun.static))
    tables = list(iter_days(store, t0, t0 + timedelta(days=2)))
    table = pa.concat_tables(tables)
    cuts = np.sort(np.random.default_rng(3).choice(table.num_rows, 60, replace=False))
    prev = 0
    for c in [*cuts.tolist(), table.num_rows]:
        if c > prev:
            live.on_positions(table.slice(prev, c - prev))
        prev = c
    live.flush()
    session.flush()
    assert live.failures == 0
    assert _alerts(session) == batch
    # one alert per ongoing event: updates happened, no duplicates
    updated = session.scalars(select(Alert).where(Alert.updates > 0)).all()
    assert updated


def test_zone_and_settings_parameters_reach_the_detectors(session, operation) -> None:
    from jinghai.alerts.pipeline import build_suite
    from jinghai.geo.models import ZoneRecord
    from jinghai.geo.service import seed_demo_zones

    seed_demo_zones(session)
    session.get(ZoneRecord, "restricted-jintang").params = {"encounter_max_distance_m": 250}
    settings = type("S", (), {"own_mmsis": [s.PATROL], "detector_params": {
        "encounter": {"min_duration_s": 1200}, "loitering": {"min_duration_s": 3600}}})()
    suite = build_suite(session, settings)
    enc = suite["encounter"].params
    assert (enc.min_duration_s, dict(enc.zone_max_distance_m)) == (
        1200, {"restricted-jintang": 250.0})
    assert suite["loitering"].params.min_duration_s == 3600
    assert s.PATROL in suite["encounter"].fleet.own_mmsis


def test_spilled_windowed_run_records_the_same_alerts(session, beilun, store, scope) -> None:
    """``jinghai detect run``'s form (1-hour windows, closed events spilled to disk after
    each window, only counts returned) records exactly the alerts of a one-pass run, folds
    included, and counts the same events."""
    t0 = beilun.t0

    def run(**kw):
        nested = session.begin_nested()
        result = run_batch(store, t0, t0 + timedelta(days=2), scope, SETTINGS_OWN,
                           suite=build_suite(session, SETTINGS_OWN, static=beilun.static),
                           **kw)
        session.flush()
        alerts = _alerts(session)
        folds = {a.event_id: (a.occurrences, sorted(session.scalars(
                     select(AlertFold.event_id).where(AlertFold.alert_id == a.id))))
                 for a in session.scalars(select(Alert))}
        nested.rollback()
        return result, alerts, folds

    whole, whole_alerts, whole_folds = run()
    spilled, spilled_alerts, spilled_folds = run(window=timedelta(hours=1), keep_events=False)
    assert spilled.events == {} and whole.event_count > 0
    assert 0 < spilled.spilled < spilled.event_count  # some closed early, some held to the end
    assert spilled.counts == whole.counts
    assert (spilled.positions, spilled.alerts) == (whole.positions, whole.alerts)
    assert spilled_alerts == whole_alerts
    assert spilled_folds == whole_folds
