"""Siting new places: hand-worked optima where greedy loses, existing places fixed, and spopt's answers.

The hand instances lie on one straight street so every walk is worked out in the comments.  The
spopt comparisons build spopt's cost matrix independently (the dense ``walking_distances``, or
plain Euclidean distances on a random instance) and solve with ``pulp.HiGHS``; existing places
enter spopt by the same reduction as ours: demand they already reach is dropped from its matrix.
Ties can make the chosen sites differ, so the objective values are compared.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pulp
import pytest
from pyproj import Transformer
from scipy import sparse
from spopt.locate import LSCP, MCLP

from geo_welfare.analysis import covering, covering_reduce
from geo_welfare.analysis.reach import Reach, reach_table
from geo_welfare.analysis.siting import (InfeasibleTarget, greedy_covering, maximal_covering, reached,
                                         set_covering)
from geo_welfare.analysis.spread import spread_population
from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances
from geo_welfare.store import open_store
from geo_welfare.store.read import read_areas, read_population, read_resources
from helpers import DEMO_DATA as DEMO, at, copy_spatialite_store, network_of


# One street along y = 0 from x = 0 to 2000.  Demand points stand 10 m north of it, candidates and
# existing places 10 m south, so a walk is 10 + |dx| + 10.  A threshold of 150 m reaches |dx| ≤ 130.
#   points (x, 65+):  a (200, 4)  b (400, 3)  c (600, 3)  d (800, 4)  e (500, 2)  f (1200, 6)  g (1900, 2)
#   candidates:       A = 0 at 300 reaches a, b (7);  M = 1 at 500 reaches b, c, e (8);  B = 2 at 700: c, d (7)
# (every other pair is at least 200 m apart along the street).  Total demand 24.
POINTS = [(200, 10), (400, 10), (600, 10), (800, 10), (500, 10), (1200, 10), (1900, 10)]
WEIGHTS = np.array([4, 3, 3, 4, 2, 6, 2], dtype=float)
CANDIDATES = [(300, -10), (500, -10), (700, -10)]
THRESHOLD = 150.0

# spopt builds its models with a PuLP call that PuLP 3 marks deprecated, thousands of times per model.
pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")


def street_instance(*existing_x):
    """(candidates' reach, existing places' reach) over the seven points of the street."""
    network = network_of([(0, 0), (2000, 0)])
    points = snap_points(network, at(*POINTS))
    candidates = reach_table(network, snap_points(network, at(*CANDIDATES)), points, THRESHOLD)
    existing = reach_table(network, snap_points(network, at(*[(x, -10) for x in existing_x])), points, THRESHOLD)
    return candidates, existing


def reach_of(costs: np.ndarray, cutoff: float) -> Reach:
    """The pairs of a points × places cost matrix within ``cutoff``."""
    point, resource = np.nonzero(costs <= cutoff)
    return Reach(point, resource, costs[point, resource], costs.shape[0], costs.shape[1])


def spopt_mclp_objective(costs, weights, already, cutoff, k) -> float:
    keep = ~already
    model = MCLP.from_cost_matrix(costs[keep], weights[keep], service_radius=cutoff, p_facilities=k)
    model.solve(pulp.HiGHS(msg=False))
    return pulp.value(model.problem.objective)


def test_greedy_takes_the_big_middle_site_and_the_exact_pair_beats_it():
    reach, existing = street_instance(1250)  # an existing place at 1250 reaches f (10 + 50 + 10 = 70 m) only
    exact = maximal_covering(reach, WEIGHTS, k=2, already_covered=existing)
    # Before: f = 6 of 24.  Pairs: A + B = a b c d = 14;  M + A = a b c e = 12;  M + B = b c d e = 12.
    # g is 700 m from B and 650 m from the existing place: out of every reach.
    assert exact.sites.tolist() == [0, 2]  # A and B add 7 each; the tie in add order goes to the lower index
    assert exact.added.tolist() == [7.0, 7.0]
    assert exact.unique.tolist() == [7.0, 7.0]  # A and B share no one
    assert (exact.before, exact.after, exact.total, exact.gain) == (6.0, 20.0, 24.0, 14.0)
    assert exact.share_before == pytest.approx(0.25) and exact.share_after == pytest.approx(20 / 24)
    assert exact.covered.tolist() == [True, True, True, True, False, True, False]
    assert exact.optimal and exact.bound == 20.0
    greedy = greedy_covering(reach, WEIGHTS, k=2, already_covered=existing)
    # Greedy: M alone adds 8 (more than 7); then A adds a = 4 and B adds d = 4 (b or c already in): A, lower index.
    assert greedy.sites.tolist() == [1, 0]
    assert greedy.added.tolist() == [8.0, 4.0]
    assert greedy.unique.tolist() == [5.0, 4.0]  # only M reaches c and e (3 + 2); only A reaches a (4)
    assert (greedy.before, greedy.after, greedy.gain) == (6.0, 18.0, 12.0)
    assert not greedy.optimal and np.isnan(greedy.bound)
    frame = exact.to_frame()
    assert frame["covered_after"].tolist() == [13.0, 20.0] and frame["order"].tolist() == [1, 2]


def test_exact_sites_in_their_add_order_with_unequal_contributions():
    reach, existing = street_instance(1250)
    every = maximal_covering(reach, WEIGHTS, k=3, already_covered=existing)
    # All three: M first (8), then A (a = 4) and B (d = 4).  Alone among the three: M keeps e (2), A keeps a, B keeps d.
    assert every.sites.tolist() == [1, 0, 2]
    assert every.added.tolist() == [8.0, 4.0, 4.0]
    assert every.unique.tolist() == [2.0, 4.0, 4.0]
    assert every.after == 22.0
    one = maximal_covering(reach, WEIGHTS, k=1, already_covered=existing)
    assert one.sites.tolist() == [1] and one.gain == 8.0  # with one site, the middle one is right
    assert maximal_covering(reach, WEIGHTS, k=0).sites.tolist() == []


def test_existing_places_are_fixed_and_what_they_reach_adds_nothing():
    # An existing place at 500 (beside M) reaches b, c (120 m) and e (20 m): 8 covered before.
    reach, existing = street_instance(500)
    already = reached(existing)
    assert already.tolist() == [False, True, True, False, True, False, False]
    exact = maximal_covering(reach, WEIGHTS, k=3, already_covered=already)
    # M would add no one; A adds a (4), B adds d (4).  Only two sites come back although k = 3.
    assert exact.sites.tolist() == [0, 2]
    assert exact.added.tolist() == [4.0, 4.0] and exact.unique.tolist() == [4.0, 4.0]
    assert (exact.before, exact.after) == (8.0, 16.0)
    with_reach = maximal_covering(reach, WEIGHTS, k=3, already_covered=existing)
    assert with_reach.sites.tolist() == [0, 2] and with_reach.after == 16.0
    greedy = greedy_covering(reach, WEIGHTS, k=3, already_covered=already)
    assert greedy.sites.tolist() == [0, 2] and greedy.after == 16.0
    # Without the existing place M is the best single site; with it, A (the tie with B goes to the lower index).
    assert maximal_covering(reach, WEIGHTS, k=1).sites.tolist() == [1]
    assert maximal_covering(reach, WEIGHTS, k=1, already_covered=already).sites.tolist() == [0]


def test_fewest_sites_for_a_target_hand_checked():
    reach, existing = street_instance(1250)
    # Before: 6 of 24 = 25 %, so a 25 % target needs no new site.
    none = set_covering(reach, WEIGHTS, target=0.25, already_covered=existing)
    assert none.sites.tolist() == [] and none.after == 6.0
    # 75 % = 18: 12 more.  One site adds at most 8; the pair A + B adds 14 (M + A or M + B only 12, also enough);
    # among the fewest, the pair that covers most is returned.
    three_quarters = set_covering(reach, WEIGHTS, target=0.75, already_covered=existing)
    assert sorted(three_quarters.sites.tolist()) == [0, 2] and three_quarters.after == 20.0
    # 80 % = 19.2: 13.2 more; only A + B (14) of the pairs.
    assert sorted(set_covering(reach, WEIGHTS, target=0.8, already_covered=existing).sites.tolist()) == [0, 2]
    # 85 % = 20.4: 14.4 more, above any pair: all three (16 more, 22 of 24).
    all_three = set_covering(reach, WEIGHTS, target=0.85, already_covered=existing)
    assert all_three.sites.tolist() == [1, 0, 2] and all_three.after == 22.0
    assert all_three.added.tolist() == [8.0, 4.0, 4.0]
    # Without the existing place f counts against the target: 60 % = 14.4 needs all three (the best pair
    # reaches 14), and 75 % is beyond even the three (16 of 24).
    assert len(set_covering(reach, WEIGHTS, target=0.6).sites) == 3
    with pytest.raises(InfeasibleTarget):
        set_covering(reach, WEIGHTS, target=0.75)
    # Zero-weight demand need not be covered: without g's 2 residents, 100 % is reachable with the three.
    weights = WEIGHTS.copy()
    weights[6] = 0.0
    assert len(set_covering(reach, weights, target=1.0, already_covered=existing).sites) == 3


def test_an_unreachable_target_is_a_clear_error():
    reach, existing = street_instance(1250)
    # g (2 residents) is beyond every candidate and existing place: at most 22 of 24 = 91.7 %.
    with pytest.raises(InfeasibleTarget, match=r"at most 91\.7%.*2\.0 are beyond every candidate"):
        set_covering(reach, WEIGHTS, target=1.0, already_covered=existing)
    with pytest.raises(InfeasibleTarget, match="out of reach"):
        set_covering(reach, WEIGHTS, target=0.92, already_covered=existing)
    # The covering model simply leaves g out.
    assert maximal_covering(reach, WEIGHTS, k=3, already_covered=existing).covered[6] == np.False_


def test_bad_arguments():
    reach, _ = street_instance(1250)
    with pytest.raises(ValueError, match="one value per demand point"):
        maximal_covering(reach, WEIGHTS[:3], k=1)
    with pytest.raises(ValueError, match="k is a number of sites"):
        greedy_covering(reach, WEIGHTS, k=-1)
    with pytest.raises(ValueError, match="share in"):
        set_covering(reach, WEIGHTS, target=90)
    with pytest.raises(ValueError, match="not negative"):
        maximal_covering(reach, -WEIGHTS, k=1)


@pytest.fixture(scope="module")
def random_instance():
    """300 points, 40 random candidates, 3 existing places and a grid of 49 in a 3 km square; straight-line metres."""
    rng = np.random.default_rng(20261125)
    points = rng.uniform(0, 3000, (300, 2))
    weights = rng.integers(1, 30, 300).astype(float)
    candidates = rng.uniform(0, 3000, (40, 2))
    existing = rng.uniform(0, 3000, (3, 2))
    grid = np.stack(np.meshgrid(np.arange(0, 3001, 500), np.arange(0, 3001, 500)), axis=-1).reshape(-1, 2)

    def costs(resources):
        return np.linalg.norm(points[:, None, :] - resources[None, :, :], axis=2)

    return weights, costs(candidates), costs(existing), costs(grid)


@pytest.mark.parametrize("k", [1, 3, 6, 10])
def test_mclp_equals_spopt_on_a_random_instance(random_instance, k):
    weights, costs, existing_costs, _ = random_instance
    already = (existing_costs <= 500).any(axis=1)
    ours = maximal_covering(reach_of(costs, 500), weights, k, already)
    assert ours.before == pytest.approx(weights[already].sum())
    assert ours.gain == pytest.approx(spopt_mclp_objective(costs, weights, already, 500, k), rel=1e-9)
    assert len(ours.sites) == k  # 40 scattered candidates: every one of the first 10 adds someone
    greedy = greedy_covering(reach_of(costs, 500), weights, k, already)
    assert greedy.gain <= ours.gain + 1e-9
    assert ours.added.sum() == pytest.approx(ours.gain)


def test_full_cover_equals_spopt_lscp(random_instance):
    weights, _, existing_costs, grid_costs = random_instance
    # The grid is 500 m apart: every point is within 250·√2 ≈ 354 m of a grid node, so 400 m covers everyone.
    already = (existing_costs <= 400).any(axis=1)
    ours = set_covering(reach_of(grid_costs, 400), weights, target=1.0, already_covered=already)
    assert ours.after == pytest.approx(ours.total) and ours.covered.all()
    spopt = LSCP.from_cost_matrix(grid_costs[~already], service_radius=400).solve(pulp.HiGHS(msg=False))
    fewest = round(pulp.value(spopt.problem.objective))
    assert len(ours.sites) == fewest
    # One site fewer cannot reach everyone: the best that many can do falls short.
    assert maximal_covering(reach_of(grid_costs, 400), weights, fewest - 1, already).after < ours.total


def test_a_stopped_solve_keeps_at_least_the_greedy_answer(random_instance):
    weights, costs, _, grid_costs = random_instance
    # A time limit of 0 stops HiGHS at once; it was given greedy's sites to start from.
    greedy = greedy_covering(reach_of(costs, 500), weights, 6)
    stopped = maximal_covering(reach_of(costs, 500), weights, 6, time_limit=0.0)
    assert stopped.after >= greedy.after
    assert stopped.optimal or np.isnan(stopped.bound) or stopped.bound >= stopped.after
    # The set cover stopped at once still meets its target (with greedy's count, perhaps not the fewest).
    partial = set_covering(reach_of(grid_costs, 400), weights, target=0.7, time_limit=0.0)
    assert partial.share_after >= 0.7


def test_demo_town_mclp_equals_spopt(demo_spatialite_url):
    engine = open_store(demo_spatialite_url)
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    counts = read_population(engine, "population_by_age").astype({"age_65_plus": float, "age_75_plus": float,
                                                                  "total": float})
    residents = spread_population(read_areas(engine, "small_area"), counts, network)
    to_metres = Transformer.from_crs(6668, network.crs, always_xy=True)

    def snapped(frame):
        xy = to_metres.transform(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())
        return snap_points(network, np.column_stack(xy))

    points = snap_points(network, np.column_stack([residents.geometry.x, residents.geometry.y]))
    candidates = snapped(gpd.read_file(DEMO / "candidate_sites.geojson").to_crs(6668))
    existing = snapped(read_resources(engine, kinds=["salon", "kayoi_no_ba"]))
    weights = residents["age_65_plus"].to_numpy()
    cutoff = 10 * 4000 / 60  # 10 minutes at 4 km/h
    reach = reach_table(network, candidates, points, cutoff)
    already = reached(reach_table(network, existing, points, cutoff))
    # spopt's side from the dense walking distances (points × places), not from the reach table.
    costs = walking_distances(network, candidates, points).T
    spopt_already = (walking_distances(network, existing, points) <= cutoff).any(axis=0)
    assert np.array_equal(already, spopt_already)
    assert 0 < weights[already].sum() < weights.sum()
    for k in (1, 2, 3, 5):
        ours = maximal_covering(reach, weights, k, already)
        assert ours.gain > 0
        assert ours.gain == pytest.approx(spopt_mclp_objective(costs, weights, already, cutoff, k), rel=1e-9)
        assert greedy_covering(reach, weights, k, already).gain <= ours.gain + 1e-9


# ---- the model build: identical demand merged, dominated candidates dropped, the exact answer kept ----

def test_identical_demand_is_merged_and_points_no_candidate_reaches_drop_out():
    # Points × candidates: p0 {0, 1}, p1 {1, 0} (the same set), p2 {2}, p3 {} (no candidate), p4 {0, 1} but
    # already covered, p5 {2} with weight 0 (not open).  Open groups: {0, 1} = 3 + 4, {2} = 5.
    point = np.array([0, 0, 1, 1, 2, 4, 4, 5])
    candidate = np.array([0, 1, 1, 0, 2, 0, 1, 2])
    incidence = sparse.csc_matrix((np.ones(8), (point, candidate)), shape=(6, 3))
    weights = np.array([3.0, 4.0, 5.0, 6.0, 7.0, 0.0])
    open_points = np.array([True, True, True, True, False, False])
    matrix, group_weights, columns = covering.merge_identical_demand(incidence, weights, open_points)
    assert matrix.toarray().tolist() == [[1, 1, 0], [0, 0, 1]] and group_weights.tolist() == [7.0, 5.0]
    assert columns.tolist() == [0, 1, 2]


def test_a_hash_collision_never_merges_different_sets(monkeypatch):
    # With every key 0, the sets {0} and {1} (and {0, 2} and {1, 2}) hash alike; the member check keeps them apart.
    monkeypatch.setattr(covering_reduce, "_hash_keys", lambda n: np.zeros(n, dtype=np.uint64))
    rows = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 1], [0, 1, 1]]))
    first, inverse = covering_reduce._identical_rows(rows)
    assert first.tolist() == [0, 1, 3, 4] and inverse.tolist() == [0, 1, 0, 2, 3]


def test_a_candidate_inside_another_is_dropped_and_of_equals_the_first_stays():
    # Columns over groups g0..g2: c0 {g0, g1}, c1 {g0} (inside c0), c2 {g0, g1} (equal to c0), c3 {g2}.
    matrix = sparse.csr_matrix(np.array([[1, 1, 1, 0], [1, 0, 1, 0], [0, 0, 0, 1]]))
    assert covering.undominated(matrix).tolist() == [0, 3]


def brute_force(incidence: np.ndarray, weights: np.ndarray, k: int) -> tuple[float, list[tuple[int, ...]]]:
    """The best weight any k columns cover, and every k-subset that covers it (exhaustive)."""
    values = {subset: weights[incidence[:, list(subset)].any(axis=1)].sum()
              for subset in itertools.combinations(range(incidence.shape[1]), k)}
    best = max(values.values())
    return best, [s for s, v in values.items() if v >= best - 1e-9 * max(best, 1.0)]


@pytest.fixture(scope="module")
def demo_reach(demo_spatialite_template, tmp_path_factory):
    """The demo town's residents against its 12 candidate sites within 10 minutes, existing places fixed."""
    engine = open_store(copy_spatialite_store(demo_spatialite_template, tmp_path_factory.mktemp("demo") / "demo"))
    network = build_network(read_walkable_lines(DEMO / "streets.geojson"))
    counts = read_population(engine, "population_by_age").astype({"age_65_plus": float, "age_75_plus": float,
                                                                  "total": float})
    residents = spread_population(read_areas(engine, "small_area"), counts, network)
    to_metres = Transformer.from_crs(6668, network.crs, always_xy=True)

    def snapped(frame):
        return snap_points(network, np.column_stack(to_metres.transform(frame.geometry.x.to_numpy(),
                                                                        frame.geometry.y.to_numpy())))

    points = snap_points(network, np.column_stack([residents.geometry.x, residents.geometry.y]))
    candidates = snapped(gpd.read_file(DEMO / "candidate_sites.geojson").to_crs(6668))
    cutoff = 10 * 4000 / 60
    already = reached(reach_table(network, snapped(read_resources(engine, kinds=["salon", "kayoi_no_ba"])), points,
                                  cutoff))
    return reach_table(network, candidates, points, cutoff), residents["age_65_plus"].to_numpy(), already


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_merged_model_gives_the_unmerged_optimum_and_brute_forces_sites(demo_reach, k):
    reach, weights, already = demo_reach
    dense = np.isfinite(reach.dense())
    open_points = ~already & (weights > 0)
    best, argmax = brute_force(dense[open_points], weights[open_points], k)
    # The unmerged model: one row per open resident point, every candidate, straight into HiGHS.
    rows = sparse.csr_matrix(dense[open_points].astype(float))
    start, _ = covering.greedy_choice(rows.tocsc(), weights[open_points], limit=k)
    unmerged, bound = covering.solve_covering(rows, weights[open_points], start, k=k)
    assert bound is None
    merged = maximal_covering(reach, weights, k, already)
    assert rows.shape[0] > covering.reduce_demand(sparse.csc_matrix(dense.astype(float)), weights,
                                                  open_points)[0].shape[0]  # merging did merge
    assert merged.optimal and merged.gain == pytest.approx(best, rel=1e-12)
    assert weights[open_points][dense[open_points][:, unmerged].any(axis=1)].sum() == pytest.approx(best, rel=1e-12)
    if len(argmax) == 1:  # a unique optimum: both models must name it
        assert sorted(merged.sites.tolist()) == list(argmax[0]) == sorted(unmerged.tolist())


def test_exact_equals_brute_force_on_many_small_random_instances():
    # Overlapping random sets make LP relaxations fractional, so the fixing and MIP steps run too.
    rng = np.random.default_rng(12)
    for trial in range(10):
        n_points, n_candidates = 40, 11
        dense = rng.random((n_points, n_candidates)) < rng.uniform(0.08, 0.35)
        weights = rng.integers(1, 9, n_points).astype(float)
        point, resource = np.nonzero(dense)
        reach = Reach(point, resource, np.ones(len(point)), n_points, n_candidates)
        for k in (2, 3, 5):
            best, _ = brute_force(dense, weights, k)
            result = maximal_covering(reach, weights, k)
            assert result.optimal and result.gain == pytest.approx(best, rel=1e-12), (trial, k)


def test_the_same_input_gives_the_same_sites_in_every_run(random_instance, tmp_path):
    # The 7 × 7 grid 500 m apart against 300 random points at 600 m: many near ties between grid sites.
    weights, _, _, grid_costs = random_instance
    reach = reach_of(grid_costs, 600)
    runs = [maximal_covering(reach, weights, 6).sites.tolist() for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    # And in a fresh interpreter, where HiGHS starts anew.
    np.savez(tmp_path / "instance.npz", point=reach.point, resource=reach.resource, weights=weights,
             shape=np.array([reach.n_points, reach.n_resources]))
    script = ("import sys, numpy as np\n"
              "from geo_welfare.analysis.reach import Reach\n"
              "from geo_welfare.analysis.siting import maximal_covering\n"
              "d = np.load(sys.argv[1])\n"
              "r = Reach(d['point'], d['resource'], np.ones(len(d['point'])), int(d['shape'][0]), int(d['shape'][1]))\n"
              "print(maximal_covering(r, d['weights'], 6).sites.tolist())\n")
    fresh = subprocess.run([sys.executable, "-c", script, str(tmp_path / "instance.npz")], capture_output=True,
                           text=True, check=True).stdout.strip()
    assert fresh == str(runs[0])
