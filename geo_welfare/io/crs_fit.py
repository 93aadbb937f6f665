"""Whether a file's coordinates fit the coordinate system it declares, and which common one they fit if not.

A Shapefile whose ``.prj`` names the wrong plane rectangular zone is read without complaint and
every point lands 100 km or more away, still in Japan, so no later check notices.  Before a frame
is transformed for storage, its raw coordinates are compared with the declared CRS's area of use
(EPSG's, a box around the zone's prefectures, widened by :data:`MARGIN_DEGREES`):

- degrees (every coordinate a longitude/latitude in Japan) in a CRS of metres: they would all
  land within 200 m of the zone's origin;
- a CRS of degrees whose coordinates cannot be degrees at all (plane rectangular metres; a typo in
  one row, or latitude and longitude swapped, are the row checks' to name);
- a CRS of metres that puts them outside its own area of use, or outside Japan, while JGD2011 lon/lat or
  one of the plane rectangular zones of the same datum (the neighbouring zones first) puts every
  one inside its area: the file is refused, naming those.

The first two are refused whoever named the CRS; the third only when the file itself declares it
(``confirmed`` is false): ``--crs`` naming the same CRS is the user's word that it is right, for
data a municipality keeps in a neighbouring zone on purpose.  Coordinates that fit no common CRS
are left to the row-by-row checks (:func:`geo_welfare.io.readers.check_geometries`).
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer

from geo_welfare.core.config import JAPAN_BOUNDS, STORAGE_SRID
from geo_welfare.core.crs import ZONE_ORIGINS
from geo_welfare.core.errors import Problem

#: Tolerance around a CRS's area of use (degrees, about 20 km): places just over a prefecture border fit.
MARGIN_DEGREES = 0.2
#: Features compared at most (evenly spread over the file), so a long list is checked in a moment.
SAMPLE = 5000
#: First EPSG code of zone I of each datum's plane rectangular zones (JGD2011, JGD2000, Tokyo).
ZONE_SERIES = (6669, 2443, 30161)
#: Candidates named in a message at most.
NAMED = 3


def _label(crs: CRS) -> str:
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


@functools.lru_cache(maxsize=64)
def _area(code: int) -> tuple[float, float, float, float] | None:
    area = CRS.from_epsg(code).area_of_use
    return None if area is None else area.bounds


@functools.lru_cache(maxsize=64)
def _to_lonlat(wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(wkt), CRS.from_epsg(STORAGE_SRID), always_xy=True)


def _inside(x: np.ndarray, y: np.ndarray, bounds: tuple[float, float, float, float], margin: float) -> np.ndarray:
    west, south, east, north = bounds
    return (x >= west - margin) & (x <= east + margin) & (y >= south - margin) & (y <= north + margin)


def _in_japan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _inside(x, y, JAPAN_BOUNDS, 0.0)


def _could_be_degrees(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points that are longitude/latitude somewhere on Earth, or latitude/longitude (swapped)."""
    return ((np.abs(x) <= 180) & (np.abs(y) <= 90)) | ((np.abs(y) <= 180) & (np.abs(x) <= 90))


def _fits(crs: CRS, x: np.ndarray, y: np.ndarray) -> bool:
    """Every point, read in ``crs``, inside ``crs``'s area of use (widened) and inside Japan."""
    lon, lat = _to_lonlat(crs.to_wkt()).transform(x, y)
    area = crs.area_of_use
    fits = _in_japan(lon, lat)
    if area is not None:
        fits &= _inside(lon, lat, area.bounds, MARGIN_DEGREES)
    return bool(np.all(fits))


def _zone(code: int | None) -> tuple[int, int] | None:
    """(first code of its series, zone number) of a plane rectangular zone's EPSG code, else None."""
    for first in ZONE_SERIES:
        if code is not None and first <= code < first + len(ZONE_ORIGINS):
            return first, code - first + 1
    return None


def _candidates(declared: CRS, x: np.ndarray, y: np.ndarray) -> list[CRS]:
    """JGD2011 lon/lat and the zones of the declared datum (nearest zone numbers first) that fit every point."""
    zone = _zone(declared.to_epsg())
    first, number = zone if zone else (ZONE_SERIES[0], None)
    zones = sorted(ZONE_ORIGINS, key=lambda z: (abs(z - number), z) if number else z)
    codes = [STORAGE_SRID] + [first + z - 1 for z in zones if z != number]
    return [crs for crs in map(CRS.from_epsg, codes) if _fits(crs, x, y)]


def _coordinates(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The corners of each feature's bounds, of at most :data:`SAMPLE` features spread over the file."""
    geometry = frame.geometry
    present = geometry[~(geometry.isna() | geometry.is_empty)]
    if len(present) > SAMPLE:
        present = present.iloc[np.linspace(0, len(present) - 1, SAMPLE).astype(int)]
    bounds = present.bounds.to_numpy()
    x, y = np.concatenate([bounds[:, 0], bounds[:, 2]]), np.concatenate([bounds[:, 1], bounds[:, 3]])
    finite = np.isfinite(x) & np.isfinite(y)
    return x[finite], y[finite]


def crs_problem(frame: gpd.GeoDataFrame, path: Path, *, confirmed: bool = False) -> Problem | None:
    """Why ``frame``'s coordinates contradict its CRS (a whole-file problem naming the CRSs they fit), or None."""
    if frame.crs is None:
        return None
    declared = CRS.from_user_input(frame.crs)
    x, y = _coordinates(frame)
    if not len(x):
        return None
    as_degrees = _in_japan(x, y)
    if declared.is_projected and as_degrees.all():  # every one a longitude/latitude in Japan
        key, fitting = "crs_degrees_in_metres", [CRS.from_epsg(STORAGE_SRID)]
    elif declared.is_geographic and not _could_be_degrees(x, y).any():  # none can be degrees, in either order
        key, fitting = "crs_metres_in_degrees", _candidates(declared, x, y)
    elif declared.is_projected and not confirmed and not _fits(declared, x, y):
        key, fitting = "crs_contradicts_coordinates", _candidates(declared, x, y)
    else:
        return None
    fitting = [crs for crs in fitting if not crs.equals(declared)]
    if not fitting:
        return None
    area = declared.area_of_use
    named = ", ".join(_label(crs) for crs in fitting[:NAMED]) + (" …" if len(fitting) > NAMED else "")
    return Problem(str(path), None, "CRS", key, {
        "declared": _label(declared), "area": area.name if area is not None else "—", "candidates": named,
        "where": _landing(declared, x, y), "code": f"EPSG:{code}" if (code := declared.to_epsg()) else declared.name},
        f"{x[0]:.6f}, {y[0]:.6f}")


def _landing(declared: CRS, x: np.ndarray, y: np.ndarray) -> str:
    """Where ``declared`` puts the first point outside its area of use (or outside Japan), as lon, lat."""
    lon, lat = _to_lonlat(declared.to_wkt()).transform(x, y)
    area = declared.area_of_use
    outside = ~_in_japan(lon, lat) | (~_inside(lon, lat, area.bounds, MARGIN_DEGREES) if area else False)
    index = int(np.argmax(outside)) if outside.any() else 0
    return f"{lon[index]:.5f}, {lat[index]:.5f}"
