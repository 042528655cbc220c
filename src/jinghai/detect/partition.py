"""Batch detection cut into independent tasks that any engine can run (Dask, a process pool,
a plain loop), with events identical to a single-process run.

Two families of partitions, each a chain of one task per UTC day:

* **vessel shards** (``mmsi % shards``) run the detectors that judge each vessel by its
  own track (port visits, unreported arrival/departure, landing approach, zone rules,
  identity): a shard sees whole tracks and finds exactly the events a single process finds;
* **spatial tiles** run the detectors that look at other vessels nearby (encounter,
  loitering's companions, going dark's coverage by neighbours): a tile reads the positions
  inside its core grown by a halo (the widest of those distances plus a drift allowance,
  :func:`encounter_halo_m`) and keeps the events whose place lies in its core, so a
  transfer on a tile edge is found by both neighbours with the same deterministic id and
  kept once. The halo bounds what is exact: a pair that drifts farther than the drift
  allowance during its encounter, or a dark vessel that reappears farther than the halo
  from where it vanished, is judged on what the tile saw.

A partition's days run in order, each task handing the detectors' state (pickled bytes, so
a retried task starts from the same state) to the next: state crosses midnight exactly as
in :func:`jinghai.alerts.pipeline.run_batch`, and a task holds one day of one partition in
memory. Partitions are independent of each other: that is where the cores or machines
work in parallel. Task descriptions are plain frozen dataclasses and the task functions
plain top-level functions (:func:`start_state`, :func:`feed_day`, :func:`finish`);
:func:`run_local` runs them in a loop, :func:`run_processes` on the local cores,
:mod:`jinghai.detect.distributed` on Dask.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from jinghai.detect.base import Detector
from jinghai.detect.events import Event
from jinghai.geo.metric import M_PER_DEG_LAT

#: Detectors that look at other vessels near each one (pairs, a loiterer's companions,
#: going dark's coverage by neighbours) run per spatial tile; every other one judges each
#: vessel by its own track and runs per vessel shard.
SPATIAL = ("encounter", "loitering", "going_dark")
#: Drift allowance of the halo: how far a slow pair may move while its encounter lasts
#: (2 kn for 3 h is 11 km) beyond the encounter distance itself.
DEFAULT_DRIFT_M = 12_000.0
#: Each day is fed to the detectors in windows of this length (the same events).
FEED_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Part:
    """One partition: ``kind`` ``"vessels"`` (shard ``index`` of ``shards``), ``"tile"``
    (``bbox`` = lon0, lat0, lon1, lat1 of its core, ``halo_m`` around it) or ``"group"``
    (every position, a group of the detectors: see :data:`TWO_GROUPS`)."""

    kind: str
    index: int
    detectors: tuple[str, ...]
    shards: int = 1
    bbox: tuple[float, float, float, float] | None = None
    halo_m: float = 0.0

    @property
    def counts_positions(self) -> bool:
        """Whether its positions add to the run's count (each position once: vessel shards
        do not overlap, tiles do, every group reads them all)."""
        return self.kind == "vessels" or (self.kind == "group" and self.index == 0)


#: The suite cut in two groups of about equal CPU cost (``benchmarks/bench_detect.py`` on
#: random traffic, 10 M positions fed in hourly windows: loitering with the three port
#: detectors 4.7 CPU s, all the others 3.7 — the port detectors, 0.3, go with the
#: others). Each group reads every position, so the events are exactly one process's,
#: with no halo — on a small area, where the halo of spatial tiles makes them overlap a
#: lot, this is how two cores share the work.
TWO_GROUPS = (("loitering",),
              ("encounter", "landing_approach", "zone_rule", "identity", "going_dark",
               "port_visit", "unreported_arrival", "unreported_departure"))


@dataclass(frozen=True)
class DayTask:
    part: Part
    day: date
    start: datetime
    end: datetime
    store_root: str


def encounter_halo_m(suite: dict[str, Detector], drift_m: float = DEFAULT_DRIFT_M) -> float:
    """How far around a tile its spatial detectors must see: the widest of the encounter
    distance (zone-specific ones included), loitering's companion distance and going-dark's
    coverage radius, plus ``drift_m`` (how far the vessels may move meanwhile)."""
    reach = [0.0]
    enc = suite.get("encounter")
    if enc is not None:
        reach += [float(enc.params.max_distance_m),
                  *map(float, dict(enc.params.zone_max_distance_m).values())]
    loi = suite.get("loitering")
    if loi is not None:
        reach.append(float(loi.params.companion_distance_m))
    dark = suite.get("going_dark")
    if dark is not None:
        reach.append(float(dark.params.coverage_radius_m))
    return max(reach) + drift_m


def tiles(extent: tuple[float, float, float, float], tile_deg: float,
          origin: tuple[float, float] = (0.0, 0.0)) -> list[tuple[float, float, float, float]]:
    """The cells of a grid of ``tile_deg`` degrees anchored at ``origin`` that cover
    ``extent`` (lon0, lat0, lon1, lat1), each as (lon0, lat0, lon1, lat1)."""
    lon0, lat0, lon1, lat1 = extent
    ox, oy = origin
    i0, i1 = math.floor((lon0 - ox) / tile_deg), math.floor((lon1 - ox) / tile_deg)
    j0, j1 = math.floor((lat0 - oy) / tile_deg), math.floor((lat1 - oy) / tile_deg)
    return [(ox + i * tile_deg, oy + j * tile_deg, ox + (i + 1) * tile_deg, oy + (j + 1) * tile_deg)
            for j in range(j0, j1 + 1) for i in range(i0, i1 + 1)]


def days(start: datetime, end: datetime) -> list[tuple[date, datetime, datetime]]:
    """UTC days of ``[start, end)``, each with its clipped bounds."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    out = []
    day = start.date()
    while True:
        lo = max(start, datetime.combine(day, time(), UTC))
        hi = min(end, datetime.combine(day + timedelta(days=1), time(), UTC))
        if lo >= end:
            break
        out.append((day, lo, hi))
        day += timedelta(days=1)
    return out


def plan(store_root: Path | str, start: datetime, end: datetime, detector_names: Iterable[str],
         *, shards: int, tile_list: list[tuple[float, float, float, float]],
         halo_m: float) -> list[list[DayTask]]:
    """One chain of day tasks per partition: ``shards`` vessel shards for the per-vessel
    detectors, one tile per entry of ``tile_list`` for the spatial ones."""
    names = tuple(detector_names)
    per_vessel = tuple(n for n in names if n not in SPATIAL)
    spatial = tuple(n for n in names if n in SPATIAL)
    parts = [Part("vessels", i, per_vessel, shards=shards) for i in range(shards)] \
        if per_vessel else []
    if spatial:
        parts += [Part("tile", i, spatial, bbox=b, halo_m=halo_m)
                  for i, b in enumerate(tile_list)]
    span = days(start, end)
    return [[DayTask(p, d, lo, hi, str(store_root)) for d, lo, hi in span] for p in parts]


def store_extent(store_root: Path | str, start: datetime, end: datetime
                 ) -> tuple[float, float, float, float] | None:
    """Bounding box of the valid positions of ``[start, end)`` (lon/lat columns only)."""
    from jinghai.detect.windows import open_dataset

    dataset = open_dataset(Path(store_root))
    if dataset is None:
        return None
    ts_type = dataset.schema.field("ts").type
    flt = ((ds.field("ts") >= pa.scalar(start.astimezone(UTC), type=ts_type))
           & (ds.field("ts") < pa.scalar(end.astimezone(UTC), type=ts_type))
           & (ds.field("lon") <= 180) & (ds.field("lat") <= 90))
    t = dataset.to_table(columns=["lon", "lat"], filter=flt)
    if not t.num_rows:
        return None
    lon, lat = pc.min_max(t["lon"]), pc.min_max(t["lat"])
    return (lon["min"].as_py(), lat["min"].as_py(), lon["max"].as_py(), lat["max"].as_py())


# -- the tasks -----------------------------------------------------------------------------
def start_state(part: Part, suite_bytes: bytes) -> bytes:
    """The partition's detectors, fresh, as the state its first day starts from."""
    suite = pickle.loads(suite_bytes)  # our own bytes, from the driver
    return pickle.dumps({n: suite[n] for n in part.detectors}, protocol=pickle.HIGHEST_PROTOCOL)


def _grown(bbox: tuple[float, float, float, float], halo_m: float) -> tuple[float, ...]:
    lon0, lat0, lon1, lat1 = bbox
    dlat = halo_m / M_PER_DEG_LAT
    widest = max(abs(lat0 - dlat), abs(lat1 + dlat))
    dlon = halo_m / (M_PER_DEG_LAT * max(math.cos(math.radians(min(widest, 89.0))), 1e-6))
    return (lon0 - dlon, lat0 - dlat, lon1 + dlon, lat1 + dlat)


def read_day(task: DayTask) -> pa.Table:
    """The task's positions, sorted by time: its day, its shard of vessels or its tile
    grown by the halo (the filter is pushed down to the Parquet reader)."""
    from jinghai.detect.windows import open_dataset

    dataset = open_dataset(Path(task.store_root))
    if dataset is None:
        return pa.table({})
    ts_type = dataset.schema.field("ts").type
    flt = ((ds.field("day") == task.day.isoformat())
           & (ds.field("ts") >= pa.scalar(task.start, type=ts_type))
           & (ds.field("ts") < pa.scalar(task.end, type=ts_type)))
    part = task.part
    if part.kind == "tile":
        x0, y0, x1, y1 = _grown(part.bbox, part.halo_m)
        flt &= ((ds.field("lon") >= x0) & (ds.field("lon") <= x1)
                & (ds.field("lat") >= y0) & (ds.field("lat") <= y1))
    table = dataset.to_table(filter=flt)
    if "day" in table.column_names:
        table = table.drop_columns(["day"])
    if part.kind == "vessels" and part.shards > 1 and table.num_rows:
        mmsi = table.column("mmsi").to_numpy()
        table = table.filter(pa.array(mmsi % part.shards == part.index))
    if not table.num_rows:
        return table
    ts = table.column("ts")
    if len(ts) < 2 or pc.all(pc.greater_equal(ts.slice(1), ts.slice(0, len(ts) - 1)),
                             skip_nulls=False).as_py():
        return table  # hourly parts read in order are sorted already: the sort is stable
    return table.take(pc.sort_indices(table, [("ts", "ascending")]))


def feed_day(task: DayTask, state: bytes) -> tuple[bytes, int]:
    """Feed one day of the partition to its detectors, in windows of ``FEED_WINDOW`` (the
    detectors' working memory follows what they are fed at once: whole days cost many
    times more, see ``benchmarks/bench_windows.py``); the new state and the positions."""
    detectors: dict[str, Detector] = pickle.loads(state)  # our own bytes (trusted)
    table = read_day(task)
    if table.num_rows:
        ts = table.column("ts").cast(pa.int64()).to_numpy()
        per_s = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[
            table.schema.field("ts").type.unit]
        step = int(FEED_WINDOW.total_seconds() * per_s)
        cuts = np.searchsorted(ts, np.arange(ts[0] - ts[0] % step + step, ts[-1] + 1, step))
        bounds = [0, *cuts.tolist(), len(ts)]
        for lo, hi in pairwise(bounds):
            if hi > lo:
                piece = table.slice(lo, hi - lo)
                for det in detectors.values():
                    det.feed(piece)
    return pickle.dumps(detectors, protocol=pickle.HIGHEST_PROTOCOL), table.num_rows


def finish(part: Part, state: bytes) -> dict[str, list[Event]]:
    """Flush the partition's detectors; a tile keeps the events placed in its core."""
    detectors: dict[str, Detector] = pickle.loads(state)  # our own bytes (trusted)
    out = {}
    for name, det in detectors.items():
        det.flush()
        events = det.events()
        if part.kind == "tile":
            events = [e for e in events if _in_core(e, part.bbox)]
        out[name] = events
    return out


def _in_core(event: Event, bbox: tuple[float, float, float, float]) -> bool:
    if event.lon is None or event.lat is None:
        return True  # placeless findings (none among the spatial detectors today)
    lon0, lat0, lon1, lat1 = bbox
    return lon0 <= event.lon < lon1 and lat0 <= event.lat < lat1


def merge(results: Iterable[dict[str, list[Event]]], names: Iterable[str]
          ) -> dict[str, list[Event]]:
    """Events of all partitions, one per id (a tile edge's event is kept once), in the
    order of their start time and id."""
    merged: dict[str, dict[str, Event]] = {n: {} for n in names}
    for result in results:
        for name, events in result.items():
            for e in events:
                merged.setdefault(name, {})[e.id] = e
    return {n: sorted(evs.values(), key=lambda e: (e.start, e.id)) for n, evs in merged.items()}


# -- running ---------------------------------------------------------------------------------
@dataclass
class Plan:
    chains: list[list[DayTask]]
    suite_bytes: bytes
    names: tuple[str, ...]


def make_plan(store_root: Path | str, start: datetime, end: datetime,
              suite: dict[str, Detector], *, shards: int = 2, tile_deg: float = 0.5,
              origin: tuple[float, float] = (0.0, 0.0), drift_m: float = DEFAULT_DRIFT_M,
              groups: Iterable[Iterable[str]] | None = None) -> Plan:
    """Vessel shards and spatial tiles; or, with ``groups``, one partition per group of
    detectors, each reading every position (detectors of the suite in no group join the
    last group)."""
    if groups is not None:
        names = [tuple(n for n in g if n in suite) for g in groups]
        rest = tuple(n for n in suite if not any(n in g for g in names))
        if rest:
            names[-1] = names[-1] + rest
        parts = [Part("group", i, g) for i, g in enumerate(n for n in names if n)]
        span = days(start, end)
        chains = [[DayTask(p, d, lo, hi, str(store_root)) for d, lo, hi in span]
                  for p in parts]
        return Plan(chains, pickle.dumps(suite, protocol=pickle.HIGHEST_PROTOCOL),
                    tuple(suite))
    extent = store_extent(store_root, start, end)
    tile_list = tiles(extent, tile_deg, origin) if extent else []
    chains = plan(store_root, start, end, suite.keys(), shards=shards, tile_list=tile_list,
                  halo_m=encounter_halo_m(suite, drift_m))
    return Plan(chains, pickle.dumps(suite, protocol=pickle.HIGHEST_PROTOCOL), tuple(suite))


def run_chain(chain: list[DayTask], suite_bytes: bytes
              ) -> tuple[dict[str, list[Event]], int]:
    """One partition's days in order, then its events; and the positions it counts (those
    of vessel shards: tiles overlap, shards do not)."""
    state = start_state(chain[0].part, suite_bytes)
    positions = 0
    for task in chain:
        state, n = feed_day(task, state)
        if task.part.counts_positions:
            positions += n
    return finish(chain[0].part, state), positions


def run_local(p: Plan) -> tuple[dict[str, list[Event]], int]:
    """Every chain in this process, one after the other (the reference for any engine)."""
    results, positions = [], 0
    for chain in p.chains:
        if not chain:
            continue
        result, n = run_chain(chain, p.suite_bytes)
        results.append(result)
        positions += n
    return merge(results, p.names), positions


def run_processes(p: Plan, processes: int = 2) -> tuple[dict[str, list[Event]], int]:
    """The chains on a pool of ``processes`` local processes (the cores of one machine,
    no cluster): the same events as :func:`run_local`. The longest chains go first, so a
    long one does not start last while the other processes sit idle."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    chains = [c for c in p.chains if c]
    if processes <= 1 or len(chains) <= 1:
        return run_local(p)
    # tiles read their halo too: weigh a chain by its days and its kind (spatial
    # detectors cost more per position than the per-vessel ones)
    chains.sort(key=lambda c: (len(c), c[0].part.kind == "tile"), reverse=True)
    # "spawn": a fork of a process holding threads (a web server, a Dask client) may hang
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as ex:
        done = list(ex.map(run_chain, chains, [p.suite_bytes] * len(chains)))
    return merge([r for r, _ in done], p.names), sum(n for _, n in done)


#: What runs a plan: :func:`run_local`, :func:`jinghai.detect.distributed.run_dask`, ...
Executor = Callable[[Plan], tuple[dict[str, list[Event]], int]]
