"""Resources (points): サロン, 通いの場, 地域の縁側, 地域包括支援センター, 公民館, 子ども食堂 …

Reads the resource lists municipalities publish (CSV in the 自治体標準オープンデータセット
layout with Japanese or English headers, GeoJSON, Shapefile, GeoPackage, and the welfare
places of an OpenStreetMap file) into one validated
frame with the fields of :class:`geo_welfare.store.models.Resource`, schedules parsed into
HSDS-shaped rules (the original text is kept, and what could not be parsed is listed).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core import glossary
from geo_welfare.layers.columns import RESOURCE_COLUMNS, RESOURCE_NAME_LABEL, resolve_columns
from geo_welfare.io.cells import shown, text_problems
from geo_welfare.io.osm import is_osm_file, read_osm_resources
from geo_welfare.io.readers import (ROW, check_geometries, is_vector_file, points_from_table, read_table, read_vector,
                                    to_storage_crs)
from geo_welfare.layers.schedules import parse_schedule


@dataclass
class ResourceImport:
    """A validated resource list, ready for the store, and what the user should know about it."""

    frame: gpd.GeoDataFrame
    source: str
    unparsed_schedules: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, text)
    id_column: str | None = None


def _text(value: object) -> str | None:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text or None


def _boolean(value: str | None) -> bool | None | str:
    if value is None:
        return None
    word = value.strip().lower()
    if word in glossary.YES_WORDS:
        return True
    if word in glossary.NO_WORDS:
        return False
    return "?"


def _date(value: str | None) -> datetime.date | None | str:
    if value is None:
        return None
    match = glossary.DATE_PATTERN.fullmatch(value.strip())
    if not match:
        return "?"
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return "?"


#: The most people a place's capacity may say: more is a typing mistake (and would not fit the store's column).
MAX_CAPACITY = 1_000_000


def _capacity(value: str | None) -> int | None | str:
    """The whole number a capacity cell says; "?" for none (ASCII digits only: ``²`` is none), "+" past the most."""
    if value is None:
        return None
    digits = glossary.CAPACITY_NOISE.sub("", value.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if not digits or not digits.isascii() or not digits.isdigit():
        return "?"
    return int(digits) if len(digits) <= len(str(MAX_CAPACITY)) and int(digits) <= MAX_CAPACITY else "+"


def _stable_id(name: str, address: str | None) -> str:
    """An id for lists that carry none: the name and address, hashed (stable while they are)."""
    return "h:" + hashlib.sha1(f"{name}|{address or ''}".encode()).hexdigest()[:16]


def read_resources(path: str | Path, *, kind: str | None = None, columns: dict[str, str] | None = None,
                   source: str | None = None, encoding: str | None = None, crs: str | None = None,
                   layer: str | None = None, lengths: Mapping[str, int] | None = None) -> ResourceImport:
    """Read and validate a resource list; raise :class:`InputError` listing every bad row.

    ``kind`` (an identifier or a label such as ``サロン``) applies to rows whose file says no
    kind; rows without either are ``other``.  A kind word the glossary does not know is an error.
    Every stage's problems are reported together: bad coordinates, bad geometries and bad cells.
    ``lengths`` (field → most characters, the store's columns) refuses text its column cannot hold.
    """
    path = Path(path)
    default_kind = "other"
    if kind is not None:
        resolved = glossary.resource_kind(kind)
        if resolved is None:
            raise InputError.single(path, "resource_kind_option_unknown",
                                    kinds=", ".join(glossary.RESOURCE_KIND_IDS), field="--kind", found=kind)
        default_kind = resolved
    overrides = columns or {}
    problems: list[Problem] = []  # of every stage, reported at once
    if is_osm_file(path):
        frame = read_osm_resources(path)
        mapping = resolve_columns(frame.columns, RESOURCE_COLUMNS, overrides, path)
    elif is_vector_file(path):
        frame = read_vector(path, layer=layer, encoding=encoding, crs=crs)
        mapping = resolve_columns(frame.columns, RESOURCE_COLUMNS, overrides, path)
    else:
        known_names = {name for names in RESOURCE_COLUMNS.values() for name in names} | set(overrides.values())
        table = read_table(path, encoding=encoding, header_names=known_names)
        mapping = resolve_columns(table.columns, RESOURCE_COLUMNS, overrides, path)
        frame = points_from_table(table, path, lat_column=mapping["lat"], lon_column=mapping["lon"], crs=crs,
                                  problems=problems)
    if mapping["name"] is None:
        raise InputError.single(path, "resource_name_column_missing", field=RESOURCE_NAME_LABEL)
    frame = to_storage_crs(frame, path)
    frame, _ = check_geometries(frame, path, allowed_types={"Point"}, problems=problems)
    try:
        validated = validate_resources(frame, path, mapping, default_kind, source or path.stem, lengths=lengths)
    except InputError as error:
        problems.extend(error.problems)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))
    return validated


def validate_resources(frame: gpd.GeoDataFrame, path: Path, mapping: dict[str, str | None], default_kind: str,
                       source: str, *, lengths: Mapping[str, int] | None = None) -> ResourceImport:
    """Check and convert every row of a resource list read from ``path`` (points in the storage CRS).

    ``mapping`` is field → the file's column (:func:`~geo_welfare.layers.columns.resolve_columns`);
    rows whose file names no kind get ``default_kind``.  Every problem of every row is raised at
    once in one :class:`InputError`, sorted by row.  The web's editing form validates a place with
    this too (a frame of one row), so an edited place meets the same rules as an imported one; so
    is its text (no control characters, none longer than ``lengths`` allows: :mod:`geo_welfare.io.cells`).
    """
    reader = _RowReader(path, mapping)
    records: list[dict] = []
    unparsed: list[tuple[int, str, str]] = []
    for _, row in frame.iterrows():
        record = _record(reader, row, default_kind, source)
        if record is None:
            continue
        if record["schedule_unparsed"]:
            unparsed.append((record[ROW], record["name"], record["schedule_unparsed"]))
        records.append(record)
    _check_unique_ids(reader, records)
    _check_texts(reader, records, lengths)
    if reader.problems:
        raise InputError(sorted(reader.problems, key=lambda p: (p.row or 0)))
    result = gpd.GeoDataFrame(records, geometry="geometry", crs=frame.crs) if records else \
        gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=frame.crs)
    return ResourceImport(result, source, unparsed, mapping.get("source_id"))


@dataclass
class _RowReader:
    """The cells of a list's rows by field name, and the problems found in them so far."""

    path: Path
    mapping: dict[str, str | None]
    problems: list[Problem] = field(default_factory=list)

    def cell(self, row: pd.Series, name: str) -> str | None:
        column = self.mapping.get(name)
        return _text(row[column]) if column else None

    def bad(self, row_number: int, name: str, key: str, found: str | None, **values: object) -> None:
        self.problems.append(Problem(str(self.path), row_number, self.mapping.get(name) or name, key, values, found))


def _record(reader: _RowReader, row: pd.Series, default_kind: str, source: str) -> dict | None:
    """One row as the store's fields, its problems noted; None for a row without a name (noted too)."""
    number = int(row[ROW])
    name = reader.cell(row, "name")
    if name is None:
        reader.bad(number, "name", "resource_name_empty", None)
        return None
    kind = _kind(reader, row, number, default_kind)
    values = _flags(reader, row, number)
    capacity, checked, visibility = _checked_cells(reader, row, number)
    schedule = parse_schedule(reader.cell(row, "schedule"), days=reader.cell(row, "days"),
                              start=reader.cell(row, "start"), end=reader.cell(row, "end"),
                              note=reader.cell(row, "days_note"))

    def cell(field_name: str) -> str | None:
        return reader.cell(row, field_name)

    return {
        ROW: number, "source": source, "source_id": cell("source_id") or _stable_id(name, cell("address")),
        "kind": kind, "name": name, "name_kana": cell("name_kana"), "operator": cell("operator"),
        "address": cell("address"), "phone": cell("phone"), "url": cell("url"),
        "target_groups": cell("target_groups"), "fee": cell("fee"), "capacity": capacity, "visibility": visibility,
        "last_checked": checked, "schedule_text": schedule.text or None,
        "closed_on_holidays": schedule.closed_on_holidays, "closed_year_end": schedule.closed_year_end,
        "times_per_month": schedule.times_per_month, "schedule_unparsed": "；".join(schedule.unparsed) or None,
        "schedule_rules": [rule.to_hsds() for rule in schedule.rules],
        "note": cell("note"), "geometry": row.geometry, **values,
    }


def _kind(reader: _RowReader, row: pd.Series, number: int, default_kind: str) -> str | None:
    """The row's kind: its own kind word through the glossary, else the list's default."""
    kind_word = reader.cell(row, "kind")
    kind = glossary.resource_kind(kind_word) if kind_word else default_kind
    if kind is None:
        reader.bad(number, "kind", "resource_kind_unknown", kind_word, kinds=glossary.KIND_CHOICES)
    return kind


def _flags(reader: _RowReader, row: pd.Series, number: int) -> dict[str, bool | None]:
    """Barrier-free access and consultation: yes, no, or not said."""
    values: dict[str, bool | None] = {}
    for flag in ("barrier_free", "consultation"):
        parsed = _boolean(reader.cell(row, flag))
        if parsed == "?":
            reader.bad(number, flag, "resource_flag_not_yes_no", reader.cell(row, flag))
        values[flag] = None if parsed == "?" else parsed
    return values


def _checked_cells(reader: _RowReader, row: pd.Series, number: int):
    """Capacity, date last checked and visibility, each None where the cell was refused."""
    capacity = _capacity(reader.cell(row, "capacity"))
    if capacity == "?":
        reader.bad(number, "capacity", "resource_capacity_not_whole_number", reader.cell(row, "capacity"))
    elif capacity == "+":
        reader.bad(number, "capacity", "resource_capacity_too_large", shown(reader.cell(row, "capacity")),
                   most=MAX_CAPACITY)
    checked = _date(reader.cell(row, "last_checked"))
    if checked == "?":
        reader.bad(number, "last_checked", "resource_last_checked_not_a_date", reader.cell(row, "last_checked"))
    visibility_word = (reader.cell(row, "visibility") or "").lower()
    if visibility_word in glossary.PUBLIC_WORDS:
        visibility = glossary.VISIBILITY_PUBLIC
    elif visibility_word in glossary.STAFF_WORDS:
        visibility = glossary.VISIBILITY_STAFF
    else:
        visibility = None
        reader.bad(number, "visibility", "resource_visibility_unknown", reader.cell(row, "visibility"))
    return None if capacity in ("?", "+") else capacity, None if checked == "?" else checked, visibility


#: The fields of a record that hold text as the file wrote it, and the field whose column they come from.
_TEXT_FIELDS = {"source_id": "source_id", "name": "name", "name_kana": "name_kana", "operator": "operator",
                "address": "address", "phone": "phone", "url": "url", "target_groups": "target_groups", "fee": "fee",
                "schedule_text": "schedule", "schedule_unparsed": "schedule", "note": "note"}


def _check_texts(reader: _RowReader, records: list[dict], lengths: Mapping[str, int] | None) -> None:
    """Text no store can hold (a control character) or its column cannot (longer than ``lengths`` says)."""
    if not records:
        return
    table = pd.DataFrame.from_records([{key: record[key] for key in (ROW, *_TEXT_FIELDS)} for record in records])
    names = {key: reader.mapping.get(name) or name for key, name in _TEXT_FIELDS.items()}
    found = text_problems(table, reader.path, _TEXT_FIELDS, lengths, row_column=ROW, names=names)
    seen = set()
    for problem in found:  # the schedule's text and what of it was not understood: one problem per cell
        if (problem.row, problem.field, problem.key) not in seen:
            seen.add((problem.row, problem.field, problem.key))
            reader.problems.append(problem)


def _check_unique_ids(reader: _RowReader, records: list[dict]) -> None:
    """Each place once: a repeated id is the same place twice, or an id column that is not unique."""
    duplicated = pd.Series([r["source_id"] for r in records]).duplicated(keep="first")
    for record, is_duplicate in zip(records, duplicated):
        if is_duplicate:
            reader.problems.append(Problem(str(reader.path), record[ROW], reader.mapping.get("source_id") or "ID",
                                           "resource_id_twice", {}, record["source_id"]))


@dataclass
class CandidateImport:
    """Validated candidate sites for new community bases."""

    frame: gpd.GeoDataFrame
    source: str


def read_candidates(path: str | Path, *, columns: dict[str, str] | None = None, source: str | None = None,
                    encoding: str | None = None, crs: str | None = None,
                    lengths: Mapping[str, int] | None = None) -> CandidateImport:
    """Candidate sites (公民館, 集会所, 空き家 …): name, kind word, address and a point.

    Their kind stays the file's own word: a vacant house is no resource kind, only a place.  Every
    bad row of every stage is reported at once; ``lengths`` as for :func:`read_resources`.
    """
    problems: list[Problem] = []
    path = Path(path)
    aliases = {key: RESOURCE_COLUMNS[key] for key in ("source_id", "name", "kind", "address", "lat", "lon")}
    if is_vector_file(path):
        frame = read_vector(path, encoding=encoding, crs=crs)
        mapping = resolve_columns(frame.columns, aliases, columns or {}, path)
    else:
        table = read_table(path, encoding=encoding, header_names={n for names in aliases.values() for n in names})
        mapping = resolve_columns(table.columns, aliases, columns or {}, path)
        frame = points_from_table(table, path, lat_column=mapping["lat"], lon_column=mapping["lon"], crs=crs,
                                  problems=problems)
    if mapping["name"] is None:
        raise InputError.single(path, "candidate_name_column_missing", field=RESOURCE_NAME_LABEL)
    frame = to_storage_crs(frame, path)
    frame, _ = check_geometries(frame, path, allowed_types={"Point"}, problems=problems)
    names = frame[mapping["name"]].map(_text)
    problems += [Problem(str(path), int(row), mapping["name"], "candidate_name_empty", {})
                 for row in frame.loc[names.isna(), ROW]]
    addresses = frame[mapping["address"]].map(_text) if mapping["address"] else pd.Series(None, index=frame.index)
    ids = frame[mapping["source_id"]].map(_text) if mapping["source_id"] else \
        pd.Series([_stable_id(n, a) for n, a in zip(names, addresses)], index=frame.index)
    result = gpd.GeoDataFrame({
        ROW: frame[ROW], "source": source or path.stem, "source_id": ids, "name": names,
        "kind": frame[mapping["kind"]].map(_text) if mapping["kind"] else None, "address": addresses,
    }, geometry=frame.geometry.values, crs=frame.crs)
    fields = ("source_id", "name", "kind", "address")
    problems += text_problems(result, path, fields, lengths, row_column=ROW,
                              names={field: mapping.get(field) for field in fields})
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))
    return CandidateImport(result, source or path.stem)
