"""The national layouts read without a column map: one place per office, with the services it offers.

The open data of the 介護サービス情報公表システム and of the 障害福祉サービス等情報公表システム (WAM NET)
come as one file per service, a row per (office, service); the 自治体標準オープンデータセット's
介護サービス事業所一覧 does the same in one file, and its 医療機関一覧, 子育て施設一覧 and 公共施設一覧
are one row per place whose 緯度・経度 are optional.  :func:`standardise` recognises these layouts
by their headers (:data:`geo_welfare.layers.columns.NATIONAL_LAYOUTS`) and turns their rows into the
table :func:`geo_welfare.layers.resources.read_resources` validates, so the rules for a place (name,
position and kind must be right) are the same for every list; :func:`complete` then gives each office
its services and schedule.

Offices.  Rows of one office share its 事業所番号 *and* its name and address (the same number is
given to different offices, so the number alone would merge them); a row without a number is an
office of its own.  The office is one resource (``source_id`` = its 事業所番号, with a hash of its
name and address when two offices of the file share the number); each service it offers is one
service row (HSDS's location and services), keyed by the file's NO (the record's own number).  Two
rows of one service of one office (the files hold such pairs, one with hours and one without) are one
service: a row that says nothing of the hours adds nothing, and two that say different things make
that service's hours unknown.

Schedules.  Each service keeps its own schedule: the four 利用可能な時間帯 columns with 定休日 and
利用可能曜日特記事項 through :func:`geo_welfare.layers.schedules.parse_day_type_hours` (a closed-days
column means closed, never open), or the days-only columns through the schedule grammar, with
"hours not given" noted where the layout names days but no hours, so no office is answered open at
3 a.m.  The office's own schedule is its services' when they all say the same; when they differ it
has no rules of its own (every answer "unknown", each service's words kept), so the office is never
answered open where one of its services' data does not say so.

Several files.  The systems publish a file per service, so an office offering two services is in two
files: imported together under one ``--source`` (the CLI allows it for these files alone,
:func:`service_lists`), :func:`merge_sources` makes them one list, each office one place with the
services of every file.  Imported one by one, each file is its own source and its own places.

Rows without coordinates.  A row without 緯度・経度 (blank, or the placeholder 0 the national files
write) is handed on with both cells blank, which the resource reader takes for a place without a
point that the store places by its address (:func:`geo_welfare.io.readers.points_from_table`'s
``blank_is_missing``); the address is the layout's parts joined (市区町村 + 番地以降, 住所 + 方書).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_welfare.core import consultation_fields as consultation, glossary
from geo_welfare.core.errors import InputError
from geo_welfare.io.readers import ROW, decode_text
from geo_welfare.layers.cells import capacity_cell
from geo_welfare.layers.columns import NATIONAL_LAYOUTS, NationalLayout
from geo_welfare.layers.schedules import ParsedSchedule, from_stored, parse_schedule

#: The fields of the table handed to the resource validation, each its own column (the column map is the identity).
RESOURCE_FIELDS = ("source_id", "name", "name_kana", "kind", "operator", "address", "lat", "lon", "phone", "url",
                   "target_groups", "capacity", "days", "start", "end", "days_note", "note")
#: The column map of that table: each field is its own column.
COLUMN_MAP: dict[str, str] = {name: name for name in RESOURCE_FIELDS}
#: The hour columns of a service row, as :func:`parse_day_type_hours` names its arguments.
_DAY_TYPE_FIELDS = {"weekday": "weekday_hours", "saturday": "saturday_hours", "sunday": "sunday_hours",
                    "holiday": "holiday_hours", "closed_days": "closed_days", "note": "days_note"}
#: Fields whose cells describe a service's schedule (a duplicate row with none of them adds nothing).
_SCHEDULE_FIELDS = (*_DAY_TYPE_FIELDS.values(), "days", "start", "end")


@dataclass
class Recognised:
    """What :func:`standardise` learnt of a file in a national layout, for :func:`complete`."""

    layout: NationalLayout
    #: The office's first row number → its services (dicts, :class:`geo_welfare.store.models.ResourceService`'s
    #: fields) and the office's own schedule.
    offices: dict[int, dict] = field(default_factory=dict)


def recognise(columns: Iterable[str]) -> NationalLayout | None:
    """The national layout whose signature headers the file has, or None."""
    present = set(columns)
    return next((layout for layout in NATIONAL_LAYOUTS if set(layout.signature) <= present), None)


def standardise(table: pd.DataFrame, path: Path, overrides: Mapping[str, str]
                ) -> tuple[pd.DataFrame, dict[str, str], Recognised | None]:
    """A table in a national layout as the resource validation reads it, its column map, and what was learnt.

    Any other table, or one the user gave a column map for (``--columns`` says the user knows the
    file better), comes back as it was, with ``None``.
    """
    layout = None if overrides else recognise(table.columns)
    if layout is None:
        return table, dict(overrides), None
    cells = _cells(table, layout)
    recognised = Recognised(layout)
    if layout.grouped:
        cells = _offices(cells, layout, _file_code(path, layout), recognised)
    columns = [*RESOURCE_FIELDS, ROW] + (["services"] if "services" in cells else [])
    return _blank_placeholders(cells[columns]).reset_index(drop=True), dict(COLUMN_MAP), recognised


def complete(frame: pd.DataFrame, recognised: Recognised | None) -> pd.DataFrame:
    """The validated frame with each office's services (``services``) and the office's schedule."""
    if recognised is None or not recognised.layout.grouped or frame.empty:
        return frame
    frame = frame.copy()
    offices = [recognised.offices[int(number)] for number in frame[ROW]]
    frame["services"] = [office["services"] for office in offices]
    return _with_schedules(frame, [office["schedule"] for office in offices])


def service_lists(paths: Iterable[Path]) -> bool:
    """Whether these are several lists of a per-(office, service) national layout, to import as one source.

    Read from each file's first line (the national files have no title rows); a file that cannot be
    read is no such list, and the import reports it as it would any file.
    """
    headers = []
    for path in paths:
        try:
            headers.append([cell.strip() for cell in next(csv.reader(io.StringIO(decode_text(Path(path))[0])), [])])
        except (InputError, csv.Error):
            return False
    return len(headers) > 1 and all((layout := recognise(header)) is not None and layout.grouped for header in headers)


def merge_sources(items: list[tuple[Path, object]]) -> list[tuple[Path, object]]:
    """Validated lists of one source in a national layout, as one list: an office in several files is one place.

    The national systems publish a file per service, so an office offering 生活介護 and 就労継続支援B型
    is in two files; imported together under one ``--source`` they are one list, and each office
    (the same ``source_id``: 事業所番号, name and address) one place with the services of every file.
    ``items`` are (path, :class:`~geo_welfare.layers.resources.ResourceImport`) in the order given;
    a merged list keeps its first file's path, its problems, warnings and unread schedules joined.
    Lists of other layouts, and a source of one file, are returned as they were.
    """
    groups: dict[str, list[tuple[Path, object]]] = {}
    for path, item in items:
        groups.setdefault(item.source, []).append((path, item))
    merged = []
    for group in groups.values():
        frames = [item.frame for _, item in group]
        if len(group) == 1 or not all("services" in frame.columns or frame.empty for frame in frames):
            merged += group
            continue
        path, first = group[0]
        listed = [frame for frame in frames if not frame.empty]  # a file whose every row was skipped adds none
        if listed:
            first.frame = _merge_offices(pd.concat(listed, ignore_index=True)).set_crs(frames[0].crs,
                                                                                      allow_override=True)
        for name in ("unparsed_schedules", "warnings", "problems"):
            if hasattr(first, name):
                setattr(first, name, [entry for _, item in group for entry in getattr(item, name)])
        merged.append((path, first))
    return merged


def _merge_offices(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """One row per ``source_id``: the first file's row, with every file's services and the schedule they make."""
    rows = []
    for _, same in frame.groupby("source_id", sort=False):
        row = same.iloc[0].copy()
        if len(same) > 1:
            services = [service for listed in same["services"] for service in listed]
            row["services"] = services
            row["kind"] = _office_kind(services)
            if "consultation_fields" in row.index:  # every file's 相談分野 (geo_welfare.core.glossary)
                row["consultation_fields"] = consultation.joined_fields(
                    *map(consultation.stored_fields, same["consultation_fields"]))
            targets = dict.fromkeys(service["target_groups"] for service in services if service["target_groups"])
            row["target_groups"] = "、".join(targets) or None
            for name in ("capacity", "capacity_text", "capacity_approximate"):  # one number is no office's
                if name in row.index:
                    row[name] = None
            schedule = _office_schedule([dict(service, schedule=_stored_schedule(service)) for service in services])
            for name, value in _schedule_fields(schedule).items():
                row[name] = value
        rows.append(row)
    return gpd.GeoDataFrame(pd.DataFrame(rows).reset_index(drop=True), geometry="geometry")


def _stored_schedule(service: dict) -> ParsedSchedule:
    """A service's schedule back from the rows it will be stored as."""
    return from_stored(service.get("schedule_rules") or [], text=service.get("schedule_text"),
                       closed_on_holidays=bool(service.get("closed_on_holidays")),
                       closed_year_end=bool(service.get("closed_year_end")), unparsed=service.get("schedule_unparsed"))


def _schedule_fields(schedule: ParsedSchedule) -> dict:
    """A place's schedule fields (text, closures, rules, what was not understood) from its schedule."""
    return {"schedule_text": schedule.text or None, "closed_on_holidays": schedule.closed_on_holidays,
            "closed_year_end": schedule.closed_year_end, "times_per_month": schedule.times_per_month,
            "schedule_unparsed": "；".join(schedule.unparsed) or None, "schedule_rules": schedule.to_stored()}


def _with_schedules(frame: pd.DataFrame, schedules: list[ParsedSchedule]) -> pd.DataFrame:
    """The frame's schedule fields set from ``schedules``, one per row."""
    fields = [_schedule_fields(schedule) for schedule in schedules]
    for name in _schedule_fields(ParsedSchedule("")):
        frame[name] = [row[name] for row in fields]
    return frame


# --- the cells of a layout, by field --------------------------------------------------------------

def _text(value: object) -> str | None:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text or None


def _cells(table: pd.DataFrame, layout: NationalLayout) -> pd.DataFrame:
    """One column per field of the layout (None where the file lacks it), the address joined from its parts."""
    cells = pd.DataFrame({ROW: table[ROW]})
    for name, headers in layout.fields.items():
        column = next((header for header in headers if header in table.columns), None)
        cells[name] = table[column].map(_text) if column else None
    parts = [next((header for header in choice if header in table.columns), None) for choice in layout.address]
    columns = [[_text(value) for value in table[part]] if part else [None] * len(table) for part in parts]
    cells["address"] = ["".join(piece for piece in pieces if piece) or None for pieces in zip(*columns)]
    if layout.kind:
        cells["kind"] = layout.kind
    elif "kind" in cells:  # 公共施設一覧 without a 種別: the glossary's word in the name, else the user's --kind
        cells["kind"] = [kind or glossary.resource_kind(name) for kind, name in zip(cells["kind"], cells["name"])]
    cells["source_id"] = cells["record_id"] if "record_id" in cells else None
    for name in RESOURCE_FIELDS:
        if name not in cells:
            cells[name] = None
    cells = cells.astype(object)
    return cells.where(cells.notna(), None)


def _no_position(value: str | None) -> bool:
    """A coordinate cell that gives no position: empty, or the placeholder 0 the national files write."""
    value = _text(value)
    if value is None:
        return True
    try:
        return float(unicodedata.normalize("NFKC", value)) == 0.0
    except ValueError:
        return False  # text where a number belongs: refused by the coordinate check, not taken for "no position"


def _blank_placeholders(cells: pd.DataFrame) -> pd.DataFrame:
    """Both coordinate cells blank where either gives no position (empty, or the files' 0 placeholder).

    The resource reader takes a row whose two cells are blank as a place without a point, to be placed
    by its address; one blank and one 0 would otherwise be refused as a bad number, and 0, 0 placed
    in the Gulf of Guinea.
    """
    cells = cells.copy()
    unlocated = [_no_position(lat) or _no_position(lon) for lat, lon in zip(cells["lat"], cells["lon"])]
    cells.loc[unlocated, ["lat", "lon"]] = ""
    cells[["lat", "lon"]] = cells[["lat", "lon"]].fillna("")
    return cells


def _file_code(path: Path, layout: NationalLayout) -> str | None:
    match = layout.file_code.search(path.name) if layout.file_code else None
    return match.group(1) if match else None


# --- offices and their services ---------------------------------------------------------------------

def _folded(text: str | None) -> str:
    """Text compared without widths and spaces (ｱ/ア, 1/１, full-width spaces)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def _office_keys(cells: pd.DataFrame) -> list[tuple]:
    """The office of each row: 事業所番号, name and address together; a row without a number is its own."""
    return [(number, _folded(name), _folded(address)) if number else ("", f"row {row}", "")
            for number, name, address, row in zip(cells["office_number"], cells["name"], cells["address"],
                                                  cells[ROW])]


def _office_ids(keys: list[tuple], cells: pd.DataFrame) -> dict[tuple, str]:
    """A stable id per office: its 事業所番号, made distinct by its name and address where offices share one."""
    numbers = pd.Series([key[0] for key in dict.fromkeys(keys)]).value_counts()
    ids = {}
    for key, record_id, name, address in zip(keys, cells["record_id"], cells["name"], cells["address"]):
        if key in ids:
            continue
        number = key[0]
        if not number:
            ids[key] = record_id or "h:" + hashlib.sha1(f"{name}|{address or ''}".encode()).hexdigest()[:16]
        elif numbers[number] > 1:
            ids[key] = f"{number}:{hashlib.sha1(f'{key[1]}|{key[2]}'.encode()).hexdigest()[:8]}"
        else:
            ids[key] = number
    return ids


def _offices(cells: pd.DataFrame, layout: NationalLayout, code: str | None, recognised: Recognised) -> pd.DataFrame:
    """One row per office (its first row's number and cells), its services and schedule noted in ``recognised``."""
    keys = _office_keys(cells)
    ids = _office_ids(keys, cells)
    groups: dict[tuple, list[dict]] = {}
    for key, row in zip(keys, cells.to_dict("records")):
        groups.setdefault(key, []).append(row)
    offices = []
    for key, rows in groups.items():
        services = _services(rows, layout, code)
        first = dict(rows[0])
        for name in ("name_kana", "operator", "phone", "url", "note"):
            first[name] = next((row[name] for row in rows if row[name]), None)
        with_position = next((row for row in rows if not (_no_position(row["lat"]) or _no_position(row["lon"]))),
                             None)
        if with_position is not None:
            first["lat"], first["lon"] = with_position["lat"], with_position["lon"]
        first["source_id"] = ids[key]
        first["kind"] = _office_kind(services)
        targets = dict.fromkeys(service["target_groups"] for service in services if service["target_groups"])
        first["target_groups"] = "、".join(targets) or None
        first["capacity"] = services[0]["capacity_text"] if len(services) == 1 else None
        for name in ("days", "start", "end", "days_note"):
            first[name] = None  # the office's schedule is set from its services by complete()
        first["services"] = [{k: v for k, v in service.items() if k != "schedule"} for service in services]
        recognised.offices[int(first[ROW])] = {"services": first["services"],
                                               "schedule": _office_schedule(services)}
        offices.append(first)
    table = pd.DataFrame(offices, columns=[*cells.columns, "services"]).astype(object)
    return table.where(table.notna(), None)


def _office_kind(services: list[dict]) -> str:
    """The office's kind: the first of its services' kinds in the glossary's order, or an unknown type's
    words, so the validation refuses the office naming them instead of guessing."""
    unknown = [service["service_type"] or "" for service in services if service["kind"] is None]
    if unknown:
        return unknown[0]
    kinds = {service["kind"] for service in services}
    return next(kind for kind in glossary.RESOURCE_KIND_IDS if kind in kinds)


def _services(rows: list[dict], layout: NationalLayout, code: str | None) -> list[dict]:
    """The office's services, one per service type (its duplicate rows merged), in the file's order."""
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        by_type.setdefault(_folded(row["service_type"]) or (code or ""), []).append(row)
    return [_service(same, layout, code) for same in by_type.values()]


def _service(rows: list[dict], layout: NationalLayout, code: str | None) -> dict:
    """One service of an office from its row(s): type, kind, whom for, capacity and schedule."""
    told = [row for row in rows if any(row.get(name) for name in _SCHEDULE_FIELDS)] or rows[:1]
    schedules = [_row_schedule(row, layout) for row in told]
    distinct = list(dict.fromkeys(schedule.text for schedule in schedules))
    schedule = schedules[0] if len(distinct) == 1 else ParsedSchedule("／".join(distinct), unparsed=tuple(distinct))
    service_type = glossary.national_service(rows[0]["service_type"], system=layout.system, code=code)
    capacities = list(dict.fromkeys(row["capacity"] for row in rows if row["capacity"]))
    capacity_text = capacities[0] if len(capacities) == 1 else ("／".join(capacities) or None)
    return {
        "source_id": ",".join(row["record_id"] for row in rows if row["record_id"]) or None,
        "service_code": service_type.code if service_type else code, "row": int(rows[0][ROW]),
        "service_type": rows[0]["service_type"] or (service_type.name if service_type else None),
        "kind": service_type.kind if service_type else None,
        "target_groups": service_type.target if service_type else None,
        "capacity": _whole_number(capacity_text) if len(capacities) == 1 else None, "capacity_text": capacity_text,
        "schedule_text": schedule.text or None, "closed_on_holidays": schedule.closed_on_holidays,
        "closed_year_end": schedule.closed_year_end, "schedule_unparsed": "；".join(schedule.unparsed) or None,
        "schedule_rules": schedule.to_stored(), "schedule": schedule,
    }


def _whole_number(text: str | None) -> int | None:
    """定員 as a number when the cell says exactly one (「20」「２０」「20名」), else None (the text is kept:
    「約20名」 is approximate, as the list's own capacity column reads it)."""
    number, approximate = capacity_cell(text, strict=False)
    return number if isinstance(number, int) and not approximate else None


def _row_schedule(row: dict, layout: NationalLayout) -> ParsedSchedule:
    """A service row's schedule: hours per day type with closed days, or days with optional hours."""
    if any(name in layout.fields for name in ("weekday_hours", "closed_days")):
        from geo_welfare.layers.schedules import parse_day_type_hours  # the day-type columns' grammar
        return parse_day_type_hours(**{argument: row.get(name) for argument, name in _DAY_TYPE_FIELDS.items()})
    schedule = parse_schedule(None, days=row.get("days"), start=row.get("start"), end=row.get("end"),
                              note=row.get("days_note"))
    if schedule.rules and all(rule.opens_at is None and rule.closes_at is None for rule in schedule.rules):
        return replace(schedule, unparsed=(*schedule.unparsed, glossary.HOURS_NOT_GIVEN))
    return schedule


def _office_schedule(services: list[dict]) -> ParsedSchedule:
    """The office's schedule: its services' when all say the same, else none (unknown), their words kept."""
    schedules = [service["schedule"] for service in services]
    if all(schedule == schedules[0] for schedule in schedules):
        return schedules[0]
    words = [f"{service['service_type'] or ''}: {service['schedule'].text}" for service in services
             if service["schedule"].text]
    return ParsedSchedule("／".join(words), unparsed=tuple(words) or (glossary.HOURS_NOT_GIVEN,),
                          closed_on_holidays=all(schedule.closed_on_holidays for schedule in schedules),
                          closed_year_end=all(schedule.closed_year_end for schedule in schedules))
