"""Store frames as display-ready GeoJSON: simplified, rounded, with words a person reads.

Shared by the map page and the API so that both show the same thing.  :class:`AreaLevel` serves one
area level by view: the features meeting a bounding box, simplified for a zoom, as JSON text made
once per zoom (the map page of a whole city asks for them as the view moves, many visitors at once).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from geo_welfare.store.read import read_areas, schedule_of
from geo_welfare.core.values import plain
from geo_welfare.core.glossary import AREA_UNITS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import describe
from geo_welfare.web.store import get_engine, per_revision

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


def tolerance_for_zoom(zoom: float | None) -> float:
    """Degrees a border may move unseen at ``zoom``: half a screen pixel there, never finer than ~2 m."""
    if zoom is None:
        return SIMPLIFY_DEGREES
    return max(SIMPLIFY_DEGREES, 0.5 * 360.0 / (256 * 2 ** float(zoom)))


def simplify_for_display(geometries, tolerance: float = SIMPLIFY_DEGREES) -> np.ndarray:
    """Polygons of one area level simplified by ``tolerance`` degrees, neighbours keeping one shared border.

    Simplifying each polygon alone moves a shared border differently on either side, which
    draws as doubled lines and slivers at street zoom; a valid coverage (no overlaps) is
    therefore simplified as a whole.  Levels that overlap (hand-drawn districts, files with
    slivers) fall back to per-polygon simplification that keeps each polygon valid.
    """
    values = np.asarray(geometries, dtype=object)
    if len(values) and hasattr(shapely, "coverage_simplify") and shapely.coverage_is_valid(values):
        return shapely.coverage_simplify(values, tolerance * COVERAGE_SIMPLIFY / SIMPLIFY_DEGREES)
    return shapely.simplify(values, tolerance, preserve_topology=True)


#: Display geometries already simplified, keyed by the exact stored shapes and the tolerance: areas
#: change only on import, and simplifying a ward's 1,000 small areas costs more than the rest of a page.
_DISPLAY_CACHE: OrderedDict[tuple[str, float], list[dict]] = OrderedDict()
_DISPLAY_CACHE_SIZE = 32


def _display_geometries(geometries: np.ndarray, tolerance: float) -> list[dict]:
    digest = hashlib.blake2b(digest_size=16)
    for wkb in shapely.to_wkb(geometries):
        digest.update(wkb)
    key = (digest.hexdigest(), tolerance)
    cached = _DISPLAY_CACHE.get(key)
    if cached is None:
        cached = [_geometry(g) for g in simplify_for_display(geometries, tolerance)]
        _DISPLAY_CACHE[key] = cached
        while len(_DISPLAY_CACHE) > _DISPLAY_CACHE_SIZE:
            _DISPLAY_CACHE.popitem(last=False)
    else:
        _DISPLAY_CACHE.move_to_end(key)
    return cached


def area_collection(areas: gpd.GeoDataFrame, lang: str = "ja", zoom: float | None = None) -> dict:
    """Area units as a FeatureCollection, each level simplified for display at ``zoom`` (see :func:`simplify_for_display`)."""
    tolerance = tolerance_for_zoom(zoom)
    shapes: list[dict | None] = [None] * len(areas)
    units = areas["unit"].to_numpy()
    for unit in dict.fromkeys(units):
        chosen = np.flatnonzero(units == unit)
        for index, geometry in zip(chosen, _display_geometries(areas.geometry.values[chosen], tolerance)):
            shapes[index] = geometry
    features = [{
        "type": "Feature",
        "properties": {"unit": row["unit"], "unit_label": label(AREA_UNITS, row["unit"], lang), "code": row["code"],
                       "name": _plain(row["name"]) or row["code"], "parent_code": _plain(row["parent_code"])},
        "geometry": geometry,
    } for row, geometry in zip(areas.to_dict("records"), shapes)]
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
        "services": _plain(row.get("services")),  # an office's services (the national lists), where read with them
    }


def resource_collection(resources: gpd.GeoDataFrame, lang: str = "ja") -> dict:
    """Resources as a FeatureCollection of points with display properties."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": resource_properties(row, lang), "geometry": _geometry(row["geometry"])}
        for row in resources.to_dict("records")]}


#: The finest zoom whose half pixel is coarser than the ~2 m floor: every closer zoom draws the same shapes.
FINEST_DISTINCT_ZOOM = 15


def decimals_for(tolerance: float) -> int:
    """Decimals of a degree worth sending for shapes simplified by ``tolerance``: a fifth of it, 4 to 6.

    Never fewer than 4 (~10 m), so that no small area shrinks to nothing on the grid.
    """
    return int(min(COORDINATE_DECIMALS, max(4, math.ceil(-math.log10(tolerance / 5)))))


class AreaLevel:
    """One area level of one store revision, served by view: an index of its shapes and their JSON per zoom.

    Simplifying a city's 5,781 small areas takes about a second, so it is done once per zoom and
    the features kept as JSON text; a view's answer is then an index query and a join of texts.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The stored areas of one unit (as :func:`geo_welfare.store.read.read_areas` gives them).
    """

    def __init__(self, areas: gpd.GeoDataFrame):
        self.unit = str(areas["unit"].iloc[0]) if len(areas) else ""
        self.codes = [str(code) for code in areas["code"]]
        self.names = [_plain(name) or code for name, code in zip(areas["name"], self.codes)]
        self.parents = [_plain(parent) for parent in areas["parent_code"]]
        self.geometries = np.asarray(areas.geometry.values, dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        self._shapes: dict[float, list[str]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.codes)

    def within(self, bbox: tuple[float, float, float, float] | None) -> np.ndarray:
        """Positions (in stored order) of the areas that meet ``bbox`` (lon/lat west, south, east, north); all for None."""
        if bbox is None:
            return np.arange(len(self.codes))
        return np.sort(self.tree.query(shapely.box(*bbox), predicate="intersects"))

    def shapes(self, zoom: float | None) -> list[str]:
        """Each area's geometry as GeoJSON text, simplified for ``zoom`` (see :func:`simplify_for_display`)."""
        tolerance = tolerance_for_zoom(zoom)
        with self._lock:  # one thread simplifies a zoom; the others wait for it rather than do it again
            texts = self._shapes.get(tolerance)
            if texts is None:
                simplified = simplify_for_display(self.geometries, tolerance)
                rounded = shapely.set_precision(simplified, 10.0 ** -decimals_for(tolerance))
                texts = self._shapes[tolerance] = [str(text) for text in shapely.to_geojson(rounded)]
        return texts

    def collection(self, bbox: tuple[float, float, float, float] | None, zoom: float | None, lang: str,
                   extra: Mapping[str, dict] | None = None) -> str:
        """The FeatureCollection (JSON text) of the areas meeting ``bbox``, simplified for ``zoom``.

        Properties: ``unit``, ``unit_label`` (in ``lang``), ``code``, ``name``, ``parent_code``, and
        ``extra[code]`` where given (a shading's value and colour).
        """
        shapes, unit_label = self.shapes(zoom), label(AREA_UNITS, self.unit, lang) if self.unit else ""
        features = []
        for i in self.within(bbox).tolist():
            properties = {"unit": self.unit, "unit_label": unit_label, "code": self.codes[i], "name": self.names[i],
                          "parent_code": self.parents[i], **(extra or {}).get(self.codes[i], {})}
            features.append(f'{{"type":"Feature","properties":{json.dumps(properties, ensure_ascii=False)},'
                            f'"geometry":{shapes[i]}}}')
        return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def area_levels(areas: gpd.GeoDataFrame) -> dict[str, AreaLevel]:
    """Every stored level (unit → :class:`AreaLevel`), in the order the store gave them."""
    units = areas["unit"].to_numpy()
    return {str(unit): AreaLevel(areas[units == unit]) for unit in dict.fromkeys(units)}


def kept_areas() -> gpd.GeoDataFrame:
    """Every stored area of the current app's store, read once per store revision (shared: never change it)."""
    engine = get_engine()
    return per_revision(("areas",), lambda: read_areas(engine))


def kept_levels() -> dict[str, AreaLevel]:
    """:func:`area_levels` of :func:`kept_areas`, made once per store revision."""
    return per_revision(("area_levels",), lambda: area_levels(kept_areas()))
