"""Hazard zones on the printed district map (``map district --hazards``), read back from the PDF.

By hand from the generated fixtures (tests/data/hazards) over the demo town, checked with a GeoPandas
intersection: デモ南小学校区 (E05) meets A31a ranks 1, 2 and 3 (0.0m以上0.5m未満, 0.5m以上3.0m未満,
3.0m以上5.0m未満); デモ台小学校区 (E01) meets no flood zone but the A33 急傾斜地の崩壊 警戒 and 特別警戒 zones.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest

from helpers import DEMO_DATA, REPOSITORY, flat, run, run_cli

HAZARDS = REPOSITORY / "tests" / "data" / "hazards"
FILES = ("generated_A31a_maximum_demo.geojson", "generated_A33_demo.geojson",
         "generated_gsi_emergency_evacuation_sites_demo.geojson")
BANDS = ("0.0m以上0.5m未満", "0.5m以上3.0m未満", "3.0m以上5.0m未満")


@pytest.fixture
def hazard_store(demo_store):
    assert run_cli(demo_store, "import", "hazards", *(HAZARDS / name for name in FILES)).exit_code == 0
    return demo_store


def _text(path) -> str:
    return flat(run("pdftotext", "-raw", path, "-"))


def test_the_fixtures_meet_the_districts_as_the_docstring_says():
    zones = gpd.read_file(HAZARDS / FILES[0])
    districts = gpd.read_file(DEMO_DATA / "elementary_districts.geojson").set_index("code")
    assert sorted(zones[zones.intersects(districts.geometry["E05"])]["A31a_205"]) == [1, 2, 3]
    assert zones[zones.intersects(districts.geometry["E01"])].empty


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_flood_zones_and_open_shelters_in_the_legend(hazard_store, tmp_path):
    plain, flooded = tmp_path / "plain.pdf", tmp_path / "flood.pdf"
    assert run_cli(hazard_store, "map", "district", "E05", "-o", plain, lang="ja").exit_code == 0
    result = run_cli(hazard_store, "map", "district", "E05", "--hazards", "flood", "-o", flooded, lang="ja")
    assert result.exit_code == 0, result.stderr
    text = _text(flooded)
    assert "洪水（想定最大規模）" in text and all(band in text for band in BANDS)
    assert "その災害に開設される指定緊急避難場所" in text and "土砂災害" not in text
    assert not any(band in _text(plain) for band in BANDS) and "洪水" not in _text(plain)


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_landslide_zones_where_the_district_has_them(hazard_store, tmp_path):
    out = tmp_path / "E01.pdf"
    result = run_cli(hazard_store, "map", "district", "E01", "--hazards", "landslide", "-o", out, lang="ja")
    assert result.exit_code == 0, result.stderr
    text = _text(out)
    assert "土砂災害警戒区域（急傾斜地の崩壊）" in text and "土砂災害特別警戒区域（急傾斜地の崩壊）" in text
    assert not re.search(r"浸水", text)


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_hazards_asked_of_a_store_without_them_are_refused(demo_store, tmp_path):
    result = run_cli(demo_store, "map", "district", "E05", "--hazards", "flood", "-o", tmp_path / "x.pdf", lang="ja")
    assert result.exit_code == 3 and "import hazards" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
