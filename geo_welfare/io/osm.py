"""OpenStreetMap files (.osm XML, .osm.pbf) as resource lists, through GDAL's OSM driver.

Only named points whose ``amenity`` is a welfare-related value are kept: an OSM extract holds
thousands of benches and bus stops, and a resource list should hold places people go to for
company or help.  Tags GDAL does not expose as columns arrive in ``other_tags`` (hstore text)
and are unpacked here.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo_welfare.core.errors import InputError

#: amenity value → resource kind identifier (see :mod:`geo_welfare.core.glossary`).
WELFARE_AMENITIES: dict[str, str] = {
    "community_centre": "community_centre",
    "social_centre": "community_centre",
    "social_facility": "other",
    "nursing_home": "other",
}
_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def is_osm_file(path: Path) -> bool:
    """True for OpenStreetMap XML or PBF files."""
    return path.name.lower().endswith((".osm", ".osm.pbf", ".pbf"))


def parse_other_tags(text: object) -> dict[str, str]:
    """GDAL's ``other_tags`` hstore text (``"a"=>"b","c"=>"d"``) as a dict."""
    if not isinstance(text, str):
        return {}
    return {key.replace('\\"', '"'): value.replace('\\"', '"') for key, value in _TAG.findall(text)}


def read_osm_resources(path: Path) -> gpd.GeoDataFrame:
    """Named welfare points of an OSM file, in the resource columns the importer recognises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            points = pyogrio.read_dataframe(path, layer="points")
    except Exception as error:
        raise InputError.single(path, "cannot_read_as_osm", error=error) from error
    tags = points["other_tags"].map(parse_other_tags) if "other_tags" in points else pd.Series([{}] * len(points))
    amenity = tags.map(lambda t: t.get("amenity"))
    keep = points["name"].notna() & amenity.isin(list(WELFARE_AMENITIES))
    chosen, chosen_tags = points.loc[keep], tags[keep]

    def address(t: dict[str, str]) -> str | None:
        parts = [t.get(k) for k in ("addr:province", "addr:city", "addr:quarter", "addr:neighbourhood",
                                    "addr:block_number", "addr:housenumber", "addr:full") if t.get(k)]
        return "".join(parts) or t.get("KSJ2:ADS")

    frame = gpd.GeoDataFrame({
        "ID": "node/" + chosen["osm_id"].astype(str),
        "name": chosen["name"].astype(str),
        "kind": amenity[keep].map(WELFARE_AMENITIES),
        "address": chosen_tags.map(address),
        "phone": chosen_tags.map(lambda t: t.get("phone") or t.get("contact:phone")),
        "url": chosen_tags.map(lambda t: t.get("website") or t.get("contact:website")),
        "schedule": chosen_tags.map(lambda t: t.get("opening_hours:ja")),
        "note": chosen_tags.map(lambda t: "amenity=" + t["amenity"] + (
            f"; opening_hours={t['opening_hours']}" if t.get("opening_hours") else "")),
    }, geometry=chosen.geometry.values, crs=points.crs)
    frame["_row"] = range(1, len(frame) + 1)
    return frame.reset_index(drop=True)
