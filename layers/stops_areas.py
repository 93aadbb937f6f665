"""Community-transport service areas (乗合タクシー, コミュニティバス, デマンド交通) as polygons (issue 14).

Where a municipality runs a demand-responsive service or a shared taxi that comes to the door, a
resident far from every stop is not cut off: such areas are taken out of the transit gaps.  A
file is any polygon layer (GeoJSON, Shapefile, GeoPackage); its name and kind columns are found
by :data:`~geo_welfare.layers.columns.TRANSIT_AREA_COLUMNS` (or ``--columns``), and a file without
a kind column takes the kind the import gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo_welfare.io.readers import ROW, check_geometries, find_column, read_vector, to_storage_crs
from geo_welfare.layers.columns import TRANSIT_AREA_COLUMNS


def _cells(frame: gpd.GeoDataFrame, column: str | None, default: str | None) -> np.ndarray:
    if column is None:
        return np.full(len(frame), default, dtype=object)
    values = frame[column].astype(object).where(frame[column].notna(), None)
    return np.array([(str(v).strip() or default) if v is not None else default for v in values], dtype=object)


def read_service_areas(path: str | Path, *, kind: str | None = None, columns: Mapping[str, str] | None = None,
                       crs: str | None = None) -> gpd.GeoDataFrame:
    """The service areas of one polygon file: ``name``, ``kind``, ``_row`` and MultiPolygons in EPSG:6668.

    Parameters
    ----------
    path : str or Path
        A polygon layer.
    kind : str, optional
        The kind of every area of a file without a kind column (or a blank cell in it).
    columns : mapping, optional
        ``field → column`` as the user declared them (``--columns name=区域名``).
    crs : str, optional
        The file's CRS where it does not say.

    Raises
    ------
    InputError
        Rows without a polygon, with an invalid one, or outside Japan (each named).
    """
    path = Path(path)
    frame = read_vector(path, crs=crs)
    declared = dict(columns or {})
    found = {field: declared.get(field) or find_column(frame.columns, names)
             for field, names in TRANSIT_AREA_COLUMNS.items()}
    frame = to_storage_crs(frame, path)
    frame, _ = check_geometries(frame, path, allowed_types={"Polygon", "MultiPolygon"})
    polygons = [shapely.multipolygons([g]) if g.geom_type == "Polygon" else g for g in frame.geometry.to_numpy()]
    return gpd.GeoDataFrame({"name": _cells(frame, found["name"], None), "kind": _cells(frame, found["kind"], kind),
                             ROW: frame[ROW].to_numpy()}, geometry=polygons, crs=frame.crs).reset_index(drop=True)
