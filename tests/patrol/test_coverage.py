"""Swept area against an independent computation: a buffer in true metres (azimuthal
equidistant at the track), measured in another equal-area projection (EASE-Grid 2.0,
EPSG:6933), land from the shipped GeoJSON read with json + shapely directly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, shape

from jinghai.errors import InvalidInput
from jinghai.geo.coast import COASTLINE_PATH
from jinghai.patrol.coverage import (
    Track,
    check_track,
    effort_cells,
    swept_area_km2,
    swept_geometry,
    unproject,
)

# Along the Beilun shore: 0.3–2 km off land, so a 2 NM sweep reaches over it.
PTS = [(121.93, 29.985), (121.97, 29.975), (122.02, 29.955), (122.06, 29.94)]
T0 = datetime(2026, 11, 20, 1, tzinfo=UTC)
TS = [T0 + timedelta(minutes=10 * i) for i in range(len(PTS))]
WIDTH = 3704.0


def transform(fn, geom):
    return shapely.transform(geom, lambda x, y: fn(x, y), interleaved=False)


def _independent(points, width_m):
    lon0, lat0 = points[0]
    aeqd = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
    to_aeqd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True).transform
    aeqd_to_ea = Transformer.from_crs(aeqd, "EPSG:6933", always_xy=True).transform
    ll_to_ea = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True).transform
    band = transform(to_aeqd, LineString(points)).buffer(width_m / 2, quad_segs=64)
    band = shapely.segmentize(band, 50.0)
    band_ea = transform(aeqd_to_ea, band)
    land = [shape(f["geometry"]) for f in json.loads(COASTLINE_PATH.read_text())["features"]]
    land_ea = shapely.union_all([transform(ll_to_ea, g) for g in land
                                 if g.intersects(transform(
                                     Transformer.from_crs(aeqd, "EPSG:4326",
                                                          always_xy=True).transform, band))])
    return band_ea.area / 1e6, band_ea.difference(land_ea).area / 1e6


def test_swept_area_matches_an_independent_computation_and_excludes_land():
    ours = swept_area_km2([Track(TS, [p[0] for p in PTS], [p[1] for p in PTS], WIDTH)])
    whole, sea = _independent(PTS, WIDTH)
    assert abs(ours - sea) / sea < 0.01
    # land really was cut: the band reaches over the shore
    assert sea < whole * 0.97
    geom = unproject(swept_geometry([Track(TS, [p[0] for p in PTS], [p[1] for p in PTS],
                                           WIDTH)]))
    land = [shape(f["geometry"]) for f in json.loads(COASTLINE_PATH.read_text())["features"]]
    overlap = sum(geom.intersection(g).area for g in land if g.intersects(geom))
    assert overlap < 1e-9


def test_overlaps_count_once():
    one = Track(TS, [p[0] for p in PTS], [p[1] for p in PTS], WIDTH)
    again = Track([t + timedelta(hours=2) for t in TS], [p[0] for p in PTS],
                  [p[1] for p in PTS], WIDTH)
    assert swept_area_km2([one, again]) == pytest.approx(swept_area_km2([one]), rel=1e-9)


def test_impossible_jump_and_backward_time_are_refused_in_chinese():
    with pytest.raises(InvalidInput, match="不可能的跳点"):
        check_track([T0, T0 + timedelta(seconds=30)], [121.93, 122.10], [29.985, 29.985])
    with pytest.raises(InvalidInput, match="时间倒退"):
        check_track([T0, T0 - timedelta(seconds=30)], [121.93, 121.931], [29.985, 29.985])


def test_effort_hours_land_in_cells_and_gaps_do_not_count():
    ts = [T0, T0 + timedelta(minutes=30), T0 + timedelta(hours=5)]
    cells = effort_cells(ts, [121.931, 121.931, 121.931], [29.981, 29.981, 29.981])
    assert cells == {(6096, 1499): pytest.approx(0.5)}


def test_blind_spots_are_busy_cells_without_patrol():
    from jinghai.patrol.queries import EffortCell, blind_spots

    effort = [EffortCell(121.90, 29.96, 2.0)]
    density = [EffortCell(121.90, 29.96, 500), EffortCell(121.92, 29.96, 300),
               EffortCell(121.94, 29.96, 5), EffortCell(121.96, 29.96, 900)]
    assert [(c.lon0, c.hours) for c in blind_spots(effort, density)] == [
        (121.96, 900), (121.92, 300)]


def test_a_counter_code_cannot_be_registered_twice():
    from jinghai.reporting.computed import counted_figures, register_counter

    assert "coastal.cove_patrols" in counted_figures()
    with pytest.raises(RuntimeError, match="registered twice"):
        register_counter("coastal.cove_patrols")(lambda session, unit, day: 0)
