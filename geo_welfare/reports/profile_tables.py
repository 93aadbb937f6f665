"""A district profile's tables as people read them, for the PDF and the HTML alike.

Every table goes through :func:`geo_welfare.reports.tables.for_people` (headers in the user's
language, whole people that add up, percentages with one decimal); the few columns only a profile
has (how many places, places per 1,000 older residents, an attribute's name) get their headers
from the catalogue here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_welfare.core import glossary
from geo_welfare.core.target_groups import CHILDREN, DEFAULT_GROUP, TargetGroup, covered_column, share_column
from geo_welfare.core.words import t
from geo_welfare.layers.schedules import describe, schedule_of
from geo_welfare.reports.district_profile import DistrictProfile
from geo_welfare.reports.tables import TOTAL_CODE, for_people

#: Columns a profile adds to the ones :mod:`tables` knows, with their headers' catalogue keys.
OWN_HEADERS = {"places_count": "profile_places_count", "places_per_1000": "profile_places_per_1000",
               "places_per_1000_0_14": "profile_places_per_1000_0_14",
               "places_per_1000_total": "profile_places_per_1000_total",
               "attribute": "profile_attribute", "value": "profile_attribute_value",
               "attribute_source": "profile_attribute_source", "band": "profile_band"}


def cell_text(value: object) -> str:
    """A cell as printed: whole numbers with thousands separators, decimals and percentages with one decimal."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.1f}"
    return str(value)


def is_number(value: object) -> bool:
    """Whether a cell is a number (printed flush right)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def changes_heading(profile: DistrictProfile, lang: str) -> str:
    """The changes' heading: the two datasets compared, when there are two."""
    if profile.previous_dataset is None:
        return t("profile_section_changes_plain", lang)
    return t("profile_section_changes", lang, before=profile.previous_dataset, after=profile.dataset)


def _own(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(key, lang) for c, key in OWN_HEADERS.items() if c in frame})


def _rows(population: dict[str, float], name: str, group: TargetGroup = DEFAULT_GROUP) -> dict:
    """A population row; for the children the 0–14 and their share come before the older residents'."""
    known = population.get("total_known_ages") or 0
    children = {"age_0_14": population["age_0_14"], "share_0_14": population["age_0_14"] / known if known else None} \
        if group is CHILDREN else {}
    return {"name": name, "total": population["total"], "households": population["households"], **children,
            "age_65_plus": population["age_65_plus"], "age_75_plus": population["age_75_plus"],
            "aging_rate": population["age_65_plus"] / known if known else None,
            "share_75_plus": population["age_75_plus"] / known if known else None}


def population_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """Residents, households, 65+ and 75+, 高齢化率 and the 75+ share: the district against its municipality."""
    rows = [_rows(profile.counts, profile.name, profile.group),
            _rows(profile.municipality_counts, profile.municipality or t("profile_municipality", lang), profile.group)]
    return for_people(pd.DataFrame(rows), lang)


def bands_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """The age bands and their total: whole people adding up to the total (largest remainders)."""
    bands = profile.bands()
    frame = pd.DataFrame({"code": [key for key, _ in bands] + [TOTAL_CODE],
                          "band": [t(f"profile_{key}", lang) for key, _ in bands] + [t("profile_band_total", lang)],
                          "total": [value for _, value in bands] + [sum(value for _, value in bands)]})
    return _own(for_people(frame, lang).iloc[:, 1:], lang)


def band_people(profile: DistrictProfile) -> list[int]:
    """The bands as whole people (the numbers the pyramid draws and the table prints)."""
    return [int(v) for v in bands_table(profile, "en").iloc[:-1, 1]]


def kinds_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """Places by kind and per 1,000 residents 65+ of the district (of the chosen group: 0–14, everyone)."""
    counts = profile.places["kind"].value_counts() if len(profile.places) else pd.Series(dtype=int)
    order = [k for k in glossary.RESOURCE_KIND_IDS if k in counts.index] + \
        [k for k in counts.index if k not in glossary.RESOURCE_KIND_IDS]
    people = profile.counts[profile.group.demand]
    per = "places_per_1000" if profile.group is DEFAULT_GROUP else f"places_per_1000_{profile.group.tag}"
    frame = pd.DataFrame({"kind": order, "places_count": [int(counts[k]) for k in order],
                          per: [round(1000 * counts[k] / people, 1) if people else None for k in order]})
    return _own(for_people(frame, lang), lang)


def coverage_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """Residents 65+ and 75+ (or of the chosen group) within 10, 15 and 20 minutes' walk of a place."""
    columns = ["minutes"] + [name for column in profile.group.counts
                             for name in (column, covered_column(column), share_column(column))]
    return for_people(profile.coverage.reindex(columns=columns), lang)


def gaps_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """The largest pieces of the district beyond the walk of every place, most residents 65+ (of the group) first."""
    return for_people(profile.gaps.reindex(columns=["rank", *profile.group.columns, "area_m2"]), lang)


def capacity_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """The places' capacity within the walk, per 1,000 residents 65+ (2SFCA)."""
    return for_people(profile.capacity.reindex(columns=["minutes", "age_65_plus", "age_65_plus_in_reach", "supply",
                                                        "per_1000"]), lang)


def places_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """The district's places: kind, name, address, when they meet (in words), phone."""
    rows = [{"kind": row["kind"], "name": row["name"], "address": row.get("address") or "",
             "schedule": describe(schedule_of(row), lang) or "", "phone": row.get("phone") or ""}
            for row in profile.places.to_dict("records")]
    return for_people(pd.DataFrame(rows, columns=["kind", "name", "address", "schedule", "phone"]), lang)


def attributes_table(profile: DistrictProfile, lang: str) -> pd.DataFrame:
    """What the office records of the district (CSW配置, 協議体, モデル地区 …), with the file it came from."""
    frame = profile.attributes.rename(columns={"key": "attribute", "source": "attribute_source"})
    return _own(frame.reindex(columns=["attribute", "value", "attribute_source"]), lang)


def changes_table(profile: DistrictProfile, lang: str) -> pd.DataFrame | None:
    """The district's figures in the earlier and the shown dataset, and the change (None with one dataset).

    The change row is the difference of the rounded figures above it, so the rows read as a sum.
    """
    if profile.previous_counts is None:
        return None
    rows = pd.DataFrame([_rows(profile.previous_counts, profile.previous_dataset, profile.group),
                         _rows(profile.counts, profile.dataset, profile.group)])
    shown = for_people(rows, lang)
    def difference(after: object, before: object) -> object:
        if not (is_number(after) and is_number(before)) or pd.isna(after) or pd.isna(before):
            return ""
        return int(after) - int(before) if isinstance(after, (int, np.integer)) else round(after - before, 1)

    change = [difference(shown[c].iloc[1], shown[c].iloc[0]) for c in shown.columns[1:]]  # by column: ints stay ints
    rows = shown.astype(object).values.tolist() + [[t("profile_change", lang), *change]]
    return pd.DataFrame(rows, columns=shown.columns, dtype=object)  # object: whole numbers stay whole
