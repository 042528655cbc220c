"""Every real recording in shared/data through every detector *via the runner*: decoded
tracks and raw NMEA (through the AIS package's own ingestor) written to a Parquet store,
read back by day, every event recorded as an alert in the database.

The recordings are not from Beilun, so the demo zones match nothing there; this proves the
whole path (store → runner → detectors → alerts) survives real, messy data, and that a
re-run over the same store changes nothing (alerts are keyed by event id). What they found
is written to ``JINGHAI_REAL_FINDINGS`` (a JSON path) when that variable is set.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import delete, func, select

from jinghai.ais.ingest import Ingestor
from jinghai.ais.schema import POSITION_SCHEMA
from jinghai.ais.sources import iter_file_lines
from jinghai.ais.store import PositionStore
from jinghai.alerts.models import Alert, AlertEvent, AlertFold, AlertRoute
from jinghai.alerts.pipeline import build_suite, run_batch
from jinghai.detect.windows import store_days
from jinghai.geo.service import seed_demo_zones
from jinghai.notify.models import Notification, WebhookOutbox

from ..detect.test_real_nmea import nmea_files
from ..detect.test_real_tracks import DATA, load_all

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (DATA / "tracks").exists(), reason="no shared data")]


def _tracks_store(root: Path, df: pd.DataFrame) -> PositionStore:
    store = PositionStore(root)
    df = df.copy()
    df["ts"] = df["ts"].dt.as_unit("us")
    df["sog"] = df["sog"].astype("float32")
    df["cog"] = df["cog"].astype("float32")
    df["msg_type"] = pd.to_numeric(df["msg_type"], errors="coerce").fillna(0).astype("int8")
    df["receivers"] = "recording"
    store.append(pa.Table.from_pandas(df[POSITION_SCHEMA.names], schema=POSITION_SCHEMA,
                                      preserve_index=False))
    return store


def _nmea_store(root: Path, path: Path) -> PositionStore:
    store = PositionStore(root)
    ing = Ingestor(store)
    for line in iter_file_lines(path):
        ing.feed_line(line, source=path.parent.name)
    ing.flush()
    ing.close()
    return store


def _recordings(tmp: Path):
    for name, (df, static) in load_all().items():
        yield name, _tracks_store(tmp / name, df), static
    for p in nmea_files():
        name = f"nmea/{p.parent.name}/{p.name}"
        yield name, _nmea_store(tmp / name.replace("/", "_"), p), {}


def _clear(session) -> None:
    for model in (WebhookOutbox, AlertEvent, AlertRoute, AlertFold, Alert):
        session.execute(delete(model))
    session.execute(delete(Notification).where(Notification.kind == "alert"))


def test_every_recording_through_the_runner(session, operation, tmp_path) -> None:
    seed_demo_zones(session)
    scope = lambda: nullcontext(session)
    findings: dict[str, dict] = {}
    for name, store, static in _recordings(tmp_path):
        days = store_days(store.root)
        if not days:
            findings[name] = {"positions": 0}
            continue
        start = pd.Timestamp(days[0], tz="UTC").to_pydatetime()
        end = pd.Timestamp(days[-1], tz="UTC").to_pydatetime() + timedelta(days=1)
        result = run_batch(store.root, start, end, scope,
                           suite=build_suite(session, static=static))
        session.flush()
        n_alerts = session.scalar(select(func.count(Alert.id)))
        # a second run over the same store finds the same events: no new alerts
        run_batch(store.root, start, end, scope, suite=build_suite(session, static=static))
        session.flush()
        assert session.scalar(select(func.count(Alert.id))) == n_alerts, name
        kinds = Counter(a.kind for a in session.scalars(select(Alert)))
        sample = [{"kind": a.kind, "vessels": a.vessels, "start": a.event_start.isoformat(),
                   "end": a.event_end.isoformat(), "lon": a.lon, "lat": a.lat,
                   "details": a.event.get("details")}
                  for a in session.scalars(select(Alert).order_by(Alert.kind, Alert.id))]
        findings[name] = {"positions": result.positions, "days": len(days),
                          "events": {k: len(v) for k, v in result.events.items()},
                          "alerts": dict(kinds), "seconds": round(result.seconds, 2),
                          "sample": sample[:400]}
        assert result.positions > 0
        _clear(session)
    assert len(findings) >= 8
    assert sum(f.get("positions", 0) for f in findings.values()) > 100_000
    out = os.environ.get("JINGHAI_REAL_FINDINGS")
    if out:
        Path(out).write_text(json.dumps(findings, ensure_ascii=False, indent=1, default=str))
