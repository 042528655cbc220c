"""Distance to shore from the shipped GSHHS coastline.

The land polygons are GSHHS/GSHHG full resolution (Wessel & Smith, LGPL-3.0), cut to the
Ningbo–Zhoushan box lon 121.4–122.6, lat 29.5–30.3 (see ``data/SOURCES.md``). Distances
are computed in UTM 51N metres (see :mod:`jinghai.geo.metric`), not in degrees, because a
degree of longitude here is only 0.87 of a degree of latitude.

Two caveats the numbers inherit: edges along the clip box are not coastline, so distances
within ~20 km of the box edge may be too small; and GSHHS predates recent reclamation
around Beilun, Daxie and Meishan, so berth-level distances can be off by hundreds of
metres. Outside the box (plus a margin) the distance is unknown and returned as NaN.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from jinghai.geo.metric import UTM51N, to_utm, utm_transformer

COASTLINE_PATH = Path(__file__).with_name("data") / "gshhs_f_land_ningbo_zhoushan.geojson"
#: The extract's clip box; beyond it (plus MARGIN_DEG) we know no shore.
COAST_BOX = (121.4, 29.5, 122.6, 30.3)
MARGIN_DEG = 0.05
PIECE = 8
#: Cells of the grid :meth:`Coastline.near_shore` answers far-from-shore positions with.
FAR_CELL_DEG = 0.01
#: Metres of slack in that grid's test (see :meth:`Coastline._cell_states`).
FAR_SLACK_M = 5.0


class Coastline:
    """Land polygons with a spatial index for distance-to-shore and on-land tests."""

    def __init__(self, land_lonlat: list[BaseGeometry], box: tuple[float, float, float, float]
                 = COAST_BOX, crs: str = UTM51N) -> None:
        self.box = box
        self.crs = crs
        self.land_lonlat = land_lonlat
        fwd = utm_transformer(crs)
        self.land_xy = [shapely.transform(g, lambda c: np.column_stack(
            fwd.transform(c[:, 0], c[:, 1]))) for g in land_lonlat]
        for g in self.land_xy:
            shapely.prepare(g)
        self._tree = shapely.STRtree(self.land_xy)
        # Nearest-distance queries against whole polygons (up to 1,400 vertices) cost
        # ~60 µs a point; against short boundary pieces they cost ~1 µs. So the distance
        # is taken to boundary pieces of at most PIECE vertices, and land is tested apart.
        pieces: list[BaseGeometry] = []
        for g in self.land_xy:
            for ring in shapely.get_rings(g):
                coords = shapely.get_coordinates(ring)
                for s in range(0, len(coords) - 1, PIECE - 1):
                    pieces.append(shapely.linestrings(coords[s:s + PIECE]))
        self._pieces = shapely.STRtree(pieces)
        self._shore_cells: dict[tuple[float, float], NDArray[np.int8]] = {}

    @classmethod
    def from_geojson(cls, path: Path = COASTLINE_PATH) -> Coastline:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        geoms = [shape(f["geometry"]) for f in data["features"]]
        return cls(geoms)

    def _in_box(self, lon: NDArray, lat: NDArray) -> NDArray[np.bool_]:
        x0, y0, x1, y1 = self.box
        m = MARGIN_DEG
        return (lon >= x0 - m) & (lon <= x1 + m) & (lat >= y0 - m) & (lat <= y1 + m)

    def distance_to_shore_m(self, lon: ArrayLike, lat: ArrayLike, resolution_deg: float = 1e-4
                            ) -> NDArray[np.float64]:
        """Metres to the nearest land polygon (0 on land, NaN outside the extract).

        Positions are snapped to a ``resolution_deg`` grid first and each grid cell is
        computed once (error ≤ 0.7 × resolution × 111 km: 8 m at the default); bulk callers
        that only compare with a threshold of hundreds of metres can pass a coarser grid."""
        lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        out = np.full(lon.shape, np.nan)
        inside = self._in_box(lon, lat)
        if inside.any():
            # Positions repeat a lot (moored and anchored vessels), and a query costs
            # ~20 µs, so each 1e-4° cell (≈ 10 m) is computed once; error ≤ 8 m.
            k = 1.0 / resolution_deg
            qx = np.round(lon[inside] * k).astype(np.int64)
            qy = np.round(lat[inside] * k).astype(np.int64)
            code = (qx - qx.min()) * (int(qy.max() - qy.min()) + 1) + (qy - qy.min())
            _, first, inv = np.unique(code, return_index=True, return_inverse=True)
            x, y = to_utm(qx[first] / k, qy[first] / k, self.crs)
            pts = shapely.points(x, y)
            idx, dist = self._pieces.query_nearest(pts, return_distance=True,
                                                   all_matches=False)
            res = np.full(len(pts), np.nan)
            res[idx[0]] = dist
            on_land, _ = self._tree.query(pts, predicate="intersects")
            res[on_land] = 0.0
            out[inside] = res[inv.ravel()]
        return out

    def near_shore(self, lon: ArrayLike, lat: ArrayLike, metres: float,
                   resolution_deg: float = 1e-4) -> NDArray[np.bool_]:
        """``distance_to_shore_m(lon, lat, resolution_deg) < metres``, the same answers for
        less: positions in a cell of a coarse grid (``FAR_CELL_DEG``) that lies wholly
        farther than ``metres`` from land, or wholly on land, are answered by an array
        lookup, and only the others get their distance computed."""
        lon = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        if not metres > 0:
            return np.zeros(len(lon), dtype=bool)  # no distance (≥ 0 or NaN) is below it
        key = (float(metres), float(resolution_deg))
        state = self._shore_cells.get(key)
        if state is None:
            state = self._shore_cells[key] = self._cell_states(*key)
        x0, y0, _, _ = self.box
        x0, y0 = x0 - MARGIN_DEG, y0 - MARGIN_DEG
        fx = np.floor((lon - x0) / FAR_CELL_DEG)
        fy = np.floor((lat - y0) / FAR_CELL_DEG)
        st = np.full(len(lon), 2, dtype=np.int8)  # beyond the grid: ask
        i = np.flatnonzero((fx >= 0) & (fx < state.shape[1]) & (fy >= 0)
                           & (fy < state.shape[0]))
        st[i] = state[fy[i].astype(np.intp), fx[i].astype(np.intp)]
        out = st == 1
        a = np.flatnonzero(st == 2)
        if len(a):
            out[a] = self.distance_to_shore_m(lon[a], lat[a], resolution_deg) < metres
        return out

    def _cell_states(self, metres: float, resolution_deg: float) -> NDArray[np.int8]:
        """Per cell of the ``FAR_CELL_DEG`` grid over the box (and its margin), for every
        point a position in it snaps to (half a ``resolution_deg`` beyond the cell at
        most): 0 = off land and more than ``metres`` from it, 1 = on land (no coastline
        within the cell), 2 = either (compute). The cell's corners are projected to UTM and
        its edges kept straight there; FAR_SLACK_M covers that approximation (a 1 km edge
        bends by millimetres) and the snapping's rounding."""
        x0, y0, x1, y1 = self.box
        x0, y0, x1, y1 = x0 - MARGIN_DEG, y0 - MARGIN_DEG, x1 + MARGIN_DEG, y1 + MARGIN_DEG
        nx = int(np.ceil((x1 - x0) / FAR_CELL_DEG))
        ny = int(np.ceil((y1 - y0) / FAR_CELL_DEG))
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny))
        ix, iy = ix.ravel(), iy.ravel()
        g = resolution_deg / 2 + 1e-9
        cx0, cy0 = x0 + ix * FAR_CELL_DEG - g, y0 + iy * FAR_CELL_DEG - g
        cx1, cy1 = x0 + (ix + 1) * FAR_CELL_DEG + g, y0 + (iy + 1) * FAR_CELL_DEG + g
        corners = [np.column_stack(to_utm(a, b, self.crs)) for a, b in
                   ((cx0, cy0), (cx1, cy0), (cx1, cy1), (cx0, cy1))]
        state = np.full(len(ix), 2, dtype=np.int8)
        # First by the cell's centre (a point query is ~20× cheaper than a cell's): every
        # point of the cell lies within `reach` of it, so a centre that far off the coast
        # settles the cell, on land or at sea.
        cx, cy = to_utm(x0 + (ix + 0.5) * FAR_CELL_DEG, y0 + (iy + 0.5) * FAR_CELL_DEG, self.crs)
        centre = np.column_stack([cx, cy])
        reach = np.max([np.hypot(*(c - centre).T) for c in corners], axis=0) + FAR_SLACK_M
        pts = shapely.points(cx, cy)
        coast = np.zeros(len(pts))
        idx, dist = self._pieces.query_nearest(pts, return_distance=True, all_matches=False)
        coast[idx[0]] = dist
        land = np.zeros(len(pts), dtype=bool)
        land[self._tree.query(pts, predicate="intersects")[0]] = True
        state[~land & (coast > metres + reach)] = 0
        state[land & (coast > reach)] = 1
        # Then the rest by the cell itself: its corners projected to UTM, edges straight.
        rest = np.flatnonzero(state == 2)
        quads = shapely.polygons(np.stack([c[rest] for c in corners], axis=1))
        coast = np.zeros(len(quads))  # distance to the coastline, 0 if not found
        idx, dist = self._pieces.query_nearest(quads, return_distance=True, all_matches=False)
        coast[idx[0]] = dist
        land = np.zeros(len(quads), dtype=bool)
        land[self._tree.query(quads, predicate="intersects")[0]] = True
        state[rest[~land & (coast > metres + FAR_SLACK_M)]] = 0
        # touching land but not its coastline: wholly inside a land polygon
        state[rest[land & (coast > FAR_SLACK_M)]] = 1
        return state.reshape(ny, nx)

    def is_land(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
        d = self.distance_to_shore_m(lon, lat)
        return np.nan_to_num(d, nan=1.0) == 0.0

    def nearest_shore_point(self, lon: float, lat: float) -> tuple[float, float]:
        """The closest point on the coastline (lon, lat), for placing landing points."""
        x, y = to_utm([lon], [lat], self.crs)
        p = shapely.points(x[0], y[0])
        i = self._tree.nearest(p)
        q = shapely.shortest_line(self.land_xy[i].boundary, p).coords[0]
        lo, la = utm_transformer(self.crs, inverse=True).transform(q[0], q[1])
        return float(lo), float(la)


@lru_cache(maxsize=1)
def default_coastline() -> Coastline:
    """The shipped Ningbo–Zhoushan coastline, loaded once per process."""
    return Coastline.from_geojson()


__all__ = ["COASTLINE_PATH", "COAST_BOX", "Coastline", "default_coastline"]
