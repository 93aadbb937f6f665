"""Subgradient steps on the MCLP's Lagrangian dual (:mod:`geo_welfare.analysis.covering_subgradient`).

Expected values from a second method: brute force over every choice of sites (itertools) for the
optimum, and SciPy's ``linprog`` on the dense, unmerged LP for the best bound any duals can prove
(the Lagrangian dual of the MCLP equals its LP relaxation: the subproblem has integral optima).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from geo_welfare.analysis import covering
from geo_welfare.analysis.covering_subgradient import lagrangian_value, tighten_bound
from tests.test_covering_interior import brute_force, instances, lp_optimum


def test_the_bound_stays_valid_never_worsens_and_approaches_the_lp():
    closer = 0
    for dense, weights in instances(5, 8):
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (2, 4):
            best, lp = brute_force(dense, weights, k), lp_optimum(dense, weights, k)
            start = weights * 0.9  # poor duals: the bound they prove is far above the LP
            before, _, _ = covering.lagrangian_bounds(matrix, weights, start, k)
            bound, duals = tighten_bound(matrix, weights, start, k, target=best)
            assert lp - 1e-6 <= bound <= before + 1e-9  # no duals prove less than the LP; never worse
            again, _, _ = covering.lagrangian_bounds(matrix, weights, duals, k)
            assert again == pytest.approx(bound, rel=1e-12)  # the duals returned prove the bound returned
            closer += (before - bound) > 0.5 * (before - lp)
    assert closer >= 8  # on most instances more than half the distance to the LP is closed


def test_lagrangian_value_matches_lagrangian_bounds():
    # Weights 4, 3, 3, 4, 2; columns L = {a, b}, R = {c, d}, M = {b, c, e}; duals u = weights / 2.
    # Prices: L 3.5, R 3.5, M 4.0; k = 2 takes M and one of L, R: 7.5; Σ max(w − u, 0) = 8: bound 15.5.
    weights = np.array([4, 3, 3, 4, 2], dtype=float)
    dense = np.array([[1, 0, 0], [1, 0, 1], [0, 1, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    matrix = sparse.csc_matrix(dense.astype(float))
    value, top = lagrangian_value(sparse.csr_matrix(matrix.T), weights, weights / 2, 2)
    assert value == 15.5 and 2 in top.tolist()
    assert covering.lagrangian_bounds(matrix, weights, weights / 2, 2)[0] == 15.5


def test_the_steps_repeat_themselves_exactly():
    dense, weights = next(instances(7, 1))
    matrix = sparse.csc_matrix(dense.astype(float))
    runs = {tighten_bound(matrix, weights, weights * 0.9, 3, target=0.0, steps=200)[0] for _ in range(3)}
    assert len(runs) == 1
