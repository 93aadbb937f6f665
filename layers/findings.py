"""What an import finds row by row besides bad cells: the same place twice, and places with only an address.

A list is refused row by row, never by crashing: a place listed twice (the same ID, or, in a list
without IDs, the same name and address, which stand for its ID) is a finding that names both rows,
and a row with no coordinates is not refused here when it has an address, because the store can
place it from its gazetteer (:mod:`geo_welfare.store.importing`, which this package may not import).

Merging duplicates (``--merge-duplicates``) is one rule: the first row is the place; a later row
that says the same is dropped, and a later row that says something else is dropped too, with a
warning naming each field where it differed, so nothing is silently lost from sight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_welfare.core.errors import Problem
from geo_welfare.io.readers import ROW

#: Closer than this (degrees, about 1 mm) two rows' points are the same point.
SAME_POINT_DEGREES = 1e-8


def without_position(frame: gpd.GeoDataFrame) -> pd.Series:
    """Rows with no point at all (blank coordinates, or a feature without geometry)."""
    geometry = frame.geometry
    return geometry.isna() | geometry.is_empty


def split_unplaced(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The rows with a point (to check as geometries) and those without (an address may place them)."""
    missing = without_position(frame)
    return frame[~missing], frame[missing]


def _same(first: object, other: object) -> bool:
    if hasattr(first, "geom_type") and hasattr(other, "geom_type"):
        return first.equals_exact(other, SAME_POINT_DEGREES)
    if first is None or (isinstance(first, float) and pd.isna(first)):
        return other is None or (isinstance(other, float) and pd.isna(other))
    return first == other


def duplicates(records: Sequence[dict], key: Callable[[dict], object]) -> list[tuple[dict, dict]]:
    """Every later record whose ``key`` an earlier one has, paired with that first record."""
    first_of: dict[object, dict] = {}
    pairs = []
    for record in records:
        found = first_of.setdefault(key(record), record)
        if found is not record:
            pairs.append((found, record))
    return pairs


def differing_fields(first: dict, other: dict, fields: Iterable[str]) -> list[str]:
    """The fields where two records of the same place say different things."""
    return [name for name in fields if not _same(first.get(name), other.get(name))]


def duplicate_findings(records: list[dict], path: Path, *, key: Callable[[dict], object], field: str,
                       compared: Iterable[str], names: Callable[[str], str], merge: bool,
                       shown: Callable[[dict], str] | None = None) -> tuple[list[dict], list[Problem], list[Problem]]:
    """The records left, the problems (refused duplicates) and the warnings (merged ones).

    Without ``merge`` each later row of a place is refused naming the first row (the problem's
    ``found`` is the shared key); with ``merge`` it is dropped, silently when it says the same as
    the first row, else with a warning listing the fields (by the file's column names) that differed.
    ``shown`` gives the value a refusal quotes (default: the key).
    """
    compared = list(compared)
    pairs = duplicates(records, key)
    problems, warnings, dropped = [], [], set()
    for first, other in pairs:
        if not merge:
            problems.append(Problem(str(path), other[ROW], field, "row_same_place_as_row", {"first": first[ROW]},
                                    (shown or key)(other)))
            continue
        dropped.add(id(other))
        differing = differing_fields(first, other, compared)
        if differing:
            warnings.append(Problem(str(path), other[ROW], None, "row_merged_into_row_differing",
                                    {"first": first[ROW], "fields": ", ".join(dict.fromkeys(map(names, differing)))}))
    return [record for record in records if id(record) not in dropped], problems, warnings


def source_rows(frame: pd.DataFrame, *, with_point: bool = False) -> pd.DataFrame:
    """The file's own columns as the user wrote them, with ``_row``: what a report of refused rows repeats.

    ``with_point`` (a vector file) adds the point as ``lon``/``lat`` columns when the file has none of
    that name, so the report of a GeoJSON's refused rows re-imports as a CSV.
    """
    geometry_name = getattr(frame, "_geometry_column_name", None) if isinstance(frame, gpd.GeoDataFrame) else None
    columns = [column for column in frame.columns if column not in (ROW, geometry_name)]
    table = pd.DataFrame({column: frame[column] for column in columns}, index=frame.index).astype(object)
    table = table.where(table.notna(), None)
    if with_point and geometry_name and not {"lon", "lat"} & set(columns):
        points = frame.geometry
        is_point = (points.notna() & ~points.is_empty & (points.geom_type == "Point")).to_numpy()
        table["lon"] = [g.x if ok else None for g, ok in zip(points, is_point)]
        table["lat"] = [g.y if ok else None for g, ok in zip(points, is_point)]
    table[ROW] = frame[ROW].to_numpy()
    return table.reset_index(drop=True)
