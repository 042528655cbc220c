"""Point-in-zone lookups for millions of positions at once.

An STRtree (shapely 2, vectorised GEOS) answers "which zones contain these points" for a
whole batch in one call; detectors never loop over positions in Python for this.
Landing points are points, so they are matched by radius (haversine metres), not by
containment.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely import affinity

from jinghai.geo.metric import M_PER_DEG_LAT, haversine_m
from jinghai.geo.zones import Zone

#: Cells per side of a zone set's membership grid, at most (see :class:`_Grid`).
GRID_CELLS = 256
#: How far (degrees) each grid cell's box is grown before it is classified, so that a
#: position the floor arithmetic puts in a cell lies inside its grown box whatever the
#: rounding (which is ~1e-14°).
GRID_EPS_DEG = 1e-9


def buffer_m(geom: shapely.Geometry, metres: float) -> shapely.Geometry:
    """Buffer a lon/lat geometry by a distance in metres (local equirectangular).

    Scaling x by cos(latitude) before buffering makes the buffer round on the ground, not
    in degrees; for zones of a few km this is within 0.1 % of a projected buffer.
    """
    if metres == 0:
        return geom
    c = geom.centroid
    k = float(np.cos(np.radians(c.y)))
    scaled = affinity.scale(geom, xfact=k, yfact=1.0, origin=c)
    buffered = scaled.buffer(metres / M_PER_DEG_LAT)
    return affinity.scale(buffered, xfact=1.0 / k, yfact=1.0, origin=c)


class _Grid:
    """Which cells of a regular lon/lat grid over a zone set lie wholly inside one of its
    zones, wholly outside all of them, or on an edge: a position in a whole cell is
    answered by one array lookup, and only those in edge cells go to the exact GEOS test.

    Cells are classified by GEOS itself (each cell's box, grown by ``GRID_EPS_DEG``,
    *within* a zone or *disjoint* from all), with exact predicates, so a whole cell's
    answer is the one the point test gives for every position in it: the lookup changes
    how the answer is found, never the answer."""

    def __init__(self, tree: shapely.STRtree, bounds: tuple[float, float, float, float]
                 ) -> None:
        x0, y0, x1, y1 = bounds
        self.cell = max(x1 - x0, y1 - y0, 1e-6) / GRID_CELLS
        self.x0, self.y0 = x0 - self.cell, y0 - self.cell
        self.nx = int((x1 - self.x0) / self.cell) + 2
        self.ny = int((y1 - self.y0) / self.cell) + 2
        ix, iy = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        ix, iy = ix.ravel(), iy.ravel()
        e = GRID_EPS_DEG
        boxes = shapely.box(self.x0 + ix * self.cell - e, self.y0 + iy * self.cell - e,
                            self.x0 + (ix + 1) * self.cell + e,
                            self.y0 + (iy + 1) * self.cell + e)
        #: 0 outside every zone, 1 inside one, 2 on an edge (ask GEOS)
        state = np.zeros(self.nx * self.ny, dtype=np.int8)
        touch, _ = tree.query(boxes, predicate="intersects")
        state[touch] = 2
        inside, _ = tree.query(boxes, predicate="within")
        state[inside] = 1
        self.state = state.reshape(self.ny, self.nx)

    def lookup(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.int8]:
        """The state of each position's cell (0 beyond the grid)."""
        fx = np.floor((lon - self.x0) / self.cell)
        fy = np.floor((lat - self.y0) / self.cell)
        ok = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out = np.zeros(len(lon), dtype=np.int8)
        i = np.flatnonzero(ok)
        out[i] = self.state[fy[i].astype(np.intp), fx[i].astype(np.intp)]
        return out


class ZoneIndex:
    """Zones with an STRtree; optional hysteresis buffer per lookup."""

    def __init__(self, zones: Iterable[Zone]) -> None:
        self.zones: list[Zone] = list(zones)
        self._trees: dict[tuple[Any, ...], tuple[shapely.STRtree, NDArray[np.int64]]] = {}
        self._bounds: dict[tuple[Any, ...], tuple[float, float, float, float]] = {}
        self._grids: dict[tuple[Any, ...], _Grid] = {}

    def __len__(self) -> int:
        return len(self.zones)

    def by_id(self, zone_id: str) -> Zone:
        for z in self.zones:
            if z.id == zone_id:
                return z
        raise KeyError(zone_id)

    def ids_of(self, kinds: Iterable[str]) -> list[int]:
        ks = set(kinds)
        return [i for i, z in enumerate(self.zones) if z.kind in ks]

    def _tree(self, kinds: frozenset[str] | None, grow_m: float,
              subset: frozenset[int] | None = None) -> tuple[shapely.STRtree, NDArray[np.int64]]:
        key = (kinds, grow_m, subset)
        if key not in self._trees:
            sel = [i for i, z in enumerate(self.zones)
                   if (kinds is None or z.kind in kinds) and z.geometry.geom_type != "Point"
                   and (subset is None or i in subset)]
            geoms = [buffer_m(self.zones[i].geometry, grow_m) for i in sel]
            for g in geoms:
                shapely.prepare(g)
            self._trees[key] = (shapely.STRtree(geoms), np.asarray(sel, dtype=np.int64))
            b = shapely.total_bounds(geoms) if geoms else np.array([0.0, 0.0, -1.0, -1.0])
            self._bounds[key] = tuple(float(v) for v in b)
        return self._trees[key]

    def contains(self, lon: ArrayLike, lat: ArrayLike, kinds: Iterable[str] | None = None,
                 grow_m: float = 0.0, subset: Iterable[int] | None = None
                 ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Pairs (point index, zone index) for every zone that contains a point.

        ``grow_m`` buffers the zones (hysteresis); ``subset`` limits to zone indices."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        kinds_f = frozenset(kinds) if kinds is not None else None
        tree, sel = self._tree(kinds_f, grow_m,
                               frozenset(subset) if subset is not None else None)
        if len(sel) == 0 or len(lon) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        # Most positions are far from small zones (ports, restricted areas): a bounding-box
        # test in numpy first saves building and querying millions of GEOS points.
        x0, y0, x1, y1 = self._bounds[(kinds_f, grow_m, frozenset(subset) if subset is not None
                                       else None)]
        cand = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if not len(cand):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        pts = shapely.points(lon[cand], lat[cand])
        pi, zi = tree.query(pts, predicate="intersects")
        return cand[pi].astype(np.int64), sel[zi]

    def inside_any(self, lon: ArrayLike, lat: ArrayLike, kinds: Iterable[str],
                   grow_m: float = 0.0) -> NDArray[np.bool_]:
        """Per point: inside (or on the edge of) any zone of ``kinds`` grown by ``grow_m``.

        Bulk calls (the harbour test of every slow position) go through a grid of the zone
        set first (:class:`_Grid`): only the positions in cells crossed by a zone edge are
        tested one by one."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        out = np.zeros(len(lon), dtype=bool)
        if len(lon) < 64:
            pi, _ = self.contains(lon, lat, kinds, grow_m)
            out[pi] = True
            return out
        kinds_f = frozenset(kinds)
        key = (kinds_f, grow_m, None)
        tree, sel = self._tree(kinds_f, grow_m)
        if len(sel) == 0:
            return out
        grid = self._grids.get(key)
        if grid is None:
            grid = self._grids[key] = _Grid(tree, self._bounds[key])
        state = grid.lookup(lon, lat)
        out[state == 1] = True
        edge = np.flatnonzero(state == 2)
        if len(edge):
            pi, _ = tree.query(shapely.points(lon[edge], lat[edge]), predicate="intersects")
            out[edge[pi]] = True
        return out

    def zones_at(self, lon: float, lat: float) -> list[Zone]:
        """Every zone containing one point (plus landing points within 0 m: none)."""
        _, zi = self.contains([lon], [lat])
        return [self.zones[i] for i in sorted(zi)]

    def nearest_point_zone(self, lon: ArrayLike, lat: ArrayLike, kinds: Iterable[str],
                           radius_m: float) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """For each position, the nearest point-zone of ``kinds`` within ``radius_m``:
        (zone index or -1, distance in metres or inf)."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        sel = [i for i, z in enumerate(self.zones) if z.kind in set(kinds)]
        best = np.full(len(lon), -1, dtype=np.int64)
        best_d = np.full(len(lon), np.inf)
        if not sel or len(lon) == 0:
            return best, best_d
        cents = [self.zones[i].geometry.centroid for i in sel]
        zl = np.array([c.x for c in cents])
        za = np.array([c.y for c in cents])
        tree = shapely.STRtree(shapely.points(zl, za))
        # A degree bound that holds at the highest latitude in this batch (a degree of
        # longitude shrinks with cos(lat)); the exact haversine test follows.
        maxlat = min(float(np.abs(lat).max()) + 0.1, 89.0)
        deg = radius_m / (M_PER_DEG_LAT * np.cos(np.radians(maxlat)))
        cand = np.flatnonzero((lon >= zl.min() - deg) & (lon <= zl.max() + deg)
                              & (lat >= za.min() - deg) & (lat <= za.max() + deg))
        if not len(cand):
            return best, best_d
        pairs = _pairs_within_deg(lon[cand], lat[cand], zl, za, deg)
        if pairs is None:  # points spread over too wide an area for a grid: GEOS
            pairs = tree.query(shapely.points(lon[cand], lat[cand]), predicate="dwithin",
                               distance=deg)
        pi, zi = pairs
        if len(pi) == 0:
            return best, best_d
        pi = cand[pi]
        d = haversine_m(lon[pi], lat[pi], zl[zi], za[zi])
        ok = d <= radius_m
        pi, zi, d = pi[ok], zi[ok], d[ok]
        order = np.lexsort((zi, d, pi))  # per point: smallest distance, then lowest index
        pi, zi, d = pi[order], zi[order], d[order]
        first = np.ones(len(pi), dtype=bool)
        first[1:] = pi[1:] != pi[:-1]
        best[pi[first]] = np.asarray(sel)[zi[first]]
        best_d[pi[first]] = d[first]
        return best, best_d


def _pairs_within_deg(lon: NDArray[np.float64], lat: NDArray[np.float64],
                      zl: NDArray[np.float64], za: NDArray[np.float64], deg: float
                      ) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Pairs (position, point) at most ``deg`` apart in the plane of degrees — what an
    STRtree ``dwithin`` query of the positions against the points answers — found by a grid
    of cells a little wider than ``deg``: each position meets only the points of its own
    and the 8 neighbouring cells (a pair that close is at most one cell apart), and those
    by array lookups instead of one GEOS point per position. ``None`` when the grid would
    be too large (points spread over a huge area) or ``deg`` is not positive."""
    if not deg > 0:
        return None
    cs = deg * 1.001  # |a - b| <= deg < cs: floor() puts a and b at most one cell apart
    x0, y0 = float(zl.min()) - 2 * cs, float(za.min()) - 2 * cs
    nx = int((float(zl.max()) - x0) / cs) + 3
    ny = int((float(za.max()) - y0) / cs) + 3
    if nx * ny > 4_000_000:
        return None
    px = np.floor((zl - x0) / cs).astype(np.int64)
    py = np.floor((za - y0) / cs).astype(np.int64)
    pkey = px * ny + py
    porder = np.argsort(pkey, kind="stable")
    skey = pkey[porder]
    # cells next to a point's: most positions are in none and are dropped by one lookup
    near = np.zeros(nx * ny, dtype=bool)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            near[pkey + (dx * ny + dy)] = True
    fx = np.floor((lon - x0) / cs)
    fy = np.floor((lat - y0) / cs)
    on = np.flatnonzero((fx >= 1) & (fx < nx - 1) & (fy >= 1) & (fy < ny - 1))
    qkey = fx[on].astype(np.int64) * ny + fy[on].astype(np.int64)
    keep = near[qkey]
    on, qkey = on[keep], qkey[keep]
    ii, jj = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            k = qkey + (dx * ny + dy)
            lo = np.searchsorted(skey, k, side="left")
            cnt = np.searchsorted(skey, k, side="right") - lo
            tot = int(cnt.sum())
            if not tot:
                continue
            ii.append(np.repeat(on, cnt))
            jj.append(porder[np.repeat(lo, cnt)
                             + (np.arange(tot) - np.repeat(np.cumsum(cnt) - cnt, cnt))])
    if not ii:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    i, j = np.concatenate(ii), np.concatenate(jj)
    dx_, dy_ = lon[i] - zl[j], lat[i] - za[j]
    ok = np.sqrt(dx_ * dx_ + dy_ * dy_) <= deg
    return i[ok].astype(np.int64), j[ok].astype(np.int64)


__all__ = ["ZoneIndex", "buffer_m"]
