"""Other real files: 国土数値情報 N03 outlines, GSI shelters, a real OpenStreetMap extract."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

from conftest import run_cli
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_resources
from layers.osm import WELFARE_AMENITIES


def test_municipal_outlines(store_url, shared_data):
    for prefecture, codes in (("14", {"14205": "藤沢市", "14208": "逗子市"}), ("37", {"37201": "高松市"})):
        path = shared_data / "common" / f"ksj_n03_2021_pref{prefecture}_simplified1pct.geojson"
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        expected_codes = {f["properties"]["N03_007"] for f in features}
        result = run_cli(store_url, "import", "areas", path, "--unit", "municipality")
        assert result.exit_code == 0, result.stderr
        stored = read_areas(open_store(store_url), "municipality")
        stored = stored[stored["source"] == path.stem].set_index("code")
        assert set(stored.index) == expected_codes
        for code, name in codes.items():
            assert stored.loc[code, "name"] == name
    counts = {p: len(json.loads((shared_data / "common" / f"ksj_n03_2021_pref{p}_simplified1pct.geojson")
                                .read_text(encoding="utf-8"))["features"]) for p in ("14", "37")}
    assert counts == {"14": 58, "37": 17}


def test_gsi_shelters_as_resources(store_url, shared_data):
    path = shared_data / "fujisawa" / "gsi_designated_shelters_142051.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    result = run_cli(store_url, "import", "resources", path, "--kind", "other")
    assert result.exit_code == 0, result.stderr
    stored = read_resources(open_store(store_url))
    assert len(stored) == len(features) == 81
    assert set(stored["name"]) == {f["properties"]["施設・場所名"] for f in features}


def test_osm_welfare_places(store_url, shared_data):
    path = shared_data / "tokyo" / "osm_nerima_tokyo.osm"
    expected = {}
    for node in ElementTree.parse(path).getroot().iter("node"):
        tags = {tag.get("k"): tag.get("v") for tag in node.iter("tag")}
        if tags.get("name") and tags.get("amenity") in WELFARE_AMENITIES:
            expected[f"node/{node.get('id')}"] = tags["name"]
    assert len(expected) == 10  # the README counts 10 nursing_home amenities, all named nodes
    result = run_cli(store_url, "import", "resources", path)
    assert result.exit_code == 0, result.stderr
    stored = read_resources(open_store(store_url)).set_index("source_id")
    assert dict(stored["name"]) == expected
    assert (stored["kind"] == "other").all()
    assert stored.loc["node/1420791988", "address"] == "桜台2-2-8"
