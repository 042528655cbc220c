"""Live AIS inside the web app: feeds → ingestor → store, and the live picture.

The web app's lifespan (see :mod:`jinghai.rounds`) starts one :class:`AisRuntime`:

* always a :class:`~jinghai.ais.live.LiveTracker`, seeded from the store's latest
  positions, so the map shows where vessels were last seen even with no feed running;
* when ``settings.ais_feeds`` lists feeds: their sources (TCP/UDP), one ingestor writing
  de-duplicated positions to the Parquet store and static data to the database, and the
  tracker listening to it; other domains (live detection) attach with
  :func:`register_live_consumer` and get every new batch too.

A consumer that raises is logged and the others still run: a failed detector must not
stop the picture. Everything stops on shutdown, the ingestor flushed first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
from sqlalchemy import select

from jinghai.ais.live import LiveTracker, RegistryRef
from jinghai.ais.models import AisVessel
from jinghai.ais.store import PositionStore
from jinghai.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["AisRuntime", "current_runtime", "register_live_consumer",
           "unregister_live_consumer"]

Consumer = Callable[[pa.Table], Any]

_consumers: list[Consumer] = []
_consumers_lock = threading.Lock()
_current: AisRuntime | None = None

#: Housekeeping cadence (seconds): drop vessels gone quiet, re-read the registry (vessels
#: added or given an MMSI). The ingestor's partial batch is flushed every
#: ``settings.ais_flush_seconds``: each flush writes one Parquet part per day touched and
#: one database transaction (static data, last seen), so one second would mean 86,400
#: files a day, and on SQLite a write every second competing with the web's requests. The
#: default, 3 s, keeps a live alert's p95 under 5 s (benchmarks/bench_latency.py).
EXPIRE_EVERY = 30.0
REGISTRY_EVERY = 60.0
#: Every COMPACT_EVERY the store's closed days are merged into one part each, and today's
#: parts too once there are TODAY_MAX_PARTS of them (an hour of 3-second flushes), so the
#: map's track queries read a few files, not thousands.
COMPACT_EVERY = 3600.0
TODAY_MAX_PARTS = 1200


def register_live_consumer(fn: Consumer) -> None:
    """Call ``fn(positions)`` with every batch of new positions (the position schema),
    after it is durably stored. Safe to call before or after the runtime starts."""
    with _consumers_lock:
        if fn not in _consumers:
            _consumers.append(fn)


def unregister_live_consumer(fn: Consumer) -> None:
    with _consumers_lock:
        if fn in _consumers:
            _consumers.remove(fn)


def current_runtime() -> AisRuntime | None:
    return _current


def load_registry(session) -> dict[int, RegistryRef]:
    """Registry vessels still in the roster, by MMSI."""
    from jinghai.vessels.models import OUT_OF_ROSTER, FishingVessel

    rows = session.execute(select(
        FishingVessel.id, FishingVessel.registry_no, FishingVessel.name, FishingVessel.mmsi,
    ).where(FishingVessel.mmsi.is_not(None), FishingVessel.status.not_in(OUT_OF_ROSTER)))
    out: dict[int, RegistryRef] = {}
    for vid, no, name, mmsi in rows:
        if mmsi and mmsi.isdigit():
            out[int(mmsi)] = RegistryRef(vid, no, name)
    return out


def load_names(session, mmsis: list[int] | None = None) -> dict[int, str | None]:
    """Names vessels give themselves over AIS (``AisVessel``)."""
    query = select(AisVessel.mmsi, AisVessel.name)
    if mmsis is not None:
        query = query.where(AisVessel.mmsi.in_(mmsis))
    return {int(m): n for m, n in session.execute(query)}


def open_store(settings: Settings) -> PositionStore:
    """The Parquet position store."""
    return PositionStore(settings.resolved_ais_store_dir())


class AisRuntime:
    """Feeds, ingestor and live tracker for one web app process (run one web worker per
    feed set: two workers would each ingest the same feed)."""

    def __init__(self, settings: Settings, session_factory) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.tracker = LiveTracker(own_mmsis=settings.own_mmsis)
        self.store = open_store(settings)
        self.ingestor: Any = None
        self.sources: list[Any] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started_at: datetime | None = None
        self.batches = 0

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> AisRuntime:
        global _current
        self.started_at = datetime.now(UTC)
        self._safely(self.refresh_registry)
        self._safely(self._seed_from_store)
        self._safely(lambda: self.tracker.set_names(self._names()))
        if self.settings.ais_feeds:
            self._start_feeds()
        self._thread = threading.Thread(target=self._housekeeping, name="ais-runtime",
                                        daemon=True)
        self._thread.start()
        _current = self
        return self

    def stop(self) -> None:
        global _current
        self._stop.set()
        for src in self.sources:
            self._safely(src.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.ingestor is not None:
            self._safely(self.ingestor.close)
        if _current is self:
            _current = None

    @staticmethod
    def _safely(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception:
            log.exception("AIS runtime step failed: %s", getattr(fn, "__name__", fn))
            return None

    def _start_feeds(self) -> None:
        from jinghai.ais.ingest import Ingestor
        from jinghai.ais.sources import make_source

        if self.store is None:
            raise RuntimeError("AIS feeds are configured but the position store is missing")
        self.store.root.mkdir(parents=True, exist_ok=True)
        # A live feed is flushed by the housekeeping thread when the feed is quiet, and by
        # the ingestor itself once the batch is ais_flush_seconds old (max_delay).
        self.ingestor = Ingestor(self.store, self.session_factory,
                                 max_delay=self.settings.ais_flush_seconds)
        self.ingestor.add_listener(self._on_positions)
        self.ingestor.add_static_listener(self._on_static)
        for feed in self.settings.ais_feeds:
            scheme = urlsplit(feed.url).scheme
            if scheme not in ("tcp", "udp"):
                log.error("AIS feed %s: unknown scheme %r (tcp:// or udp://)", feed.url, scheme)
                continue
            name = feed.name or urlsplit(feed.url).netloc
            try:  # a bad feed (a UDP port in use) is logged; the map and other feeds run
                src = make_source(feed.url, self._line_handler(), name=name)
                src.start()
            except OSError:
                log.exception("AIS feed %s (%s) could not start", name, feed.url)
                continue
            self.sources.append(src)
            log.info("AIS feed %s started (%s)", name, feed.url)

    def _line_handler(self) -> Callable[[str, float, str], None]:
        def on_line(line: str, arrived: float, source: str) -> None:
            self.ingestor.feed_line(line, arrived, source=source)

        return on_line

    # -- listeners ---------------------------------------------------------------------------

    def _on_positions(self, positions: pa.Table) -> None:
        self.batches += 1
        self._safely(lambda: self.tracker.update(positions))
        with _consumers_lock:
            consumers = list(_consumers)
        for fn in consumers:
            try:
                fn(positions)
            except Exception:
                log.exception("live consumer %r failed on a batch of %d positions", fn,
                              positions.num_rows)

    def _on_static(self, mmsis: list[int]) -> None:
        self.tracker.set_names(self._names(list(mmsis)))

    # -- reads from the database and the store ---------------------------------------------

    def _names(self, mmsis: list[int] | None = None) -> dict[int, str | None]:
        with self.session_factory() as session:
            return load_names(session, mmsis)

    def refresh_registry(self) -> None:
        with self.session_factory() as session:
            self.tracker.set_registry(load_registry(session))

    def _seed_from_store(self) -> None:
        if self.store is None or not self.store.days():
            return
        since = datetime.now(UTC) - self.tracker.max_age
        latest = self.store.latest(since)
        if latest.num_rows:
            self.tracker.update(latest)

    def compact_store(self, today: date | None = None) -> dict[date, int]:
        """Merge small parts: every closed day, and today once it has TODAY_MAX_PARTS."""
        if self.store is None or not hasattr(self.store, "compact"):
            return {}
        today = today or datetime.now(UTC).date()
        done = self.store.compact_before(today)
        merged = self.store.compact(today, min_parts=TODAY_MAX_PARTS)
        if merged:
            done[today] = merged
        if done:
            log.info("AIS store compacted: %s", {d.isoformat(): n for d, n in done.items()})
        return done

    def _housekeeping(self) -> None:
        next_expire = time.monotonic() + EXPIRE_EVERY
        next_registry = time.monotonic() + REGISTRY_EVERY
        next_compact = time.monotonic() + (60.0 if self.ingestor is not None else COMPACT_EVERY)
        while not self._stop.wait(self.settings.ais_flush_seconds):
            if self.ingestor is not None:
                self._safely(self.ingestor.flush)
            now = time.monotonic()
            if now >= next_expire:
                next_expire = now + EXPIRE_EVERY
                self._safely(self.tracker.expire)
            if now >= next_registry:
                next_registry = now + REGISTRY_EVERY
                self._safely(self.refresh_registry)
            if now >= next_compact and self.ingestor is not None:
                next_compact = now + COMPACT_EVERY
                self._safely(self.compact_store)
