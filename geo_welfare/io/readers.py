"""Reading the files municipalities publish into frames, with errors a person can act on.

- CSV in UTF-8 (with or without BOM) or Shift-JIS/CP932, found by trying them strictly in
  turn; title rows above the header are skipped by looking for the header.
- GeoJSON, Shapefile (with or without ``.cpg``; a CP932 ``.dbf`` is recognised), GeoPackage
  and OpenStreetMap XML/PBF through pyogrio (GDAL).
- Any CRS with a definition is transformed to JGD2011 lon/lat; a file with no CRS is refused
  unless the user names one, because guessing a CRS silently moves every point.

Every frame leaves here with a ``_row`` column: the row as the user sees it (the line number
in a CSV, header included; the feature number, from 1, in other formats).

A missing, empty or unreadable file, or a folder where a file was expected, is refused naming it
(exit 1, never a crash).  A file whose coordinates contradict its declared CRS is refused naming the
CRS they fit (:mod:`geo_welfare.io.crs_fit`).  The row checks here take a ``problems`` list: given
one, they note every bad row in it and hand on the good rows, so a layer can report the problems of
every stage at once instead of stopping at the first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core.config import JAPAN_BOUNDS, STORAGE_CRS
from geo_welfare.core.words import both
from geo_welfare.io.crs_fit import crs_problem

ROW = "_row"
CSV_ENCODINGS = ("utf-8-sig", "cp932")
VECTOR_SUFFIXES = {".geojson", ".json", ".shp", ".gpkg", ".osm", ".pbf", ".zip"}


def decode_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding that decoded it (UTF-8 first, then CP932, both strict)."""
    raw = _file_bytes(path)
    candidates = (encoding,) if encoding else CSV_ENCODINGS
    for candidate in candidates:
        try:
            return raw.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError.single(path, "file_encoding_unknown", tried=", ".join(candidates))


def _header_line(lines: list[str], expected: Iterable[str] | None) -> int:
    """Index of the header line: the first of the top lines naming an expected column."""
    if not expected:
        return 0
    wanted = {name.strip() for name in expected}
    for index, line in enumerate(lines[:20]):
        cells = {cell.strip().strip('"').strip() for cell in line.split(",")}
        if cells & wanted:
            return index
    return 0


def _file_bytes(path: Path) -> bytes:
    """The bytes of a file to read, refusing by name one that is missing, a folder, unreadable or empty."""
    if not path.exists():
        raise InputError.single(path, "file_not_found")
    if path.is_dir():
        raise InputError.single(path, "file_is_directory")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError.single(path, "file_unreadable", error=error.strerror or type(error).__name__) from error
    if not raw.removeprefix(b"\xef\xbb\xbf").strip():
        raise InputError.single(path, "file_empty")
    return raw


def _overfull_rows(body: str, first_row: int, path: Path) -> tuple[int, list[Problem]]:
    """The header's width and every record with more cells than it (extra cells that are all empty are harmless).

    Read with Python's csv module, which splits as pandas does (RFC 4180 quotes); ``first_row`` is
    the number of the first record after the header.  A file it cannot split is left to pandas.
    """
    try:
        reader = csv.reader(io.StringIO(body))
        width = len(next(reader, []))
        problems = [Problem(str(path), number, None, "csv_row_too_many_fields", {"expected": width}, len(record))
                    for number, record in enumerate(reader, start=first_row)
                    if len(record) > width and any(cell.strip() for cell in record[width:])]
    except csv.Error:
        return 0, []
    return width, problems


def read_table(path: str | Path, *, encoding: str | None = None,
               header_names: Iterable[str] | None = None, allow_empty: bool = False) -> pd.DataFrame:
    """A CSV as strings, with ``_row`` = its line number in the file.

    A header without rows is refused unless ``allow_empty``: a list of places read empty is the
    re-import's business (it names the places it would remove), not the reader's.

    ``header_names`` are column names the caller recognises; lines above the first line that
    contains one of them are taken as titles and skipped (Sapporo's tables have two).  Every row
    with more cells than the header (an unquoted comma in an address) is refused, each by number.
    """
    path = Path(path)
    text, _ = decode_text(path, encoding)
    # Only CR/LF end a CSV record (RFC 4180); str.splitlines would also split on U+2028 or a form feed in a cell.
    lines = re.split(r"\r\n|\r|\n", text)
    header_index = _header_line(lines, header_names)
    body = "\n".join(lines[header_index:])
    width, overfull = _overfull_rows(body, header_index + 2, path)
    if overfull:
        raise InputError(overfull)
    _refuse_repeated_columns(body, path)
    try:
        frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False, skip_blank_lines=False,
                            index_col=False, usecols=range(width) if width else None)
    except pd.errors.EmptyDataError as error:
        raise InputError.single(path, "file_empty") from error
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError.single(path, "file_not_csv", error=error) from error
    frame.columns = [str(column).strip() for column in frame.columns]
    frame = frame.loc[~(frame == "").all(axis=1)]
    if frame.empty and not allow_empty:
        raise InputError.single(path, "file_has_no_rows")
    frame[ROW] = frame.index + header_index + 2
    return frame.reset_index(drop=True)


def _refuse_repeated_columns(body: str, path: Path) -> None:
    """A header naming one column twice: pandas would rename the second (``名称.1``) and read the wrong one."""
    try:
        header = [cell.strip() for cell in next(csv.reader(io.StringIO(body)), [])]
    except csv.Error:
        return
    seen: set[str] = set()
    repeated = [name for name in header if name and (name in seen or seen.add(name))]
    if repeated:
        raise InputError([Problem(str(path), None, name, "csv_column_twice", {}) for name in dict.fromkeys(repeated)])


def find_column(columns: Iterable[str], candidates: Iterable[str]) -> str | None:
    """The first of ``candidates`` present among ``columns`` (exact, then case-insensitive)."""
    present = list(columns)
    for candidate in candidates:
        if candidate in present:
            return candidate
    lowered = {column.lower(): column for column in present}
    for candidate in candidates:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def _noted(found: list[Problem], frame: pd.DataFrame, problems: list[Problem] | None) -> pd.DataFrame:
    """Without a ``problems`` list, raise ``found`` (by row); with one, add them to it and leave their rows out."""
    if problems is None:
        if found:
            raise InputError(sorted(found, key=lambda p: (p.row or 0)))
        return frame
    problems.extend(found)
    bad = {problem.row for problem in found if problem.row is not None}
    return frame[~frame[ROW].isin(bad)] if bad else frame


def points_from_table(frame: pd.DataFrame, path: Path, *, lat_column: str | None = None,
                      lon_column: str | None = None, crs: str | None = None,
                      problems: list[Problem] | None = None, blank_is_missing: bool = False) -> gpd.GeoDataFrame:
    """Points from a table's latitude/longitude columns, checked row by row.

    The caller finds the columns (a layer knows the names its layout gives them); ``None`` is a
    column the file lacks, named in both languages because the reader is fixing a spreadsheet.
    A CSV states no CRS; its degrees are taken as JGD2011/WGS84 unless ``crs`` names another
    (e.g. ``EPSG:4301`` for the old Tokyo datum).  Rows whose coordinates are no finite numbers are
    refused (noted in ``problems`` and left out, when given); coordinates that contradict the CRS
    (metres in the degree columns) are refused as a whole (:func:`geo_welfare.io.crs_fit.crs_problem`).
    With ``blank_is_missing`` a row whose two cells are both blank is no mistake but a place without
    a point (its geometry is None): a layer may place it by its address.
    """
    named = ((lat_column, both("coordinate_lat")), (lon_column, both("coordinate_lon")))
    missing = [f"{names['ja']}/{names['en']}" for column, names in named if column is None]
    if missing:
        raise InputError.single(path, "coordinate_columns_missing", columns=", ".join(missing),
                                field=", ".join(missing))
    found: list[Problem] = []
    values, texts = {}, {}
    for label, column in (("lat", lat_column), ("lon", lon_column)):
        texts[label] = frame[column].astype(str).str.strip()
        numbers = pd.to_numeric(texts[label], errors="coerce")
        values[label] = numbers.where(np.isfinite(numbers))  # "inf" is no place either
    blank = (texts["lat"] == "") & (texts["lon"] == "") if blank_is_missing else pd.Series(False, index=frame.index)
    for label, column in (("lat", lat_column), ("lon", lon_column)):
        bad = values[label].isna() & ~blank
        for row, cell in zip(frame.loc[bad, ROW], texts[label][bad]):
            found.append(Problem(str(path), int(row), column, "expected_decimal_degrees", {}, cell))
    geometry = gpd.points_from_xy(values["lon"], values["lat"])
    geometry[blank.to_numpy()] = None
    points = gpd.GeoDataFrame(frame, geometry=geometry, crs=parse_crs(crs, path) if crs else STORAGE_CRS)
    points = _noted(found, points, problems)
    placed = points[points.geometry.notna()]
    contradiction = crs_problem(placed, path, confirmed=True) if len(placed) else None  # only the plain mistakes
    if contradiction is not None:
        raise InputError([contradiction])
    return points


def _vector_encoding(path: Path, encoding: str | None) -> str | None:
    """The encoding to read a Shapefile's .dbf with when it has no .cpg, by trying UTF-8 then CP932."""
    if encoding or path.suffix.lower() != ".shp" or path.with_suffix(".cpg").exists():
        return encoding
    for candidate in ("utf-8", "cp932"):
        try:
            pyogrio.read_dataframe(path, encoding=candidate, read_geometry=False)
            return candidate
        except UnicodeDecodeError:
            continue
        except Exception:
            return None
    return None


def read_vector(path: str | Path, *, layer: str | None = None, encoding: str | None = None,
                crs: str | None = None) -> gpd.GeoDataFrame:
    """A vector file (GeoJSON, Shapefile, GeoPackage, OSM) with ``_row`` = feature number from 1."""
    path = Path(path)
    if not path.exists():
        raise InputError.single(path, "file_not_found")
    if path.is_file() and path.stat().st_size == 0:
        raise InputError.single(path, "file_empty")
    # GeoJSON text such as "08:30" or "2026-10-01" stays text as written: GDAL would otherwise turn it
    # into time/date values and the schedule or date parser would see "08:30:00".
    options = {"DATE_AS_STRING": "YES"} if path.suffix.lower() in (".geojson", ".json") else {}
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=_vector_encoding(path, encoding), **options)
    except UnicodeDecodeError as error:
        raise InputError.single(path, "vector_attributes_encoding_unknown") from error
    except Exception as error:
        if path.is_dir():  # a folder GDAL cannot read as one data set (a File Geodatabase it could)
            raise InputError.single(path, "file_is_directory") from error
        raise InputError.single(path, "file_not_vector_data", error=error) from error
    if not isinstance(frame, gpd.GeoDataFrame):  # GDAL read a table (a CSV named as areas): no shapes at all
        raise InputError.single(path, "file_has_no_geometries")
    frame[ROW] = np.arange(1, len(frame) + 1)
    declared = parse_crs(crs, path) if crs else None
    if frame.crs is None and declared is not None:
        frame = frame.set_crs(declared)
    elif frame.crs is not None and declared is not None and declared != frame.crs:
        raise InputError.single(path, "crs_conflicts_with_file", declared=frame.crs.to_string(), crs=crs)
    contradiction = crs_problem(frame, path, confirmed=crs is not None)  # --crs: the user's word for the CRS
    if contradiction is not None:
        raise InputError([contradiction])
    return frame


def parse_crs(value: str, path: Path) -> CRS:
    """A CRS from the user's words, or an error naming the file."""
    try:
        return CRS.from_user_input(value)
    except CRSError as error:
        raise InputError.single(path, "unknown_crs", crs=value) from error


def to_storage_crs(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """The frame in JGD2011 lon/lat, refusing a frame whose CRS is unknown."""
    if frame.crs is None:
        raise InputError.single(path, "crs_missing")
    if CRS.from_user_input(frame.crs).equals(CRS.from_user_input(STORAGE_CRS), ignore_axis_order=True):
        return frame.set_crs(STORAGE_CRS, allow_override=True)
    return frame.to_crs(STORAGE_CRS)


def check_geometries(frame: gpd.GeoDataFrame, path: Path, *, allowed_types: set[str], repair: bool = False,
                     problems: list[Problem] | None = None) -> tuple[gpd.GeoDataFrame, int]:
    """Refuse missing, empty, invalid, wrongly typed or out-of-Japan geometries, row by row.

    With ``repair`` invalid polygons are mended with ``make_valid`` (keeping their polygonal
    parts) instead of refused; the count of repaired rows is returned for the report.  With a
    ``problems`` list, bad rows are noted there and left out of the frame instead of raised.
    """
    found, frame, repaired = _geometry_problems(frame, path, allowed_types, repair)
    return _noted(found, frame, problems), repaired


def _geometry_problems(frame: gpd.GeoDataFrame, path: Path, allowed_types: set[str],
                       repair: bool) -> tuple[list[Problem], gpd.GeoDataFrame, int]:
    problems: list[Problem] = []
    geometry = frame.geometry
    missing = geometry.isna() | geometry.is_empty
    for row in frame.loc[missing, ROW]:
        problems.append(Problem(str(path), int(row), "geometry", "geometry_missing", {}))
    present = ~missing
    repaired = 0
    invalid = present & ~geometry.is_valid
    if invalid.any():
        if repair:
            fixed = shapely.make_valid(geometry[invalid].values)
            fixed = [_polygonal_part(g) for g in fixed]
            frame = frame.copy()
            frame.loc[invalid, frame.geometry.name] = fixed
            geometry = frame.geometry
            repaired = int(invalid.sum())
        else:
            reasons = shapely.is_valid_reason(geometry[invalid].values)
            for row, reason in zip(frame.loc[invalid, ROW], reasons):
                problems.append(Problem(str(path), int(row), "geometry",
                                        "geometry_invalid", {}, reason))
    wrong_type = present & ~geometry.geom_type.isin(allowed_types)
    for row, found in zip(frame.loc[wrong_type, ROW], geometry[wrong_type].geom_type):
        problems.append(Problem(str(path), int(row), "geometry", "geometry_wrong_type",
                                {"types": "/".join(sorted(allowed_types))}, found))
    bounds = geometry[present].bounds
    min_lon, min_lat, max_lon, max_lat = JAPAN_BOUNDS
    outside = (bounds.minx < min_lon) | (bounds.maxx > max_lon) | (bounds.miny < min_lat) | (bounds.maxy > max_lat)
    for index in bounds.index[outside]:
        b = bounds.loc[index]
        swapped = min_lat <= b.minx and b.maxx <= max_lat and min_lon <= b.miny and b.maxy <= max_lon
        problems.append(Problem(
            str(path), int(frame.at[index, ROW]), "geometry",
            "outside_japan_swapped" if swapped else "outside_japan_check_crs", {}, f"{b.minx:.6f}, {b.miny:.6f}"))
    return problems, frame, repaired


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a mended geometry (make_valid may add stray lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def required_columns(frame: pd.DataFrame, path: Path, wanted: dict[str, str | None]) -> None:
    """Refuse a file that lacks a column the layer needs, naming each missing one."""
    problems = [Problem(str(path), None, label, "required_column_missing", {})
                for label, column in wanted.items() if column is None]
    if problems:
        raise InputError(problems)


def is_vector_file(path: Path) -> bool:
    """True for the formats read with GDAL rather than as a CSV table (and for a folder, which GDAL may read)."""
    return path.suffix.lower() in VECTOR_SUFFIXES or path.is_dir()
