"""Geography as data: zones (GeoJSON in/out), point-in-zone lookups, distance to shore."""

from jinghai.geo.coast import Coastline, default_coastline
from jinghai.geo.index import ZoneIndex, buffer_m
from jinghai.geo.metric import haversine_m, offset_lonlat, to_utm
from jinghai.geo.zones import (
    HARBOUR_KINDS,
    LANDING_SUBTYPES,
    Zone,
    ZoneKind,
    load_demo_zones,
    zones_from_geojson,
    zones_to_geojson,
)

__all__ = [
    "Zone", "ZoneKind", "LANDING_SUBTYPES", "HARBOUR_KINDS", "zones_from_geojson",
    "zones_to_geojson", "load_demo_zones", "ZoneIndex", "buffer_m", "Coastline",
    "default_coastline", "haversine_m", "offset_lonlat", "to_utm",
]
