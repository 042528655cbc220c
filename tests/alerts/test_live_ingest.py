"""Live detection on the real hook: the planted scenario encoded as NMEA, fed line by line
to the AIS package's Ingestor, whose listener drives the LiveRunner; then a batch run over
the store that same Ingestor wrote. The alerts are identical."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from pyais import encode_dict
from sqlalchemy import select

from jinghai.ais.ingest import Ingestor
from jinghai.ais.store import PositionStore
from jinghai.alerts.models import Alert
from jinghai.alerts.pipeline import LiveRunner, build_suite, run_batch

from .test_runner import SETTINGS_OWN, _alerts


def _sentences(positions) -> list[tuple[str, float]]:
    out = []
    for r in positions.itertuples(index=False):
        msg = {"type": int(r.msg_type) if r.msg_type in (1, 18) else 1, "mmsi": int(r.mmsi),
               "lon": float(r.lon), "lat": float(r.lat),
               "speed": 0.0 if np.isnan(r.sog) else float(r.sog),
               "course": float(r.cog), "heading": int(r.heading) % 360}
        if msg["type"] == 1:
            msg["status"] = int(r.nav_status)
        for line in encode_dict(msg, talker_id="AI"):
            out.append((line, r.ts.timestamp()))
    return out


def test_ingestor_listener_live_equals_batch_over_its_store(session, beilun, scope,
                                                            tmp_path) -> None:
    store = PositionStore(tmp_path / "ais")
    live = LiveRunner(scope, SETTINGS_OWN,
                      suite=build_suite(session, SETTINGS_OWN, static=beilun.static))
    ing = Ingestor(store, batch_rows=400)
    ing.add_listener(live.on_positions)
    for line, at in _sentences(beilun.positions):
        ing.feed_line(line, arrived=at, source="sim")
    ing.flush()
    ing.close()
    live.flush()
    session.flush()
    assert live.failures == 0 and live.positions > 0.95 * len(beilun.positions)  # de-dup drops repeats
    live_alerts = _alerts(session)
    kinds = {a.kind for a in session.scalars(select(Alert))}
    assert {"encounter", "unreported_arrival", "landing_approach", "going_dark"} <= kinds

    nested = session.begin_nested()
    for a in session.scalars(select(Alert)):
        session.delete(a)
    session.flush()
    t0 = beilun.t0
    run_batch(store.root, t0, t0 + timedelta(days=2), scope, SETTINGS_OWN,
              suite=build_suite(session, SETTINGS_OWN, static=beilun.static))
    session.flush()
    assert _alerts(session) == live_alerts
    nested.rollback()
