"""Area units (polygons): municipality, 日常生活圏域, 地区, 小学校区・中学校区, 町丁・字 (小地域).

Recognises the field names of the sources municipalities use: e-Stat 小地域 boundaries
(KEY_CODE, S_NAME, PREF + CITY, CITY_NAME, JINKO, SETAI), 国土数値情報 N03 outlines (N03_007,
N03_004) and school districts (A27 / A32), and plain ``code`` / ``name`` / 名称 layers.
Features that share a code (an e-Stat small area split by a road or river, an island) are
dissolved into one MultiPolygon, because the code is the unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core import glossary
from geo_welfare.io.cells import MAX_COUNT, text_problems
from geo_welfare.layers.columns import AREA_COLUMNS, resolve_columns
from geo_welfare.io.readers import ROW, check_geometries, read_vector, to_storage_crs


@dataclass
class AreaImport:
    """Validated area units, one row per code, with what the import did to get there."""

    frame: gpd.GeoDataFrame
    unit: str
    source: str
    dissolved_codes: int = 0
    repaired: int = 0
    census: pd.DataFrame | None = None  # code, total, households: population the boundary file carries


def _clean(series: pd.Series) -> pd.Series:
    return series.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == ""
                      else str(v).strip())


def read_areas(path: str | Path, unit: str, *, columns: dict[str, str] | None = None, source: str | None = None,
               encoding: str | None = None, crs: str | None = None, layer: str | None = None,
               repair: bool = False, lengths: Mapping[str, int] | None = None) -> AreaImport:
    """Read and validate polygons of one area level; raise :class:`InputError` listing every bad row.

    Bad geometries, empty codes and text its column cannot hold (``lengths``, field → most
    characters; control characters always) are reported together.
    """
    path = Path(path)
    if unit not in glossary.AREA_UNIT_IDS:
        raise InputError.single(path, "area_unit_unknown", units=", ".join(glossary.AREA_UNIT_OPTIONS),
                                field="--unit", found=unit)
    frame = read_vector(path, layer=layer, encoding=encoding, crs=crs)
    mapping = resolve_columns(frame.columns, AREA_COLUMNS, columns or {}, path)
    if mapping["name"] is None and mapping["code"] is None:
        raise InputError.single(path, "area_code_or_name_column_missing",
                                field="code/name")
    frame = to_storage_crs(frame, path)
    problems: list[Problem] = []
    frame, repaired = check_geometries(frame, path, allowed_types={"Polygon", "MultiPolygon"}, repair=repair,
                                       problems=problems)

    table = _units(frame, mapping)
    empty = table["code"].isna() | (table["code"] == ":")
    problems += [Problem(str(path), int(row), mapping["code"] or mapping["name"], "area_code_empty", {})
                 for row in table.loc[empty, ROW]]
    frame, table = frame[~empty.values], table[~empty.values].reset_index(drop=True)  # the rest still checked
    fields = ("code", "name", "name_kana", "parent_code", "municipality_code", "municipality_name")
    problems += text_problems(table, path, fields, lengths, row_column=ROW,
                              names={field: mapping.get(field) for field in fields})
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))

    census = None
    if mapping["population"]:
        census = _census_counts(frame, table["code"], path, mapping["population"], mapping["households"])

    conflicting = table.groupby("code")["name"].nunique(dropna=True)
    for code in conflicting.index[conflicting > 1]:
        rows = table.loc[table["code"] == code]
        problems.append(Problem(str(path), int(rows[ROW].iloc[1]), mapping["name"],
                                "area_code_has_different_names", {"code": code},
                                " / ".join(sorted(set(rows["name"].dropna())))))
    if problems:
        raise InputError(problems)

    pieces = table.groupby("code").size()
    dissolved_codes = int((pieces > 1).sum())
    if dissolved_codes:
        table = _dissolve(table)
    table["geometry"] = [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in table.geometry]
    return AreaImport(table.set_geometry("geometry"), unit, source or path.stem, dissolved_codes, repaired, census)


def _units(frame: gpd.GeoDataFrame, mapping: dict[str, str | None]) -> gpd.GeoDataFrame:
    """One row per feature: its code, name, kana, parent, municipality code and name (None where the file says none)."""
    municipality = _clean(frame[mapping["municipality_code"]]) if mapping["municipality_code"] else None
    if municipality is None and {"PREF", "CITY"} <= set(frame.columns):
        municipality = _clean(frame["PREF"].astype(str) + frame["CITY"].astype(str))
    names = _clean(frame[mapping["name"]]) if mapping["name"] else pd.Series(None, index=frame.index)
    if mapping["code"]:
        codes = _clean(frame[mapping["code"]])
    else:
        # School-district files (KSJ A27/A32) carry no district code: the school's name within its
        # municipality is what identifies the district, and stays stable across releases.
        codes = names if municipality is None else municipality.fillna("") + ":" + names.fillna("")
    return gpd.GeoDataFrame({
        ROW: frame[ROW].values, "code": codes.values, "name": names.values,
        "name_kana": _clean(frame[mapping["name_kana"]]).values if mapping["name_kana"] else None,
        "parent_code": _clean(frame[mapping["parent_code"]]).values if mapping["parent_code"] else None,
        "municipality_code": municipality.values if municipality is not None else None,
        "municipality_name": _clean(frame[mapping["municipality_name"]]).values if mapping["municipality_name"] else None,
    }, geometry=frame.geometry.values, crs=frame.crs)


def _dissolve(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per code: the union of its pieces, the first row's attributes."""
    first = table.drop(columns="geometry").groupby("code", sort=False).first()
    unions = table.groupby("code", sort=False)["geometry"].agg(lambda parts: shapely.union_all(parts.values))
    result = gpd.GeoDataFrame(first.join(unions.rename("geometry")).reset_index(), geometry="geometry", crs=table.crs)
    return result[[ROW, "code", "name", "name_kana", "parent_code", "municipality_code", "municipality_name",
                   "geometry"]]


def _census_counts(frame: gpd.GeoDataFrame, codes: pd.Series, path: Path, population_column: str,
                   households_column: str | None) -> pd.DataFrame:
    """Census totals carried by a boundary file (e-Stat JINKO/SETAI), summed over a code's pieces."""
    problems: list[Problem] = []
    counts = pd.DataFrame({"code": codes.values})
    for label, column in (("total", population_column), ("households", households_column)):
        if column is None:
            counts[label] = None
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        problems += [Problem(str(path), int(row), column, "area_census_count_not_whole_number", {}, str(found))
                     for row, found in zip(frame.loc[bad, ROW], frame.loc[bad, column])]
        huge = values.abs() > MAX_COUNT  # no count of people (nor an integer PostgreSQL's column holds)
        problems += [Problem(str(path), int(row), column, "count_too_large", {"most": MAX_COUNT}, str(found))
                     for row, found in zip(frame.loc[huge, ROW], frame.loc[huge, column])]
        counts[label] = values.values
    if problems:
        raise InputError(problems)
    return counts.groupby("code", sort=False).sum(min_count=1).reset_index()
