"""What a detector finds: an :class:`Event`, with everything needed to judge it later.

An event carries the detector's name, version and a snapshot of its parameters (so a finding
can be re-judged after the defaults change), its source messages (MMSI + time, enough to
fetch the raw sentences from the store) and a thinned track snippet for the map replay.

Its id is a hash of detector, version, vessels, start time and a discriminator (a zone id,
say); the same behaviour found live or in a re-run over the archive gets the same id, which
is how the alert side keeps one alert per ongoing event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

Status = Literal["open", "closed"]


def ms_to_dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000.0, tz=UTC)


def iso_ms(ms: Any) -> list[str]:
    """ISO 8601 UTC strings for many epoch-ms values at once (tracks, refs); ~50× faster
    than ``datetime.isoformat`` in a loop, which dominated event building."""
    arr = np.asarray(ms, dtype=np.int64).astype("datetime64[ms]")
    return [x + "Z" for x in np.datetime_as_string(arr, unit="ms").tolist()]


def event_id(detector: str, version: str, vessels: tuple[int, ...], start_ms: int,
             discriminator: str = "") -> str:
    key = f"{detector}|{version}|{','.join(map(str, sorted(vessels)))}|{start_ms}|{discriminator}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def severity_of(score: float) -> str:
    """A hint for the alert side; the routing rules decide the final severity."""
    return "high" if score >= 0.7 else "medium" if score >= 0.4 else "low"


@dataclass
class Event:
    """One finding; ``status`` is ``open`` while the behaviour goes on."""

    id: str
    detector: str
    version: str
    kind: str
    status: Status
    start: datetime
    end: datetime
    vessels: tuple[int, ...]
    lon: float | None  # None when the finding has no place (a name change)
    lat: float | None
    score: float
    severity: str
    params: dict[str, Any]
    zone_id: str | None = None
    refs: list[tuple[int, str]] = field(default_factory=list)
    track: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        # shallow copies: ``dataclasses.asdict`` deep-copied every track point and took
        # most of the time of recording a batch of events as alerts
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["params"] = dict(self.params)
        d["details"] = dict(self.details)
        d["track"] = [dict(p) for p in self.track]
        d["start"] = self.start.isoformat()
        d["end"] = self.end.isoformat()
        d["vessels"] = list(self.vessels)
        d["refs"] = [list(r) for r in self.refs]
        return d


__all__ = ["Event", "event_id", "iso_ms", "ms_to_dt", "severity_of"]
