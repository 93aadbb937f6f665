"""Geometries and GeoDataFrames as plain NumPy arrays, for the network cache's ``.npz`` files.

No pickles: WKB in one byte buffer with its offsets, LineStrings as their coordinates and offsets
(plain numbers any tool can read), text as UTF-8 bytes, attribute columns as arrays or JSON.
A frame is only written when it reads back the same (:func:`same_frame`), so the cache never
hands back something other than what the file gives.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely

#: Numeric, boolean and time columns are stored as NumPy arrays; other columns as JSON.
_ARRAY_KINDS = frozenset("biufcmM")


def text_array(text: str) -> np.ndarray:
    """Text as its UTF-8 bytes (a quarter of NumPy's own string arrays for Japanese)."""
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def array_text(array: np.ndarray) -> str:
    """The text :func:`text_array` stored."""
    return array.tobytes().decode("utf-8")


def wkb_arrays(geometries: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    """Geometries as one buffer of WKB and the offsets into it (a missing geometry: an empty piece)."""
    wkb = shapely.to_wkb(geometries)
    lengths = np.array([0 if one is None else len(one) for one in wkb], dtype=np.int64)
    blob = b"".join(one for one in wkb if one is not None)
    return {f"{prefix}_wkb": np.frombuffer(blob, dtype=np.uint8),
            f"{prefix}_wkb_offsets": np.concatenate([[0], np.cumsum(lengths)])}


def wkb_geometries(data, prefix: str) -> np.ndarray:
    """The geometries :func:`wkb_arrays` stored under ``prefix`` (``data``: the loaded ``.npz`` or a dict)."""
    blob, offsets = data[f"{prefix}_wkb"].tobytes(), data[f"{prefix}_wkb_offsets"]
    pieces = [blob[a:b] if b > a else None for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    return shapely.from_wkb(np.array(pieces, dtype=object))


def line_arrays(lines: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    """LineStrings as their coordinates and offsets (plain numbers, read back as fast as WKB), else WKB."""
    try:
        kind, coordinates, offsets = shapely.to_ragged_array(lines)
    except (ValueError, TypeError):
        return wkb_arrays(lines, prefix)
    if kind != shapely.GeometryType.LINESTRING:
        return wkb_arrays(lines, prefix)
    return {f"{prefix}_coordinates": coordinates, f"{prefix}_offsets": offsets[0]}


def lines_from(data, prefix: str) -> np.ndarray:
    """The geometries :func:`line_arrays` stored under ``prefix``."""
    if f"{prefix}_coordinates" not in data:
        return wkb_geometries(data, prefix)
    return shapely.from_ragged_array(shapely.GeometryType.LINESTRING, data[f"{prefix}_coordinates"],
                                     (data[f"{prefix}_offsets"],))


def frame_arrays(frame) -> dict[str, np.ndarray] | None:
    """A GeoDataFrame as arrays; None when a column would not read back the same (it is then not cached)."""
    geometry = frame.geometry.name
    layout, arrays = [], {}
    for i, column in enumerate(frame.columns):
        if column == geometry:
            continue
        series = frame[column]
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in _ARRAY_KINDS:
            arrays[f"column_{i}"] = series.to_numpy()
            layout.append([column, str(series.dtype), "array", i])
            continue
        values = [None if not isinstance(v, (list, dict)) and pd.isna(v) else v for v in series.tolist()]
        try:
            arrays[f"column_{i}"] = text_array(json.dumps(values, ensure_ascii=False, allow_nan=False))
        except (TypeError, ValueError):
            return None
        layout.append([column, str(series.dtype), "json", i])
    plain_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1
    if not plain_index:
        if frame.index.dtype.kind not in "iu":
            return None
        arrays["index"] = frame.index.to_numpy()
    meta = {"columns": [str(c) for c in frame.columns], "geometry": geometry, "layout": layout,
            "crs": frame.crs.to_wkt() if frame.crs is not None else None, "plain_index": plain_index}
    return {"meta": text_array(json.dumps(meta, ensure_ascii=False)), **wkb_arrays(frame.geometry.values, "geometry"),
            **arrays}


def frame_from(data):
    """The GeoDataFrame :func:`frame_arrays` stored."""
    import geopandas as gpd

    meta = json.loads(array_text(data["meta"]))
    index = pd.RangeIndex(len(data["geometry_wkb_offsets"]) - 1) if meta["plain_index"] else pd.Index(data["index"])
    columns = {}
    for column, dtype, how, i in meta["layout"]:
        values = data[f"column_{i}"] if how == "array" else json.loads(array_text(data[f"column_{i}"]))
        columns[column] = pd.Series(values, dtype=dtype, index=index)
    columns[meta["geometry"]] = gpd.GeoSeries(wkb_geometries(data, "geometry"), index=index, crs=meta["crs"])
    frame = gpd.GeoDataFrame(columns, geometry=meta["geometry"], crs=meta["crs"])
    return frame[meta["columns"]]


def same_frame(one, other) -> bool:
    """Whether two GeoDataFrames hold the same columns, types, index and values, geometries to the bit."""
    geometry = one.geometry.name
    return (list(one.columns) == list(other.columns) and geometry == other.geometry.name
            and one.index.equals(other.index) and bool((one.dtypes.astype(str) == other.dtypes.astype(str)).all())
            and pd.DataFrame(one.drop(columns=geometry)).equals(pd.DataFrame(other.drop(columns=geometry)))
            and bool(np.array_equal(shapely.to_wkb(one.geometry.values), shapely.to_wkb(other.geometry.values)))
            and (one.crs == other.crs))
