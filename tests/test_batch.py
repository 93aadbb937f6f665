"""``geo-welfare batch``: Sapporo's ten wards as ten self-contained parts on two Dask workers equal the whole city.

The whole-city answers are the single-machine ones (:func:`geo_welfare.analysis.planning.coverage`
and :func:`~geo_welfare.analysis.planning.gaps` of one study of all ten wards, and for new bases
:func:`~geo_welfare.analysis.planning.plan` of a study of each ward alone on the whole network);
the batch answers come from :mod:`geo_welfare.analysis.batch` on a ``LocalCluster`` of two worker
processes.  The real data is read from ``../shared/data``: the e-Stat small areas, the 2020 age
table joined as the import joins it, the GSI evacuation sites as places, the elementary school
districts and Sapporo's road centre lines.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo_welfare.analysis import batch, partition, planning
from geo_welfare.analysis.study import SMALL_AREA, Study
from geo_welfare.core.walking import walk_metres
from geo_welfare.store import read
from helpers import DEMO_STREETS, run_cli

WARDS = ("atsubetsu", "chuo", "higashi", "kita", "kiyota", "minami", "nishi", "shiroishi", "teine", "toyohira")
CODES = [f"011{n:02d}" for n in range(1, 11)]  # 01101 中央区 … 01110 手稲区 (the small-area code prefixes)
ELEMENTARY = "elementary_district"
COUNTS = ["total", "age_65_plus", "age_75_plus", "age_65_plus_covered", "age_75_plus_covered"]


@pytest.fixture(scope="module")
def city(shared_data, tmp_path_factory):
    """The whole city's study from the files, and a store holding its elementary districts (for planning's units)."""
    from geo_welfare.layers.areas import read_areas
    from geo_welfare.layers.population import join_to_small_areas, read_population
    from geo_welfare.layers.resources import read_resources
    from geo_welfare.network import build_network, read_walkable_lines
    from geo_welfare.store import open_store
    sapporo = shared_data / "sapporo"
    areas = pd.concat([read_areas(sapporo / "smallarea" / f"estat_h27_smallarea_{ward}.geojson", SMALL_AREA).frame
                       for ward in WARDS], ignore_index=True)
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=areas.crs)
    population = read_population(sapporo / "sapporo_jounen202010_age5_by_chome.csv").frame
    counts = population.assign(area_code=join_to_small_areas(population, areas[["code", "name", "municipality_name"]])
                               .area_codes)
    places = read_resources(sapporo / "gsi_emergency_evacuation_sites_011002.geojson", kind="salon").frame
    network = build_network(read_walkable_lines(sapporo / "network" /
                                                "sapporo_authorized_road_network_2021-11_wgs84.geojson"))
    url = f"sqlite:///{tmp_path_factory.mktemp('batch') / 'store.sqlite'}"
    result = run_cli(url, "import", "areas", sapporo / "school" / "papamama_Elementary.geojson",
                     "--unit", "elementary-district")
    assert result.exit_code == 0, result.stderr
    engine = open_store(url)
    return Study(places, areas, counts, network, partition.quiet), engine


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each: the cluster every batch test shares."""
    with batch.dask_client(workers=2) as connected:
        assert len(connected.scheduler_info()["workers"]) == 2
        yield connected


def test_a_part_holds_exactly_the_city_residents_of_its_ward(city):
    """Each part spreads its own small areas with their neighbours: the city's points of the ward, in order."""
    study, _ = city
    residents = study.residents
    for part in partition.cut(study, margin_metres=partition.margin_for(1000.0), codes=["01108", "01110"]):
        expected = residents[residents["area_code"].str.startswith(part.code)].reset_index(drop=True)
        got = part.study.residents
        assert part.study.network.edge_count < study.network.edge_count / 4  # a ward's streets, not the city's
        for column in ("area_code", "share", "along", "total", "age_65_plus", "age_75_plus"):
            assert np.array_equal(got[column].to_numpy(), expected[column].to_numpy()), column
        # Positions are interpolated along each edge from a running sum over the kept edges: equal to a nanometre.
        assert np.abs(got.geometry.x.to_numpy() - expected.geometry.x.to_numpy()).max() < 1e-6


@pytest.fixture(scope="module")
def ten_parts(city):
    """Sapporo cut into its ten wards for walks of 15 minutes, with the elementary districts near each."""
    study, engine = city
    return partition.cut(study, margin_metres=partition.margin_for(walk_metres(15.0)),
                         units=read.read_areas(engine, ELEMENTARY))


@pytest.mark.parametrize("unit", [SMALL_AREA, ELEMENTARY])
def test_coverage_of_ten_wards_on_two_workers_is_the_whole_city_coverage(city, ten_parts, client, unit):
    from dataclasses import replace
    study, engine = city
    expected = planning.coverage(engine, study, [15.0], unit, lang="en")
    parts = ten_parts if unit == ELEMENTARY else [replace(part, units=None) for part in ten_parts]
    units = None if unit == SMALL_AREA else parts[0].units
    assert [part.code for part in parts] == CODES
    seen = []
    tables = batch.run_parts(client, batch.coverage_part, parts, minutes=[15.0],
                             progress=lambda done, total, part: seen.append((done, total, part.code)))
    assert sorted(code for _, _, code in seen) == CODES and [done for done, _, _ in seen] == list(range(1, 11))
    names = read.read_areas(engine, unit).set_index("code")["name"] if units is not None \
        else study.small_areas.set_index("code")["name"]
    got = batch.combine_coverage(tables, names, "(all)", study.method)
    rows = got[got["code"] != "*"].reset_index(drop=True)
    whole = got[(got["code"] == "*") & (got["municipality"] == "*")]
    city_rows = expected[expected["code"] != "*"].reset_index(drop=True)
    assert rows["code"].fillna("").tolist() == city_rows["code"].fillna("").tolist()
    np.testing.assert_allclose(rows[COUNTS].to_numpy(float), city_rows[COUNTS].to_numpy(float), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(whole[COUNTS].to_numpy(float), expected[expected["code"] == "*"][COUNTS].to_numpy(float),
                               rtol=1e-9)
    if unit == SMALL_AREA:  # every small area in its own ward; each ward's total is the sum of its small areas
        assert (rows["municipality"] == rows["code"].str[:5]).all()
        wards = got[(got["code"] == "*") & (got["municipality"] != "*")].set_index("municipality")
        sums = city_rows.groupby(city_rows["code"].str[:5])[COUNTS].sum()
        np.testing.assert_allclose(wards.loc[sums.index, COUNTS].to_numpy(float), sums.to_numpy(), rtol=1e-9)
    else:  # districts across a ward border are added up from the parts they span
        assert rows["municipality"].str.contains(",").any()


@pytest.fixture(scope="module")
def districts_near(city, shared_data, tmp_path_factory):
    """A store of the elementary districts meeting 厚別区 or 清田区 only: the whole city's gaps over them stay quick."""
    import json

    import shapely
    from shapely.geometry import shape
    from geo_welfare.store import open_store
    study, _ = city
    wards = study.small_areas[study.small_areas["code"].str[:5].isin(["01108", "01110"])].union_all()
    source = json.loads((shared_data / "sapporo" / "school" / "papamama_Elementary.geojson").read_text(encoding="utf-8"))
    source["features"] = [feature for feature in source["features"]
                          if shapely.intersects(shape(feature["geometry"]).buffer(0), wards)]
    path = tmp_path_factory.mktemp("near") / "elementary_near.geojson"
    path.write_text(json.dumps(source, ensure_ascii=False), encoding="utf-8")
    url = f"sqlite:///{path.parent / 'store.sqlite'}"
    result = run_cli(url, "import", "areas", path, "--unit", "elementary-district")
    assert result.exit_code == 0, result.stderr
    return open_store(url)


def test_gaps_of_two_wards_are_the_whole_city_pieces_of_their_districts(city, districts_near, client):
    """Gaps at 10 minutes: each district reported once, by the ward holding most of it, as in the city's run."""
    study, _ = city
    units = read.read_areas(districts_near, ELEMENTARY)
    expected = planning.gaps(districts_near, study, 10.0, ELEMENTARY)
    parts = partition.cut(study, margin_metres=partition.margin_for(walk_metres(10.0), land=True),
                          codes=["01108", "01110"], units=units, whole_units=True)
    owned = set(parts[0].owned) | set(parts[1].owned)
    assert len(owned) > 10 and not set(parts[0].owned) & set(parts[1].owned)
    got = batch.combine_gaps(batch.run_parts(client, batch.gaps_part, parts, minutes=10.0), 10.0, study.method)
    assert set(got["code"]) <= owned
    mine = expected[expected["code"].isin(owned)]
    assert got.groupby("code").size().to_dict() == mine.groupby("code").size().to_dict()
    for column in ("age_65_plus", "total", "area_m2"):
        np.testing.assert_allclose(got.groupby("code")[column].sum().sort_index().to_numpy(),
                                   mine.groupby("code")[column].sum().sort_index().to_numpy(), rtol=1e-9, atol=1e-6)
    assert got["rank"].tolist() == list(range(1, len(got) + 1))


def test_a_batch_plan_is_each_ward_planning_alone(city, client):
    """k new bases per ward on a 500 m grid: the same sites and figures as a study of that ward alone."""
    from geo_welfare.analysis.within import Within
    study, _ = city
    parts = partition.cut(study, margin_metres=partition.margin_for(walk_metres(10.0)), codes=["01108", "01110"])
    answers = batch.run_parts(client, batch.plan_part, parts, minutes=10.0, k=3, grid=500.0)
    for part, (sites, summary) in zip(parts, answers):
        # The ward alone, as open_study(within=code) keeps it: its small areas (spread with their neighbours),
        # the places within the default margin, the whole network.
        codes = study.small_areas["code"].str[:5] == part.code
        touching = study.small_areas[study.small_areas.intersects(study.small_areas[codes].union_all())]
        alone_within = Within(part.code, "", "municipality", study.small_areas[codes].union_all(),
                              study.small_areas[codes], touching, True, 5000.0)
        near = alone_within.keep_places(study.resources, study.crs)
        alone = Study(study.resources[near].reset_index(drop=True), study.small_areas[codes].reset_index(drop=True),
                      study.population, study.network, partition.quiet, within=alone_within)
        reference = planning.plan(alone, planning.grid_candidates(alone, 500.0), 10.0, k=3)
        assert sites["id"].tolist() == reference.sites["id"].tolist()
        assert (sites["municipality"] == part.code).all()
        np.testing.assert_allclose(summary[["before_65_plus", "after_65_plus"]].to_numpy(float),
                                   reference.summary[["before_65_plus", "after_65_plus"]].to_numpy(float), rtol=1e-9)


def test_the_command_writes_one_table_with_a_municipality_column(demo_spatialite_url, tmp_path):
    """The demo town through ``geo-welfare batch coverage``: its one municipality's rows are ``coverage``'s."""
    single = run_cli(demo_spatialite_url, "coverage", "--network", DEMO_STREETS, "--minutes", "10", "--format", "csv",
                     "--raw")
    assert single.exit_code == 0, single.stderr
    output = tmp_path / "batch.csv"
    result = run_cli(demo_spatialite_url, "batch", "coverage", "--network", DEMO_STREETS, "--minutes", "10",
                     "--output", output, "--raw")
    assert result.exit_code == 0, result.stderr
    assert "1/1 14999" in result.stderr and "on 2 workers" in result.stderr
    import io
    expected = pd.read_csv(io.StringIO(single.stdout.lstrip("\ufeff")), dtype={"code": str})
    got = pd.read_csv(output, dtype={"code": str, "municipality": str}, encoding="utf-8-sig")
    assert set(got["municipality"]) == {"14999", "*"}
    rows = got[got["code"] != "*"]
    np.testing.assert_allclose(rows[COUNTS].to_numpy(float), expected[expected["code"] != "*"][COUNTS].to_numpy(float),
                               rtol=1e-9)
    refused = run_cli(demo_spatialite_url, "batch", "coverage", "--network", DEMO_STREETS, "--municipality", "01101")
    assert refused.exit_code == 2 and "No small areas of municipality 01101" in refused.stderr
