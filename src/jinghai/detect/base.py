"""The detector family's shared machinery: one code path for live and batch.

Every detector is fed positions in batches (``feed``); a batch run is simply feeding all the
data at once and flushing (``run``). What makes the two agree exactly is that a detector
never decides on partial time: positions wait in a buffer until the *watermark* (latest
time seen minus ``lateness_s``) has passed the end of their time slot, and then all
complete slots are processed together, in time order, by the detector's ``_process``.
Whether those slots arrive in one call or in a thousand, the rows handed to the state
machines are the same, in the same order — so are the events. A position older than the
last processed slot is late: it is dropped and counted in ``late_dropped``.

:class:`RunTracker` is the state machine most detectors share: a condition per position
(0 = no, 1 = continues an ongoing run, 2 = starts or continues one: two levels make
hysteresis), runs that survive a grace period of contrary fixes (a single bad fix does not
end a run), and that end after ``max_gap_s`` of silence. Its per-run state changes only at
run boundaries, so it is fed segments (stretches of equal condition), not single positions,
which keeps the Python loop small while numpy does the per-position work.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from jinghai.detect.events import Event, iso_ms, ms_to_dt
from jinghai.detect.positions import Fleet, Positions, to_positions
from jinghai.geo.index import ZoneIndex
from jinghai.geo.zones import Zone


def meta(label: str, unit: str, meaning: str, source: str) -> dict[str, str]:
    """What the settings page shows of a parameter: Chinese name, unit, plain meaning and
    where the default comes from."""
    return {"label": label, "unit": unit, "meaning": meaning, "source": source}


def param(default: Any = dataclasses.MISSING, label: str = "", unit: str = "",
          meaning: str = "", source: str = "", *,
          factory: Callable[[], Any] | None = None) -> Any:
    """A detector parameter: its default and its documentation as field metadata."""
    md = meta(label, unit, meaning, source)
    if factory is not None:
        return field(default_factory=factory, metadata=md)
    return field(default=default, metadata=md)


@dataclass(frozen=True)
class DetectorParams:
    """Shared timing parameters.

    slot_s: seconds; positions are decided in slots this long. Latency in live mode is at
        most one slot plus ``lateness_s``. 60 s: class-A AIS reports every 2–10 s under way
        and every 3 min at anchor (ITU-R M.1371-5, Table 1), so a minute holds news for most
        vessels without waiting long.
    lateness_s: seconds to wait for out-of-order positions (several receivers, satellite
        relays) before a slot is decided. 0 by default: the store hands positions over in
        receive-time order.
    """

    slot_s: int = param(
        60, "判定时间片", "秒",
        "船位按此长度的时间片判定；实时延迟最多一个时间片",
        "A 类船舶航行中每 2–10 秒、锚泊每 3 分钟报告一次（ITU-R M.1371-5 表 1）")
    lateness_s: int = param(
        0, "乱序等待", "秒",
        "等待迟到船位的时间；仓库按接收顺序提供时为 0",
        "按推理：多接收站或卫星转发时才需要")


@dataclass(frozen=True)
class Route:
    """Who acts on one kind of finding by default: working groups (keys of the operation
    template), whether the sub-district of the place joins, a fixed severity (``None``:
    the detector's score decides), zone kinds the rule is limited to, and whether a night
    finding is red. The alert side routes by these (``jinghai.alerts.routing``)."""

    kind: str
    groups: tuple[str, ...]
    sub_district: bool = False
    severity: str | None = None
    zone_kinds: tuple[str, ...] = ()
    night_red: bool = False


class Detector(ABC):
    """Base of the family: ``XDetector(params).run(positions) -> list[Event]``.

    Each detector declares what the rest of the platform needs to know about it: ``name``,
    a Chinese ``label``, the event ``kinds`` it reports (kind -> Chinese label), its default
    ``routes``, and its parameters with their metadata (``Params``; see :func:`param`)."""

    name: ClassVar[str]
    version: ClassVar[str]
    label: ClassVar[str] = ""
    kinds: ClassVar[dict[str, str]] = {}
    routes: ClassVar[tuple[Route, ...]] = ()
    Params: ClassVar[type[DetectorParams]] = DetectorParams
    #: Attributes a probe's copy shares with the detector instead of copying: inputs that
    #: processing reads but never changes (subclasses add theirs).
    _shared_in_probe: ClassVar[tuple[str, ...]] = ("params", "zones", "fleet",
                                                   "params_snapshot")

    def __init__(self, params: DetectorParams | None = None, *,
                 zones: ZoneIndex | Iterable[Zone] | None = None,
                 fleet: Fleet | None = None) -> None:
        self.params = params if params is not None else self.Params()
        if zones is None:
            zones = ZoneIndex([])
        self.zones = zones if isinstance(zones, ZoneIndex) else ZoneIndex(zones)
        self.fleet = fleet or Fleet()
        self._slot_ms = int(self.params.slot_s * 1000)
        self._late_ms = int(self.params.lateness_s * 1000)
        self._pending: list[Positions] = []
        self._boundary: int | None = None
        self._max_ts: int | None = None
        self._events: dict[str, Event] = {}
        self._changed: dict[str, Event] = {}
        self.late_dropped = 0
        self.positions_seen = 0
        self.params_snapshot: dict[str, Any] = {
            k: (sorted(v) if isinstance(v, (set, frozenset)) else v)
            for k, v in dataclasses.asdict(self.params).items()}

    # -- the verbs -------------------------------------------------------------------
    def run(self, positions: Any) -> list[Event]:
        """Batch: feed everything, flush, return every event (open ones stay open)."""
        self.feed(positions)
        self.flush()
        return self.events()

    def feed(self, batch: Any) -> list[Event]:
        """Live: take a batch; return events opened, updated or closed by it."""
        pos = _shared.positions(batch)
        self.positions_seen += len(pos)
        if len(pos):
            if self._boundary is not None:
                late = pos.ts <= self._boundary
                if late.any():
                    self.late_dropped += int(late.sum())
                    pos = pos.take(np.flatnonzero(~late))
            if len(pos):
                self._pending.append(pos)
                m = int(pos.ts.max())
                self._max_ts = m if self._max_ts is None else max(self._max_ts, m)
                watermark = self._max_ts - self._late_ms
                nb = ((watermark - 1) // self._slot_ms) * self._slot_ms
                if self._boundary is None or nb > self._boundary:
                    self._advance(nb)
        return self._take_changes()

    def flush(self) -> list[Event]:
        """Decide every buffered position now (end of a batch run or of a replay)."""
        if self._max_ts is not None:
            nb = -((-self._max_ts) // self._slot_ms) * self._slot_ms
            if self._boundary is None or nb > self._boundary:
                self._advance(nb)
        return self._take_changes()

    def events(self) -> list[Event]:
        return sorted(self._events.values(), key=lambda e: (e.start, e.id))

    def probe(self) -> list[Event]:
        """Live: the events a decision *now* would open, update or close, without deciding.

        ``feed`` decides a slot only once the watermark has passed its end, so a live
        finding would wait up to a slot (60 s) for positions that may not come. A probe
        decides a copy of the detector on every buffered position up to the watermark
        (time is then the watermark, not the slot's end: a silence is measured to the
        latest position heard, never to a future instant) and returns what changed in the
        copy; the detector itself is untouched, so what it later decides slot by slot, and
        the events of a batch run, stay exactly as they were. A zone entry is thus seen on
        the position that enters, a duration condition on the first position after the
        duration. Event ids are deterministic, so the slot's own decision later updates
        the same alert."""
        if self._max_ts is None or not self._pending:
            return []
        watermark = self._max_ts - self._late_ms
        if self._boundary is not None and watermark <= self._boundary:
            return []
        twin = copy.deepcopy(self, {id(getattr(self, a)): getattr(self, a)
                                    for a in self._shared_in_probe if hasattr(self, a)})
        twin._changed = {}
        twin._advance(watermark)
        return twin._take_changes()

    def drain(self) -> list[Event]:
        """Hand over the closed events and forget them: a long batch run that records
        them as it goes holds only the open ones, so its memory does not grow with the
        period (events carry their track snippets). A closed event is final; open ones
        stay, as their state is still needed."""
        done = [e for e in self._events.values() if e.status == "closed"]
        for e in done:
            del self._events[e.id]
        return sorted(done, key=lambda e: (e.start, e.id))

    # -- machinery -------------------------------------------------------------------
    def _advance(self, new_boundary: int) -> None:
        rows, rest = _shared.split(self._pending, new_boundary, self.fleet.own_mmsis)
        self._pending = [rest] if len(rest) else []
        t0 = self._boundary
        self._boundary = new_boundary
        self._process(rows, t0, new_boundary)

    @abstractmethod
    def _process(self, rows: Positions, t0: int | None, t1: int) -> None:
        """Decide rows with ``t0 < ts <= t1`` (sorted by mmsi, ts); time is now ``t1``."""

    def _emit(self, event: Event) -> None:
        self._events[event.id] = event
        self._changed[event.id] = event

    def _take_changes(self) -> list[Event]:
        out = list(self._changed.values())
        self._changed = {}
        return out


class _SharedPass:
    """The work every detector of a suite repeats on the same batch, done once.

    The detectors of a suite are fed the same batches in turn and (with the same slot and
    lateness) cut them at the same boundaries, so the conversion of a batch to
    :class:`Positions` and the split-and-sort by (mmsi, ts) of the buffered rows are the
    same for all of them. Each is remembered for its last input, recognised by identity
    (the inputs are held, so an id cannot be reused meanwhile): the second detector gets
    the first one's result — the very same objects, so its buffer is shared too and the
    next split is found again. Results are read-only by contract (no detector writes into
    its rows); a detector fed other batches simply computes its own.
    """

    def __init__(self) -> None:
        self._conv: tuple[Any, Positions] | None = None
        self._splits: list[tuple[tuple[Positions, ...], int, frozenset[int], Positions,
                                 Positions]] = []

    def positions(self, batch: Any) -> Positions:
        if isinstance(batch, Positions):
            return batch
        last = self._conv
        if last is not None and last[0] is batch:
            return last[1]
        pos = to_positions(batch)
        self._conv = (batch, pos)
        return pos

    def split(self, pending: list[Positions], boundary: int, own: frozenset[int]
              ) -> tuple[Positions, Positions]:
        """Rows up to ``boundary`` sorted by (mmsi, ts) without ``own`` vessels, and the
        rest in arrival order."""
        parts = tuple(pending)
        for p_, b_, o_, rows, rest in self._splits:
            if (b_ == boundary and len(p_) == len(parts) and o_ == own
                    and all(a is b for a, b in zip(p_, parts, strict=True))):
                return rows, rest
        allp = Positions.concat(parts)
        sel = allp.ts <= boundary
        if own and len(allp):
            sel_rows = sel & ~np.isin(allp.mmsi, np.fromiter(own, np.int64))
        else:
            sel_rows = sel
        # one take of the rows kept, in (mmsi, ts) order (the stable sort of the kept rows
        # is the order the sort of all rows, then filtered, would give)
        i = np.flatnonzero(sel_rows)
        rows = allp.take(i[np.lexsort((allp.ts[i], allp.mmsi[i]))])
        rest = Positions.empty() if sel.all() else allp.take(np.flatnonzero(~sel))
        # two entries: a batch run (``run``) splits at the batch's watermark and then at
        # the flush, and the next detector starts again at the first
        self._splits = [*self._splits[-1:], (parts, boundary, own, rows, rest)]
        return rows, rest

    def clear(self) -> None:
        """Drop what is remembered (the last batch and its sorted copy)."""
        self._conv = None
        self._splits = []


_shared = _SharedPass()


# ---------------------------------------------------------------------------- runs
@dataclass
class Run:
    """One ongoing stretch of a condition for one key (a vessel, a pair, vessel+zone)."""

    key: int
    start: int
    last_true: int
    last_seen: int
    first: dict[str, Any]
    last: dict[str, Any]
    n: int = 0
    false_since: int | None = None
    false_count: int = 0
    qualified: bool = False
    track: list[tuple[Any, ...]] = field(default_factory=list)
    snip_ms: int = 60_000
    extra: dict[str, Any] = field(default_factory=dict)


RunAction = tuple[str, Run]  # ("update" | "close", run)


class RunTracker:
    """Runs of a per-row condition per key, with grace, silence timeout and thinning.

    A run *qualifies* (becomes an event) when it has lasted ``min_duration_ms`` over at
    least ``min_rows`` positions and ``qualify(run)`` agrees; it ends when the condition has
    been false for ``grace_ms`` AND ``grace_fixes`` positions, or after ``max_gap_ms``
    without any position. Its end time is its last true position.
    """

    def __init__(self, *, min_duration_ms: int, grace_ms: int, grace_fixes: int,
                 max_gap_ms: int, snippet_cols: tuple[str, ...], min_rows: int = 1,
                 snippet_ms: int = 60_000, snippet_max: int = 240,
                 qualify: Callable[[Run], bool] | None = None,
                 mins: tuple[str, ...] = (), first_true: tuple[str, ...] = ()) -> None:
        self.min_duration_ms = min_duration_ms
        self.grace_ms = grace_ms
        self.grace_fixes = grace_fixes
        self.max_gap_ms = max_gap_ms
        self.min_rows = min_rows
        self.snippet_cols = snippet_cols
        self.snippet_ms = snippet_ms
        self.snippet_max = snippet_max
        self.qualify = qualify
        # Exact minima per run (e.g. closest approach): order-independent across batches.
        self.mins = mins
        # First time a boolean column held within the run (e.g. "stopped" in a port visit).
        self.first_true = first_true
        self.runs: dict[int, Run] = {}

    def process(self, key: NDArray[np.int64], ts: NDArray[np.int64], cond: NDArray[np.int8],
                cols: dict[str, NDArray[Any]]) -> list[RunAction]:
        """Rows sorted by (key, ts). Returns actions in a deterministic order."""
        actions: list[RunAction] = []
        n = len(ts)
        if n == 0:
            return actions
        brk = np.ones(n, dtype=bool)
        brk[1:] = (key[1:] != key[:-1]) | (cond[1:] != cond[:-1]) | (
            ts[1:] - ts[:-1] > self.max_gap_ms)
        starts = np.flatnonzero(brk)
        ends = np.append(starts[1:], n) - 1
        # Segments of keys without a run whose condition is 0 do nothing: skip them in numpy.
        # (keys with an open run, or with a run that may start in this batch, do).
        live_keys = np.concatenate([np.fromiter(self.runs.keys(), np.int64, len(self.runs)),
                                    np.unique(key[cond == 2])])
        interesting = (cond[starts] == 2) | np.isin(key[starts], live_keys)
        seg_key = key[starts].tolist()
        seg_cond = cond[starts].tolist()
        for s in np.flatnonzero(interesting).tolist():
            i0, i1 = int(starts[s]), int(ends[s])
            k, c = seg_key[s], seg_cond[s]
            run = self.runs.get(k)
            t_first = int(ts[i0])
            if run is not None and t_first - run.last_seen > self.max_gap_ms:
                actions.append(("close", self._close(run)))
                run = None
            if c == 0 or (c == 1 and run is None):
                if run is None:
                    continue
                if run.false_since is None:
                    run.false_since = t_first
                run.false_count += i1 - i0 + 1
                run.last_seen = int(ts[i1])
                if (run.false_count >= self.grace_fixes
                        and run.last_seen - run.false_since >= self.grace_ms):
                    actions.append(("close", self._close(run)))
                continue
            if run is None:
                first = {c_: cols[c_][i0].item() for c_ in cols}
                run = Run(key=k, start=t_first, last_true=t_first, last_seen=t_first,
                          first=first, last=first, snip_ms=self.snippet_ms)
                self.runs[k] = run
            run.false_since = None
            run.false_count = 0
            run.n += i1 - i0 + 1
            run.last_true = run.last_seen = int(ts[i1])
            run.last = {c_: cols[c_][i1].item() for c_ in cols}
            self._append_track(run, ts, cols, i0, i1)
            for c_ in self.first_true:
                if "first_" + c_ not in run.extra:
                    seg = cols[c_][i0:i1 + 1]
                    if seg.any():
                        run.extra["first_" + c_] = int(ts[i0 + int(np.argmax(seg))])
            for c_ in self.mins:
                m = cols[c_][i0:i1 + 1].min().item()
                run.extra["min_" + c_] = min(run.extra.get("min_" + c_, m), m)
            if not run.qualified:
                if (run.last_true - run.start >= self.min_duration_ms and run.n >= self.min_rows
                        and (self.qualify is None or self.qualify(run))):
                    run.qualified = True
                    actions.append(("update", run))
            else:
                actions.append(("update", run))
        return actions

    def tick(self, now: int) -> list[RunAction]:
        """Close runs silent for longer than ``max_gap_ms`` at time ``now``."""
        out: list[RunAction] = []
        for k in sorted(self.runs):
            run = self.runs[k]
            if now - run.last_seen > self.max_gap_ms:
                out.append(("close", self._close(run)))
        return out

    def _close(self, run: Run) -> Run:
        del self.runs[run.key]
        return run

    def _append_track(self, run: Run, ts: NDArray[np.int64], cols: dict[str, NDArray[Any]],
                      i0: int, i1: int) -> None:
        # Thinning keeps the first position of each absolute time bucket, so the snippet
        # does not depend on how the data was split into batches (see module docstring).
        seg_ts = ts[i0:i1 + 1]
        b = seg_ts // run.snip_ms
        last_b = run.track[-1][0] // run.snip_ms if run.track else None
        keep = np.ones(len(b), dtype=bool)
        keep[1:] = b[1:] != b[:-1]
        if last_b is not None:
            keep &= b != last_b
        idx = np.flatnonzero(keep) + i0
        if len(idx):
            arrays = [ts[idx].tolist()] + [cols[c][idx].tolist() for c in self.snippet_cols]
            run.track.extend(zip(*arrays, strict=True))
        while len(run.track) > self.snippet_max:
            run.snip_ms *= 2
            thinned: list[tuple[Any, ...]] = []
            prev = None
            for row in run.track:
                bb = row[0] // run.snip_ms
                if bb != prev:
                    thinned.append(row)
                    prev = bb
            run.track = thinned


def latest_actions(actions: list[RunAction]) -> list[RunAction]:
    """The last action per qualified run, in first-seen order: one event write per run per
    processing step, however many segments touched it."""
    latest: dict[int, RunAction] = {}
    for act, run in actions:
        if run.qualified:
            latest.pop(id(run), None)
            latest[id(run)] = (act, run)
    return list(latest.values())


def vessel_track(run: Run, mmsi: int) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Track snippet and source refs of a single-vessel run (snippet cols lon, lat, sog)."""
    if not run.track:
        return [], []
    arr = np.asarray(run.track, dtype=np.float64)
    iso = iso_ms(arr[:, 0])
    lon = np.round(arr[:, 1], 6).tolist()
    lat = np.round(arr[:, 2], 6).tolist()
    sog = [None if math.isnan(x) else x for x in np.round(arr[:, 3], 1).tolist()]
    track = [{"mmsi": mmsi, "ts": a, "lon": b, "lat": c, "sog": d}
             for a, b, c, d in zip(iso, lon, lat, sog, strict=True)]
    return track, [(mmsi, a) for a in iso]


def local_hour(ms: int, tz: str = "Asia/Shanghai") -> int:
    return ms_to_dt(ms).astimezone(ZoneInfo(tz)).hour


def is_night(ms: int, start_hour: int, end_hour: int) -> bool:
    h = local_hour(ms)
    return h >= start_hour or h < end_hour if start_hour > end_hour else start_hour <= h < end_hour


def segment_cond(inner: NDArray[np.bool_], outer: NDArray[np.bool_]) -> NDArray[np.int8]:
    """Hysteresis as two levels: 2 where the strict test holds, 1 where only the loose one."""
    return np.where(inner, 2, np.where(outer, 1, 0)).astype(np.int8)


def round6(x: float) -> float:
    return round(float(x), 6)


__all__ = [
    "Detector",
    "DetectorParams",
    "Route",
    "Run",
    "RunTracker",
    "is_night",
    "latest_actions",
    "local_hour",
    "segment_cond",
    "vessel_track",
]
