"""Store frames as display-ready GeoJSON: simplified, rounded, with words a person reads.

Shared by the map page and the API so that both show the same thing.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely

from geo_welfare.store.read import schedule_of
from geo_welfare.values import plain
from layers.glossary import AREA_UNITS, RESOURCE_KINDS, label
from layers.schedules import describe

#: Display simplification (degrees, ~2 m): invisible at street zoom, halves a ward's vertices.
SIMPLIFY_DEGREES = 0.00002
#: The same ~2 m largest deviation for the coverage simplifier, whose tolerance is the square root
#: of a removed triangle's area, not a distance: 0.00004 moves no border more than ~0.000023°
#: on Sapporo's 東区 (1,085 small areas), like :data:`SIMPLIFY_DEGREES` per polygon.
COVERAGE_SIMPLIFY = 0.00004
COORDINATE_DECIMALS = 6


def _plain(value: object) -> object:
    """A JSON-ready value: missing → None, dates → ISO text."""
    value = plain(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _geometry(geometry) -> dict:
    rounded = shapely.set_precision(geometry, 10 ** -COORDINATE_DECIMALS)
    return json.loads(shapely.to_geojson(rounded))


def simplify_for_display(geometries) -> np.ndarray:
    """Polygons of one area level simplified by ~2 m, neighbours keeping one shared border.

    Simplifying each polygon alone moves a shared border differently on either side, which
    draws as doubled lines and slivers at street zoom; a valid coverage (no overlaps) is
    therefore simplified as a whole.  Levels that overlap (hand-drawn districts, files with
    slivers) fall back to per-polygon simplification that keeps each polygon valid.
    """
    values = np.asarray(geometries, dtype=object)
    if len(values) and hasattr(shapely, "coverage_simplify") and shapely.coverage_is_valid(values):
        return shapely.coverage_simplify(values, COVERAGE_SIMPLIFY)
    return shapely.simplify(values, SIMPLIFY_DEGREES, preserve_topology=True)


def area_collection(areas: gpd.GeoDataFrame, lang: str = "ja") -> dict:
    """Area units as a FeatureCollection, each level simplified for display (see :func:`simplify_for_display`)."""
    simplified = np.empty(len(areas), dtype=object)
    units = areas["unit"].to_numpy()
    for unit in dict.fromkeys(units):
        chosen = units == unit
        simplified[chosen] = simplify_for_display(areas.geometry.values[chosen])
    features = [{
        "type": "Feature",
        "properties": {"unit": row["unit"], "unit_label": label(AREA_UNITS, row["unit"], lang), "code": row["code"],
                       "name": _plain(row["name"]) or row["code"], "parent_code": _plain(row["parent_code"])},
        "geometry": _geometry(geometry),
    } for row, geometry in zip(areas.to_dict("records"), simplified)]
    return {"type": "FeatureCollection", "features": features}


def resource_properties(row: dict, lang: str = "ja") -> dict:
    """What a popup shows about a resource, in words."""
    return {
        "id": int(row["id"]), "kind": row["kind"], "kind_label": label(RESOURCE_KINDS, row["kind"], lang),
        "name": row["name"], "address": _plain(row["address"]), "phone": _plain(row["phone"]),
        "schedule": describe(schedule_of(row), lang) or None, "target_groups": _plain(row["target_groups"]),
        "fee": _plain(row["fee"]), "capacity": _plain(row["capacity"]), "barrier_free": _plain(row["barrier_free"]),
        "consultation": _plain(row["consultation"]), "last_checked": _plain(row["last_checked"]),
        "schedules": row.get("schedules") or [],
    }


def resource_collection(resources: gpd.GeoDataFrame, lang: str = "ja") -> dict:
    """Resources as a FeatureCollection of points with display properties."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": resource_properties(row, lang), "geometry": _geometry(row["geometry"])}
        for row in resources.to_dict("records")]}
