"""Other real files: 国土数値情報 N03 outlines, GSI shelters, a real OpenStreetMap extract (GDAL's OSM driver)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections import Counter

import pytest
import shapely
from shapely.geometry import shape

from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_resources
from helpers import run_cli


def features(path):
    return json.loads(path.read_text(encoding="utf-8"))["features"]


@pytest.mark.parametrize(("prefecture", "count", "types", "named"), [
    ("14", 58, {"Polygon": 49, "MultiPolygon": 9}, {"14205": "藤沢市", "14208": "逗子市"}),
    ("37", 17, {"Polygon": 7, "MultiPolygon": 10}, {"37201": "高松市"}),
], ids=["kanagawa", "kagawa"])
def test_municipal_outlines(store_url, shared_data, prefecture, count, types, named):
    path = shared_data / "common" / f"ksj_n03_2021_pref{prefecture}_simplified1pct.geojson"
    source = features(path)
    assert len(source) == count  # the shared README's counts
    assert Counter(f["geometry"]["type"] for f in source) == types
    expected = {f["properties"]["N03_007"]: f for f in source}
    assert len(expected) == count  # one feature per code
    result = run_cli(store_url, "import", "areas", path, "--unit", "municipality")
    assert result.exit_code == 0, result.stderr
    assert f"{path.name}: {count} added, 0 updated, 0 removed, 0 skipped, 0 warnings (areas:municipality)" in result.stderr
    stored = read_areas(open_store(store_url), "municipality").set_index("code")
    assert set(stored.index) == set(expected)
    assert (stored["source"] == path.stem).all()
    for code, name in named.items():
        assert stored.loc[code, "name"] == name == expected[code]["properties"]["N03_004"]
        # The outline is stored as drawn (a Polygon becomes a one-part MultiPolygon).
        drawn = shape(expected[code]["geometry"])
        stored_shape = stored.loc[code, "geometry"]
        assert stored_shape.geom_type == "MultiPolygon"
        assert shapely.symmetric_difference(stored_shape, drawn).area == pytest.approx(0, abs=1e-12)
        assert stored_shape.area == pytest.approx(drawn.area, rel=1e-12)


def test_gsi_shelters_as_resources(store_url, shared_data):
    path = shared_data / "fujisawa" / "gsi_designated_shelters_142051.geojson"
    source = features(path)
    assert len(source) == 81
    result = run_cli(store_url, "import", "resources", path, "--kind", "other")
    assert result.exit_code == 0, result.stderr
    assert f"{path.name}: 81 added, 0 updated, 0 removed, 0 skipped, 0 warnings (resources)" in result.stderr
    stored = read_resources(open_store(store_url)).set_index("source_id")
    assert len(stored) == 81 and (stored["kind"] == "other").all()
    for feature in source:  # keyed by the file's NO; name, address and the point exactly as published
        p = feature["properties"]
        item = stored.loc[str(p["NO"])]
        assert (item["name"], item["address"]) == (p["施設・場所名"], p["住所"])
        assert [item.geometry.x, item.geometry.y] == feature["geometry"]["coordinates"]
    assert stored.loc["28910", "name"] == "聖園女学院"


def test_osm_welfare_places(store_url, shared_data):
    path = shared_data / "tokyo" / "osm_nerima_tokyo.osm"
    root = ElementTree.parse(path).getroot()
    assert (len(root.findall("node")), len(root.findall("way")), len(root.findall("relation"))) == (3694, 751, 3)
    expected = {}
    for node in root.iter("node"):
        tags = {tag.get("k"): tag.get("v") for tag in node.iter("tag")}
        # The welfare amenities a resource list wants; in this 2011 extract only nursing_home occurs.
        if tags.get("name") and tags.get("amenity") in ("nursing_home", "social_facility", "community_centre",
                                                         "social_centre"):
            expected[f"node/{node.get('id')}"] = (tags["name"], tags.get("KSJ2:ADS"),
                                                  float(node.get("lon")), float(node.get("lat")))
    assert len(expected) == 10  # the README counts 10 nursing_home amenities, all named nodes
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    assert f"{path.name}: 10 added, 0 updated, 0 removed, 0 skipped, 0 warnings (resources)" in result.stderr
    stored = read_resources(open_store(store_url)).set_index("source_id")
    got = {key: (row["name"], row["address"], row.geometry.x, row.geometry.y) for key, row in stored.iterrows()}
    assert got.keys() == expected.keys()
    for key, (name, address, lon, lat) in expected.items():
        assert got[key][:2] == (name, address)
        assert got[key][2:] == pytest.approx((lon, lat), abs=1e-7)  # GDAL keeps OSM's 7 decimals
    assert (stored["kind"] == "other").all()
    assert stored.loc["node/1420791988", "address"] == "桜台2-2-8"
    assert set(stored["note"]) == {"amenity=nursing_home"}
