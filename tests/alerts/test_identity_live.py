"""Identity live and batch alike: static data that arrives after a vessel's first positions
reaches live detection as it comes (no "never sends static data" for it), the name /
call-sign history recorded at ingest drives the churn check, and a batch run over the store
the same Ingestor wrote gives the same identity alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pyais import encode_dict
from sqlalchemy import select

from jinghai.ais.ingest import Ingestor
from jinghai.ais.store import PositionStore
from jinghai.alerts.models import Alert
from jinghai.alerts.pipeline import LiveRunner, build_suite, run_batch

LATE_STATIC, SILENT, RENAMER = 413000101, 413000102, 413000103
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


class SharedSession:
    """The Ingestor's session factory, handing out the test's (rolled-back) session."""

    def __init__(self, session):
        self.session = session

    def __call__(self):
        return self

    def __enter__(self):
        return self.session

    def __exit__(self, *exc):
        return False


def _lines() -> list[tuple[str, float]]:
    """Two hours of class-A positions every minute for three vessels, 30 km apart at sea;
    LATE_STATIC's type 5 comes only 20 minutes after its first position, SILENT never
    sends one, RENAMER sends a new name every half hour."""
    out: list[tuple[float, str]] = []
    for k, mmsi in enumerate((LATE_STATIC, SILENT, RENAMER)):
        for i in range(120):
            t = T0 + timedelta(minutes=i, seconds=k)
            msg = {"type": 1, "mmsi": mmsi, "lon": 122.6 + 0.3 * k + 0.002 * i, "lat": 29.6,
                   "speed": 6.0, "course": 90.0, "heading": 90, "status": 0}
            out += [(t.timestamp(), line) for line in encode_dict(msg, talker_id="AI")]
    statics = [(LATE_STATIC, 20, "HAI XING 8", "BXYZ1")]
    statics += [(RENAMER, m, f"ZHE YU {n}", f"BR{n}") for n, m in
                ((1, 5), (2, 35), (3, 65), (4, 95))]
    for mmsi, minute, name, callsign in statics:
        t = T0 + timedelta(minutes=minute, seconds=30)
        msg = {"type": 5, "mmsi": mmsi, "shipname": name, "callsign": callsign,
               "ship_type": 70, "to_bow": 50, "to_stern": 50, "to_port": 8, "to_starboard": 8}
        out += [(t.timestamp(), line) for line in encode_dict(msg, talker_id="AI")]
    return [(line, at) for at, line in sorted(out)]


def _identity_alerts(session) -> set[tuple[str, tuple[int, ...]]]:
    return {(a.kind, tuple(a.vessels)) for a in session.scalars(select(Alert))
            if a.detector == "identity"}


def test_static_after_positions_and_name_churn_live_equals_batch(session, operation,
                                                                 tmp_path) -> None:
    scope = SharedSession(session)
    store = PositionStore(tmp_path / "ais")
    live = LiveRunner(scope)
    ing = Ingestor(store, scope, batch_rows=50)
    ing.add_listener(live.on_positions)
    for line, at in _lines():
        ing.feed_line(line, arrived=at, source="sim")
    ing.close()
    live.flush()
    session.flush()
    assert live.failures == 0
    live_found = _identity_alerts(session)
    assert ("no_static", (SILENT,)) in live_found  # the control: it is judged at all
    assert ("no_static", (LATE_STATIC,)) not in live_found
    assert ("no_static", (RENAMER,)) not in live_found
    assert ("identity_changes", (RENAMER,)) in live_found

    nested = session.begin_nested()
    for a in session.scalars(select(Alert)):
        session.delete(a)
    session.flush()
    run_batch(store.root, T0 - timedelta(hours=1), T0 + timedelta(hours=3), scope,
              suite=build_suite(session))
    session.flush()
    assert _identity_alerts(session) == live_found
    nested.rollback()
