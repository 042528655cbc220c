"""The detector registry: every detector once, in the order pages list them.

Everything the platform says about a detector comes from its class: name, Chinese label,
the kinds of finding it reports with their labels, the default routing of each kind, and
its parameters — each a dataclass field whose metadata holds the Chinese name, unit,
meaning and source (:func:`jinghai.detect.base.param`). The settings page, the alert
labels and the routing read it here; adding a detector is one class and one line below.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from jinghai.detect.base import Detector, Route
from jinghai.detect.dark import GoingDarkDetector
from jinghai.detect.encounter import EncounterDetector
from jinghai.detect.identity import IdentityAnomalyDetector
from jinghai.detect.landing import LandingApproachDetector
from jinghai.detect.loitering import LoiteringDetector
from jinghai.detect.port import (
    PortVisitDetector,
    UnreportedArrivalDetector,
    UnreportedDepartureDetector,
)
from jinghai.detect.zonerule import ZoneRuleDetector

DETECTORS: dict[str, type[Detector]] = {d.name: d for d in (
    EncounterDetector, LoiteringDetector, GoingDarkDetector, PortVisitDetector,
    UnreportedArrivalDetector, UnreportedDepartureDetector, LandingApproachDetector,
    ZoneRuleDetector,
    IdentityAnomalyDetector)}

#: detector name -> Chinese label
DETECTOR_LABELS: dict[str, str] = {n: d.label for n, d in DETECTORS.items()}
#: kind of finding -> Chinese label
KIND_LABELS: dict[str, str] = {k: v for d in DETECTORS.values() for k, v in d.kinds.items()}
#: the default routing, one rule per kind (and zone kinds), in the detectors' order
ROUTES: tuple[Route, ...] = tuple(r for d in DETECTORS.values() for r in d.routes)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    label: str
    unit: str
    meaning: str
    source: str
    default: Any


def param_specs(params_cls: type) -> list[ParamSpec]:
    """The parameters of a params dataclass with their documentation."""
    default = params_cls()
    return [ParamSpec(f.name, f.metadata.get("label", f.name), f.metadata.get("unit", ""),
                      f.metadata.get("meaning", ""), f.metadata.get("source", ""),
                      getattr(default, f.name))
            for f in dataclasses.fields(default)]


def default_params() -> dict[str, Any]:
    """Each detector's default parameters."""
    return {name: d.Params() for name, d in DETECTORS.items()}


__all__ = ["DETECTORS", "DETECTOR_LABELS", "KIND_LABELS", "ROUTES", "ParamSpec",
           "default_params", "param_specs"]
