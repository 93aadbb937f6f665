"""Coordinate reference systems: lon/lat for storage, the plane rectangular zone for metres.

Japan measures distances in the Japan Plane Rectangular CS (平面直角座標系) of the area:
19 zones, each a transverse Mercator with its own origin, assigned by prefecture (and, in
Hokkaido, Tokyo, Okinawa and Kagoshima, by part of the prefecture).  The JGD2011 zones are
EPSG:6669 (I) to EPSG:6687 (XIX).  Choosing the zone from the prefecture code is exact; the
fallback from coordinates alone is an approximation that can pick a neighbouring zone near a
prefecture border, which changes distances within a town by far less than a metre per km.
"""

from __future__ import annotations

import math

from pyproj import CRS

from geo_welfare.core.config import JAPAN_BOUNDS

#: Zone number → (origin latitude, origin longitude) in degrees, from the 平面直角座標系 notice
#: (国土交通省告示第九号, 2002).
ZONE_ORIGINS: dict[int, tuple[float, float]] = {
    1: (33.0, 129.5), 2: (33.0, 131.0), 3: (36.0, 132 + 10 / 60), 4: (33.0, 133.5),
    5: (36.0, 134 + 20 / 60), 6: (36.0, 136.0), 7: (36.0, 137 + 10 / 60), 8: (36.0, 138.5),
    9: (36.0, 139 + 50 / 60), 10: (40.0, 140 + 50 / 60), 11: (44.0, 140.25), 12: (44.0, 142.25),
    13: (44.0, 144.25), 14: (26.0, 142.0), 15: (26.0, 127.5), 16: (26.0, 124.0), 17: (26.0, 131.0),
    18: (20.0, 136.0), 19: (26.0, 154.0),
}

#: Prefecture code (JIS X 0401) → zone, for the 43 prefectures that lie in a single zone.
PREFECTURE_ZONE: dict[str, int] = {
    "02": 10, "03": 10, "04": 10, "05": 10, "06": 10,
    "07": 9, "08": 9, "09": 9, "10": 9, "11": 9, "12": 9, "14": 9,
    "15": 8, "19": 8, "20": 8, "22": 8,
    "16": 7, "17": 7, "21": 7, "23": 7,
    "18": 6, "24": 6, "25": 6, "26": 6, "27": 6, "29": 6, "30": 6,
    "28": 5, "31": 5, "33": 5,
    "32": 3, "34": 3, "35": 3,
    "36": 4, "37": 4, "38": 4, "39": 4,
    "40": 2, "41": 2, "43": 2, "44": 2, "45": 2,
    "42": 1,
}

STORAGE_LONLAT = CRS.from_epsg(6668)


def zone_epsg(zone: int) -> int:
    """EPSG code of a JGD2011 plane rectangular zone.

    Parameters
    ----------
    zone : int
        Zone number, 1 (I) to 19 (XIX).

    Returns
    -------
    int
        EPSG code, 6669 (zone I) to 6687 (zone XIX).

    Raises
    ------
    ValueError
        If ``zone`` is not one of the 19 zones.
    """
    if zone not in ZONE_ORIGINS:
        raise ValueError(f"no plane rectangular zone {zone}")
    return 6668 + zone


def _zone_within_split_prefecture(prefecture: str, lon: float, lat: float) -> int:
    """Zones of the four prefectures that span several zones, by the areas the notice lists.

    Hokkaido's zones follow 振興局 boundaries; the longitudes used here follow them closely but
    not exactly (e.g. towns on the XI/XII line near 141° E).  Pass an explicit CRS to override.
    """
    if prefecture == "01":
        if lon < 141.0:
            return 11
        return 13 if lon >= 142.8 else 12
    if prefecture == "13":
        if lat < 28.0 and 140.5 <= lon <= 143.0:
            return 14
        if lon > 150.0:
            return 19
        if lat < 21.0:
            return 18
        return 9
    if prefecture == "47":
        if lon < 126.0:
            return 16
        return 17 if lon > 130.0 else 15
    if prefecture == "46":
        return 1 if (lat < 32.0 and lon < 130 + 13 / 60) else 2
    raise ValueError(prefecture)


def zone_for(lon: float, lat: float, prefecture_code: str | None = None) -> int:
    """The plane rectangular zone for a place, exact when the prefecture code is known.

    Without a prefecture code, the zone whose origin is nearest is used, with Hokkaido
    recognised by latitude first (its zones' origins are far north of Sapporo); near a prefecture
    border this can pick the neighbouring zone.

    Parameters
    ----------
    lon, lat : float
        The place in degrees (JGD2011 lon/lat, EPSG:6668).  Ignored when ``prefecture_code``
        names a prefecture that lies in a single zone.
    prefecture_code : str, optional
        A 2-digit prefecture code (JIS X 0401) or any municipality code that starts with one
        (``"14205"``, ``"011002"``).

    Returns
    -------
    int
        Zone number, 1 to 19 (see :func:`zone_epsg`).

    Raises
    ------
    ValueError
        If ``prefecture_code`` does not start with a prefecture code.
    """
    if prefecture_code:
        prefecture = str(prefecture_code).zfill(2)[:2]
        if prefecture in PREFECTURE_ZONE:
            return PREFECTURE_ZONE[prefecture]
        if prefecture in {"01", "13", "46", "47"}:
            return _zone_within_split_prefecture(prefecture, lon, lat)
        raise ValueError(f"unknown prefecture code {prefecture_code!r}")
    if lat > 41.6 and lon > 139.3:
        return _zone_within_split_prefecture("01", lon, lat)

    def distance(zone: int) -> float:
        origin_lat, origin_lon = ZONE_ORIGINS[zone]
        return math.hypot((lon - origin_lon) * math.cos(math.radians(lat)), lat - origin_lat)

    return min((z for z in ZONE_ORIGINS if z not in (11, 12, 13)), key=distance)


def metric_crs(lon: float, lat: float, prefecture_code: str | None = None) -> CRS:
    """The JGD2011 plane rectangular CRS in which to measure distances around a place.

    Parameters
    ----------
    lon, lat : float
        The place in degrees (JGD2011 lon/lat, EPSG:6668).
    prefecture_code : str, optional
        Prefecture or municipality code; makes the choice exact (see :func:`zone_for`).

    Returns
    -------
    pyproj.CRS
        The zone's CRS (EPSG:6669 to EPSG:6687), with x and y in metres.

    Raises
    ------
    ValueError
        If ``prefecture_code`` does not start with a prefecture code.
    """
    return CRS.from_epsg(zone_epsg(zone_for(lon, lat, prefecture_code)))


def metric_crs_for_bounds(bounds: tuple[float, float, float, float], prefecture_code: str | None = None) -> CRS:
    """The metric CRS for data with these lon/lat bounds; the centre of the bounds decides the zone.

    Parameters
    ----------
    bounds : tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees (EPSG:6668), e.g. a frame's
        ``total_bounds``.
    prefecture_code : str, optional
        Prefecture or municipality code; makes the choice exact (see :func:`zone_for`).

    Returns
    -------
    pyproj.CRS
        The plane rectangular zone's CRS, with x and y in metres.

    Raises
    ------
    ValueError
        If ``prefecture_code`` does not start with a prefecture code.
    """
    minx, miny, maxx, maxy = bounds
    return metric_crs((minx + maxx) / 2, (miny + maxy) / 2, prefecture_code)


def within_japan(lon: float, lat: float) -> bool:
    """Whether a point lies in Japan's extent, with a margin for remote islands.

    Used to catch swapped or mis-projected coordinates; the extent is a box
    (:data:`geo_welfare.core.config.JAPAN_BOUNDS`), not the coastline.

    Parameters
    ----------
    lon, lat : float
        The point in degrees (JGD2011 lon/lat, EPSG:6668).

    Returns
    -------
    bool
        True inside the box, edges included.
    """
    min_lon, min_lat, max_lon, max_lat = JAPAN_BOUNDS
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat
