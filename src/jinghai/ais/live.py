"""The live sea picture: the latest state of every vessel heard, and what kind it is.

:class:`LiveTracker` listens to the ingestor (``Ingestor.add_listener``): each batch of new,
de-duplicated positions moves the vessels it names. A version counter goes up with every
change, so the map asks only for what changed since the version it already has.

Kinds, in the order they are decided (the map colours them, the legend names them):

* ``own`` — the task force's own patrol boats (``settings.own_mmsis``; the same set
  ``jinghai.detect.positions.Fleet.own_mmsis`` holds);
* ``fishing`` — a registry fishing vessel (``jinghai.vessels``) by its MMSI;
* ``chinese`` — any other vessel whose MMSI has a Chinese MID (412, 413, 414);
* ``foreign`` — a ship station with any other MID (MMSI 2xxxxxxxx–7xxxxxxxx);
* ``other`` — not a ship station: base stations, aids to navigation, SAR aircraft,
  handhelds (ITU-R M.585 number formats).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

import pyarrow as pa

__all__ = ["KIND_LABELS", "LiveTracker", "RegistryRef", "VesselState", "classify"]

KIND_LABELS = {
    "own": "本方巡逻船",
    "fishing": "名录渔船",
    "chinese": "其他中国籍船舶",
    "foreign": "外籍船舶",
    "other": "其他AIS设备",
}
#: Chinese MIDs (ITU): 412, 413, 414 (mainland). 453 (Macao) and 477 (Hong Kong) are
#: separate administrations and count as foreign here, as the plan's border control does.
CHINESE_MIDS = frozenset({412, 413, 414})


@dataclass(frozen=True)
class RegistryRef:
    """A registry fishing vessel behind an MMSI: enough for the map to name and link it."""

    vessel_id: int
    registry_no: str
    name: str


@dataclass(frozen=True)
class VesselState:
    """One vessel's latest report as the map shows it."""

    mmsi: int
    ts: datetime
    lon: float
    lat: float
    sog: float | None
    cog: float | None
    heading: int | None
    nav_status: int | None
    msg_type: int
    receivers: str
    kind: str
    name: str | None
    registry_no: str | None
    vessel_id: int | None
    version: int

    def to_json(self) -> dict:
        d = asdict(self)
        d["ts"] = self.ts.isoformat()
        return d


def mid_of(mmsi: int) -> int | None:
    """The MID of a ship station's MMSI (first three of nine digits), else None."""
    if 200_000_000 <= mmsi <= 799_999_999:
        return mmsi // 1_000_000
    return None


def classify(mmsi: int, own: Iterable[int] | frozenset[int] = (),
             registry: Mapping[int, object] | None = None) -> str:
    if mmsi in own:
        return "own"
    if registry and mmsi in registry:
        return "fishing"
    mid = mid_of(mmsi)
    if mid is None:
        return "other"
    return "chinese" if mid in CHINESE_MIDS else "foreign"


def _none_if_na(value, na) -> float | int | None:
    if value is None or value == na:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class LiveTracker:
    """Latest state per MMSI, fed by ingestor batches; thread-safe.

    ``max_age``: a vessel not heard for this long leaves the live picture (it is still in
    the store). Removals are versioned too, so a client that polls with ``since`` learns
    which markers to take away; a client too far behind gets a full snapshot instead.
    """

    def __init__(self, *, own_mmsis: Iterable[int] = (),
                 registry: Mapping[int, RegistryRef] | None = None,
                 max_age: timedelta = timedelta(hours=6), removal_log: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._own = frozenset(int(m) for m in own_mmsis)
        self._registry: dict[int, RegistryRef] = dict(registry or {})
        self._names: dict[int, str] = {}
        self._states: dict[int, VesselState] = {}
        self._removed: deque[tuple[int, int]] = deque(maxlen=removal_log)
        self._horizon = 0  # changes at or below this version may be missing from the log
        self.max_age = max_age
        self.version = 0

    # -- feeding ---------------------------------------------------------------------------

    def update(self, positions: pa.Table) -> int:
        """Take a batch of the position schema; returns how many vessels moved. Older
        reports than the one held (a late file, a slow receiver) do not move a vessel."""
        if positions.num_rows == 0:
            return 0
        cols = {name: positions.column(name).to_pylist() for name in (
            "mmsi", "ts", "lon", "lat", "sog", "cog", "heading", "nav_status", "msg_type")}
        receivers = (positions.column("receivers").to_pylist()
                     if "receivers" in positions.column_names else [""] * positions.num_rows)
        latest: dict[int, int] = {}
        for i, (mmsi, ts) in enumerate(zip(cols["mmsi"], cols["ts"], strict=True)):
            j = latest.get(mmsi)
            if j is None or ts >= cols["ts"][j]:
                latest[mmsi] = i
        moved = 0
        with self._lock:
            version = self.version + 1
            for mmsi, i in latest.items():
                ts = cols["ts"][i]
                if ts.tzinfo is None:
                    ts = ts.replace(tzinfo=UTC)
                old = self._states.get(mmsi)
                if old is not None and ts < old.ts:
                    continue
                self._states[mmsi] = VesselState(
                    mmsi=mmsi, ts=ts, lon=float(cols["lon"][i]), lat=float(cols["lat"][i]),
                    sog=_none_if_na(cols["sog"][i], 102.3),
                    cog=_none_if_na(cols["cog"][i], 360.0),
                    heading=_none_if_na(cols["heading"][i], 511),
                    nav_status=cols["nav_status"][i], msg_type=int(cols["msg_type"][i] or 0),
                    receivers=receivers[i] or "", version=version,
                    **self._identity(mmsi))
                moved += 1
            if moved:
                self.version = version
        return moved

    def _identity(self, mmsi: int) -> dict:
        ref = self._registry.get(mmsi)
        return {"kind": classify(mmsi, self._own, self._registry),
                # The registry's (Chinese) name first: it is what the task force calls it.
                "name": (ref.name if ref else None) or self._names.get(mmsi),
                "registry_no": ref.registry_no if ref else None,
                "vessel_id": ref.vessel_id if ref else None}

    def _restamp(self, mmsis: Iterable[int]) -> None:
        """Re-derive identity of held vessels (lock held); bump the version if any changed."""
        version = self.version + 1
        changed = False
        for mmsi in mmsis:
            st = self._states.get(mmsi)
            if st is None:
                continue
            new = replace(st, **self._identity(mmsi), version=version)
            if replace(new, version=st.version) != st:
                self._states[mmsi] = new
                changed = True
        if changed:
            self.version = version

    def set_names(self, names: Mapping[int, str | None]) -> None:
        """Names from AIS static data (``AisVessel``), e.g. after a static-listener call."""
        with self._lock:
            for mmsi, name in names.items():
                if name:
                    self._names[int(mmsi)] = name.strip()
            self._restamp([int(m) for m in names])

    def set_registry(self, registry: Mapping[int, RegistryRef]) -> None:
        """The registry's MMSIs changed (a vessel added, its MMSI corrected, deregistered)."""
        with self._lock:
            touched = set(self._registry) | set(registry)
            self._registry = dict(registry)
            self._restamp(touched)

    def set_own(self, own_mmsis: Iterable[int]) -> None:
        with self._lock:
            touched = set(self._own)
            self._own = frozenset(int(m) for m in own_mmsis)
            self._restamp(touched | set(self._own))

    def expire(self, now: datetime | None = None) -> list[int]:
        """Drop vessels not heard for ``max_age``; returns their MMSIs."""
        cutoff = (now or datetime.now(UTC)) - self.max_age
        with self._lock:
            gone = [m for m, st in self._states.items() if st.ts < cutoff]
            if not gone:
                return []
            self.version += 1
            for mmsi in gone:
                del self._states[mmsi]
                if len(self._removed) == self._removed.maxlen:
                    self._horizon = self._removed[0][0]
                self._removed.append((self.version, mmsi))
            return gone

    # -- reading ---------------------------------------------------------------------------

    @property
    def own_mmsis(self) -> frozenset[int]:
        return self._own

    def changes(self, since: int = 0) -> dict:
        """What changed after version ``since``: ``{version, full, vessels, removed}``.
        ``full`` means "forget what you have": since is 0, from the future (the server
        restarted) or older than the removal log reaches."""
        with self._lock:
            full = since <= 0 or since > self.version or since < self._horizon
            if full:
                vessels = list(self._states.values())
                removed: list[int] = []
            else:
                vessels = [s for s in self._states.values() if s.version > since]
                removed = [m for v, m in self._removed if v > since and m not in self._states]
            return {"version": self.version, "full": full, "vessels": vessels,
                    "removed": removed}

    def get(self, mmsi: int) -> VesselState | None:
        with self._lock:
            return self._states.get(mmsi)

    def snapshot(self) -> list[VesselState]:
        with self._lock:
            return list(self._states.values())

    def __len__(self) -> int:
        return len(self._states)

    def search(self, q: str, limit: int = 20) -> list[VesselState]:
        """Vessels whose name, MMSI or registry number contains ``q`` (case-insensitive;
        spaces ignored, so "zhe yong yu" finds ZHEYONGYU60123)."""
        needle = "".join(q.split()).upper()
        if not needle:
            return []
        out = []
        with self._lock:
            for st in self._states.values():
                hay = [str(st.mmsi), "".join((st.name or "").split()).upper(),
                       (st.registry_no or "").upper()]
                if any(needle in h for h in hay):
                    out.append(st)
        out.sort(key=lambda s: (not str(s.mmsi).startswith(needle), s.name or "", s.mmsi))
        return out[:limit]
