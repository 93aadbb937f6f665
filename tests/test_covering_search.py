"""The swap search that improves greedy's first answer, and the Lagrangian bounds behind reduced-cost fixing.

Expected values come from brute force over every choice of sites (itertools), never from the code.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from geo_welfare.analysis import covering
from geo_welfare.analysis.covering_search import covered_weight, improve_by_swaps


def value(dense: np.ndarray, weights: np.ndarray, sites) -> float:
    """Weight of the rows any of ``sites`` reaches, straight from the dense table."""
    return float(weights[dense[:, list(sites)].any(axis=1)].sum()) if len(sites) else 0.0


def all_choices(dense: np.ndarray, weights: np.ndarray, k: int) -> dict[tuple[int, ...], float]:
    return {c: value(dense, weights, c) for c in itertools.combinations(range(dense.shape[1]), k)}


def random_instances(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        dense = rng.random((36, 10)) < rng.uniform(0.1, 0.35)
        yield dense, rng.integers(1, 9, 36).astype(float)


def test_a_swap_replaces_greedys_big_middle_site_with_the_better_pair():
    # Points a, b, c, d, e with 65+ 4, 3, 3, 4, 2.  Columns: L = {a, b} (7), R = {c, d} (7), M = {b, c, e} (8).
    # Greedy with k = 2 takes M (8), then L or R (each adds 4; the lower index L): 12.
    # Taking M out loses c and e (5; b stays with L), and R then adds c and d (7 > 5): L + R = 14, the optimum.
    weights = np.array([4, 3, 3, 4, 2], dtype=float)
    dense = np.array([[1, 0, 0], [1, 0, 1], [0, 1, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    matrix = sparse.csc_matrix(dense.astype(float))
    start, _ = covering.greedy_choice(matrix, weights, limit=2)
    assert start.tolist() == [2, 0]
    better = improve_by_swaps(matrix, weights, start)
    assert sorted(better.tolist()) == [0, 1]
    assert covered_weight(matrix, weights, better) == 14.0


def test_swaps_end_at_a_choice_no_single_swap_improves_and_never_lose():
    for dense, weights in random_instances(31, 12):
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (2, 3, 4):
            start, _ = covering.greedy_choice(matrix, weights, limit=k)
            result = improve_by_swaps(matrix, weights, start)
            assert len(result) == len(start) == len(set(result.tolist()))
            got = value(dense, weights, result)
            assert got >= value(dense, weights, start)
            assert covered_weight(matrix, weights, result) == pytest.approx(got, rel=1e-12)
            for out, into in itertools.product(result.tolist(), range(dense.shape[1])):
                if into not in result:
                    swapped = [into if s == out else s for s in result.tolist()]
                    assert value(dense, weights, swapped) <= got + 1e-9


def test_swaps_repeat_themselves_exactly():
    dense, weights = next(random_instances(5, 1))
    matrix = sparse.csc_matrix(dense.astype(float))
    start, _ = covering.greedy_choice(matrix, weights, limit=3)
    runs = {tuple(improve_by_swaps(matrix, weights, start).tolist()) for _ in range(3)}
    assert len(runs) == 1


def test_lagrangian_bounds_hold_for_any_duals_and_for_each_column_forced_out_or_in():
    rng = np.random.default_rng(8)
    for dense, weights in random_instances(17, 8):
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (2, 3):
            choices = all_choices(dense, weights, k)
            for duals in (rng.uniform(0, 1, len(weights)) * weights, np.zeros(len(weights)), weights * 2):
                bound, without, with_it = covering.lagrangian_bounds(matrix, weights, duals, k)
                assert bound >= max(choices.values()) - 1e-9
                for j in range(dense.shape[1]):
                    assert without[j] >= max(v for c, v in choices.items() if j not in c) - 1e-9
                    assert with_it[j] >= max(v for c, v in choices.items() if j in c) - 1e-9


def test_the_lp_duals_fix_out_only_columns_in_no_optimum_and_fix_in_only_columns_in_every_one():
    fixed_any = 0
    for dense, weights in random_instances(44, 15):
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (2, 3):
            choices = all_choices(dense, weights, k)
            best = max(choices.values())
            optima = [set(c) for c, v in choices.items() if v >= best - 1e-9]
            _, _, duals, _, _ = covering._restricted_lp(matrix, weights, np.arange(dense.shape[1]), k)
            _, without, with_it = covering.lagrangian_bounds(matrix, weights, duals, k)
            tolerance = 1e-9 * weights.sum()
            for j in np.flatnonzero(without < best - tolerance):
                assert all(j in o for o in optima)
                fixed_any += 1
            for j in np.flatnonzero(with_it < best - tolerance):
                assert all(j not in o for o in optima)
                fixed_any += 1
    assert fixed_any > 0  # the check above did check something


def test_best_k_with_fixing_equals_brute_force_on_larger_random_instances():
    # 14 candidates and k up to 6: fractional LPs, so fixing and the MIP over the free columns both run.
    rng = np.random.default_rng(3)
    for _ in range(6):
        dense = rng.random((60, 14)) < rng.uniform(0.12, 0.3)
        weights = rng.integers(1, 20, 60).astype(float)
        matrix = sparse.csc_matrix(dense.astype(float))
        for k in (3, 6):
            best = max(all_choices(dense, weights, k).values())
            start, _ = covering.greedy_choice(matrix, weights, limit=k)
            chosen, bound = covering.best_k(matrix, weights, k, start)
            assert bound is None and len(chosen) <= k
            assert value(dense, weights, chosen) == pytest.approx(best, rel=1e-12)
