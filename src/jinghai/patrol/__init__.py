"""Patrols, check-ins and coverage: missions with tracks, check-ins at landing points,
boarding and checkpoint inspections, and the daily figures counted from them."""

from jinghai.patrol.queries import overdue_landing_points
from jinghai.patrol.service import (
    add_track_points,
    attach_ais_track,
    check_in,
    end_mission,
    load_ais_track,
    record_patrol_inspection,
    start_mission,
)

__all__ = [
    "add_track_points",
    "attach_ais_track",
    "check_in",
    "end_mission",
    "load_ais_track",
    "overdue_landing_points",
    "record_patrol_inspection",
    "start_mission",
]
