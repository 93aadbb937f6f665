"""The integer programmes behind :mod:`geo_welfare.analysis.siting`, built and solved with HiGHS.

Kept apart from the models because this is the part that decides speed on a city: demand points
reached by the same set of candidates are merged first (Lv et al. 2025: weights summed; neither
changes the optimum), the constraint matrix goes to HiGHS as one sparse block through ``highspy``'s
own API (not PuLP's per-term Python objects, where most of spopt's time goes), and HiGHS starts
from the greedy answer so that a run stopped by a time limit is never worse than greedy.
"""

from __future__ import annotations

import highspy
import numpy as np
from scipy import sparse

from geo_welfare.core.errors import UnprocessableError


class InfeasibleTarget(UnprocessableError):
    """No choice of candidates reaches the coverage target: too much demand is beyond every candidate.

    An :class:`~geo_welfare.core.errors.UnprocessableError` (CLI exit code 3, HTTP 422); its values
    give the target, what existing places cover and the most all candidates together could.
    """


def merge_identical_demand(incidence: sparse.csc_matrix, weights: np.ndarray, open_points: np.ndarray
                           ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Open demand grouped by identical candidate sets: (groups × used candidates, weights, candidate ids).

    Points no candidate reaches are left out (no choice changes them); so are candidates that
    reach no open point.
    """
    rows = incidence.tocsr()[np.flatnonzero(open_points)]
    weights = weights[open_points]
    lengths = np.diff(rows.indptr)
    rows, weights, lengths = rows[lengths > 0], weights[lengths > 0], lengths[lengths > 0]
    if rows.shape[0] == 0:
        return sparse.csr_matrix((0, 0)), np.empty(0), np.empty(0, dtype=np.int64)
    rows.sort_indices()
    padded = np.full((rows.shape[0], lengths.max()), -1, dtype=np.int64)
    padded[np.repeat(np.arange(rows.shape[0]), lengths),
           np.arange(rows.nnz) - np.repeat(rows.indptr[:-1], lengths)] = rows.indices
    _, first, inverse = np.unique(padded, axis=0, return_index=True, return_inverse=True)
    group_weights = np.bincount(inverse.ravel(), weights=weights)
    matrix = rows[first]
    columns = np.flatnonzero(np.diff(matrix.tocsc().indptr) > 0)
    return matrix[:, columns].tocsr(), group_weights, columns


def solve_covering(matrix: sparse.csr_matrix, weights: np.ndarray, start: np.ndarray, k: int | None = None,
           need: float | None = None, time_limit: float | None = None) -> tuple[np.ndarray, float | None]:
    """Chosen columns of ``matrix`` starting from ``start``, and HiGHS's bound on the objective if not optimal.

    With ``k``: maximise Σ w·y subject to Σ x ≤ k.  With ``need``: minimise Σ x subject to
    Σ w·y ≥ need.  Both with y_g ≤ Σ_j a_gj x_j, x binary, 0 ≤ y ≤ 1.  ``start`` (columns of a
    feasible choice, e.g. greedy's) is HiGHS's first incumbent: a good one early prunes the search,
    and a run stopped by ``time_limit`` still returns at least that.
    """
    n_groups, n_sites = matrix.shape
    covering = sparse.hstack([-matrix, sparse.identity(n_groups)])
    if k is not None:
        last = sparse.hstack([sparse.csr_matrix(np.ones((1, n_sites))), sparse.csr_matrix((1, n_groups))])
        cost = np.concatenate([np.zeros(n_sites), weights])
        last_bounds, sense = (-highspy.kHighsInf, float(k)), highspy.ObjSense.kMaximize
    else:
        last = sparse.hstack([sparse.csr_matrix((1, n_sites)), sparse.csr_matrix(weights[None, :])])
        cost = np.concatenate([np.ones(n_sites), np.zeros(n_groups)])
        last_bounds, sense = (float(need), highspy.kHighsInf), highspy.ObjSense.kMinimize
    a = sparse.vstack([covering, last]).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_sites + n_groups, n_groups + 1
    lp.sense_ = sense
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n_sites + n_groups)
    lp.col_upper_ = np.ones(n_sites + n_groups)
    lp.row_lower_ = np.append(np.full(n_groups, -highspy.kHighsInf), last_bounds[0])
    lp.row_upper_ = np.append(np.zeros(n_groups), last_bounds[1])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_sites + [highspy.HighsVarType.kContinuous] * n_groups
    # The compiled class itself: ``highspy.Highs`` adds Python callbacks and prints a banner on stdout
    # when constructed, before any option can turn output off.
    highs = highspy._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)  # exact: HiGHS would otherwise stop within 0.01 % of the optimum
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    highs.passModel(lp)
    x = np.zeros(n_sites)
    x[start] = 1.0
    first = highspy.HighsSolution()
    first.col_value = np.concatenate([x, np.minimum(matrix @ x, 1.0)])
    highs.setSolution(first)
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise InfeasibleTarget("no_choice_reaches_the_target")
    if highs.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        raise RuntimeError(f"HiGHS stopped without a solution: {highs.modelStatusToString(status)}")
    chosen = np.flatnonzero(np.asarray(highs.getSolution().col_value)[:n_sites] > 0.5)
    if status == highspy.HighsModelStatus.kOptimal:
        return chosen, None
    return chosen, float(highs.getInfo().mip_dual_bound)


def greedy_choice(incidence: sparse.csc_matrix, weights: np.ndarray, limit: int | None = None,
            need: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Columns taken one at a time by most weight added (ties: the lowest), and what each added.

    Stops after ``limit`` columns, once ``need`` is reached, or when no column adds anything.
    """
    left = np.asarray(weights, dtype=float).copy()
    order, added = [], []
    for _ in range(incidence.shape[1] if limit is None else min(limit, incidence.shape[1])):
        gains = incidence.T @ left
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        order.append(best)
        added.append(float(gains[best]))
        left[incidence.indices[incidence.indptr[best]:incidence.indptr[best + 1]]] = 0.0
        if sum(added) >= need:
            break
    return np.asarray(order, dtype=np.int64), np.asarray(added)
