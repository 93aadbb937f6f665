"""交通空白地 (issue 14): residents beyond a walk to every stop and station, worked by hand and checked by brute force.

The small town (worked by hand): one street along x from 0 to 2000 m; a station at x = 0 and a bus
stop at x = 1500 (10 departures a day).  Walks at 4 km/h: 5 minutes = 333.3 m to a stop, 10 minutes
= 666.7 m to a station.  One older resident at each of x = 300, 600, 700, 950 (district A, x < 1100)
and 1200, 1400, 1900 (district B):

=====  ==============  ============  ==========================================
x      to the station  to the stop   beyond?
=====  ==============  ============  ==========================================
300    300             1200          no (station walk)
600    600             900           no (station walk)
700    700             800           yes
950    950             550           yes (no, inside the service area 900–1000)
1200   1200            300           no (stop walk; yes with --min-departures 20)
1400   1400            100           no (stop walk; yes with --min-departures 20)
1900   1900            400           yes
=====  ==============  ============  ==========================================
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo_welfare.analysis.study import Study
from geo_welfare.analysis.transit_gaps import TransitDefinition, counted_stops, transit_gaps
from helpers import METRIC, X0, Y0, network_of, networkx_distances

XS = (300, 600, 700, 950, 1200, 1400, 1900)


def _frame(rows, geometries, crs=METRIC):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geometries), crs=crs)


def _town_study(network=None):
    districts = _frame({"code": ["A", "B"], "name": ["西町", "東町"]},
                       [shapely.box(X0 - 100, Y0 - 300, X0 + 1100, Y0 + 300),
                        shapely.box(X0 + 1100, Y0 - 300, X0 + 2100, Y0 + 300)]).to_crs("EPSG:6668")
    study = Study(resources=_frame({"id": []}, []), small_areas=districts, population=pd.DataFrame(),
                  network=network if network is not None else network_of([(0, 0), (2000, 0)]),
                  progress=lambda _stage: None)
    study.__dict__["residents"] = _frame(  # hand-placed residents instead of the spread ones
        {"area_code": ["A"] * 4 + ["B"] * 3, "share": 1.0, "total": 2.0, "age_65_plus": 1.0, "age_75_plus": 0.5,
         "edge": -1, "along": 0.0}, [shapely.Point(X0 + x, Y0) for x in XS])
    return study


def _stops(min_departures_at_bus=10):
    return _frame({"source_id": ["st", "bus"], "name": ["駅", "停留所"], "mode": ["station", "bus"],
                   "departures_per_day": pd.array([None, min_departures_at_bus], dtype="Int64")},
                  [shapely.Point(X0, Y0), shapely.Point(X0 + 1500, Y0)]).to_crs("EPSG:6668")


NO_AREAS = _frame({"name": []}, [])
AREA = _frame({"name": ["北町デマンド"], "kind": ["デマンド交通"]},
              [shapely.box(X0 + 900, Y0 - 50, X0 + 1000, Y0 + 50)]).to_crs("EPSG:6668")


def _beyond(answer):
    table = answer.table.set_index("code")
    return {code: table.loc[code, "age_65_plus_no_transit"] for code in ("A", "B", "*")}


def test_the_small_town_by_hand():
    answer = transit_gaps(None, _town_study(), _stops(), NO_AREAS, TransitDefinition(5, 10, 4.0))
    assert _beyond(answer) == {"A": 2.0, "B": 1.0, "*": 3.0}  # 700, 950 | 1900
    table = answer.table.set_index("code")
    assert table.loc["*", "age_65_plus"] == 7.0 and table.loc["*", "total"] == 14.0
    assert table.loc["A", "share_65_plus_no_transit"] == pytest.approx(0.5)
    assert table.loc["*", "age_75_plus_no_transit"] == 1.5
    assert list(table["name"]) == ["西町", "東町", "（全体）"]
    assert answer.counted == {"stations": 1, "stops": 1, "too_few_departures": 0, "without_timetable": 1,
                              "service_areas": 0}
    # The gap polygons hold the same people, each piece in its district.
    pieces = answer.pieces
    assert pieces.groupby("code")["age_65_plus"].sum().to_dict() == {"A": 2.0, "B": 1.0}
    metric = pieces.to_crs(METRIC)
    inside = lambda x: bool(metric.geometry.intersects(shapely.Point(X0 + x, Y0)).any())  # noqa: E731
    assert [inside(x) for x in (300, 850, 1400, 1950)] == [False, True, False, True]


def test_too_few_departures_leave_the_stop_out():
    answer = transit_gaps(None, _town_study(), _stops(), NO_AREAS, TransitDefinition(5, 10, 4.0, 20))
    assert _beyond(answer) == {"A": 2.0, "B": 3.0, "*": 5.0}  # the 10-departure stop does not count
    assert answer.counted["too_few_departures"] == 1 and answer.counted["stops"] == 0
    enough = transit_gaps(None, _town_study(), _stops(), NO_AREAS, TransitDefinition(5, 10, 4.0, 10))
    assert _beyond(enough)["*"] == 3.0  # 10 departures meet a minimum of 10


def test_a_stop_without_a_timetable_counts():
    kept, counted = counted_stops(_stops(None), 20)
    assert len(kept) == 2 and counted == {"too_few_departures": 0, "without_timetable": 2}


def test_a_service_area_takes_its_residents_out_of_the_gap():
    answer = transit_gaps(None, _town_study(), _stops(), AREA, TransitDefinition(5, 10, 4.0))
    assert _beyond(answer) == {"A": 1.0, "B": 1.0, "*": 2.0}  # 950 lives in the demand-responsive area
    assert answer.counted["service_areas"] == 1
    metric = answer.pieces.to_crs(METRIC)
    assert not metric.geometry.intersects(shapely.Point(X0 + 950, Y0)).any()


def test_longer_walks_at_a_slower_pace():
    # 10 minutes at 3 km/h = 500 m to a stop; 15 minutes = 750 m to a station: only 950 (550 m from the stop).
    answer = transit_gaps(None, _town_study(), _stops(), NO_AREAS, TransitDefinition(10, 15, 3.0))
    assert _beyond(answer) == {"A": 1.0, "B": 0.0, "*": 1.0}


def test_straight_lines_without_a_network():
    study = _town_study()
    study.network = None
    study.__dict__["crs"] = METRIC
    answer = transit_gaps(None, study, _stops(), NO_AREAS, TransitDefinition(5, 10, 4.0))
    assert _beyond(answer)["*"] == 3.0 and set(answer.table["method"]) == {"straight_line"}


def test_a_river_without_a_bridge_counts_as_the_walker_finds_it():
    # A second street 100 m north, parallel, joined only at x = 2000: the resident moved to (300, 100) is
    # 316 m from the station as the crow flies but walks 1700 + 100 + 2000 = 3800 m to it, and
    # 1700 + 100 + 500 = 2300 m to the stop: beyond, with 700, 950 and 1900.
    network = network_of([(0, 0), (2000, 0)], [(0, 100), (2000, 100)], [(2000, 0), (2000, 100)])
    study = _town_study(network)
    residents = study.residents.copy()
    residents.loc[0, "geometry"] = shapely.Point(X0 + 300, Y0 + 100)
    study.__dict__["residents"] = residents
    answer = transit_gaps(None, study, _stops(), NO_AREAS, TransitDefinition(5, 10, 4.0))
    assert _beyond(answer) == {"A": 3.0, "B": 1.0, "*": 4.0}


@pytest.fixture(scope="module")
def nerima_study(nerima):
    """Residents spread along the real Nerima streets (one small area over the extract), and its 7 stations."""
    from geo_welfare.layers.stops import read_stop_file
    from helpers import SHARED_DATA
    lines, network = nerima
    area = gpd.GeoDataFrame({"code": ["N1"], "name": ["練馬"]},
                            geometry=[shapely.box(139.6577, 35.7403, 139.6802, 35.7584)], crs="EPSG:6668")
    population = pd.DataFrame({"area_code": ["N1"], "total": [20000], "age_65_plus": [5000], "age_75_plus": [2600]})
    study = Study(resources=_frame({"id": []}, [], crs="EPSG:6668"), small_areas=area, population=population,
                  network=network, progress=lambda _stage: None)
    stations = read_stop_file(SHARED_DATA / "tokyo" / "osm_nerima_tokyo.osm").stops
    return study, stations


def test_nerima_station_walks_match_a_brute_force_walk(nerima_study):
    study, stations = nerima_study
    answer = transit_gaps(None, study, stations, NO_AREAS, TransitDefinition(5, 10, 4.0))
    residents = study.residents
    # Second method: networkx Dijkstra from every station to every resident point (edges split at the points).
    walks = networkx_distances(study.network, study.xy(stations), study.resident_xy).min(axis=0)
    limit = 4000.0 / 60 * 10
    brute = residents["age_65_plus"].to_numpy()[walks > limit].sum()
    table = answer.table.set_index("code")
    assert table.loc["*", "age_65_plus_no_transit"] == pytest.approx(brute, abs=1e-6)
    assert 0 < brute < residents["age_65_plus"].sum()  # some beyond, some served: the test can fail both ways
    assert answer.pieces["age_65_plus"].sum() + answer.pieces.attrs.get("unplaced_65_plus", 0.0) == \
        pytest.approx(brute, abs=1e-6)
    assert answer.counted["stations"] == 7 and answer.counted["stops"] == 0
    # A station walk of 5 minutes leaves more out, and every one of them is beyond the brute-force 333 m.
    shorter = transit_gaps(None, study, stations, NO_AREAS, TransitDefinition(5, 5, 4.0))
    brute_shorter = residents["age_65_plus"].to_numpy()[walks > 4000.0 / 60 * 5].sum()
    assert shorter.table.set_index("code").loc["*", "age_65_plus_no_transit"] == pytest.approx(brute_shorter, abs=1e-6)
    assert brute_shorter > brute
