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

from typing import Any

from jinghai.detect import registry
from jinghai.detect.base import Route
from jinghai.detect.events import Event

RouteRule = Route

#: The rules, as each detector declares them (``routes`` on the detector classes), and the
#: rules of the kinds raised by records rather than detectors.
ROUTING_RULES: tuple[RouteRule, ...] = registry.ROUTES + (
    # a crew list changed between arrival and departure, or a crew change requested
    # (jinghai.inbound): foreign crew must not land or change (三(二) item 2)
    RouteRule("crew_change", ("port_area",)),
)
#: Fallback for a kind no rule names (a new detector): the office sees it, sea patrol acts.
DEFAULT_RULE = RouteRule("*", ("sea_patrol",))

#: Findings that are records, not alerts: a port visit is normal; it matters only when no
#: report covers it (then the arrival or departure detector reports it).
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


def routing_table(group_names: dict[str, str] | None = None,
                  zone_kind_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The rules as rows for the settings page, groups and zone kinds by their names."""
    gn, zn = group_names or {}, zone_kind_names or {}
    return [{"kind": r.kind, "kind_label": registry.KIND_LABELS.get(r.kind, r.kind),
             "groups": [gn.get(g, g) for g in r.groups], "sub_district": r.sub_district,
             "severity": r.severity or "按评分", "zone_kinds": [zn.get(z, z) for z in r.zone_kinds],
             "night_red": r.night_red} for r in ROUTING_RULES]
