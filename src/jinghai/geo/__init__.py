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
    "HARBOUR_KINDS",
    "LANDING_SUBTYPES",
    "Coastline",
    "Zone",
    "ZoneIndex",
    "ZoneKind",
    "buffer_m",
    "default_coastline",
    "haversine_m",
    "load_demo_zones",
    "offset_lonlat",
    "to_utm",
    "zones_from_geojson",
    "zones_to_geojson",
]
