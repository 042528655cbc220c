"""All detectors at once, with one set of geography and vessel facts.

The live service and a batch re-run build the same suite; the only difference is whether
positions arrive through ``feed`` in pieces or through ``run`` in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from jinghai.detect.base import Detector
from jinghai.detect.dark import GoingDarkDetector
from jinghai.detect.encounter import EncounterDetector
from jinghai.detect.events import Event
from jinghai.detect.identity import IdentityAnomalyDetector
from jinghai.detect.landing import LandingApproachDetector
from jinghai.detect.loitering import LoiteringDetector
from jinghai.detect.port import (
    EntryReport,
    PortVisitDetector,
    UnreportedArrivalDetector,
    UnreportedDepartureDetector,
)
from jinghai.detect.positions import Fleet
from jinghai.detect.zonerule import ZoneRuleDetector
from jinghai.geo.index import ZoneIndex
from jinghai.geo.zones import Zone


def build_detectors(zones: ZoneIndex | Iterable[Zone], fleet: Fleet | None = None, *,
                    reports: Iterable[EntryReport | Mapping[str, Any]] = (),
                    exit_reports: Iterable[EntryReport | Mapping[str, Any]] = (),
                    static_history: pd.DataFrame | None = None,
                    static_times: Mapping[int, int] | None = None,
                    params: Mapping[str, Any] | None = None) -> dict[str, Detector]:
    """One of each detector; ``params`` maps detector name to its params dataclass."""
    zi = zones if isinstance(zones, ZoneIndex) else ZoneIndex(zones)
    fleet = fleet or Fleet()
    params = dict(params or {})
    common = {"zones": zi, "fleet": fleet}
    return {
        "encounter": EncounterDetector(params.get("encounter"), **common),
        "loitering": LoiteringDetector(params.get("loitering"), **common),
        "going_dark": GoingDarkDetector(params.get("going_dark"), **common),
        "port_visit": PortVisitDetector(params.get("port_visit"), **common),
        "unreported_arrival": UnreportedArrivalDetector(
            params.get("unreported_arrival"), reports=list(reports), **common),
        "unreported_departure": UnreportedDepartureDetector(
            params.get("unreported_departure"), reports=list(exit_reports), **common),
        "landing_approach": LandingApproachDetector(params.get("landing_approach"), **common),
        "zone_rule": ZoneRuleDetector(params.get("zone_rule"), **common),
        "identity": IdentityAnomalyDetector(params.get("identity"),
                                            static_history=static_history,
                                            static_times=static_times, **common),
    }


def run_all(positions: Any, detectors: Mapping[str, Detector]) -> dict[str, list[Event]]:
    """Batch run of every detector over the same positions."""
    return {name: det.run(positions) for name, det in detectors.items()}


def feed_all(tables: Iterable[Any], detectors: Mapping[str, Detector],
             after_table: Callable[[], None] | None = None) -> int:
    """Batch run over a stream of tables (days or time windows), the detectors' state
    carried from one table to the next, then flushed; the number of positions fed.
    ``after_table`` runs once each table has been fed to every detector (e.g. to drain
    closed events, so a long run's memory follows the window)."""
    n = 0
    for table in tables:
        n += table.num_rows
        for det in detectors.values():
            det.feed(table)
        if after_table is not None:
            after_table()
    for det in detectors.values():
        det.flush()
    return n


__all__ = ["build_detectors", "feed_all", "run_all"]
