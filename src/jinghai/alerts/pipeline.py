"""The detection pipeline: the AIS store and the live feed through the detectors, into alerts.

Batch and live build the same suite from the same database facts (zones, the registry's
fishing vessels, entry and exit reports, the task force's own boats) and the same
parameters — :func:`resolve_params` merges, in this order, the detectors' defaults, the
server's ``detector_params`` setting, what the office saved on the settings page and the
per-zone values kept on the zones — and hand every event to
:func:`jinghai.alerts.service.record_events`, which keys alerts by the event's
deterministic id. Because the detectors give identical events whether fed at once or in
pieces (see :mod:`jinghai.detect.base`), a re-run over the archive and the live service
end with identical alerts.

Batch reads the store one UTC day (or one time window) at a time
(:mod:`jinghai.detect.windows`) and feeds the same detector objects on, so their state
crosses midnight: a transfer from 23:40 to 00:30 is one event.

Live detection does not wait for a detector's time slot to close before it speaks: after
every batch it asks a copy of each detector what it would decide with the time known so
far (:meth:`jinghai.detect.base.Detector.probe`), so a zone entry is an alert on the
position that enters and a duration condition on the first position after the duration;
the detectors themselves still decide slot by slot, so the final events are the batch's.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.ais.models import AisStaticChange, AisVessel
from jinghai.ais.runtime import register_live_consumer, unregister_live_consumer
from jinghai.alerts.detector_settings import detector_params, effective_overrides, settings_version
from jinghai.alerts.service import AlertConfig, note_filed_reports, record_event, record_events
from jinghai.detect.base import Detector
from jinghai.detect.encounter import EncounterParams
from jinghai.detect.events import Event
from jinghai.detect.identity import IdentityAnomalyDetector
from jinghai.detect.partition import make_plan, run_local
from jinghai.detect.port import UnreportedArrivalDetector, UnreportedDepartureDetector
from jinghai.detect.positions import Fleet
from jinghai.detect.spill import EventSpill
from jinghai.detect.suite import build_detectors, feed_all
from jinghai.detect.windows import iter_days, iter_windows
from jinghai.geo.service import load_zones
from jinghai.portcalls.service import entry_reports_for_detector, exit_reports_for_detector
from jinghai.vessels.models import OUT_OF_ROSTER, FishingVessel

log = logging.getLogger(__name__)

SessionScope = Callable[[], AbstractContextManager[Session]]


# -- what the detectors need from the database -------------------------------------------
def resolve_params(session: Session, settings: Any, zones: list[Any]) -> dict[str, Any]:
    """Every detector's parameters, the one place they are merged: defaults, then the
    server's ``detector_params`` setting, then the office's saved values (they win, field
    by field), then per-zone values kept on the zones. Batch and live both build from it."""
    return with_zone_params(detector_params(effective_overrides(session, settings)), zones)


def load_fleet(session: Session, own_mmsis: list[int] | tuple[int, ...] = (),
               static: dict[int, dict[str, Any]] | None = None) -> Fleet:
    """Own boats from settings, fishing vessels from the registry, static facts from the
    registry (and from AIS static data once the sea-picture domain stores it)."""
    static = {int(k): dict(v) for k, v in (static or {}).items()}
    for v in session.scalars(select(AisVessel)):
        static.setdefault(int(v.mmsi), {"name": v.name, "callsign": v.callsign,
                                        "ship_type": v.ship_type, "length": v.length})
    fishing = []
    for v in session.scalars(select(FishingVessel).where(FishingVessel.mmsi.is_not(None),
                                                         FishingVessel.status.not_in(OUT_OF_ROSTER))):
        m = int(v.mmsi)
        fishing.append(m)
        rec = static.setdefault(m, {"name": v.name})
        if rec.get("length") is None and v.length_m is not None:
            rec["length"] = float(v.length_m)
        rec.setdefault("ship_type", 30)
    return Fleet.build(own_mmsis, fishing, static)


def static_times(session: Session, mmsis: Any = None) -> dict[int, int]:
    """When each vessel's static data was first received (epoch ms), from ``AisVessel``
    (created by the first static report; ``first_seen`` moves only with static reports)."""
    q = select(AisVessel.mmsi, AisVessel.first_seen)
    if mmsis is not None:
        q = q.where(AisVessel.mmsi.in_([int(m) for m in mmsis]))
    return {int(m): int(t.timestamp() * 1000) for m, t in session.execute(q)}


class StaticHistory:
    """The name / call-sign history recorded at ingest (``AisStaticChange``), as rows the
    identity detector reads (``mmsi, ts, name, callsign``): each change gives the vessel's
    identity after it, preceded once by its identity before the first change. ``read``
    returns only what was recorded since the last call, so live detection keeps up."""

    FIELDS = ("name", "callsign")

    def __init__(self) -> None:
        self.last_id = 0
        self._state: dict[int, dict[str, Any]] = {}

    def read(self, session: Session) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        q = (select(AisStaticChange).where(AisStaticChange.id > self.last_id,
                                           AisStaticChange.field.in_(self.FIELDS))
             .order_by(AisStaticChange.at, AisStaticChange.id))
        for ch in session.scalars(q):
            self.last_id = max(self.last_id, ch.id)
            m = int(ch.mmsi)
            state = self._state.get(m)
            if state is None:
                state = self._state[m] = {f: None for f in self.FIELDS}
                state[ch.field] = ch.old
                rows.append({"mmsi": m, "ts": ch.at, **state})
            state[ch.field] = ch.new
            rows.append({"mmsi": m, "ts": ch.at, **state})
        return pd.DataFrame(rows, columns=["mmsi", "ts", *self.FIELDS])


def build_suite(session: Session, settings: Any = None,
                static: dict[int, dict[str, Any]] | None = None,
                history: StaticHistory | None = None) -> dict[str, Detector]:
    """The detectors with today's database facts; ``static`` adds vessel facts known
    elsewhere (a recording's own static messages). ``history`` keeps the position in the
    static-change history for a live runner that reads on."""
    zones = load_zones(session)
    params = resolve_params(session, settings, zones)
    history = history or StaticHistory()
    return build_detectors(
        zones, load_fleet(session, getattr(settings, "own_mmsis", []) or [], static),
        reports=entry_reports_for_detector(session),
        exit_reports=exit_reports_for_detector(session), params=params,
        static_history=history.read(session), static_times=static_times(session))


def with_zone_params(params: dict[str, Any], zones: list[Any]) -> dict[str, Any]:
    """Per-zone settings kept on the zones themselves (the office edits them with the
    geography): ``encounter_max_distance_m`` on a zone tightens the encounter distance
    there (e.g. a busy channel), merged over what settings give."""
    per_zone = {z.id: float(z.properties["encounter_max_distance_m"]) for z in zones
                if z.properties.get("encounter_max_distance_m") is not None}
    if not per_zone:
        return params
    enc = params.get("encounter") or EncounterParams()
    merged = {**per_zone, **dict(enc.zone_max_distance_m)}
    return {**params, "encounter": dataclasses.replace(enc, zone_max_distance_m=merged)}


def refresh_reports(suite: dict[str, Detector], session: Session) -> None:
    """Reports filed since the suite was built (an owner reporting on arrival) count."""
    for det in suite.values():
        if isinstance(det, UnreportedArrivalDetector):  # the departure detector is one too
            departures = isinstance(det, UnreportedDepartureDetector)
            reports = (exit_reports_for_detector if departures
                       else entry_reports_for_detector)(session)
            fresh = type(det)(det.params, reports=reports, zones=det.zones, fleet=det.fleet)
            det._reports = fresh._reports


# -- batch -------------------------------------------------------------------------------
@dataclass
class RunResult:
    positions: int
    events: dict[str, list[Event]]
    alerts: int
    seconds: float
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    #: events kept on disk during the run instead of in memory (``keep_events=False``)
    spilled: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = {name: len(evs) for name, evs in self.events.items()}

    @property
    def event_count(self) -> int:
        return sum(self.counts.values())


def run_batch(store_root: Path, start: datetime, end: datetime, session_scope: SessionScope,
              settings: Any = None, config: Any = None,
              suite: dict[str, Detector] | None = None,
              window: timedelta | None = None, keep_events: bool = True,
              progress: Callable[[int], None] | None = None) -> RunResult:
    """Every detector over ``[start, end)`` of the store; every event into alerts.
    ``window``: read and feed the store in windows of that length instead of whole days
    (the same events; memory follows the window). ``keep_events=False`` (the CLI) also
    keeps the closed events on disk as they come (:class:`EventSpill`) instead of in
    memory, and returns only their counts: the same alerts, recorded in the same order,
    with memory that does not grow with the period. ``progress`` is told the positions fed
    so far after each day or window."""
    t0 = time.perf_counter()
    if suite is None:
        with session_scope() as s:
            suite = build_suite(s, settings)
    tables = iter_windows(store_root, start, end, window) if window else \
        iter_days(store_root, start, end)
    if progress is not None:
        tables = _reporting(tables, progress)
    config = config or (AlertConfig.from_settings(settings) if settings else AlertConfig())
    if keep_events:
        n = feed_all(tables, suite)
        events = {name: det.events() for name, det in suite.items()}
        with session_scope() as s:
            alerts = record_events(s, [e for evs in events.values() for e in evs],
                                   config=config)
        return RunResult(n, events, len(alerts), time.perf_counter() - t0)
    with EventSpill() as spill:
        n = feed_all(tables, suite, after_table=lambda: spill.drain(suite))
        counts = {name: 0 for name in suite}
        recorded = 0
        with session_scope() as s:
            for name, det in suite.items():
                for event in spill.ordered(name, det.events()):
                    counts[name] += 1
                    recorded += record_event(s, event, config=config) is not None
    return RunResult(n, {}, recorded, time.perf_counter() - t0, counts=counts,
                     spilled=sum(spill.spilled.values()))


def _reporting(tables: Any, progress: Callable[[int], None]) -> Any:
    fed = 0
    for table in tables:
        yield table  # the suite feeds it before asking for the next
        fed += table.num_rows
        progress(fed)


def run_partitioned(store_root: Path, start: datetime, end: datetime,
                    session_scope: SessionScope, settings: Any = None, config: Any = None,
                    suite: dict[str, Detector] | None = None, *, scheduler: Any = None,
                    shards: int = 2, tile_deg: float = 0.5,
                    origin: tuple[float, float] = (0.0, 0.0)) -> RunResult:
    """:func:`run_batch` cut into partitions (:mod:`jinghai.detect.partition`), run on the
    Dask cluster ``scheduler`` (an address or a ``distributed.Client``) or, without one,
    one partition after the other here; the same events, the same alerts."""
    t0 = time.perf_counter()
    if suite is None:
        with session_scope() as s:
            suite = build_suite(s, settings)
    p = make_plan(store_root, start, end, suite, shards=shards, tile_deg=tile_deg,
                  origin=origin)
    if scheduler:
        from jinghai.detect.distributed import run_dask

        events, n = run_dask(p, scheduler)
    else:
        events, n = run_local(p)
    config = config or (AlertConfig.from_settings(settings) if settings else AlertConfig())
    with session_scope() as s:
        alerts = record_events(s, [e for evs in events.values() for e in evs], config=config)
    return RunResult(n, events, len(alerts), time.perf_counter() - t0)


# -- live --------------------------------------------------------------------------------
class LiveRunner:
    """Feeds every batch of new positions to the suite and records what changed, and what
    a decision at the latest position would find (``decide_early``): a finding is an alert
    with the batch that shows it, not at the end of the detectors' time slot.

    Attach with :meth:`attach` (through ``jinghai.ais.runtime.register_live_consumer``
    once the live runtime exists) or call :meth:`on_positions` with each new batch (a
    pyarrow Table of the position schema). A failed batch is logged and the runner goes
    on: the next batch must not be lost because one failed.
    """

    def __init__(self, session_scope: SessionScope, settings: Any = None, *,
                 suite: dict[str, Detector] | None = None, config: Any = None,
                 reports_every_s: float = 60.0, decide_early: bool = True) -> None:
        self._scope = session_scope
        self._settings = settings
        self._history = StaticHistory()
        with session_scope() as s:
            self._params_version = settings_version(s)
            if suite is None:
                suite = build_suite(s, settings, history=self._history)
        self.suite = suite
        self._last_batch = time.monotonic()
        self._unflushed = False
        self._watch: threading.Thread | None = None
        self._stop = threading.Event()
        self.config = config or (AlertConfig.from_settings(settings) if settings
                                 else AlertConfig())
        self._lock = threading.Lock()
        self._reports_every_s = reports_every_s
        # Record what a decision now would find (Detector.probe) with every batch, instead
        # of waiting for the detectors' slot to close: alerts in seconds, not a minute.
        self.decide_early = decide_early
        self._reports_at = time.monotonic()
        self.positions = 0
        self.failures = 0
        self.last_latency_s: float | None = None

    def _note_static(self, table: Any) -> None:
        """Static data recorded since the last batch (the ingestor commits it before it
        hands the positions on) reaches the identity detector before the positions do."""
        ident = [d for d in self.suite.values() if isinstance(d, IdentityAnomalyDetector)]
        if not ident:
            return
        mmsis = {int(m) for m in pc.unique(table.column("mmsi")).to_pylist()} \
            if isinstance(table, pa.Table) else {int(m) for m in pd.unique(table["mmsi"])}
        with self._scope() as s:
            unknown = [m for m in mmsis if not ident[0].knows_static(m)]
            times = static_times(s, unknown) if unknown else {}
            rows = self._history.read(s)
        for det in ident:
            det.note_static(times)
            det.note_static_history(rows)

    def on_positions(self, table: Any) -> list[Event]:
        with self._lock:
            t0 = time.perf_counter()
            self._last_batch = time.monotonic()
            try:
                changed: list[Event] = []
                self._note_static(table)
                for det in self.suite.values():
                    changed += det.feed(table)
                if self.decide_early:
                    for det in self.suite.values():
                        changed += det.probe()
                self.positions += len(table)
                self._unflushed = True
                self._record(list({e.id: e for e in changed}.values()))
            except Exception:
                self.failures += 1
                log.exception("live detection batch failed")
                return []
            self.last_latency_s = time.perf_counter() - t0
            return changed

    def flush(self) -> list[Event]:
        """Decide every buffered position now and record what changed: when the feed
        stops or goes quiet, the last slot's events are not left waiting for data that
        will not come (a batch run ends the same way)."""
        with self._lock:
            changed: list[Event] = []
            for det in self.suite.values():
                changed += det.flush()
            self._record(changed)
            self._unflushed = False
            return changed

    def flush_if_quiet(self, quiet_s: float) -> bool:
        """Flush when no batch came for ``quiet_s`` seconds; True if it flushed."""
        if not self._unflushed or time.monotonic() - self._last_batch < quiet_s:
            return False
        try:
            self.flush()
        except Exception:
            log.exception("live detection flush failed")
            return False
        return True

    def _watchdog(self, quiet_s: float, every_s: float) -> None:
        while not self._stop.wait(every_s):
            self.flush_if_quiet(quiet_s)

    def _record(self, events: list[Event]) -> None:
        with self._scope() as s:
            if time.monotonic() - self._reports_at >= self._reports_every_s:
                refresh_reports(self.suite, s)
                note_filed_reports(s)
                self._apply_new_params(s)
                self._reports_at = time.monotonic()
            if events:
                record_events(s, events, config=self.config)

    def _apply_new_params(self, session: Session) -> None:
        """When the office saved detector parameters, rebuild the detectors whose
        parameters changed (their open events start afresh); the others keep their state."""
        version = settings_version(session)
        if version == self._params_version:
            return
        fresh = build_suite(session, self._settings, history=StaticHistory())
        for name, det in fresh.items():
            if name in self.suite and det.params != self.suite[name].params:
                log.info("detector %s: new parameters from the settings page", name)
                self.suite[name] = det
        self._params_version = version

    def attach(self, quiet_s: float = 120.0, every_s: float = 10.0) -> bool:
        """Register with the live AIS runtime, and flush open work when the feed has been
        quiet for ``quiet_s`` seconds (checked every ``every_s``)."""
        register_live_consumer(self.on_positions)
        self._stop.clear()
        self._watch = threading.Thread(target=self._watchdog, args=(quiet_s, every_s),
                                       name="live-detection-flush", daemon=True)
        self._watch.start()
        return True

    def detach(self) -> None:
        """Stop receiving batches (the app shutting down) and flush what is pending."""
        unregister_live_consumer(self.on_positions)
        self._stop.set()
        if self._watch is not None:
            self._watch.join(timeout=5)
        if self._unflushed:
            try:
                self.flush()
            except Exception:
                log.exception("live detection flush at shutdown failed")


__all__ = ["LiveRunner", "RunResult", "StaticHistory", "build_suite", "load_fleet",
           "refresh_reports", "resolve_params", "run_batch", "run_partitioned", "static_times",
           "with_zone_params"]

