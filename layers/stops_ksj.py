"""国土数値情報 stops and stations: P11 バス停留所 (points) and N02 鉄道 駅 (lines along the platforms).

P11 (2022, P11-22): ``P11_001`` バス停名, ``P11_002`` バス事業者名, ``P11_003_01…35`` バス系統 and
``P11_004_01…35`` バス区分 (the 2010 edition, P11-10, has ``P11_002`` バス区分 and ``P11_003``
事業者名, one of each).  N02 (the station layer, ``N02-yy_Station``): ``N02_001`` 鉄道区分,
``N02_002`` 事業者種別, ``N02_003`` 路線名, ``N02_004`` 運営会社, ``N02_005`` 駅名 (and, from
N02-17 on, ``N02_005c`` 駅コード, ``N02_005g`` グループコード).  A station is a line drawn along
its platforms; its point is the middle of that line (half its length along it, so it stands on
the track), as the 国土数値情報 derived station points do.  N02 鉄道区分 21 (軌道) is a tram;
every other class is a station.  Neither file has a timetable: departures are unknown.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import ROW, read_vector, to_storage_crs

#: N02 鉄道区分 of a tram (軌道; the monorails and guided lines under the 軌道法 are 22–25: stations).
N02_TRAM_CLASS = "21"


def _text(series: pd.Series) -> np.ndarray:
    """Cells as stripped text, None where blank."""
    values = series.astype(object).where(series.notna(), None)
    return np.array([str(v).strip() or None if v is not None else None for v in values], dtype=object)


def _require(frame: pd.DataFrame, path: Path, columns: tuple[str, ...]) -> None:
    missing = [Problem(str(path), None, column, "required_column_missing", {}) for column in columns
               if column not in frame]
    if missing:
        raise InputError(missing)


def _frame(frame: gpd.GeoDataFrame, mode, name: np.ndarray, operator: np.ndarray,
           geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"source_id": frame[ROW].astype(str).to_numpy(), "name": name, "mode": mode,
                             "operator": operator, "departures_per_day": None, "departures_date": None,
                             ROW: frame[ROW].to_numpy()}, geometry=geometry, crs=frame.crs)


def read_p11_stops(path: Path) -> gpd.GeoDataFrame:
    """The bus stops of a P11 file, in :data:`~geo_welfare.layers.stops.STOP_COLUMNS` (EPSG:6668).

    ``source_id`` is the feature number (P11 has no stop code).
    """
    frame = read_vector(path)
    _require(frame, path, ("P11_001",))
    frame = to_storage_crs(frame, path)
    operator_column = "P11_002" if "P11_003_01" in frame else "P11_003" if "P11_003" in frame else None
    operator = _text(frame[operator_column]) if operator_column else np.full(len(frame), None, dtype=object)
    return _frame(frame, "bus", _text(frame["P11_001"]), operator, frame.geometry.to_numpy())


def station_point(geometry: shapely.Geometry | None) -> shapely.Geometry | None:
    """The middle of a station's line (half its length along it); a point stays as it is."""
    if geometry is None or geometry.is_empty or geometry.geom_type == "Point":
        return geometry
    if geometry.geom_type == "MultiLineString":
        merged = shapely.line_merge(geometry)
        geometry = max(shapely.get_parts(merged), key=lambda part: part.length)
    if geometry.geom_type == "LineString":
        return geometry.interpolate(0.5, normalized=True)
    return geometry.representative_point()


def read_n02_stations(path: Path) -> gpd.GeoDataFrame:
    """The stations of an N02 station layer, in :data:`~geo_welfare.layers.stops.STOP_COLUMNS` (EPSG:6668).

    ``source_id`` is the 駅コード (``N02_005c``) where the file has one, else the feature number.
    """
    frame = read_vector(path)
    _require(frame, path, ("N02_005",))
    frame = to_storage_crs(frame, path)
    classes = _text(frame["N02_001"]) if "N02_001" in frame else np.full(len(frame), None, dtype=object)
    mode = np.where(classes == N02_TRAM_CLASS, "tram", "station")
    operator = _text(frame["N02_004"]) if "N02_004" in frame else np.full(len(frame), None, dtype=object)
    stations = _frame(frame, mode, _text(frame["N02_005"]), operator,
                      [station_point(g) for g in frame.geometry.to_numpy()])
    if "N02_005c" in frame:
        codes = _text(frame["N02_005c"])
        unique = pd.Series(codes).notna() & ~pd.Series(codes).duplicated(keep=False)
        stations["source_id"] = np.where(unique.to_numpy(), codes, stations["source_id"].to_numpy())
    return stations
