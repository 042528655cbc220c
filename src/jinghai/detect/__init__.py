"""Behaviour detectors over the AIS picture: one verb, live and batch alike.

``XDetector(params, zones=..., fleet=...).run(positions) -> list[Event]`` for a batch;
``detector.feed(batch)`` returns the events a live batch opened, updated or closed, and
feeding all data then ``flush()`` gives exactly what ``run`` gives.
"""

from jinghai.detect.base import Detector, DetectorParams
from jinghai.detect.dark import GoingDarkDetector, GoingDarkParams
from jinghai.detect.encounter import EncounterDetector, EncounterParams
from jinghai.detect.events import Event, event_id
from jinghai.detect.identity import IdentityAnomalyDetector, IdentityParams, mmsi_problems
from jinghai.detect.landing import LandingApproachDetector, LandingApproachParams
from jinghai.detect.loitering import LoiteringDetector, LoiteringParams
from jinghai.detect.port import (
    EntryReport,
    PortVisitDetector,
    PortVisitParams,
    UnreportedArrivalDetector,
    UnreportedArrivalParams,
)
from jinghai.detect.positions import Fleet, Positions, VesselStatic, to_positions
from jinghai.detect.suite import build_detectors, run_all
from jinghai.detect.zonerule import ZoneRule, ZoneRuleDetector, ZoneRuleParams

__all__ = [
    "Detector",
    "DetectorParams",
    "EncounterDetector",
    "EncounterParams",
    "EntryReport",
    "Event",
    "Fleet",
    "GoingDarkDetector",
    "GoingDarkParams",
    "IdentityAnomalyDetector",
    "IdentityParams",
    "LandingApproachDetector",
    "LandingApproachParams",
    "LoiteringDetector",
    "LoiteringParams",
    "PortVisitDetector",
    "PortVisitParams",
    "Positions",
    "UnreportedArrivalDetector",
    "UnreportedArrivalParams",
    "VesselStatic",
    "ZoneRule",
    "ZoneRuleDetector",
    "ZoneRuleParams",
    "build_detectors",
    "event_id",
    "mmsi_problems",
    "run_all",
    "to_positions",
]
