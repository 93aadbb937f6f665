"""``--within``: one ward or 圏域 of a city's store gives the whole store's figures for it; a city's age table
imported into a store of one ward counts the other wards' rows by ward instead of listing them.

Real data: Sapporo's whole-city store (built once per session from ../shared/data, copied here), and a store of 中央区 alone built through the CLI.  The expected values come from the files
themselves (csv, json) or from a second store that never heard of ``--within``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from helpers import DEMO_DATA, DEMO_STREETS, SHARED_DATA, STORE_FILE, copy_spatialite_store, run_cli

SAPPORO = SHARED_DATA / "sapporo"
STREETS = SAPPORO / "network" / "sapporo_authorized_road_network_2021-11_wgs84.geojson"
AGES = SAPPORO / "sapporo_jounen202010_age5_by_chome.csv"
N03 = SHARED_DATA / "common" / "ksj_n03_2021_pref01_simplified1pct.geojson"
GSI = SAPPORO / "gsi_emergency_evacuation_sites_011002.geojson"
CHUO = SAPPORO / "smallarea" / "estat_h27_smallarea_chuo.geojson"
ELEMENTARY = SAPPORO / "school" / "papamama_Elementary.geojson"


def _ok(url: str, *arguments: str):
    result = run_cli(url, *arguments)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def city(sapporo_city_template, tmp_path_factory) -> str:
    """The whole city: small areas of the 10 wards, the age table, school districts, 348 GSI sites as salons."""
    return copy_spatialite_store(sapporo_city_template, tmp_path_factory.mktemp("city"))


@pytest.fixture(scope="module")
def ward(shared_data, tmp_path_factory):
    """A store of 中央区 alone (and the N03 outlines naming every ward), then the whole city's age table: URL, output."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ward') / STORE_FILE}"
    _ok(url, "init")
    _ok(url, "import", "areas", CHUO, "--unit", "small-area")
    _ok(url, "import", "areas", N03, "--unit", "municipality")
    _ok(url, "import", "resources", GSI, "--kind", "salon")
    return url, _ok(url, "import", "population", AGES)


def _age_detail_rows() -> list[list[str]]:
    """The age table's rows of single areas: the 全市 row and each ward's own total row left out."""
    with open(AGES, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return [row for row in rows if row[0] != "全市" and row[1] != row[0]]


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"code": str})


# --- the age table of the whole city in a store of one ward --------------------------------------

def test_whole_city_age_table_in_a_ward_store_is_counted_by_ward(ward):
    _, imported = ward
    details = _age_detail_rows()
    per_ward = Counter(row[0] for row in details)
    features = json.loads(N03.read_text(encoding="utf-8"))["features"]
    codes = {f["properties"]["N03_004"]: f["properties"]["N03_007"] for f in features
             if f["properties"]["N03_003"] == "札幌市"}
    others = sorted((codes[name], name, count) for name, count in per_ward.items() if name != "中央区")
    expected = (f"{sum(count for *_, count in others):,} rows name small areas of municipalities or wards not in "
                f"the store: " + ", ".join(f"{code} {name} {count:,} rows" for code, name, count in others))
    lines = imported.stderr.splitlines()
    assert expected in lines
    assert len(others) == 9 and sum(count for *_, count in others) == len(details) - per_ward["中央区"]
    # The rows of 中央区 that did not join are still listed, one line each, and no row of another ward is.
    matched, total = map(int, re.search(r"Rows joined to a small area: (\d+) of (\d+)", imported.stderr).groups())
    assert total == len(details)
    listed = [line for line in lines if line.startswith("  ")]
    assert len(listed) == per_ward["中央区"] - matched > 0
    assert all(f"{AGES.name}:" in line and " 中央区/" in line for line in listed)
    assert len(lines) < 20  # not thousands


def test_a_table_keyed_by_code_is_counted_by_the_wards_its_codes_begin(ward, tmp_path):
    """e-Stat style: KEY_CODE of 中央区 and of two wards the store lacks, named by the stored N03 outlines."""
    url = copy_spatialite_store(Path(ward[0].removeprefix("sqlite:///")), tmp_path / "copy")  # a second age table
    chuo = [f["properties"]["KEY_CODE"] for f in json.loads(CHUO.read_text(encoding="utf-8"))["features"]][:3]
    codes = [*chuo, "011020010", "011020020", "01103001001", "01101999999"]  # the last: 中央区, but no such area
    table = tmp_path / "coded.csv"
    table.write_text("KEY_CODE,総数,65歳以上\n" + "".join(f"{code},10,3\n" for code in codes), encoding="utf-8")
    result = _ok(url, "import", "population", table, "--dataset", "coded")
    assert "3 rows name small areas of municipalities or wards not in the store: 01102 北区 2 rows, 01103 東区 1 rows" \
        in result.stderr.splitlines()
    listed = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(listed) == 1 and listed[0].startswith("  coded.csv:")  # 01101999999: of 中央区, yet no such area
    assert "Rows joined to a small area: 3 of 7" in result.stderr


# --- one ward of the city's store equals a store of that ward --------------------------------------

def test_coverage_within_a_ward_equals_the_ward_store(city, ward):
    """Straight lines: every resident of 中央区 finds the same nearest place among the kept ones (margin ≥ walk)."""
    arguments = ("coverage", "--minutes", "10", "--minutes", "15", "--format", "csv", "--raw")
    within = _ok(city, *arguments, "--within", "01101").stdout
    alone = _ok(ward[0], *arguments).stdout
    assert within == alone  # byte for byte, the whole-area row too
    table = _csv(within)
    assert set(table["code"]) - {"*"} == {f["properties"]["KEY_CODE"] for f in
                                        json.loads(CHUO.read_text(encoding="utf-8"))["features"]}


def test_aging_within_a_ward_equals_the_city_rows_of_that_ward(city):
    whole = _csv(_ok(city, "aging", "--format", "csv", "--raw").stdout)
    within = _csv(_ok(city, "aging", "--format", "csv", "--raw", "--within", "01101").stdout)
    expected = whole[whole["code"].str.startswith("01101")].reset_index(drop=True)
    pd.testing.assert_frame_equal(within, expected, check_exact=True)


def test_gaps_within_a_ward_equal_the_ward_store(city, ward):
    arguments = ("gaps", "--minutes", "10", "--unit", "small-area", "--format", "csv", "--raw")
    within = _csv(_ok(city, *arguments, "--within", "01101").stdout)
    alone = _csv(_ok(ward[0], *arguments).stdout)
    assert list(within.columns) == list(alone.columns) and len(within) == len(alone) > 0
    people = [c for c in within.columns if c.startswith(("total", "age_"))]
    pd.testing.assert_frame_equal(within[people], alone[people], check_exact=True)
    np.testing.assert_allclose(within["area_m2"], alone["area_m2"], rtol=1e-6)


def test_coverage_over_streets_within_a_ward_equals_the_city_figures(city):
    """Over the streets the residents are spread with the neighbouring small areas: exactly the city's."""
    from geo_welfare.analysis import planning
    from geo_welfare.analysis.study import open_study
    from geo_welfare.analysis.within import margin_for
    from geo_welfare.network.cache import load_network
    from geo_welfare.store.engine import open_store
    engine = open_store(city)
    network, _ = load_network(STREETS, Path(city.removeprefix("sqlite:///")).parent / "geo_welfare_cache")
    whole = open_study(engine, network)
    part = open_study(engine, network, within="01101", margin_metres=margin_for(15))
    assert part.resources["id"].isin(whole.resources["id"]).all() and 0 < len(part.resources) < len(whole.resources)
    city_points = whole.residents[whole.residents["area_code"].str.startswith("01101")]
    assert np.array_equal(city_points[["edge", "along", "age_65_plus"]].to_numpy(),
                          part.residents[["edge", "along", "age_65_plus"]].to_numpy())
    columns = ["code", "minutes", "total", "age_65_plus", "age_75_plus", "age_65_plus_covered", "age_75_plus_covered"]
    expected = planning.coverage(engine, whole, [10, 15])
    expected = expected[expected["code"].str.startswith("01101")][columns].reset_index(drop=True)
    found = planning.coverage(engine, part, [10, 15])
    found = found[found["code"] != "*"][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)


# --- choices and refusals ------------------------------------------------------------------------

def test_unknown_code_is_refused_naming_it_and_the_wards(city, ward):
    features = [f for path in sorted((SAPPORO / "smallarea").glob("*.geojson"))
                for f in json.loads(path.read_text(encoding="utf-8"))["features"]]
    wards = sorted({(f["properties"]["KEY_CODE"][:5], f["properties"]["CITY_NAME"]) for f in features})
    result = run_cli(city, "coverage", "--within", "01199")
    assert result.exit_code == 2
    assert (f"No stored area has the code 01199. Choose one of: "
            + ", ".join(f"{code} {name}" for code, name in wards)) in result.stderr
    # The store of one ward offers that ward alone (its N03 outlines are areas too, but no list of choices).
    alone = run_cli(ward[0], "gaps", "--within", "01199", "--unit", "small-area", lang="ja")
    assert alone.exit_code == 2
    assert "区域コード 01199 は保存されていません。次から選んでください: 01101 中央区" in alone.stderr


def test_a_walk_longer_than_the_margin_is_refused(city):
    from geo_welfare.analysis import planning
    from geo_welfare.analysis.study import open_study
    from geo_welfare.analysis.within import WithinMarginTooShort
    from geo_welfare.store.engine import open_store
    engine = open_store(city)
    study = open_study(engine, None, within="01101", margin_metres=600.0)
    planning.coverage(engine, study, [9])  # 600 m at 4 km/h
    with pytest.raises(WithinMarginTooShort) as refused:
        planning.coverage(engine, study, [10])
    assert refused.value.message("en") == ("The study of 01101 keeps places within 600 m of it only, so a walk of "
                                           "667 m would be wrong near its border (widen the margin)")
    with pytest.raises(WithinMarginTooShort):
        planning.gaps(engine, study, 9, "small_area")  # the streets' buffer must fit too


def test_within_choices_of_the_demo_town(demo):
    from geo_welfare.store.engine import open_store
    from geo_welfare.store.read import within_choices
    municipality = json.loads((DEMO_DATA / "municipality.geojson").read_text(encoding="utf-8"))["features"]
    areas = json.loads((DEMO_DATA / "daily_life_areas.geojson").read_text(encoding="utf-8"))["features"]
    expected = ([(m["properties"]["code"], m["properties"]["name"], "municipality") for m in municipality]
                + sorted((a["properties"]["code"], a["properties"]["name"], "daily_life_area") for a in areas))
    assert list(within_choices(open_store(demo)).itertuples(index=False, name=None)) == expected


def test_coverage_within_a_daily_life_area_counts_the_residents_standing_in_it(demo, brute):
    """A 圏域 is no union of small areas: its residents are the town's street points standing in it, and each
    finds its nearest place across the border as a brute-force walk to every place of the town does."""
    from geo_welfare.analysis import planning
    from geo_welfare.analysis.study import open_study
    from geo_welfare.analysis.within import margin_for
    from geo_welfare.core.walking import walk_metres
    from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
    from geo_welfare.store.engine import open_store
    import geopandas as gpd
    resources, points, _ = brute  # every public salon and 縁側 of the town, every street point of the town
    network = build_network(read_walkable_lines(DEMO_STREETS))
    area = gpd.read_file(DEMO_DATA / "daily_life_areas.geojson").set_index("code").to_crs(network.crs).geometry["DL01"]
    engine = open_store(demo)
    study = open_study(engine, network, kinds=["salon", "engawa"], within="DL01", margin_metres=margin_for(15))
    assert 0 < len(study.resources) < len(resources)
    residents = study.residents
    assert shapely.intersects(area, np.asarray(residents.geometry.values, dtype=object)).all()
    inside = shapely.intersects(area, np.asarray(points.geometry.values, dtype=object))
    assert residents["age_65_plus"].sum() == pytest.approx(points.loc[inside, "age_65_plus"].sum(), rel=1e-12)
    xy = np.column_stack([residents.geometry.x, residents.geometry.y])
    places = np.column_stack([resources.geometry.x, resources.geometry.y])
    walks = walking_distances(network, snap_points(network, places), snap_points(network, xy)).min(axis=0)
    covered = residents["age_65_plus"].where(walks <= walk_metres(15, 4.0), 0.0)
    expected = pd.DataFrame({"age_65_plus": residents["age_65_plus"], "covered": covered}).groupby(
        residents["area_code"]).sum()
    found = planning.coverage(engine, study, [15]).set_index("code").drop(index="*")
    assert list(found.index) == list(expected.index) and 0 < len(found) < len(points["area_code"].unique())
    np.testing.assert_allclose(found["age_65_plus"], expected["age_65_plus"], rtol=1e-12)
    np.testing.assert_allclose(found["age_65_plus_covered"], expected["covered"], rtol=1e-12)


# --- the CSW page's ward selector ------------------------------------------------------------------

def test_csw_lists_a_wards_schools_sorted_by_ward_and_name(city):
    from geo_welfare.web import create_app
    schools = [(f["properties"]["A27_005"], f["properties"]["name"])
               for f in json.loads(ELEMENTARY.read_text(encoding="utf-8"))["features"]]
    client = create_app(city, tiles="none").test_client()
    page = client.get("/csw?lang=en").get_data(as_text=True)
    listed = re.findall(r'<option value="(\d{5}):[^"]*"\s*(?:selected)?>([^<]*)</option>', page)
    assert listed == sorted(schools)
    assert re.findall(r'<optgroup label="([^"]*)"', page)[:2] == ["中央区", "北区"]
    east = client.get("/csw?lang=en&within=01103").get_data(as_text=True)
    listed = re.findall(r'<option value="(\d{5}):[^"]*"\s*(?:selected)?>([^<]*)</option>', east)
    assert listed == sorted(school for school in schools if school[0] == "01103")
    first = sorted(name for code, name in schools if code == "01103")[0]
    assert re.search(r'<h2 id="district-name">([^<]*)</h2>', east)[1] == first


def test_csw_lists_the_districts_of_a_daily_life_area_of_the_demo_town(demo):
    """Districts carrying no ward code: those whose representative point lies in the chosen area."""
    import geopandas as gpd
    from geo_welfare.web import create_app
    districts = gpd.read_file(DEMO_DATA / "elementary_districts.geojson")
    areas = gpd.read_file(DEMO_DATA / "daily_life_areas.geojson").set_index("code")
    client = create_app(demo, tiles="none").test_client()
    for code in ("DL01", "DL02"):
        inside = districts[districts.representative_point().within(areas.geometry[code])]
        page = client.get(f"/csw?within={code}").get_data(as_text=True)
        listed = re.findall(r'<option value="(E\d+)"\s*(?:selected)?>([^<]*)</option>', page)
        assert listed == sorted(zip(inside["code"], inside["name"]), key=lambda item: (item[1], item[0]))
        assert 0 < len(listed) < len(districts)
    everything = client.get("/csw?within=14999").get_data(as_text=True)
    assert len(re.findall(r'<option value="E\d+"', everything)) == len(districts)
    assert "<optgroup" not in everything
