"""Events as detectors make them, for alert tests that need no AIS run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jinghai.detect.events import Event, event_id, severity_of

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def make_event(kind: str = "encounter", vessels: tuple[int, ...] = (412300001, 413500001), *,
               detector: str | None = None, start: datetime = T0, minutes: float = 40,
               status: str = "open", score: float = 0.8, zone_id: str | None = None,
               lon: float = 122.1, lat: float = 29.83, **details: Any) -> Event:
    detector = detector or {"unreported_arrival": "unreported_arrival",
                            "landing_approach": "landing_approach",
                            "port_visit": "port_visit",
                            "unreported_departure": "unreported_departure"}.get(kind, kind)
    start_ms = int(start.timestamp() * 1000)
    track = [{"mmsi": vessels[0], "ts": (start + timedelta(minutes=i)).isoformat(),
              "lon": lon + i * 1e-4, "lat": lat, "sog": 0.5} for i in range(0, int(minutes), 5)]
    return Event(id=event_id(detector, "1.0", vessels, start_ms, zone_id or ""),
                 detector=detector, version="1.0", kind=kind, status=status, start=start,
                 end=start + timedelta(minutes=minutes), vessels=vessels, lon=lon, lat=lat,
                 score=score, severity=severity_of(score), params={"max_distance_m": 500.0},
                 zone_id=zone_id, refs=[(vessels[0], start.isoformat())], track=track,
                 details=details)
