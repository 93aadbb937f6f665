"""Nearest places from prepared, kept places: the bounded walks equal the unbounded ones, the kept answer the fresh one.

Three claims, each against a second method:

- the routes walked only as far as the farthest wanted place (``walking_routes(cutoff=…)``, numba)
  equal, bit for bit, the routes of SciPy's Dijkstra over the whole city, from many seeded random
  homes on Sapporo's real road centre lines to the 348 GSI evacuation sites (real places, standing in
  for salons: the city publishes none);
- an answer from places read and snapped once (:func:`prepare_places`, :func:`nearest_places`) equals
  the answer worked out the way it was before they were kept: the fitting rows filtered from the
  frame, snapped afresh, searched, and routed over the whole network;
- the web keeps the prepared places per store revision: asking again (from anywhere) reuses them
  and gives the same bytes, an import or an edit is seen by the very next question, the kept places
  never hold a client's location, and a place made staff-only leaves the public answer at once.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo_welfare.core import glossary
from geo_welfare.analysis.nearest import Needs, matching, nearest_places, nearest_resources, prepare_places
from geo_welfare.network import build_network, read_walkable_lines, snap_points
from geo_welfare.network.cache import load_network
from geo_welfare.network.route import walking_routes
from geo_welfare.network.search import ResourceSearch
from geo_welfare.store import open_store
from geo_welfare.store.editing import delete_resource, update_resource
from geo_welfare.store.importing import import_resources
from geo_welfare.store.read import read_resources
from geo_welfare.web import create_app
from geo_welfare.web.coordinator import public_places
from helpers import DEMO_STREETS, SHARED_DATA

SAPPORO = SHARED_DATA / "sapporo"
ROADS = SAPPORO / "network" / "sapporo_authorized_road_network_2021-11_wgs84.geojson"
GSI = SAPPORO / "gsi_emergency_evacuation_sites_011002.geojson"
#: On a street in デモ町一丁目, 115 m in a straight line from ひまわりサロン (as in test_web_coordinator.py).
HOME = (139.399133, 35.2081)
ELSEWHERE = (139.4076032, 35.2028558)
SALON_KINDS = ["salon", "kayoi_no_ba"]


@pytest.fixture(scope="module")
def sapporo(shared_data, tmp_path_factory):
    """Sapporo's streets, and a SpatiaLite store holding the GSI sites: every other one a salon, the rest engawa."""
    import geopandas as gpd
    folder = tmp_path_factory.mktemp("sapporo")
    network, _ = load_network(ROADS, folder / "cache")
    engine = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    sites = gpd.read_file(GSI)
    for name, kind, part in (("salons", "salon", sites.iloc[::2]), ("engawa", "engawa", sites.iloc[1::2])):
        part.to_file(folder / f"{name}.geojson", driver="GeoJSON")
        import_resources(engine, [folder / f"{name}.geojson"], kind=kind)
    return network, read_resources(engine)


def _homes(network, count: int, seed: int) -> np.ndarray:
    """Seeded random homes within 60 m of a random node of the city's main street network (metres, its CRS)."""
    rng = np.random.default_rng(seed)
    main = np.flatnonzero(network.component_labels == 0)
    homes = network.node_xy[rng.choice(main, count)] + rng.uniform(-60, 60, (count, 2))
    on_main = network.component_labels[network.edge_u[snap_points(network, homes).edge]] == 0
    return homes[on_main]


def _metric(network, resources) -> np.ndarray:
    to_metric = Transformer.from_crs(6668, network.crs, always_xy=True)
    return np.column_stack(to_metric.transform(resources.geometry.x.to_numpy(), resources.geometry.y.to_numpy()))


def _same_lines(bounded, unbounded) -> bool:
    return all((a is None and b is None) or (a is not None and b is not None and np.array_equal(
        shapely.get_coordinates(a), shapely.get_coordinates(b))) for a, b in zip(bounded, unbounded))


def test_routes_walked_to_the_farthest_place_equal_the_whole_city_walk(sapporo):
    network, resources = sapporo
    assert len(resources) == 348 and set(resources["kind"]) == {"salon", "engawa"}
    places_xy = _metric(network, resources)
    places = snap_points(network, places_xy)
    search = ResourceSearch(network, places)
    checked = 0
    for i, home in enumerate(_homes(network, 120, seed=20261202)):
        k = (1, 3, 5, 20)[i % 4]
        origin = snap_points(network, home[None])
        order, metres = search.nearest(origin, k)
        assert len(order) == k
        whole_metres, whole_lines = walking_routes(network, tuple(home), places_xy[order])  # SciPy, every node
        chosen = type(places)(places.edge[order], places.along[order], places.offset[order])
        near_metres, near_lines = walking_routes(network, tuple(home), places_xy[order], origin=origin,
                                                 destinations=chosen, cutoff=float(metres.max()))
        assert np.array_equal(near_metres, whole_metres), i
        assert _same_lines(near_lines, whole_lines), i
        np.testing.assert_allclose(whole_metres, metres, rtol=0, atol=1e-6)  # the search sums in another order
        checked += len(order)
    assert checked >= 25 * (1 + 3 + 5 + 20)


def test_a_cutoff_leaves_out_exactly_the_places_beyond_it(sapporo):
    network, resources = sapporo
    places_xy = _metric(network, resources)
    rng = np.random.default_rng(7)
    for i, home in enumerate(_homes(network, 15, seed=11)):
        targets = places_xy[rng.choice(len(places_xy), 40, replace=False)]
        whole_metres, whole_lines = walking_routes(network, tuple(home), targets)
        cutoff = float(np.quantile(whole_metres[np.isfinite(whole_metres)], 0.5))
        near_metres, near_lines = walking_routes(network, tuple(home), targets, cutoff=cutoff)
        within = whole_metres <= cutoff
        assert within.any() and not within.all(), i
        assert np.array_equal(near_metres[within], whole_metres[within]), i
        assert np.isinf(near_metres[~within]).all() and all(near_lines[j] is None for j in np.flatnonzero(~within))
        assert _same_lines([near_lines[j] for j in np.flatnonzero(within)],
                           [whole_lines[j] for j in np.flatnonzero(within)]), i


def _as_before(resources, lonlat, k, network, needs):
    """The answer worked out as before places were kept: filter, snap afresh, search, route over the whole city."""
    candidates = matching(resources, needs)
    to_metric = Transformer.from_crs(6668, network.crs, always_xy=True)
    to_lonlat = Transformer.from_crs(network.crs, 6668, always_xy=True)
    client = np.array(to_metric.transform(*lonlat))
    xy = _metric(network, candidates)
    order, metres = ResourceSearch(network, snap_points(network, xy)).nearest(snap_points(network, client[None]), k)
    _, routes = walking_routes(network, tuple(client), xy[order])
    return [(int(candidates.iloc[i]["id"]), round(float(m), 1), round(float(np.hypot(*(xy[i] - client))), 1),
             np.column_stack(to_lonlat.transform(*shapely.get_coordinates(route).T)))
            for i, m, route in zip(order, metres, routes)]


def test_prepared_places_answer_as_a_fresh_search_does(sapporo):
    network, resources = sapporo
    places = prepare_places(resources, network)
    to_lonlat = Transformer.from_crs(network.crs, 6668, always_xy=True)
    for i, home in enumerate(_homes(network, 40, seed=3)):
        lonlat = to_lonlat.transform(*home)
        k, needs = (5, Needs()) if i % 2 else (12, Needs(kinds=("engawa",)))
        kept = nearest_places(places, lonlat, k=k, needs=needs)
        expected = _as_before(resources, lonlat, k, network, needs)
        assert [found.row["id"] for found in kept] == [entry[0] for entry in expected], i
        assert [found.row["walking_m"] for found in kept] == [entry[1] for entry in expected], i
        assert [found.row["straight_m"] for found in kept] == [entry[2] for entry in expected], i
        for found, entry in zip(kept, expected):
            assert np.array_equal(shapely.get_coordinates(found.route), entry[3]), i
        if needs.kinds:
            assert {found.row["kind"] for found in kept} == {"engawa"}


# ---------------------------------------------------------------------------------------------
# The web: places kept per store revision.

def _ask(client, lonlat, **body) -> str:
    token = client.get("/api/session").get_json()["csrf_token"]
    answer = client.post("/api/nearest", json={"lon": lonlat[0], "lat": lonlat[1], **body},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_data(as_text=True)


def _fresh(url: str, network, lonlat, k: int, kinds) -> list[tuple]:
    """What the store holds now, read and searched afresh: (id, walking_m, straight_m, rounded route)."""
    frame = nearest_resources(read_resources(open_store(url), kinds=kinds), lonlat, k=k, network=network)
    return [(int(row.id), row.walking_m, row.straight_m,
             [[round(x, 7), round(y, 7)] for x, y in shapely.get_coordinates(row.geometry).tolist()])
            for row in frame.itertuples()]


def _listed(text: str) -> list[tuple]:
    import json
    return [(f["properties"]["id"], f["properties"]["walking_m"], f["properties"]["straight_m"],
             f["geometry"]["coordinates"]) for f in json.loads(text)["features"]]


def _kept(app):
    with app.test_request_context():
        return public_places()


def test_an_import_and_an_edit_are_seen_by_the_next_question(demo_store, tmp_path):
    app = create_app(demo_store, tiles="none", network=DEMO_STREETS)
    client, engine = app.test_client(), open_store(demo_store)
    network = build_network(read_walkable_lines(DEMO_STREETS))
    first = _ask(client, HOME, kinds=SALON_KINDS, k=5)
    kept = _kept(app)
    assert _ask(client, HOME, kinds=SALON_KINDS, k=5) == first and _kept(app) is kept  # asked again: reused
    assert _listed(first) == _fresh(demo_store, network, HOME, 5, SALON_KINDS)
    assert _listed(first)[0][0] == int(read_resources(engine).set_index("name").loc["ひまわりサロン", "id"])

    # An import: a salon at the client's door (30 m north of HOME) comes first in the next answer.
    path = tmp_path / "new.csv"
    path.write_text("ID,名称,種別,緯度,経度,開催日,開始時間,終了時間\n"
                    f"N1,かどのサロン,サロン,{HOME[1] + 0.00027},{HOME[0]},毎週月曜,10:00,12:00\n", encoding="utf-8")
    import_resources(engine, [path])
    added = _ask(client, HOME, kinds=SALON_KINDS, k=5)
    new_id = int(read_resources(engine).set_index("name").loc["かどのサロン", "id"])
    assert _kept(app) is not kept
    assert _listed(added)[0][0] == new_id and _listed(added)[1:] == _listed(first)[:4]
    assert _listed(added) == _fresh(demo_store, network, HOME, 5, SALON_KINDS)

    # An edit: made staff-only, it leaves the public answer at once; deleted, it stays gone.
    update_resource(engine, new_id, {"visibility": "staff"}, "tester")
    assert _ask(client, HOME, kinds=SALON_KINDS, k=5) == first
    assert new_id not in [entry[0] for entry in _listed(_ask(client, HOME, kinds=list(glossary.RESOURCE_KIND_IDS),
                                                              k=20))]
    update_resource(engine, new_id, {"visibility": "public"}, "tester")
    assert _listed(_ask(client, HOME, kinds=SALON_KINDS, k=5)) == _listed(added)
    delete_resource(engine, new_id, "tester")
    assert _ask(client, HOME, kinds=SALON_KINDS, k=5) == first
    assert _listed(first) == _fresh(demo_store, network, HOME, 5, SALON_KINDS)


@pytest.mark.parametrize("demo_store", ["spatialite"], indirect=True)
def test_the_kept_places_hold_no_client_location(demo_store):
    app = create_app(demo_store, tiles="none", network=DEMO_STREETS)
    client = app.test_client()
    _ask(client, HOME, k=3)
    kept = _kept(app)
    before = pickle.dumps((kept.frame, kept.records, kept.xy, kept.snapped))
    for where in (HOME, ELSEWHERE, (139.40391, 35.20111)):
        _ask(client, where, kinds=SALON_KINDS, k=5, weekday=3)
    assert _kept(app) is kept  # a question from another home made no new entry
    assert pickle.dumps((kept.frame, kept.records, kept.xy, kept.snapped)) == before
    assert not {"staff"} & set(kept.frame["visibility"])  # only public places are ever kept for this search
