"""Resources (points): サロン, 通いの場, 地域の縁側, 地域包括支援センター, 公民館, 子ども食堂 …

Reads the resource lists municipalities publish (CSV in the 自治体標準オープンデータセット
layout with Japanese or English headers, GeoJSON, Shapefile, GeoPackage, and the welfare
places of an OpenStreetMap file) into one validated
frame with the fields of :class:`geo_welfare.store.models.Resource`, schedules parsed into
HSDS-shaped rules (the original text is kept, and what could not be parsed is listed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core import glossary
from geo_welfare.layers.columns import RESOURCE_COLUMNS, RESOURCE_NAME_LABEL, resolve_columns
from geo_welfare.layers.cells import MAX_CAPACITY, capacity_cell, date_cell, yes_no
from geo_welfare.layers.desk_cells import desk_cells, with_service_fields
from geo_welfare.layers.findings import duplicate_findings, source_rows, split_unplaced
from geo_welfare.io.cells import shown, text_problems
from geo_welfare.io.osm import is_osm_file, read_osm_resources
from geo_welfare.io.readers import (ROW, check_geometries, is_vector_file, points_from_table, read_table, read_vector,
                                    to_storage_crs)
from geo_welfare.layers.schedules import parse_schedule
from geo_welfare.layers import national


@dataclass
class ResourceImport:
    """A validated resource list, ready for the store, and what the user should know about it."""

    frame: gpd.GeoDataFrame
    source: str
    unparsed_schedules: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, text)
    id_column: str | None = None
    #: Every refused row's problems (the rows are not in ``frame``), sorted by row; the importer refuses the
    #: list for them, or with ``--skip-invalid`` imports the rest and reports these.
    problems: list[Problem] = field(default_factory=list)
    #: What the user should look at in rows that were kept: descriptive cells not understood, merged duplicates.
    warnings: list[Problem] = field(default_factory=list)
    #: The file's rows as written (its own columns and ``_row``), for the report of refused rows.
    rows: pd.DataFrame | None = None
    #: The file's column holding the address (rows of ``frame`` without a point are placed by it).
    address_column: str | None = None


def _text(value: object) -> str | None:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text or None


def _stable_id(name: str, address: str | None) -> str:
    """An id for lists that carry none: the name and address, hashed (stable while they are)."""
    return "h:" + hashlib.sha1(f"{name}|{address or ''}".encode()).hexdigest()[:16]


def read_resources(path: str | Path, *, kind: str | None = None, columns: dict[str, str] | None = None,
                   source: str | None = None, encoding: str | None = None, crs: str | None = None,
                   layer: str | None = None, lengths: Mapping[str, int] | None = None,
                   merge_duplicates: bool = False) -> ResourceImport:
    """Read and validate a resource list: the good rows, and every bad row's problems (:attr:`ResourceImport.problems`).

    A problem of the whole file (its encoding, a missing column, its CRS) raises :class:`InputError`;
    bad rows are returned for the importer to refuse the list with, or to skip on request.  A row
    without coordinates but with an address is kept without a point, for the store to place.
    ``merge_duplicates`` keeps the first row of a place listed twice instead of refusing the later one.

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
    recognised = None  # a national layout (layers/national.py): one place per office, with its services
    if is_osm_file(path):
        frame = read_osm_resources(path)
        mapping = resolve_columns(frame.columns, RESOURCE_COLUMNS, overrides, path)
        rows = source_rows(frame, with_point=True)
    elif is_vector_file(path):
        frame = read_vector(path, layer=layer, encoding=encoding, crs=crs)
        mapping = resolve_columns(frame.columns, RESOURCE_COLUMNS, overrides, path)
        rows = source_rows(frame, with_point=True)
    else:
        known_names = {name for names in RESOURCE_COLUMNS.values() for name in names} | set(overrides.values())
        table = read_table(path, encoding=encoding, header_names=known_names, allow_empty=True)
        rows = source_rows(table)  # the file's own rows, before a national layout becomes one row per office
        table, overrides, recognised = national.standardise(table, path, overrides)
        mapping = resolve_columns(table.columns, RESOURCE_COLUMNS, overrides, path)
        frame = points_from_table(table, path, lat_column=mapping["lat"], lon_column=mapping["lon"], crs=crs,
                                  problems=problems, blank_is_missing=True)
    if mapping["name"] is None:
        raise InputError.single(path, "resource_name_column_missing", field=RESOURCE_NAME_LABEL)
    frame = to_storage_crs(frame, path)
    placed, unplaced = split_unplaced(frame)
    placed, _ = check_geometries(placed, path, allowed_types={"Point"}, problems=problems)
    frame = pd.concat([placed, unplaced]).sort_values(ROW, kind="stable") if len(unplaced) else placed
    validated = validate_resources(frame, path, mapping, default_kind, source or path.stem, lengths=lengths,
                                   collect=True, merge_duplicates=merge_duplicates)
    validated.problems = sorted(problems + validated.problems, key=lambda p: (p.row or 0))
    validated.rows = rows
    validated.frame = with_service_fields(national.complete(validated.frame, recognised))
    return validated


def validate_resources(frame: gpd.GeoDataFrame, path: Path, mapping: dict[str, str | None], default_kind: str,
                       source: str, *, lengths: Mapping[str, int] | None = None, collect: bool = False,
                       merge_duplicates: bool = False) -> ResourceImport:
    """Check and convert every row of a resource list read from ``path`` (points in the storage CRS).

    ``mapping`` is field → the file's column (:func:`~geo_welfare.layers.columns.resolve_columns`);
    rows whose file names no kind get ``default_kind``.  Every problem of every row is raised at
    once in one :class:`InputError`, sorted by row.  The web's editing form validates a place with
    this too (a frame of one row), so an edited place meets the same rules as an imported one; so
    is its text (no control characters, none longer than ``lengths`` allows: :mod:`geo_welfare.io.cells`).

    ``collect`` (an import) returns the bad rows' problems instead of raising, and reads the
    descriptive cells by the import's policy: a capacity that says no single number is kept as text
    with a warning, not refused; a row without a point keeps its address for the store to place.
    """
    reader = _RowReader(path, mapping, strict=not collect)
    records: list[dict] = []
    for _, row in frame.iterrows():
        record = _record(reader, row, default_kind, source)
        if record is not None:
            records.append(record)
    records = _check_unique_ids(reader, records, merge_duplicates)
    _check_texts(reader, records, lengths)
    if reader.problems and not collect:
        raise InputError(sorted(reader.problems, key=lambda p: (p.row or 0)))
    refused = {problem.row for problem in reader.problems}
    records = [record for record in records if record[ROW] not in refused]
    unparsed = [(r[ROW], r["name"], r["schedule_unparsed"]) for r in records if r["schedule_unparsed"]]
    result = gpd.GeoDataFrame(records, geometry="geometry", crs=frame.crs) if records else \
        gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=frame.crs)
    return ResourceImport(result, source, unparsed, mapping.get("source_id"),
                          sorted(reader.problems, key=lambda p: (p.row or 0)),
                          [w for w in sorted(reader.warnings, key=lambda p: (p.row or 0)) if w.row not in refused],
                          address_column=mapping.get("address"))


@dataclass
class _RowReader:
    """The cells of a list's rows by field name, and the problems found in them so far."""

    path: Path
    mapping: dict[str, str | None]
    #: The web form's rules (a capacity is a number or refused); an import's are False (kept as text, warned).
    strict: bool = True
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def cell(self, row: pd.Series, name: str) -> str | None:
        column = self.mapping.get(name)
        return _text(row[column]) if column else None

    def bad(self, row_number: int, name: str, key: str, found: str | None, **values: object) -> None:
        self.problems.append(Problem(str(self.path), row_number, self.mapping.get(name) or name, key, values, found))

    def warn(self, row_number: int, name: str, key: str, found: str | None, **values: object) -> None:
        self.warnings.append(Problem(str(self.path), row_number, self.mapping.get(name) or name, key, values, found))


def _record(reader: _RowReader, row: pd.Series, default_kind: str, source: str) -> dict | None:
    """One row as the store's fields, its problems noted; None for a row without a name (noted too)."""
    number = int(row[ROW])
    name = reader.cell(row, "name")
    if name is None:
        reader.bad(number, "name", "resource_name_empty", None)
        return None
    kind = _kind(reader, row, number, default_kind)
    values = {**_flags(reader, row, number), **desk_cells(reader, row, number, kind)}
    capacity, approximate, checked, visibility = _checked_cells(reader, row, number)
    geometry = row.geometry
    if (geometry is None or geometry.is_empty) and reader.cell(row, "address") is None:
        position = ", ".join(c for c in (reader.mapping.get("lat"), reader.mapping.get("lon")) if c) or "geometry"
        reader.problems.append(Problem(str(reader.path), number, position, "position_missing_no_address", {}))
    schedule = parse_schedule(reader.cell(row, "schedule"), days=reader.cell(row, "days"),
                              start=reader.cell(row, "start"), end=reader.cell(row, "end"),
                              note=reader.cell(row, "days_note"), closed_days=reader.cell(row, "closed_days"))

    def cell(field_name: str) -> str | None:
        return reader.cell(row, field_name)

    return {
        ROW: number, "source": source, "source_id": cell("source_id") or _stable_id(name, cell("address")),
        "kind": kind, "name": name, "name_kana": cell("name_kana"), "operator": cell("operator"),
        "address": cell("address"), "phone": cell("phone"), "url": cell("url"),
        "target_groups": cell("target_groups"), "fee": cell("fee"), "capacity": capacity,
        "capacity_text": cell("capacity"), "capacity_approximate": approximate if capacity is not None else None,
        "location_level": None, "location_gazetteer": None, "visibility": visibility,
        "last_checked": checked, "schedule_text": schedule.text or None,
        "closed_on_holidays": schedule.closed_on_holidays, "closed_year_end": schedule.closed_year_end,
        "times_per_month": schedule.times_per_month, "schedule_unparsed": "；".join(schedule.unparsed) or None,
        "schedule_rules": schedule.to_stored(),
        "note": cell("note"), "geometry": None if geometry is None or geometry.is_empty else geometry, **values,
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
        parsed = yes_no(reader.cell(row, flag))
        if parsed == "?":
            reader.bad(number, flag, "resource_flag_not_yes_no", reader.cell(row, flag))
        values[flag] = None if parsed == "?" else parsed
    return values


def _checked_cells(reader: _RowReader, row: pd.Series, number: int):
    """Capacity (and whether it is approximate), date last checked and visibility, each None where refused.

    In an import a capacity in words is kept as text with a warning; one that looks like a number
    and is none, or is too large for a count, is refused either way.
    """
    capacity, approximate = capacity_cell(reader.cell(row, "capacity"), reader.strict)
    if capacity == "text":
        reader.warn(number, "capacity", "capacity_kept_as_text", shown(reader.cell(row, "capacity")))
    elif capacity == "?":
        reader.bad(number, "capacity", "resource_capacity_not_whole_number", reader.cell(row, "capacity"))
    elif capacity == "+":
        reader.bad(number, "capacity", "resource_capacity_too_large", shown(reader.cell(row, "capacity")),
                   most=MAX_CAPACITY)
    checked = date_cell(reader.cell(row, "last_checked"))
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
    return (None if capacity in ("?", "+", "text") else capacity, approximate, None if checked == "?" else checked,
            visibility)


#: The fields of a record that hold text as the file wrote it, and the field whose column they come from.
_TEXT_FIELDS = {"source_id": "source_id", "name": "name", "name_kana": "name_kana", "operator": "operator",
                "address": "address", "phone": "phone", "url": "url", "target_groups": "target_groups", "fee": "fee",
                "schedule_text": "schedule", "schedule_unparsed": "schedule", "note": "note", "capacity_text": "capacity"}


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


def _name_and_address(record: dict) -> str:
    """How a refusal quotes a place of a list without ids: its name, and its address when it has one."""
    return " / ".join(part for part in (record["name"], record["address"]) if part)


def _check_unique_ids(reader: _RowReader, records: list[dict], merge: bool) -> list[dict]:
    """Each place once: a repeated id (or name and address, in a list without ids) names both rows.

    Refused by default; ``merge`` keeps the first row (see :mod:`geo_welfare.layers.findings`).
    """
    has_ids = reader.mapping.get("source_id") is not None
    field_name = reader.mapping.get("source_id") or "/".join(
        filter(None, (reader.mapping.get("name"), reader.mapping.get("address"))))
    compared = [name for name in records[0] if name not in (ROW, "source", "source_id")] if records else []
    kept, problems, warnings = duplicate_findings(
        records, reader.path, key=lambda record: record["source_id"], field=field_name, compared=compared,
        shown=(lambda r: r["source_id"]) if has_ids else _name_and_address,
        names=lambda name: reader.mapping.get(_COLUMN_OF.get(name, name)) or name, merge=merge)
    reader.problems += problems
    reader.warnings += warnings
    return kept


#: The field whose column a record's derived field comes from (for naming the columns two rows differ in).
_COLUMN_OF = {"schedule_text": "schedule", "schedule_unparsed": "schedule", "schedule_rules": "schedule",
              "closed_on_holidays": "schedule", "closed_year_end": "schedule", "times_per_month": "schedule",
              "capacity_text": "capacity", "capacity_approximate": "capacity", "geometry": "lat"}


@dataclass
class CandidateImport:
    """Validated candidate sites for new community bases, and the refused rows (as for resources)."""

    frame: gpd.GeoDataFrame
    source: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: pd.DataFrame | None = None
    address_column: str | None = None


def read_candidates(path: str | Path, *, columns: dict[str, str] | None = None, source: str | None = None,
                    encoding: str | None = None, crs: str | None = None, lengths: Mapping[str, int] | None = None,
                    merge_duplicates: bool = False) -> CandidateImport:
    """Candidate sites (公民館, 集会所, 空き家 …): name, kind word, address and a point.

    Their kind stays the file's own word: a vacant house is no resource kind, only a place.  Every
    bad row of every stage is returned at once; ``lengths`` and ``merge_duplicates`` as for
    :func:`read_resources`, and a row with an address but no point is left for the store to place.
    """
    problems: list[Problem] = []
    path = Path(path)
    aliases = {key: RESOURCE_COLUMNS[key] for key in ("source_id", "name", "kind", "address", "lat", "lon")}
    if is_vector_file(path):
        frame = read_vector(path, encoding=encoding, crs=crs)
        mapping = resolve_columns(frame.columns, aliases, columns or {}, path)
        rows = source_rows(frame, with_point=True)
    else:
        table = read_table(path, encoding=encoding, header_names={n for names in aliases.values() for n in names})
        mapping = resolve_columns(table.columns, aliases, columns or {}, path)
        rows = source_rows(table)
        frame = points_from_table(table, path, lat_column=mapping["lat"], lon_column=mapping["lon"], crs=crs,
                                  problems=problems, blank_is_missing=True)
    if mapping["name"] is None:
        raise InputError.single(path, "candidate_name_column_missing", field=RESOURCE_NAME_LABEL)
    frame = to_storage_crs(frame, path)
    placed, unplaced = split_unplaced(frame)
    placed, _ = check_geometries(placed, path, allowed_types={"Point"}, problems=problems)
    frame = pd.concat([placed, unplaced]).sort_values(ROW, kind="stable") if len(unplaced) else placed
    result = _candidate_frame(frame, mapping, source or path.stem)
    problems += [Problem(str(path), int(row), mapping["name"], "candidate_name_empty", {})
                 for row in result.loc[result["name"].isna(), ROW]]
    problems += [Problem(str(path), int(row), ", ".join(filter(None, (mapping["lat"], mapping["lon"]))) or "geometry",
                         "position_missing_no_address", {})
                 for row in result.loc[result.geometry.isna() & result["address"].isna(), ROW]]
    fields = ("source_id", "name", "kind", "address")
    problems += text_problems(result, path, fields, lengths, row_column=ROW,
                              names={field: mapping.get(field) for field in fields})
    named = result[result["name"].notna()].to_dict("records")
    kept, twice, warnings = duplicate_findings(
        named, path, key=lambda r: r["source_id"],
        field=mapping["source_id"] or "/".join(filter(None, (mapping["name"], mapping["address"]))),
        compared=("name", "kind", "address", "geometry"),
        names=lambda name: mapping.get(name) or name, merge=merge_duplicates,
        shown=(lambda r: r["source_id"]) if mapping["source_id"] else _name_and_address)
    problems = sorted(problems + twice, key=lambda p: (p.row or 0))
    refused = {problem.row for problem in problems}
    good = [record for record in kept if record[ROW] not in refused]
    frame = gpd.GeoDataFrame(good, geometry="geometry", crs=result.crs) if good else result.iloc[:0]
    return CandidateImport(frame, source or path.stem, problems, warnings, rows, mapping["address"])


def _candidate_frame(frame: gpd.GeoDataFrame, mapping: dict[str, str | None], source: str) -> gpd.GeoDataFrame:
    """The store's fields of every candidate row (a missing point stays missing; ids as for resources)."""
    names = frame[mapping["name"]].map(_text)
    addresses = frame[mapping["address"]].map(_text) if mapping["address"] else \
        pd.Series([None] * len(frame), index=frame.index, dtype=object)
    ids = frame[mapping["source_id"]].map(_text) if mapping["source_id"] else \
        pd.Series([_stable_id(n, a) for n, a in zip(names, addresses)], index=frame.index)
    geometry = [None if g is None or g.is_empty else g for g in frame.geometry]
    return gpd.GeoDataFrame({
        ROW: frame[ROW], "source": source, "source_id": ids, "name": names,
        "kind": frame[mapping["kind"]].map(_text) if mapping["kind"] else None, "address": addresses,
    }, geometry=geometry, crs=frame.crs)
