"""Result tables as people read them: headers in their language, whole people, percentages, labelled rows.

The analyses answer in a machine form (English column names, fractional residents spread over
streets, shares from 0 to 1) that scripts rely on and ``--raw`` keeps.  A table taken to a meeting
needs another form, made here in one place for the CLI, the files it writes and the web's downloads:

- **headers** from the catalogue (``table_<column>``), in the user's language;
- **whole people**: residents are spread along streets, so a district holds 1483.05 of them; where
  a table has a total row (per walking time), each head-count column is rounded by the
  largest-remainder method so that the rounded rows add up to the rounded total (Hamilton's
  apportionment: plain rounding of 6 rows of x.5 would give a total that disagrees with its rows);
- **percentages** with one decimal (shares are multiplied by 100 before rounding);
- **labelled rows**: the whole-area row keeps its name, and residents outside every unit (no code)
  are named as such instead of an empty line;
- **values as words**: a kind is its label, yes/no are words, the method says how distances were measured.

A column no table here knows is kept as it is: a new analysis column shows up, in English, rather than vanishing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.core import glossary
from geo_welfare.core.config import STORAGE_CRS, language
from geo_welfare.core.words import t

#: The code of the whole-area row of a result table.
TOTAL_CODE = "*"


@dataclass(frozen=True)
class Column:
    """How one machine column is shown: its header's catalogue key and the form of its values."""

    header: str
    form: str  # people | percent | decimal | whole | hectares | minutes | text | kind | flag | method | visibility | level


def _column(name: str, form: str) -> Column:
    return Column(f"table_{name}", form)


#: Every column a result or listing table may hold, in no particular order (the table's own order is kept).
COLUMNS: Mapping[str, Column] = {name: _column(name, form) for name, form in {
    # coverage, gaps, aging, capacity
    "rank": "text", "code": "text", "name": "text", "minutes": "minutes", "total": "people",
    "age_0_14": "people", "age_15_64": "people", "age_65_plus": "people", "age_75_plus": "people",
    "age_65_plus_covered": "people", "age_75_plus_covered": "people",
    "share_65_plus_covered": "percent", "share_75_plus_covered": "percent",
    "aging_rate": "percent", "share_75_plus": "percent", "area_m2": "hectares",
    "age_65_plus_in_reach": "people", "supply": "decimal", "per_1000": "decimal", "method": "method",
    "households": "people", "municipality": "text",
    # transit gaps (geo_welfare.analysis.transit_gaps)
    "age_65_plus_no_transit": "people", "age_75_plus_no_transit": "people",
    "share_65_plus_no_transit": "percent", "share_75_plus_no_transit": "percent",
    # the other target groups (geo_welfare.core.target_groups): children 0–14 and everyone
    "age_0_14_covered": "people", "share_0_14_covered": "percent", "share_0_14": "percent",
    "total_covered": "people", "share_total_covered": "percent",
    "added_0_14": "people", "unique_0_14": "people", "covered_after_0_14": "people",
    "added_total": "people", "unique_total": "people", "covered_after_total": "people",
    # planned sites
    "order": "text", "added_65_plus": "people", "unique_65_plus": "people", "covered_after_65_plus": "people",
    # nearest
    "id": "text", "kind": "kind", "kind_label": "text", "walking_m": "whole", "walking_min": "decimal",
    "straight_m": "whole", "schedule": "text", "phone": "text", "address": "text",
    # the listing of places
    "source": "text", "source_id": "text", "name_kana": "text", "operator": "text", "url": "text",
    "target_groups": "text", "fee": "text", "capacity": "text", "barrier_free": "flag", "consultation": "flag",
    "visibility": "visibility", "last_checked": "text", "schedule_text": "text",
    "closed_on_holidays": "flag", "closed_year_end": "flag", "times_per_month": "text",
    "schedule_unparsed": "text", "note": "text", "version": "text", "lon": "text", "lat": "text", "services": "text",
    "capacity_text": "text", "capacity_approximate": "flag", "location_level": "level", "location_gazetteer": "text",
}.items()}


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and
                                                                                   not value.strip())


def largest_remainder(values: np.ndarray, target: int) -> np.ndarray:
    """Whole numbers, each the floor or the ceiling of its value, adding up to ``target``.

    Hamilton's method: every value gets its floor, then the units still missing go to the largest
    fractional parts (ties to the earlier row, so the answer does not depend on sort stability).
    ``target`` must lie between the sum of the floors and the sum of the ceilings.
    """
    floors = np.floor(values)
    missing = int(target - floors.sum())
    order = np.argsort(-(values - floors), kind="stable")
    result = floors.astype(np.int64)
    if missing > 0:
        result[order[:missing]] += 1
    elif missing < 0:  # only when the target was rounded down past the floors' sum: take from the smallest parts
        result[order[::-1][:-missing]] -= 1
    return result


def people_columns(table: pd.DataFrame) -> list[str]:
    """The head-count columns of ``table`` (residents, by age): the ones shown as whole people."""
    return [column for column in table.columns if column in COLUMNS and COLUMNS[column].form == "people"]


def whole_people(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its head-count columns as whole people adding up to their totals, names unchanged.

    For a page that draws its own table from the machine form (the planner's coverage table).
    """
    return _whole_people(table, people_columns(table))


def row_label(code: object, name: object, lang: str | None = None) -> str:
    """A row's name as shown: its own, or the words for residents outside every unit."""
    if _is_blank(code) and _is_blank(name):
        return t("table_outside_every_unit", lang)
    return "" if _is_blank(name) else str(name)


def _whole_people(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Head-count columns as whole people; where a total row sums its rows, the rounded rows add up to it.

    Rows are grouped by walking time (each time has its own total row).  A table without a total
    row (gaps, planned sites: their rows are no partition of a whole) is rounded row by row.
    """
    result = table.copy()
    groups = result.groupby("minutes", sort=False).groups.values() if "minutes" in result else [result.index]
    is_total = result["code"].astype(str).eq(TOTAL_CODE) if "code" in result else pd.Series(False, result.index)
    for column in columns:
        numbers = pd.to_numeric(result[column], errors="coerce").astype(float)
        whole = numbers.round(0).astype("Int64")
        for index in groups:
            rows = numbers.loc[index]
            details = rows[~is_total.loc[index] & rows.notna()]
            totals = rows[is_total.loc[index] & rows.notna()]
            if len(totals) == 1 and len(details) and abs(float(totals.iloc[0]) - float(details.sum())) < 0.5:
                target = round(float(totals.iloc[0]))
                whole.loc[details.index] = largest_remainder(details.to_numpy(), target)
                whole.loc[totals.index] = target
        result[column] = whole
    return result


def _value_words(series: pd.Series, form: str, lang: str) -> pd.Series:
    """Values that are words: kinds, yes/no, public or staff, the distance method."""
    def word(value: object) -> object:
        if _is_blank(value) or value is pd.NA:
            return ""
        if form == "kind":
            return glossary.label(glossary.RESOURCE_KINDS, str(value), lang)
        if form == "flag":
            return t("table_yes" if bool(value) and str(value).lower() not in ("false", "0") else "table_no", lang)
        if form == "visibility":
            return t(f"visibility_{value}", lang)
        if form == "level":  # where a point placed from its address was matched: 街区, 町丁目, 大字
            return t(f"geocode_level_{value}", lang)
        return t(f"method_{value}", lang)
    return series.map(word)


def for_people(table: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """``table`` (a result or listing in the machine form) as people read it, in ``lang``.

    Parameters
    ----------
    table : pandas.DataFrame
        Machine columns (:data:`COLUMNS`); geometry, if any, is dropped (points become 経度・緯度).
    lang : str, optional
        ``"ja"`` or ``"en"``; None: the configured language.

    Returns
    -------
    pandas.DataFrame
        The same rows in the same order: headers translated, head-counts whole (adding up to
        their totals), shares as percentages with one decimal, words for coded values, and the
        residents outside every unit labelled.  A machine ``kind`` is dropped when a ``kind_label``
        says the same in words.
    """
    lang = language(lang)
    frame = pd.DataFrame(table.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    if isinstance(table, gpd.GeoDataFrame) and len(table) and "lon" not in frame and \
            table.geometry.geom_type.eq("Point").all():  # points keep their place, as lon/lat in the storage CRS
        points = table.geometry.to_crs(STORAGE_CRS)
        frame["lon"], frame["lat"] = points.x.round(7).to_numpy(), points.y.round(7).to_numpy()
    if "kind" in frame and "kind_label" in frame:
        frame = frame.drop(columns="kind")
    if "code" in frame and "name" in frame:
        frame["name"] = [row_label(code, name, lang) for code, name in zip(frame["code"], frame["name"])]
        frame["code"] = frame["code"].map(lambda code: "" if _is_blank(code) else code)
    forms = {column: COLUMNS[column].form for column in frame.columns if column in COLUMNS}
    frame = _whole_people(frame, [column for column, form in forms.items() if form == "people"])
    for column, form in forms.items():
        numbers = pd.to_numeric(frame[column], errors="coerce") if form in (
            "percent", "decimal", "whole", "hectares", "minutes") else None
        if form == "percent":
            frame[column] = (numbers * 100).round(1)
        elif form == "decimal":
            frame[column] = numbers.round(1)
        elif form == "whole":
            frame[column] = numbers.round(0).astype("Int64")
        elif form == "hectares":
            frame[column] = (numbers / 10_000).round(2)
        elif form == "minutes":
            frame[column] = numbers.map(lambda m: "" if pd.isna(m) else int(m) if float(m).is_integer() else m)
        elif form in ("kind", "flag", "visibility", "method", "level"):
            frame[column] = _value_words(frame[column], form, lang)
    return frame.rename(columns={column: t(COLUMNS[column].header, lang) for column in forms})
