"""What a file in a municipality's folder is, from its name, its header and its first rows only.

``geo-welfare import folder`` looks at every file before it imports any, and a folder holds
large files (a city's street network), so nothing here reads a file whole: a CSV's first
:data:`HEAD_BYTES`, a GeoJSON's first :data:`SAMPLE_FEATURES` features (decoded one by one from the
start of the file, never the whole collection), a Shapefile's or GeoPackage's schema and first
features through GDAL.

Each rule names the publisher's layout it recognises (e-Stat 小地域, 国土数値情報 N03 / A27 / A32,
MLIT 位置参照情報, GSI 指定緊急避難場所, the 自治体標準オープンデータセット, the national
service-information systems, Geolonia's address JSON, Sapporo's 住民基本台帳 tables …).  A file no
rule recognises is ``unknown`` with the reason, never guessed.  A resource list's kind comes from a
glossary word in the file's name, or from its names when every sampled name says the same kind;
otherwise ``other`` (and the plan shows which, so the user can override it).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
import shapely
import shapely.geometry

from geo_welfare.core import glossary
from geo_welfare.io.readers import CSV_ENCODINGS, find_column
from geo_welfare.layers.columns import (MUNICIPALITY_NAME_COLUMNS, AREA_COLUMNS, DAILY_LIFE_AREA_HEADERS, DISTRICT_HEADERS,
                                        GAZETTEER_HEADERS, GSI_HAZARD_HEADERS, GSI_HEADERS, NATIONAL_LAYOUTS,
                                        NETWORK_FILE_NAME, NETWORK_HEADERS, OUTLINE_NAME_HEADERS, POPULATION_AGE_BAND,
                                        POPULATION_COLUMNS, POPULATION_OPEN_AGE_BAND, RESOURCE_COLUMNS,
                                        SCHOOL_NAME_HEADERS)

#: How much of a CSV identification reads (its header and first rows).
HEAD_BYTES = 256 * 1024
#: How many rows or features identification looks at.
SAMPLE_FEATURES = 50
#: How far into a GeoJSON identification reads at most to decode its first features.
GEOJSON_HEAD_LIMIT = 16 * 1024 * 1024

TABLE_SUFFIXES = {".csv", ".txt"}  # e-Stat's statistics come as comma-separated .txt
GEOJSON_SUFFIXES = {".geojson", ".json"}
OGR_SUFFIXES = {".shp", ".gpkg"}
OSM_SUFFIXES = {".osm", ".pbf"}
#: The files of a Shapefile beside its ``.shp``: part of it, never a layer of their own.
SHAPEFILE_SIDECARS = {".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".fix", ".qmd", ".aih", ".ain",
                      ".atx", ".ixs", ".mxs"}
#: Office files people keep beside the data: named, with what to do, instead of "unknown".
SPREADSHEET_SUFFIXES = {".xlsx", ".xls", ".ods"}

#: The 自治体標準オープンデータセット in its English form (Takamatsu and others).
STANDARD_KEYS = {"#property", "latitude", "longitude", "name"}
#: Geolonia japanese-addresses: a JSON list of {town, koaza, lat, lng}.
GEOLONIA_KEYS = {"town", "lat", "lng"}
#: e-Stat 小地域 census tables: coded headers such as T000849001 beside KEY_CODE.
ESTAT_TABLE_COLUMN = re.compile(r"T\d{9}")


@dataclass(frozen=True)
class Identity:
    """What a file is and what the folder import does with it.

    ``what`` names the content (a catalogue word ``folder_what_<what>``); ``layer`` is the import it
    goes to (``areas``, ``population``, ``gazetteer``, ``resources``) or None when the tool does not
    import it, with ``reason`` (a catalogue key, filled with ``values``) saying why and what to do.
    ``unit`` is the area level; ``kind`` the resource kind and ``kind_from`` how it was found
    (``file_name``, ``names``, ``layout`` — a published layout of one kind —, ``rows`` — each row's
    own kind column or service type — or ``default``).
    """

    what: str
    layer: str | None = None
    unit: str | None = None
    kind: str | None = None
    kind_from: str | None = None
    reason: str | None = None
    values: dict[str, object] = field(default_factory=dict)
    closed_lines: bool = False  # outlines drawn as closed lines: their rings are the areas


@dataclass
class Head:
    """The part of a file identification reads: its columns, the first rows, the geometry types seen."""

    columns: list[str]
    rows: list[dict[str, object]]
    geometry_types: set[str] = field(default_factory=set)
    geometries: list = field(default_factory=list)  # shapely geometries of the sampled features


def identify(path: Path, shown: str | None = None) -> Identity:
    """What ``path`` is (``shown``: its name as the user sees it, for the kind found in a file's name)."""
    name = shown or path.name
    suffix = path.suffix.lower()
    try:
        if suffix in OSM_SUFFIXES:
            return Identity("osm", "resources", kind="other", kind_from="default", reason="folder_note_osm_network")
        if suffix in SPREADSHEET_SUFFIXES:
            return Identity("unknown", reason="folder_skip_spreadsheet")
        if suffix in TABLE_SUFFIXES:
            return _identify_table(_table_head(path), name)
        if suffix in GEOJSON_SUFFIXES:
            head = _json_head(path)
            if head is None:
                return Identity("unknown", reason="folder_skip_json_not_recognised")
            if not head.geometry_types and not head.columns:
                return Identity("unknown", reason="folder_skip_empty")
            if head.geometry_types:
                return _identify_vector(head, name)
            return _identify_json_list(head)
        if suffix in OGR_SUFFIXES:
            return _identify_ogr(path, name)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error, pyogrio.errors.DataSourceError,
            pyogrio.errors.DataLayerError) as error:
        return Identity("unknown", reason="folder_skip_unreadable", values={"error": _first_line(error)})
    return Identity("unknown", reason="folder_skip_format", values={"suffix": suffix or "-"})


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


# --- reading the head of a file --------------------------------------------------------------------

def _decoded_head(path: Path, limit: int) -> tuple[str, bool]:
    """The first ``limit`` bytes as text (UTF-8, then CP932), cut at the last whole line; and whether that is all."""
    with open(path, "rb") as handle:
        raw = handle.read(limit + 1)
    complete = len(raw) <= limit
    if not complete:
        raw = raw[:limit]
        raw = raw[: raw.rfind(b"\n") + 1] or raw
    for encoding in CSV_ENCODINGS:
        try:
            return raw.decode(encoding), complete
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8/cp932", raw[:1], 0, 1, "neither UTF-8 nor CP932")


#: Every header name a layer knows, to find the header below a table's title rows (as the readers do).
_KNOWN_HEADERS = ({name for names in RESOURCE_COLUMNS.values() for name in names}
                  | {name for names in POPULATION_COLUMNS.values() for name in names}
                  | {name for names in AREA_COLUMNS.values() for name in names}
                  | {"man1"} | {name for headers in GAZETTEER_HEADERS for name in headers}
                  | {name for layout in NATIONAL_LAYOUTS for name in layout.signature})


def _table_head(path: Path) -> Head:
    """A CSV's header (below any title rows) and first rows."""
    text, _ = _decoded_head(path, HEAD_BYTES)
    lines = re.split(r"\r\n|\r|\n", text)
    header_index = 0
    for index, line in enumerate(lines[:20]):
        if {cell.strip().strip('"').strip() for cell in line.split(",")} & _KNOWN_HEADERS:
            header_index = index
            break
    reader = csv.reader(io.StringIO("\n".join(lines[header_index:])))
    header = [cell.strip() for cell in next(reader, [])]
    rows = []
    for record in reader:
        if len(rows) >= SAMPLE_FEATURES:
            break
        if any(cell.strip() for cell in record):
            rows.append(dict(zip(header, record)))
    return Head(header, rows)


def _json_head(path: Path) -> Head | None:
    """The first features of a GeoJSON (or the first records of a JSON list), decoded one at a time.

    A FeatureCollection is read from its ``"features": [`` on, feature by feature with
    :meth:`json.JSONDecoder.raw_decode`, so a large file costs only its first features.
    """
    limit = HEAD_BYTES
    while True:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
        complete = len(raw) <= limit
        text = raw[:limit].decode("utf-8-sig", errors="ignore")
        head = _decode_json_head(text, complete)
        if head is not None or complete or limit >= GEOJSON_HEAD_LIMIT:
            return head
        limit *= 4


def _decode_json_head(text: str, complete: bool) -> Head | None:
    """``text`` (the start of a JSON file) as a :class:`Head`; None while no record fits in it (or not JSON)."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        position, geometry = len(text) - len(stripped) + 1, False
    else:
        match = re.search(r'"features"\s*:\s*\[', text)
        if match is None:
            return None
        position, geometry = match.end(), True
    decoder, records = json.JSONDecoder(), []
    while len(records) < SAMPLE_FEATURES:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            break
        try:
            record, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            if records or complete:
                break
            return None
        records.append(record)
    if not records:
        return Head([], []) if complete or text[position:position + 1] == "]" else None
    if not geometry:
        rows = [record for record in records if isinstance(record, dict)]
        return Head(sorted({key for row in rows for key in row}), rows)
    rows = [dict(feature.get("properties") or {}) for feature in records if isinstance(feature, dict)]
    shapes = [shapely.geometry.shape(feature["geometry"]) for feature in records
              if isinstance(feature, dict) and feature.get("geometry")]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return Head(columns, rows, {shape.geom_type for shape in shapes} or {"None"}, shapes)


def _identify_ogr(path: Path, name: str) -> Identity:
    """A Shapefile or GeoPackage: its schema and first features through GDAL (one layer only)."""
    layers = pyogrio.list_layers(path)
    if len(layers) > 1:
        return Identity("unknown", reason="folder_skip_several_layers", values={"count": len(layers)})
    info = pyogrio.read_info(path)
    sample = _ogr_sample(path)
    rows = sample.drop(columns=sample.geometry.name).to_dict("records") if len(sample) else []
    types = set(sample.geometry.geom_type.dropna()) if len(sample) else {str(info.get("geometry_type"))}
    return _identify_vector(Head(list(info["fields"]), rows, types, list(sample.geometry.dropna())), name)


def _ogr_sample(path: Path):
    """The first features; a Shapefile without a .cpg is often CP932 (e-Stat's, 国土数値情報's), tried second."""
    try:
        return pyogrio.read_dataframe(path, max_features=SAMPLE_FEATURES)
    except UnicodeDecodeError:
        return pyogrio.read_dataframe(path, max_features=SAMPLE_FEATURES, encoding="cp932")


# --- the rules ---------------------------------------------------------------------------------------

def _has(columns: list[str], names) -> str | None:
    return find_column(columns, tuple(names))


def _prefixed(columns: list[str], prefix: str) -> bool:
    return any(column.startswith(prefix) for column in columns)


def _identify_vector(head: Head, name: str) -> Identity:
    """Features with geometry: areas, school points, shelters, places, a street network, or unknown."""
    columns, types = head.columns, {t.replace("Multi", "") for t in head.geometry_types}
    if types == {"Polygon"}:
        return _identify_polygons(columns)
    if types == {"LineString"}:
        if _has(columns, OUTLINE_NAME_HEADERS) and ({"CITY1", "TOWN1"} & set(columns) or _prefixed(columns, "N03_")):
            closed = bool(head.geometries) and all(is_closed_outline(shape) for shape in head.geometries)
            return Identity("municipalities", "areas" if closed else None, unit="municipality",
                            reason=None if closed else "folder_skip_open_outlines", closed_lines=closed)
        if (NETWORK_HEADERS & set(columns)) or NETWORK_FILE_NAME.search(name):
            return Identity("street_network", reason="folder_note_network")
        return Identity("unknown", reason="folder_skip_lines")
    if types == {"Point"}:
        return _identify_points(head, name)
    return Identity("unknown", reason="folder_skip_geometry", values={"types": "/".join(sorted(head.geometry_types))})


def is_closed_outline(shape) -> bool:
    """A line that closes on itself without crossing itself: the outline of one area, drawn as a line."""
    parts = getattr(shape, "geoms", [shape])
    return all(part.geom_type == "LineString" and part.is_closed and part.is_simple and len(part.coords) >= 4
               for part in parts)


def _identify_polygons(columns: list[str]) -> Identity:
    if {"KEY_CODE", "S_NAME"} <= set(columns):
        return Identity("small_areas", "areas", unit="small_area")
    if _prefixed(columns, "N03_"):
        return Identity("municipalities", "areas", unit="municipality")
    if _prefixed(columns, "A27_"):
        return Identity("elementary_districts", "areas", unit="elementary_district")
    if _prefixed(columns, "A32_"):
        return Identity("junior_high_districts", "areas", unit="junior_high_district")
    if _has(columns, DAILY_LIFE_AREA_HEADERS):
        return Identity("daily_life_areas", "areas", unit="daily_life_area")
    if _has(columns, DISTRICT_HEADERS):
        return Identity("districts", "areas", unit="district")
    return Identity("areas_unknown_level", reason="folder_skip_unit_unknown")


def _identify_points(head: Head, name: str) -> Identity:
    columns = head.columns
    if _prefixed(columns, "A27_") or _prefixed(columns, "A32_"):
        column = _has(columns, SCHOOL_NAME_HEADERS) or "NAME"
        return Identity("school_locations", reason="folder_skip_school_locations", values={"column": column})
    if GSI_HEADERS <= set(columns):
        what = "evacuation_sites" if GSI_HAZARD_HEADERS & set(columns) else "shelters"
        return Identity(what, "resources", kind="other", kind_from="default")
    if _has(columns, RESOURCE_COLUMNS["name"]):
        return _resources("resources", head, name)
    return Identity("unknown", reason="folder_skip_points_without_names")


def _identify_table(head: Head, name: str) -> Identity:
    """A CSV: gazetteer, population table, resource list, or unknown."""
    columns = set(head.columns)
    if not head.columns:
        return Identity("unknown", reason="folder_skip_empty")
    if any(wanted <= columns for wanted in GAZETTEER_HEADERS):
        return Identity("gazetteer_mlit", "gazetteer")
    layout = next((layout for layout in NATIONAL_LAYOUTS if set(layout.signature) <= columns), None)
    if layout is not None:  # its reader knows it: the kind is the layout's, or each row's service type
        what = "national_services" if layout.system and layout.id in ("wam", "kaigo") else "standard_resources"
        if layout.kind:
            return Identity(what, "resources", kind=layout.kind, kind_from="layout")
        return Identity(what, "resources", kind=None, kind_from="rows")
    if _is_population(head.columns):
        return Identity("population", "population")
    located = _has(head.columns, RESOURCE_COLUMNS["lat"]) and _has(head.columns, RESOURCE_COLUMNS["lon"])
    named = _has(head.columns, RESOURCE_COLUMNS["name"])
    if named and (located or _has(head.columns, RESOURCE_COLUMNS["address"])):
        return _resources("standard_resources" if STANDARD_KEYS <= columns else "resources", head, name)
    return Identity("unknown", reason="folder_skip_columns", values={"columns": ", ".join(head.columns[:8])})


def _fold(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).replace("~", "～")


def _is_population(columns: list[str]) -> bool:
    """A population table: bands by sex (man1…), 5-year age bands, e-Stat's coded census table, or totals by area."""
    if {"man1", "woman1"} <= set(columns):
        return True
    if "KEY_CODE" in columns and any(ESTAT_TABLE_COLUMN.fullmatch(column) for column in columns):
        return True
    folded = [_fold(column) for column in columns]
    bands = sum(1 for column in folded
                if POPULATION_AGE_BAND.fullmatch(column) or POPULATION_OPEN_AGE_BAND.fullmatch(column))
    area = _has(folded, [_fold(n) for n in POPULATION_COLUMNS["name"] + POPULATION_COLUMNS["code"]])
    total = _has(folded, [_fold(n) for n in POPULATION_COLUMNS["total"]])
    located = _has(columns, RESOURCE_COLUMNS["lat"])
    return bool(area) and (bands >= 3 or (bool(total) and not located))


def _identify_json_list(head: Head) -> Identity:
    if head.rows and all(GEOLONIA_KEYS <= set(row) for row in head.rows):
        return Identity("gazetteer_geolonia", "gazetteer")
    return Identity("unknown", reason="folder_skip_json_not_recognised")


def _resources(what: str, head: Head, name: str) -> Identity:
    """A resource list, with its kind: the file's name, its rows' own kind column, its names, or ``other``."""
    from_name = glossary.resource_kind(Path(name).stem)
    if from_name is not None and from_name != "other":
        return Identity(what, "resources", kind=from_name, kind_from="file_name")
    if _has(head.columns, RESOURCE_COLUMNS["kind"]):
        return Identity(what, "resources", kind=None, kind_from="rows")
    name_column = _has(head.columns, RESOURCE_COLUMNS["name"])
    names = [str(row.get(name_column) or "").strip() for row in head.rows] if name_column else []
    kinds = {glossary.resource_kind(text) for text in names if text}
    if len(kinds) == 1 and None not in kinds:
        return Identity(what, "resources", kind=kinds.pop(), kind_from="names")
    return Identity(what, "resources", kind="other", kind_from="default")


def municipality_of_table(path: Path) -> str | None:
    """The one municipality a table's first rows name (prefecture + municipality, 「香川県高松市」), or None.

    A folder's population table (the 自治体標準 layout has prefName and cityName on every row) says
    which municipality the folder is; a Geolonia address file, which does not say its own, is then that
    one.  None unless every sampled row names the same one.
    """
    try:
        head = _table_head(path)
    except (OSError, UnicodeDecodeError):
        return None
    prefecture = find_column(head.columns, MUNICIPALITY_NAME_COLUMNS["prefecture"])
    municipality = find_column(head.columns, MUNICIPALITY_NAME_COLUMNS["municipality"])
    if prefecture is None or municipality is None or not head.rows:
        return None
    names = {(row.get(prefecture) or "").strip() + (row.get(municipality) or "").strip() for row in head.rows}
    return names.pop() if len(names) == 1 and "" not in names else None
