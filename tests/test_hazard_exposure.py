"""Who is exposed: residents in each zone class by unit, and those beyond a walk to a shelter open for the hazard.

First on a street worked by hand (one straight street, three residents, four shelters), then on the demo
town against a second method: GeoPandas spatial joins of the resident points with the zones and the
districts, and networkx's Dijkstra from the open shelters over the streets.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from helpers import DEMO_STREETS, METRIC, REPOSITORY, X0, Y0, network_of, networkx_distances, run_cli

FIXTURES = REPOSITORY / "tests" / "data" / "hazards"
FILES = ["generated_A31a_maximum_demo.geojson", "generated_A33_demo.geojson", "generated_A31_2012_demo.geojson",
         "generated_gsi_emergency_evacuation_sites_demo.geojson", "generated_gsi_designated_shelters_demo.geojson"]


def _box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _points(*xs):
    return [shapely.Point(X0 + x, Y0) for x in xs]


@pytest.fixture
def street():
    """A 2 km street (x 0–2000 m); residents at x = 100, 900, 1500; shelters at 0, 800, 1000, 2000.

    Shelters: A (x 0) 洪水; D (x 800) 内水氾濫 only; C (x 1000) 地震 only; B (x 2000) 崖崩れ… and 地震.
    """
    from geo_welfare.analysis.study import Study
    network = network_of([(0, 0), (2000, 0)])
    residents = gpd.GeoDataFrame({"area_code": ["S1", "S1", "S2"], "share": 1.0, "total": [50.0, 60.0, 70.0],
                                  "age_65_plus": [10.0, 20.0, 30.0], "age_75_plus": [4.0, 8.0, 12.0],
                                  "edge": -1, "along": 0.0}, geometry=_points(100, 900, 1500), crs=METRIC)
    shelters = gpd.GeoDataFrame({"name": list("ADCB"), "hazards": ["flood", "inland_flood", "earthquake",
                                                                   "landslide,earthquake"]},
                                geometry=_points(0, 800, 1000, 2000), crs=METRIC)
    units = gpd.GeoDataFrame({"code": ["U1", "U2"], "name": ["一区", "二区"]},
                             geometry=[_box(-100, -100, 1000, 100), _box(1000, -100, 2100, 100)], crs=METRIC)
    study = Study(gpd.GeoDataFrame(geometry=[], crs=METRIC), units.assign(code=["S1", "S2"]), pd.DataFrame(),
                  network, lambda stage: None)
    study.__dict__["residents"] = residents  # the study's residents, placed by hand instead of spread
    zones = gpd.GeoDataFrame({"hazard": ["flood", "flood", "flood", "landslide"],
                              "scenario": ["maximum", "maximum", "maximum", None],
                              "zone_class": ["0-0.5", "0-0.5", "0.5-3", "warning"],
                              "phenomenon": [None, None, None, "steep_slope"]},
                             geometry=[_box(0, -50, 1000, 50), _box(850, -50, 950, 50),  # both hold x = 900
                                       _box(50, -50, 150, 50), _box(1400, -50, 1600, 50)], crs=METRIC)
    return study, shelters, units, zones


def _walks(study, shelters):
    from geo_welfare.analysis.hazard_exposure import SHELTER_HAZARDS
    from geo_welfare.layers.shelters import open_for
    return {hazard: study.walk_to_nearest(open_for(shelters, flags)) for hazard, flags in SHELTER_HAZARDS.items()}


def test_walks_go_to_the_nearest_shelter_open_for_the_hazard(street):
    study, shelters, _, _ = street
    walks = _walks(study, shelters)
    # flood: only A (x 0) is flagged 洪水; D's 内水氾濫 and C's 地震 do not open them for a river flood
    assert walks["flood"] == pytest.approx([100.0, 900.0, 1500.0])
    assert walks["landslide"] == pytest.approx([1900.0, 1100.0, 500.0])  # only B (x 2000)


def test_the_exposure_of_the_street_by_hand(street):
    from geo_welfare.analysis.hazard_exposure import exposure_by_unit
    from geo_welfare.core.walking import walk_metres
    study, shelters, units, zones = street
    table = exposure_by_unit(study.residents, zones, _walks(study, shelters), walk_metres(10, 4.0), units,
                             {"U1": "一区", "U2": "二区"}, "（全体）")
    got = [(row.zone_class, row.code, row.name, row.age_65_plus, row.age_75_plus, row.age_65_plus_beyond,
            row.age_75_plus_beyond) for row in table.itertuples()]
    # 10 minutes at 4 km/h = 666.7 m.  0–0.5 m: the residents at x 100 (10, 4; walk 100 m) and x 900 (20, 8; walk
    # 900 m, beyond; in two zones of the class, counted once).  0.5–3 m: x 100 only.  Steep slope: x 1500 (30, 12),
    # 500 m from B.
    assert got == [("0-0.5", "U1", "一区", 30.0, 12.0, 20.0, 8.0), ("0-0.5", "*", "（全体）", 30.0, 12.0, 20.0, 8.0),
                   ("0.5-3", "U1", "一区", 10.0, 4.0, 0.0, 0.0), ("0.5-3", "*", "（全体）", 10.0, 4.0, 0.0, 0.0),
                   ("warning", "U2", "二区", 30.0, 12.0, 0.0, 0.0), ("warning", "*", "（全体）", 30.0, 12.0, 0.0, 0.0)]
    assert list(table["zone_label"][::2]) == ["0.0m以上0.5m未満", "0.5m以上3.0m未満", "土砂災害警戒区域（急傾斜地の崩壊）"]
    shorter = exposure_by_unit(study.residents, zones, _walks(study, shelters), walk_metres(7, 4.0), units)
    # 7 minutes = 466.7 m: the steep-slope resident (500 m) is now beyond
    assert shorter.loc[shorter["zone_class"] == "warning", "age_65_plus_beyond"].tolist() == [30.0, 30.0]


def test_without_an_open_shelter_everyone_in_the_zone_is_beyond(street):
    from geo_welfare.analysis.hazard_exposure import exposure_by_unit
    study, _, units, zones = street
    table = exposure_by_unit(study.residents, zones, {}, 666.7, units)
    assert table["age_65_plus_beyond"].tolist() == table["age_65_plus"].tolist() == [30.0, 30.0, 10.0, 10.0, 30.0,
                                                                                      30.0]


def test_a_point_on_a_zone_edge_is_inside_and_by_small_area_without_units(street):
    from geo_welfare.analysis.hazard_exposure import exposure_by_unit, inside_classes, zone_classes
    study, _, _, zones = street
    on_edge = study.residents.assign(geometry=_points(1000, 900, 1600))  # x 1000 and 1600 are on zones' edges
    classes = zone_classes(zones)
    assert inside_classes(on_edge, zones, classes).tolist() == [[True, False, False], [True, False, False],
                                                               [False, False, True]]
    table = exposure_by_unit(study.residents, zones, {}, 0.0)
    assert table.loc[table["zone_class"] == "warning", "code"].tolist() == ["S2", "*"]


# ---------------------------------------------------------------------------------------------
# The demo town, against GeoPandas and networkx.

@pytest.fixture(scope="module")
def exposed(demo):
    """The demo store with the hazard fixtures imported, and the ``hazard`` command's raw table (10 min)."""
    result = run_cli(demo, "import", "hazards", *[FIXTURES / name for name in FILES])
    assert result.exit_code == 0, result.stderr
    result = run_cli(demo, "hazard", "--network", DEMO_STREETS, "--minutes", "10", "--raw", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return demo, pd.DataFrame(json.loads(result.stdout))


def test_the_counts_in_zones_agree_with_a_geopandas_overlay(exposed):
    from geo_welfare.analysis.study import open_study
    from geo_welfare.network import build_network, read_walkable_lines
    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_areas
    url, table = exposed
    engine = open_store(url)
    residents = open_study(engine, build_network(read_walkable_lines(DEMO_STREETS))).residents
    zones = gpd.read_file(FIXTURES / FILES[0]).set_crs("EPSG:6668", allow_override=True).to_crs(residents.crs)
    districts = read_areas(engine, "elementary_district").to_crs(residents.crs)
    holder = gpd.sjoin(residents[["geometry"]], districts[["code", "geometry"]], predicate="intersects")
    unit = holder[~holder.index.duplicated(keep="first")]["code"]  # a border point: the first district (by code)
    joined = gpd.sjoin(residents, zones[["A31a_205", "geometry"]], predicate="intersects")
    joined = joined[~joined.index.duplicated()]  # the fixture's bands do not overlap
    joined["unit"] = unit.reindex(joined.index)
    expected = joined.groupby(["A31a_205", "unit"])[["age_65_plus", "age_75_plus"]].sum()
    flood = table[(table["scenario"] == "maximum") & (table["code"] != "*")]
    rank = {"0-0.5": 1, "0.5-3": 2, "3-5": 3}
    got = flood.assign(rank=flood["zone_class"].map(rank)).set_index(["rank", "code"])[["age_65_plus", "age_75_plus"]]
    assert sorted(got.index) == sorted(expected.index) and len(got) >= 6
    for key in expected.index:
        assert got.loc[key].to_numpy(dtype=float) == pytest.approx(expected.loc[key].to_numpy(dtype=float), abs=1e-6)
    whole = table[(table["scenario"] == "maximum") & (table["code"] == "*")]
    assert whole["age_65_plus"].sum() == pytest.approx(float(joined["age_65_plus"].sum()), abs=1e-6)


def test_the_residents_beyond_reach_agree_with_networkx(exposed):
    from geo_welfare.analysis.study import open_study
    from geo_welfare.network import build_network, read_walkable_lines
    from geo_welfare.store import open_store
    url, table = exposed
    network = build_network(read_walkable_lines(DEMO_STREETS))
    residents = open_study(open_store(url), network).residents
    sites = gpd.read_file(FIXTURES / FILES[3]).set_crs("EPSG:6668", allow_override=True).to_crs(network.crs)
    landslide = sites[sites["崖崩れ、土石流及び地滑り"] == "1"]  # デモ台中学校 only
    xy = np.column_stack([residents.geometry.x, residents.geometry.y])
    walk = networkx_distances(network, np.column_stack([landslide.geometry.x, landslide.geometry.y]), xy).min(axis=0)
    zones = gpd.read_file(FIXTURES / FILES[1]).set_crs("EPSG:6668", allow_override=True).to_crs(network.crs)
    yellow = zones[(zones["A33_001"] == 1) & (zones["A33_002"] == 1)].geometry.iloc[0]
    inside = shapely.intersects(yellow, np.asarray(residents.geometry.values))
    beyond = inside & (walk > 10 * 4000 / 60)
    row = table[(table["zone_class"] == "warning") & (table["phenomenon"] == "steep_slope") & (table["code"] == "*")]
    assert float(row["age_65_plus"].iloc[0]) == pytest.approx(float(residents["age_65_plus"][inside].sum()), abs=1e-6)
    assert float(row["age_65_plus_beyond"].iloc[0]) == pytest.approx(float(residents["age_65_plus"][beyond].sum()),
                                                                      abs=1e-6)
    assert 0 < float(row["age_65_plus_beyond"].iloc[0]) < float(row["age_65_plus"].iloc[0])  # the test can tell
