"""高齢化率 by area unit: small areas directly, other units by street or area share."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo_welfare.analysis.aging import aging_table
from geo_welfare.network import build_network, read_walkable_lines
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population
from helpers import DEMO_DATA as DEMO, X0, Y0, network_of


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def two_areas():
    small = gpd.GeoDataFrame({"code": ["W", "E"], "name": ["西町", "東町"]},
                             geometry=[box(0, -50, 200, 50), box(200, -50, 400, 50)], crs="EPSG:6677")
    population = pd.DataFrame({"area_code": ["W", "E", "E", None], "total": [400, 60, 40, 999],
                               "age_65_plus": [100, 30, pd.NA, 500], "age_75_plus": [60, 10, pd.NA, 300]})
    return small, population


def test_small_areas_directly_with_suppressed_rows_out_of_the_rate(two_areas):
    small, population = two_areas
    table = aging_table(small, population).set_index("code")
    assert table.loc["W", "aging_rate"] == pytest.approx(0.25)
    # 東町: 100 residents, 40 of them in a row with suppressed ages: 30 / 60, not 30 / 100.
    assert table.loc["E", "total"] == 100 and table.loc["E", "aging_rate"] == pytest.approx(0.5)
    assert table.loc["E", "name"] == "東町"
    assert "None" not in table.index  # the row that joined to no small area has no place here


def test_units_that_cut_across_small_areas(two_areas):
    small, population = two_areas
    unit = gpd.GeoDataFrame({"code": ["M"], "name": ["中学校区"]}, geometry=[box(100, -50, 300, 50)], crs="EPSG:6677")
    by_area = aging_table(small, population, unit).set_index("code")
    # Half of each small area's surface: 200 + 50 residents, 50 + 15 aged 65+ (of 200 + 30 with known ages).
    assert by_area.loc["M", "total"] == pytest.approx(250)
    assert by_area.loc["M", "aging_rate"] == pytest.approx(65 / 230)
    network = network_of([(0, 0), (400, 0)])
    by_street = aging_table(small, population, unit, network=network).set_index("code")
    assert by_street.loc["M", "total"] == pytest.approx(250)  # the street runs evenly through both
    assert by_street.loc["M", "aging_rate"] == pytest.approx(65 / 230)


def test_demo_town_rates_add_up(demo_spatialite_url):
    engine = open_store(demo_spatialite_url)
    small = read_areas(engine, "small_area")
    population = read_population(engine, "population_by_age")
    whole = aging_table(small, population)
    assert whole["total"].sum() == population["total"].sum()
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    districts = read_areas(engine, "elementary_district")
    by_district = aging_table(small, population, districts, network=network)
    assert len(by_district) == 6
    assert by_district["total"].sum() == pytest.approx(population["total"].sum())
    assert by_district["age_65_plus"].sum() == pytest.approx(population["age_65_plus"].sum())
    overall = population["age_65_plus"].sum() / population["total"].sum()
    assert by_district["aging_rate"].min() < overall < by_district["aging_rate"].max()
