"""Walkable street lines from the files that hold them: OpenStreetMap or a road centre-line layer.

From OSM only ways that pedestrians may use are kept (no motorways, no ``foot=no``, no private
access).  A municipality's road centre lines (e.g. Sapporo's 認定道路) carry no such tags and are
taken as they are; being whole routes, they are noded later by :func:`build_network`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo_welfare.core.errors import InputError
from geo_welfare.io.osm import is_osm_file, parse_other_tags
from geo_welfare.io.readers import check_geometries, read_vector, to_storage_crs

#: OSM ``highway`` values an older pedestrian may walk along.
WALKABLE_HIGHWAYS = frozenset({
    "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street", "service", "pedestrian", "footway", "path", "steps", "track", "road",
    "cycleway", "crossing", "corridor",
})
#: Tag values that close a way to pedestrians whatever its highway class.
CLOSED = {"foot": {"no", "private"}, "access": {"no", "private"}}


def _osm_lines(path: Path) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lines = pyogrio.read_dataframe(path, layer="lines")
    tags = lines["other_tags"].map(parse_other_tags)
    open_to_walkers = tags.map(lambda t: not any(t.get(key) in values for key, values in CLOSED.items()))
    keep = lines["highway"].isin(WALKABLE_HIGHWAYS) & open_to_walkers
    result = lines.loc[keep, ["osm_id", "highway", "name", "geometry"]].reset_index(drop=True)
    result["_row"] = range(1, len(result) + 1)
    return result


def read_walkable_lines(path: str | Path, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Walkable street lines from an OSM file (.osm/.pbf) or any line layer, in JGD2011 lon/lat.

    From OSM only ways a pedestrian may use are kept (:data:`WALKABLE_HIGHWAYS`, and none closed
    by :data:`CLOSED`); any other layer (a municipality's road centre lines) is taken whole.

    Parameters
    ----------
    path : str or Path
        The file.
    crs : str, optional
        CRS of a line layer that declares none (e.g. a Shapefile without .prj); ignored for OSM.

    Returns
    -------
    geopandas.GeoDataFrame
        LineStrings and MultiLineStrings in EPSG:6668, with ``_row`` (feature number from 1);
        from OSM also ``osm_id``, ``highway`` and ``name``.

    Raises
    ------
    InputError
        If the file is missing or unreadable, its CRS is unknown or contradicts ``crs``, or a
        geometry is missing, invalid, not a line or outside Japan.
    """
    path = Path(path)
    if not path.exists():
        raise InputError.single(path, "file_not_found")
    lines = _osm_lines(path) if is_osm_file(path) else read_vector(path, crs=crs)
    lines = to_storage_crs(lines, path)
    lines, _ = check_geometries(lines, path, allowed_types={"LineString", "MultiLineString"})
    return lines
