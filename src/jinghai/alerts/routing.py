"""Routing rules as data: which working group acts on which finding, and how urgent it is.

The plan assigns the work (附件1): an unknown fishing vessel entering port unreported is the
船舶管控组's (vessel_control), a landing at a cove or an uninhabited island is the 沿海地区
管控组's (coastal) together with the sub-district (街道) that answers for the place, and a
transfer at sea is the 海上巡航组's (sea_patrol). The rest follows the same reading of the
groups' tasks. Rules are checked in order; the first whose ``kind`` (and, if given,
``zone_kinds``) matches wins.

``severity``: ``None`` takes the detector's own judgement of the event (its score: high →
red, medium → orange, low → yellow); a fixed value overrides it. ``night_red`` raises a
landing approach found at night to red (the plan fears night landings most).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinghai.detect.events import Event


@dataclass(frozen=True)
class RouteRule:
    kind: str
    groups: tuple[str, ...]
    sub_district: bool = False
    severity: str | None = None
    zone_kinds: tuple[str, ...] = ()
    night_red: bool = False


ROUTING_RULES: tuple[RouteRule, ...] = (
    RouteRule("unreported_arrival", ("vessel_control",), severity="orange"),
    RouteRule("unreported_departure", ("vessel_control",), severity="orange"),
    RouteRule("landing_approach", ("coastal",), sub_district=True, night_red=True),
    RouteRule("encounter", ("sea_patrol",)),
    RouteRule("loitering", ("sea_patrol",)),
    RouteRule("going_dark", ("sea_patrol",)),
    # zone rules: a landing point or the coastal land layer is the coast's; ports,
    # berths and anchorages are the port-area group's; restricted waters are patrolled.
    RouteRule("zone_entry", ("coastal",), sub_district=True,
              zone_kinds=("landing_point", "layer_coastal_land", "layer_shoreline")),
    RouteRule("zone_dwell", ("coastal",), sub_district=True,
              zone_kinds=("landing_point", "layer_coastal_land", "layer_shoreline")),
    RouteRule("zone_entry", ("port_area",),
              zone_kinds=("port", "berth", "anchorage", "international_anchorage")),
    RouteRule("zone_dwell", ("port_area",),
              zone_kinds=("port", "berth", "anchorage", "international_anchorage")),
    RouteRule("zone_entry", ("sea_patrol",), sub_district=True),
    RouteRule("zone_dwell", ("sea_patrol",), sub_district=True),
    # identity anomalies: the patrol checks passing ships' identity (三.1 item 3); a boat
    # that never sends static data is likely a small unregistered one (三无), the
    # vessel-control group's.
    RouteRule("no_static", ("vessel_control",), severity="yellow"),
    RouteRule("invalid_mmsi", ("sea_patrol",)),
    RouteRule("mmsi_shared", ("sea_patrol",)),
    RouteRule("impossible_jump", ("sea_patrol",), severity="yellow"),
    RouteRule("identity_changes", ("sea_patrol",)),
    # a crew list changed between arrival and departure, or a crew change requested
    # (jinghai.inbound): foreign crew must not land or change (三(二) item 2)
    RouteRule("crew_change", ("port_area",)),
)
#: Fallback for a kind no rule names (a new detector): the office sees it, sea patrol acts.
DEFAULT_RULE = RouteRule("*", ("sea_patrol",))

#: Findings that are records, not alerts: a port visit is normal; it matters only when no
#: report covers it (then it is an unreported arrival or departure).
NOT_ALERTED = frozenset({"port_visit"})

SEVERITY_OF_HINT = {"high": "red", "medium": "orange", "low": "yellow"}


def rule_for(kind: str, zone_kind: str | None) -> RouteRule:
    for rule in ROUTING_RULES:
        if rule.kind != kind:
            continue
        if rule.zone_kinds and zone_kind not in rule.zone_kinds:
            continue
        return rule
    return DEFAULT_RULE


def severity_for(rule: RouteRule, event: Event) -> str:
    if rule.severity:
        return rule.severity
    if rule.night_red and event.details.get("night"):
        return "red"
    return SEVERITY_OF_HINT.get(event.severity, "yellow")


def routing_table() -> list[dict[str, Any]]:
    """The rules as rows, for the settings page."""
    return [{"kind": r.kind, "groups": list(r.groups), "sub_district": r.sub_district,
             "severity": r.severity or "按评分", "zone_kinds": list(r.zone_kinds),
             "night_red": r.night_red} for r in ROUTING_RULES]
