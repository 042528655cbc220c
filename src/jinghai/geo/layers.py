"""The default layers shipped with the package: where ships are expected to stop.

A new operation knows its waters from the first ``jinghai init``: besides the GSHHS
coastline (``coast.py``) it gets

* **anchorages** — Global Fishing Watch's hand-named anchorage points for Hangzhou Bay and
  Zhoushan (``data/gfw_anchorage_overrides_hangzhou_bay_zhoushan.csv``, Apache-2.0). Each
  row is the centre of an S2 level-14 cell (≈ 570 m across here) where GFW saw vessels
  stop; the cells of one label (ZHOUSHAN, NINGBO, …) become one anchorage zone, each cell
  drawn as a square of ``ANCHORAGE_CELL_HALF_M`` around its centre so that neighbouring
  cells join into one area;
* **ports** — the World Port Index (NGA Pub. 150, public domain) ports of the same box
  (``data/wpi_ports_hangzhou_bay_zhoushan.csv``), each a circle of ``PORT_RADIUS_M``
  around the WPI position: GFW's port-entry radius (pipe-anchorages, 3 km). They are
  reference ports (``report_calls: false``): detectors treat them as harbour water, but
  port calls there are not the owners' reporting duty — the office's own port zones are.

Every zone of a layer carries ``layer`` in its properties, so the office can switch a whole
layer off (``jinghai zones layer off gfw_anchorages``) as well as single zones.
Sources and licences: ``data/SOURCES.md``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from jinghai.geo.index import buffer_m
from jinghai.geo.metric import M_PER_DEG_LAT
from jinghai.geo.zones import DATA_DIR, Zone, ZoneKind

ANCHORAGES_PATH = DATA_DIR / "gfw_anchorage_overrides_hangzhou_bay_zhoushan.csv"
PORTS_PATH = DATA_DIR / "wpi_ports_hangzhou_bay_zhoushan.csv"

#: Half the side of the square drawn around each GFW anchorage point, metres. S2 level-14
#: cells average 0.32 km² (≈ 570 m side); 300 m makes adjacent cells overlap slightly, so
#: one anchorage is one area rather than a chessboard.
ANCHORAGE_CELL_HALF_M = 300.0
#: Port circle radius, metres: GFW's port-entry distance (pipe-anchorages: a vessel within
#: 3 km of a port's anchorages is "in port").
PORT_RADIUS_M = 3000.0


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    source: str
    licence: str


LAYERS: dict[str, Layer] = {
    "gfw_anchorages": Layer("gfw_anchorages", "锚地（GFW 锚地点）",
                            "Global Fishing Watch pipe-anchorages, anchorage_overrides.csv",
                            "Apache-2.0"),
    "wpi_ports": Layer("wpi_ports", "港口（世界港口索引）",
                       "NGA World Port Index (Pub. 150)", "公有领域（美国政府作品）"),
}

#: Chinese names of GFW's main labels in the box; the rest keep GFW's label.
LABEL_NAMES: dict[str, str] = {
    "ZHOUSHAN": "舟山", "NINGBO": "宁波", "NINGBO OFFSHORE": "宁波外海", "SHANGHAI": "上海",
    "ZHAPU": "乍浦", "TAIZHOU": "台州", "JIAXING": "嘉兴", "YUSHAN ISLAND": "渔山岛",
}
PORT_NAMES: dict[str, str] = {
    "Ningbo": "宁波港", "Zhen Hai (Chinhai)": "镇海港", "Zhen Hai": "镇海港",
    "Zhoushan": "舟山港（定海）", "Zhapu": "乍浦港", "Shanghai": "上海港",
    "Haimen": "海门港（台州）",
}


def _slug(text: str) -> str:
    return "-".join("".join(c.lower() if c.isalnum() else " " for c in text).split())


def _group(row: dict[str, str]) -> str:
    """GFW's sublabel names a sub-area (NINGBO OFFSHORE) or repeats an S2 id; only a real
    name splits the label."""
    sub = (row.get("sublabel") or "").strip()
    if sub and not all(c in "0123456789abcdef" for c in sub.lower()):
        return sub
    return row["label"].strip()


def _squares(lons: list[float], lats: list[float], half_m: float) -> MultiPolygon:
    lat0 = float(np.mean(lats))
    dy = half_m / M_PER_DEG_LAT
    dx = dy / float(np.cos(np.radians(lat0)))
    cells = [box(x - dx, y - dy, x + dx, y + dy) for x, y in zip(lons, lats, strict=True)]
    merged = shapely.set_precision(shapely.union_all(cells), 1e-6)
    parts = list(merged.geoms) if isinstance(merged, MultiPolygon) else [merged]
    return MultiPolygon([p for p in parts if isinstance(p, Polygon) and not p.is_empty])


def anchorage_zones(path: Path = ANCHORAGES_PATH,
                    half_m: float = ANCHORAGE_CELL_HALF_M) -> list[Zone]:
    """One anchorage zone per GFW label (or named sublabel) of the shipped subset."""
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            groups[_group(row)].append((float(row["longitude"]), float(row["latitude"])))
    zones = []
    for label in sorted(groups):
        pts = groups[label]
        geom = _squares([p[0] for p in pts], [p[1] for p in pts], half_m)
        name = (f"{LABEL_NAMES[label]}锚地（GFW）" if label in LABEL_NAMES
                else f"锚地 {label}（GFW）")
        zones.append(Zone(
            id=f"gfw-anchorage-{_slug(label)}", kind=ZoneKind.ANCHORAGE, name=name,
            geometry=geom,
            properties={"layer": "gfw_anchorages", "gfw_label": label, "cells": len(pts),
                        "source": LAYERS["gfw_anchorages"].source}))
    return zones


def port_zones(path: Path = PORTS_PATH, radius_m: float = PORT_RADIUS_M) -> list[Zone]:
    """One port zone per WPI port of the shipped subset: a circle of ``radius_m``."""
    zones = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            name = row["Main Port Name"].strip()
            lon, lat = float(row["Longitude"]), float(row["Latitude"])
            geom = shapely.set_precision(buffer_m(shapely.Point(lon, lat), radius_m), 1e-6)
            zones.append(Zone(
                id=f"wpi-{row['World Port Index Number'].split('.')[0]}", kind=ZoneKind.PORT,
                name=PORT_NAMES.get(name, name), geometry=geom,
                properties={"layer": "wpi_ports", "wpi_name": name, "report_calls": False,
                            "unlocode": (row.get("UN/LOCODE") or "").strip(),
                            "radius_m": radius_m, "source": LAYERS["wpi_ports"].source}))
    return zones


def default_layer_zones() -> list[Zone]:
    """Every zone of the shipped default layers."""
    return anchorage_zones() + port_zones()


__all__ = ["ANCHORAGE_CELL_HALF_M", "LAYERS", "PORT_RADIUS_M", "Layer", "anchorage_zones",
           "default_layer_zones", "port_zones"]
