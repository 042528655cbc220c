"""Positions as plain numpy columns, and the vessel facts detectors need.

The AIS store writes Parquet with the columns of :data:`COLUMNS`; detectors accept that as a
pandas DataFrame or a pyarrow Table (or a dict of arrays) and turn it into
:class:`Positions` once, so the algorithms are numpy all the way down. Time is kept as
int64 milliseconds since the epoch (UTC): integer arithmetic keeps slot boundaries exact,
which is what makes live and batch runs agree to the millisecond.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import NDArray

from jinghai.errors import InvalidInput

#: column -> numpy dtype of the position contract (see issue 3's store).
COLUMNS: dict[str, Any] = {
    "mmsi": np.int64, "ts": np.int64, "lon": np.float64, "lat": np.float64,
    "sog": np.float32, "cog": np.float32, "heading": np.int16, "nav_status": np.int8,
    "msg_type": np.int8,
}
REQUIRED = ("mmsi", "ts", "lon", "lat")
#: Fill values for optional columns: NaN speed/course means "not available" (AIS 102.3 /
#: 360), heading 511 and nav status 15 are AIS's own "not available" codes.
DEFAULTS: dict[str, Any] = {"sog": np.nan, "cog": np.nan, "heading": 511, "nav_status": 15,
                            "msg_type": 0}


@dataclass
class Positions:
    """Columns of equal length; ``ts`` in int64 ms UTC."""

    mmsi: NDArray[np.int64]
    ts: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    sog: NDArray[np.float32]
    cog: NDArray[np.float32]
    heading: NDArray[np.int16]
    nav_status: NDArray[np.int8]
    msg_type: NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, idx: NDArray[Any]) -> Positions:
        return Positions(**{c: getattr(self, c)[idx] for c in COLUMNS})

    @classmethod
    def empty(cls) -> Positions:
        return cls(**{c: np.empty(0, dtype=t) for c, t in COLUMNS.items()})

    @classmethod
    def concat(cls, parts: Iterable[Positions]) -> Positions:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(**{c: np.concatenate([getattr(p, c) for p in parts]) for c in COLUMNS})

    def sorted_by_vessel(self) -> Positions:
        """Sorted by (mmsi, ts); stable, so equal keys keep arrival order."""
        return self.take(np.lexsort((self.ts, self.mmsi)))


def _ts_to_ms(values: Any) -> NDArray[np.int64]:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values.astype(np.int64)
    s = pd.Series(values)
    if s.dtype.kind in "iu":
        return s.to_numpy(np.int64)
    if not isinstance(s.dtype, pd.DatetimeTZDtype):
        if s.dtype.kind == "M":
            raise InvalidInput("ts has no time zone; positions must be timezone-aware UTC "
                               "(e.g. df.ts.dt.tz_localize('UTC'))")
        s = pd.to_datetime(s, utc=True)
    return s.dt.tz_convert("UTC").dt.as_unit("ms").astype("int64").to_numpy()


def to_positions(data: Any) -> Positions:
    """Accept a DataFrame, pyarrow Table/RecordBatch, mapping of arrays or Positions.

    Strict on the contract (missing required columns, naive timestamps raise
    :class:`InvalidInput`), tolerant on values: rows with the AIS "not available"
    coordinates (lon 181, lat 91) or NaN are dropped, as the store may keep them.
    """
    if isinstance(data, Positions):
        return data
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        data = data.to_pandas()
    if isinstance(data, Mapping):
        data = pd.DataFrame(dict(data))
    if not isinstance(data, pd.DataFrame):
        raise InvalidInput(f"positions must be a DataFrame or pyarrow Table, not {type(data)}")
    missing = [c for c in REQUIRED if c not in data.columns]
    if missing:
        raise InvalidInput(f"positions lack columns {missing}; expected {list(COLUMNS)}")
    cols: dict[str, NDArray[Any]] = {}
    n = len(data)
    for c, t in COLUMNS.items():
        if c == "ts":
            cols[c] = _ts_to_ms(data[c])
        elif c in data.columns:
            v = data[c]
            if c in DEFAULTS and v.isna().any():
                v = v.fillna(DEFAULTS[c])
            cols[c] = v.to_numpy().astype(t, copy=False)
        else:
            cols[c] = np.full(n, DEFAULTS[c], dtype=t)
    p = Positions(**cols)
    ok = ((np.abs(p.lon) <= 180) & (np.abs(p.lat) <= 90) & np.isfinite(p.lon)
          & np.isfinite(p.lat))
    sog = p.sog
    p.sog = np.where((sog >= 102.2) | (sog < 0), np.nan, sog).astype(np.float32)
    return p if ok.all() else p.take(np.flatnonzero(ok))


@dataclass(frozen=True)
class VesselStatic:
    """Static facts about one MMSI (from AIS type 5/24 or the registry)."""

    name: str | None = None
    callsign: str | None = None
    ship_type: int | None = None
    length: float | None = None


@dataclass
class Fleet:
    """Which vessels are whose: the classes the detectors treat differently.

    ``own_mmsis``: the task force's own patrol boats; never flagged (a patrol boat alongside a
    suspect is the response, not the threat). ``fishing_mmsis``: registry fishing vessels
    under 24-hour control (issue 3's registry). ``static``: facts per MMSI.
    """

    own_mmsis: frozenset[int] = frozenset()
    fishing_mmsis: frozenset[int] = frozenset()
    static: dict[int, VesselStatic] = field(default_factory=dict)

    @classmethod
    def build(cls, own_mmsis: Iterable[int] = (), fishing_mmsis: Iterable[int] = (),
              static: Mapping[int, Any] | pd.DataFrame | None = None) -> Fleet:
        table: dict[int, VesselStatic] = {}
        if isinstance(static, pd.DataFrame):
            static = {int(r["mmsi"]): r for r in static.to_dict("records")}
        for mmsi, rec in (static or {}).items():
            if isinstance(rec, VesselStatic):
                table[int(mmsi)] = rec
                continue
            rec = dict(rec)

            def clean(v: Any) -> Any:
                return None if v is None or (isinstance(v, float) and np.isnan(v)) else v
            st, ln = clean(rec.get("ship_type")), clean(rec.get("length"))
            table[int(mmsi)] = VesselStatic(
                name=clean(rec.get("name")), callsign=clean(rec.get("callsign")),
                ship_type=int(st) if st is not None else None,
                length=float(ln) if ln is not None else None)
        return cls(frozenset(int(m) for m in own_mmsis),
                   frozenset(int(m) for m in fishing_mmsis), table)

    def is_fishing(self, mmsi: int) -> bool:
        st = self.static.get(mmsi)
        return mmsi in self.fishing_mmsis or (st is not None and st.ship_type == 30)

    def is_small_craft(self, mmsi: int, msg_type: int | None = None) -> bool:
        """Under 24 m (the length from which the Torremolinos/Cape Town fishing-vessel
        safety rules apply, i.e. "small" in maritime law), pleasure/sailing craft (AIS types
        36, 37), or unknown length on a class-B transponder (types 18, 19, 24)."""
        st = self.static.get(mmsi)
        if st is not None and st.length is not None and st.length > 0:
            return st.length < 24.0
        if st is not None and st.ship_type in (36, 37):
            return True
        return msg_type in (18, 19, 24)


__all__ = ["COLUMNS", "Fleet", "Positions", "VesselStatic", "to_positions"]
