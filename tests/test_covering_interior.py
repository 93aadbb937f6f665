"""The interior-point path of :func:`geo_welfare.analysis.covering.best_k` (large LPs), on small instances.

On a city the restricted LPs and the MIPs have more than ``INTERIOR_ROWS`` rows and are solved by
HiGHS's interior point method without crossover; here the threshold is lowered to 0 so that the
same path runs on instances small enough to check.  Expected values come from a second method:
brute force over every choice of sites (itertools) for the optimum, and SciPy's ``linprog`` on the
LP written out densely (a different model: one y per point, not merged) for the LP bound.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from geo_welfare.analysis import covering


def value(dense: np.ndarray, weights: np.ndarray, sites) -> float:
    """Weight of the rows any of ``sites`` reaches, straight from the dense table."""
    return float(weights[dense[:, list(sites)].any(axis=1)].sum()) if len(sites) else 0.0


def brute_force(dense: np.ndarray, weights: np.ndarray, k: int) -> float:
    return max(value(dense, weights, c) for c in itertools.combinations(range(dense.shape[1]), k))


def lp_optimum(dense: np.ndarray, weights: np.ndarray, k: int) -> float:
    """max Σ w y, y_i ≤ Σ_j a_ij x_j, Σ x ≤ k, 0 ≤ x, y ≤ 1, one y per point (no merging), dense."""
    n_points, n_sites = dense.shape
    cost = -np.concatenate([np.zeros(n_sites), weights])
    covering_rows = np.hstack([-dense.astype(float), np.identity(n_points)])
    cardinality = np.concatenate([np.ones(n_sites), np.zeros(n_points)])[None, :]
    result = linprog(cost, A_ub=np.vstack([covering_rows, cardinality]), b_ub=np.append(np.zeros(n_points), k),
                     bounds=(0, 1))
    assert result.status == 0
    return -float(result.fun)


def instances(seed: int, count: int, points: int = 50, sites: int = 12):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        dense = rng.random((points, sites)) < rng.uniform(0.12, 0.3)
        yield dense, rng.integers(1, 20, points).astype(float)


@pytest.fixture
def interior_everywhere(monkeypatch):
    """Every LP and MIP of :mod:`~geo_welfare.analysis.covering` by the interior point method."""
    monkeypatch.setattr(covering, "INTERIOR_ROWS", 0)


def test_interior_duals_prove_the_lp_optimum_exactly(interior_everywhere):
    # Over all columns, the Lagrangian bound from the IPM's duals must equal the LP optimum that linprog
    # finds on the unmerged dense model (the duals are optimal, not merely feasible), within IPM tolerance.
    checked = 0
    for dense, weights in instances(21, 8):
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (2, 4):
            _, _, duals, _, interior = covering._restricted_lp(matrix, weights, np.arange(dense.shape[1]), k)
            assert interior
            bound, _, _ = covering.lagrangian_bounds(matrix, weights, duals, k)
            expected = lp_optimum(dense, weights, k)
            assert bound >= expected - 1e-6 * weights.sum()  # any duals ≥ 0 bound the LP from above
            assert bound == pytest.approx(expected, rel=1e-6)
            checked += 1
    assert checked == 16


def test_best_k_by_interior_point_equals_brute_force(interior_everywhere):
    # Fractional LPs at these sizes, so the support MIP, the fixing and the final MIP all run by IPM.
    fractional = 0
    for dense, weights in instances(3, 6, points=60, sites=14):
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (3, 6):
            best = brute_force(dense, weights, k)
            fractional += lp_optimum(dense, weights, k) > best + 1e-9
            start, _ = covering.greedy_choice(matrix, weights, limit=k)
            chosen, bound = covering.best_k(matrix, weights, k, start)
            assert bound is None and len(chosen) <= k
            assert value(dense, weights, chosen) == pytest.approx(best, rel=1e-12)
    assert fractional > 0  # some instance needed more than the LP


def test_best_k_by_interior_point_repeats_itself(interior_everywhere):
    dense, weights = next(instances(9, 1, points=60, sites=14))
    matrix = sparse.csc_matrix(dense.astype(float))
    start, _ = covering.greedy_choice(matrix, weights, limit=5)
    runs = {tuple(covering.best_k(matrix, weights, 5, start)[0].tolist()) for _ in range(3)}
    assert len(runs) == 1


def test_interior_and_simplex_paths_agree_on_the_optimum(monkeypatch):
    # The same instances through both paths: equal coverage (sites may differ only between equal optima).
    threshold = covering.INTERIOR_ROWS
    for dense, weights in instances(12, 5, points=60, sites=14):
        matrix = sparse.csc_matrix(dense.astype(float))
        start, _ = covering.greedy_choice(matrix, weights, limit=4)
        simplex, _ = covering.best_k(matrix, weights, 4, start)
        monkeypatch.setattr(covering, "INTERIOR_ROWS", 0)
        interior, _ = covering.best_k(matrix, weights, 4, start)
        monkeypatch.setattr(covering, "INTERIOR_ROWS", threshold)
        assert value(dense, weights, interior) == value(dense, weights, simplex) == brute_force(dense, weights, 4)
