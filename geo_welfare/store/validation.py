"""Checking a resource typed in by hand, by the importer's own rules, before anything is written.

Fields are validated as :mod:`geo_welfare.layers.resources` validates an import (kinds from the
glossary, yes/no words, whole-number capacity, dates, 公開/職員のみ, schedules re-parsed with
:mod:`geo_welfare.layers.schedules`), coordinates as :func:`geo_welfare.io.readers.check_geometries`
checks them (inside Japan), so a place typed in by hand is held to the same standard as one read
from a municipality's list.  A refused edit raises :class:`EditError` naming every bad field.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import shapely

from geo_welfare.core.config import JAPAN_BOUNDS, STORAGE_CRS
from geo_welfare.core.glossary import CONSULTATION_FIELDS
from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core.values import plain
from geo_welfare.core.words import Word, t
from geo_welfare.io.cells import column_lengths
from geo_welfare.io.readers import ROW, check_geometries
from geo_welfare.layers.resources import validate_resources
from geo_welfare.store.models import Resource

#: The fields an editor sets, named as the store names them.  The schedule is typed as text
#: (毎週火曜 10:00〜12:00) and parsed into rules on every save, as the importer does.
EDITABLE_FIELDS: tuple[str, ...] = (
    "kind", "name", "name_kana", "operator", "address", "phone", "url", "target_groups", "fee", "capacity",
    "barrier_free", "consultation", "consultation_fields", "outreach", "visibility", "last_checked", "schedule_text",
    "note")
COORDINATES: tuple[str, ...] = ("lon", "lat")
#: Source of the places created in the web app (imports never touch it).
WEB_SOURCE = "web"

#: Importer field → the field name used here (see ``geo_welfare.layers.columns.RESOURCE_COLUMNS``).
_IMPORTER_MAPPING: dict[str, str | None] = {
    **{field: field for field in EDITABLE_FIELDS if field != "schedule_text"},
    "schedule": "schedule_text", "source_id": None, "days": None, "start": None, "end": None, "days_note": None,
    "lat": "lat", "lon": "lon",
}
DERIVED_FIELDS = ("closed_on_holidays", "closed_year_end", "times_per_month", "schedule_unparsed")
#: What the capacity's text gives besides its number (「20名程度」: 20, the text, approximate).
CAPACITY_DERIVED = ("capacity_text", "capacity_approximate")
_SOURCE = "web"  # the "file" the validator's problems name


class EditError(InputError):
    """An edit was refused; ``problems`` name each field, what it needs and what was given."""

    def message(self, lang: str | None = None, limit: int = 20) -> str:
        lines = []
        for problem in self.problems[:limit]:
            expected = problem.expected(lang)
            text = f"{problem.field}: {expected}" if problem.field else expected
            if problem.found is not None:
                text += t("problem_found", lang, found=repr(problem.found))
            lines.append(text)
        return "\n".join(lines)

    @property
    def fields(self) -> list[str]:
        """The fields at fault, in order, each once."""
        return list(dict.fromkeys(p.field for p in self.problems if p.field))


class NotFound(LookupError):
    """No resource (or user) with that id (or name)."""


def _problem(field: str | None, key: str, found: object = None, **values: object) -> Problem:
    return Problem(_SOURCE, None, field, key, values, None if found is None else str(found))


def _coordinate(values: dict, field: str, problems: list[Problem]) -> float | None:
    value = values.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(_problem(field, "is_required", what=Word(f"coordinate_{field}")))
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        problems.append(_problem(field, "expected_decimal_degrees", value))
        return None
    return number


def point_of(values: dict, problems: list[Problem]) -> shapely.Point | None:
    """The point of ``values['lon']``/``['lat']``, refused as the importer refuses it (outside Japan …)."""
    lon, lat = _coordinate(values, "lon", problems), _coordinate(values, "lat", problems)
    if lon is None or lat is None:
        return None
    frame = gpd.GeoDataFrame({ROW: [1]}, geometry=[shapely.Point(lon, lat)], crs=STORAGE_CRS)
    try:
        check_geometries(frame, _SOURCE, allowed_types={"Point"})
    except InputError as error:
        min_lon, min_lat, max_lon, max_lat = JAPAN_BOUNDS
        outside = [name for name, value, low, high in (("lon", lon, min_lon, max_lon), ("lat", lat, min_lat, max_lat))
                   if not low <= value <= high]
        for problem in error.problems:
            problems.append(_problem(", ".join(outside) or "lon, lat", problem.key, f"lon {lon}, lat {lat}",
                                     **problem.values))
        return None
    return shapely.Point(lon, lat)


def check_shape(values: dict, allowed: tuple[str, ...], problems: list[Problem]) -> None:
    """Unknown fields and values that are neither text, number, yes/no nor empty."""
    for field, value in values.items():
        if field not in allowed:
            problems.append(_problem(field, "unknown_field_known", value=', '.join(allowed)))
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            problems.append(_problem(field, "expected_text_a_number_or_true",
                                     json.dumps(value, ensure_ascii=False)))


def _desk_problems(cells: dict) -> list[Problem]:
    """The consultation fields and outreach as the form refuses them (the same reading as an import's)."""
    from geo_welfare.core.consultation_fields import consultation_fields
    from geo_welfare.layers.cells import yes_no
    problems = []
    text = cells.get("consultation_fields")
    unknown = consultation_fields(str(text))[1] if text not in (None, "") else ()
    if unknown:
        problems.append(_problem("consultation_fields", "edit_consultation_field_unknown", "、".join(unknown),
                                 fields="、".join(term.ja for term in CONSULTATION_FIELDS)))
    outreach = cells.get("outreach")
    if outreach not in (None, "") and not isinstance(outreach, bool) and yes_no(str(outreach)) == "?":
        problems.append(_problem("outreach", "edit_outreach_not_yes_no", outreach))
    return problems


def validate_resource(values: dict) -> tuple[dict, list[dict], shapely.Point]:
    """A complete resource (every editable field and ``lon``/``lat``) checked by the importer's rules.

    Returns the row to store, its schedule rules (HSDS-shaped) and its point; raises
    :class:`EditError` listing every bad field.  Values may be text, numbers or true/false as
    JSON gives them; missing fields are empty, and an empty kind is ``other`` as in an import.
    """
    problems: list[Problem] = []
    check_shape(values, EDITABLE_FIELDS + COORDINATES, problems)
    cells = {field: values.get(field) for field in EDITABLE_FIELDS}
    cells = {field: value if isinstance(value, (str, int, float, bool)) else None  # the rest refused above
             for field, value in cells.items()}
    point = point_of(values, problems)
    frame = gpd.GeoDataFrame({ROW: [1], **{field: [value] for field, value in cells.items()}},
                             geometry=[point or shapely.Point(139.7, 35.7)], crs=STORAGE_CRS)
    record: dict = {}
    rules: list[dict] = []
    try:
        # Text as an import's: no control characters, none longer than its column (io.cells, one rule)
        validated = validate_resources(frame, _SOURCE, _IMPORTER_MAPPING, "other", WEB_SOURCE,
                                       lengths=column_lengths(Resource.__table__))
        row = validated.frame.to_dict("records")[0]
        rules = row.pop("schedule_rules") or []
        record = {field: plain(row[field]) for field in EDITABLE_FIELDS + DERIVED_FIELDS + CAPACITY_DERIVED}
    except InputError as error:
        problems.extend(_problem(p.field, p.key, p.found, **p.values) for p in error.problems)
    # An import keeps a row whose desk cells it cannot read, with a warning; a person typing them is told at once.
    problems.extend(_desk_problems(cells))
    if problems:
        raise EditError(problems)
    return record, rules, point
