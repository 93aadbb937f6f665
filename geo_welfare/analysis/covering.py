"""The integer programmes behind :mod:`geo_welfare.analysis.siting`, built and solved with HiGHS.

Kept apart from the models because this is the part that decides speed on a city (all of
Sapporo: 167,000 resident points, 18,000 grid candidates, ``benchmarks/siting.py``):

1. **Identical demand merged** (the isomorphic aggregation of Lv et al. 2025, EJOR 327(2)):
   resident points reached by exactly the same set of candidates become one group, weights
   summed; points no candidate reaches drop out.  Each point's sorted candidate set is hashed
   (a sum of fixed random 64-bit keys), and every group is checked member by member, so a hash
   collision can never merge two different sets.
2. **Dominated candidates dropped** (their dominance reduction): a candidate whose open demand
   is a subset of another's is never needed, since swapping it for the larger one loses no one.
   Of candidates reaching exactly the same people the lowest index is kept.  Demand is then
   merged again, as fewer candidates make more sets equal.
3. **The MCLP solved by column generation, then reduced-cost fixing** (:func:`best_k`): the LP
   relaxation is solved over a few hundred candidates, priced against all of them with its
   duals, until none would improve it; the duals give a proven upper bound.  If the LP answer is
   integral it is the optimum.  Otherwise every candidate whose reduced cost proves it cannot be
   in an answer as good as the best known is fixed out, and the MIP is solved over the rest.  On
   street networks the LP relaxation is nearly always integral, so most of the work is a few
   small LPs rather than one LP with 80,000 rows (which HiGHS needs minutes for).

The matrices go to HiGHS as sparse blocks through ``highspy``'s own API (not PuLP's per-term
Python objects, where most of spopt's time goes).

Determinism: every step is a deterministic function of the input (stable sorts, first
occurrences, fixed hash keys, HiGHS with ``random_seed`` 0; HiGHS's parallel MIP search is
synchronised, so it repeats itself for a given thread count).  Ties between equally good
answers are broken by these rules, in order: identical candidates → the lowest index; a
candidate inside another's reach → the larger one; then the LP vertex or MIP answer HiGHS
reaches first on that model.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
from scipy import sparse

from geo_welfare.core.errors import UnprocessableError

_HASH_KEYS_SEED = 20261201  # fixed, so the groups (and HiGHS's model) are the same on every run


class InfeasibleTarget(UnprocessableError):
    """No choice of candidates reaches the coverage target: too much demand is beyond every candidate.

    An :class:`~geo_welfare.core.errors.UnprocessableError` (CLI exit code 3, HTTP 422); its values
    give the target, what existing places cover and the most all candidates together could.
    """


def _hash_keys(n: int) -> np.ndarray:
    """One fixed random 64-bit key per column; a row's hash is the sum of its columns' keys."""
    return np.random.default_rng(_HASH_KEYS_SEED).integers(0, 2**63, n, dtype=np.uint64)


def _identical_rows(rows: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each group, group of each row) for rows with the same sorted column set.

    Groups are numbered by their first row, so the result does not depend on the hash keys.
    """
    lengths = np.diff(rows.indptr)
    keys = _hash_keys(rows.shape[1])
    hashed = np.zeros(rows.shape[0], dtype=np.uint64)
    np.add.at(hashed, np.repeat(np.arange(rows.shape[0]), lengths), keys[rows.indices])  # wraps mod 2**64
    hashed ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    _, first, inverse = np.unique(hashed, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    first, inverse = first[order], rank[inverse.ravel()]
    representative = first[inverse]
    offsets = np.arange(rows.nnz) - np.repeat(rows.indptr[:-1], lengths)
    same = np.array_equal(lengths, lengths[representative]) and np.array_equal(
        rows.indices, rows.indices[np.repeat(rows.indptr[representative], lengths) + offsets])
    if same:
        return first, inverse
    padded = np.full((rows.shape[0], max(int(lengths.max()), 1)), -1, dtype=np.int64)  # a hash collision
    padded[np.repeat(np.arange(rows.shape[0]), lengths), offsets] = rows.indices
    _, first, inverse = np.unique(padded, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.ravel()]


def merge_identical_demand(incidence: sparse.spmatrix, weights: np.ndarray, open_points: np.ndarray
                           ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Open demand grouped by identical candidate sets: (groups × used candidates, weights, candidate ids).

    Points no candidate reaches are left out (no choice changes them); so are candidates that
    reach no open point.  Groups come in the order of their first point.
    """
    rows = sparse.csr_matrix(incidence)[np.flatnonzero(open_points)]
    weights = np.asarray(weights, dtype=float)[open_points]
    reached = np.diff(rows.indptr) > 0
    matrix, group_weights, columns, _ = _merge(rows[reached], weights[reached])
    return matrix, group_weights, columns


def _merge(rows: sparse.csr_matrix, weights: np.ndarray
           ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Rows (each reaching some column) merged: (groups × used columns, weights, used columns, group of each row)."""
    if rows.shape[0] == 0:
        return sparse.csr_matrix((0, 0)), np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = rows.copy()
    rows.sort_indices()
    first, inverse = _identical_rows(rows)
    group_weights = np.bincount(inverse, weights=weights, minlength=len(first))
    matrix = rows[first]
    columns = np.flatnonzero(np.diff(matrix.tocsc().indptr) > 0)
    return sparse.csr_matrix(matrix[:, columns]), group_weights, columns, inverse


def undominated(matrix: sparse.spmatrix) -> np.ndarray:
    """Columns of ``matrix`` that no other column contains (of equal columns, the first).

    Column ``j`` is dominated when some ``j'`` reaches every group ``j`` reaches and either more
    or, reaching the same, has a lower index; a maximal column always remains.
    """
    a = sparse.csc_matrix(matrix, dtype=np.int32)
    size = np.diff(a.indptr)
    overlap = (a.T @ a).tocoo()
    row, col = overlap.row, overlap.col
    inside = (row != col) & (overlap.data == size[row]) & ((size[col] > size[row]) | (col < row))
    dominated = np.zeros(a.shape[1], dtype=bool)
    dominated[row[inside]] = True
    return np.flatnonzero(~dominated)


def reduce_demand(incidence: sparse.spmatrix, weights: np.ndarray, open_points: np.ndarray
                  ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """:func:`merge_identical_demand`, then dominated candidates dropped and demand merged again.

    Neither step changes the best coverage for any number of sites, nor the fewest sites for a
    coverage target.  Returns (groups × kept candidates, group weights, candidate ids).
    """
    matrix, group_weights, columns = merge_identical_demand(incidence, weights, open_points)
    if matrix.shape[0] == 0:
        return matrix, group_weights, columns
    keep = undominated(matrix)
    if len(keep) == len(columns):
        return matrix, group_weights, columns
    again, group_weights, used = merge_identical_demand(matrix[:, keep], group_weights,
                                                        np.ones(matrix.shape[0], dtype=bool))
    return again, group_weights, columns[keep][used]


def _highs() -> highspy._Highs:
    """A quiet HiGHS with the options every solve here shares (exact, seeded)."""
    # The compiled class itself: ``highspy.Highs`` adds Python callbacks and prints a banner on stdout
    # when constructed, before any option can turn output off.
    highs = highspy._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("mip_rel_gap", 0.0)  # exact: HiGHS would otherwise stop within 0.01 % of the optimum
    return highs


def _model(matrix: sparse.spmatrix, weights: np.ndarray, k: int | None, need: float | None) -> highspy.HighsLp:
    """MCLP (``k``) or partial LSCP (``need``) over groups × candidates, x binary, 0 ≤ y ≤ 1."""
    n_groups, n_sites = matrix.shape
    covering = sparse.hstack([-sparse.csr_matrix(matrix), sparse.identity(n_groups)])
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
    return lp


def solve_covering(matrix: sparse.csr_matrix, weights: np.ndarray, start: np.ndarray, k: int | None = None,
           need: float | None = None, time_limit: float | None = None) -> tuple[np.ndarray, float | None]:
    """Chosen columns of ``matrix`` starting from ``start``, and HiGHS's bound on the objective if not optimal.

    With ``k``: maximise Σ w·y subject to Σ x ≤ k.  With ``need``: minimise Σ x subject to
    Σ w·y ≥ need.  Both with y_g ≤ Σ_j a_gj x_j, x binary, 0 ≤ y ≤ 1.  ``start`` (columns of a
    feasible choice, e.g. greedy's) is HiGHS's first incumbent: a good one early prunes the search,
    and a run stopped by ``time_limit`` still returns at least that.
    """
    n_sites = matrix.shape[1]
    highs = _highs()
    if time_limit is not None:
        highs.setOptionValue("time_limit", max(float(time_limit), 0.0))
    highs.passModel(_model(matrix, weights, k, need))
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


def _restricted_lp(matrix: sparse.csc_matrix, weights: np.ndarray, columns: np.ndarray, k: int,
                   time_limit: float | None = None) -> tuple[float, np.ndarray, np.ndarray, float]:
    """The LP relaxation over ``columns`` only: (value, x, a dual per group of ``matrix``, dual of Σ x ≤ k).

    Groups no column reaches get dual = weight; the merged groups' duals are shared out in
    proportion to weight, which keeps them feasible for the full LP's dual.  Stopped by
    ``time_limit``, the duals still give a valid bound (any duals ≥ 0 do), only a weaker one.
    """
    sub = sparse.csr_matrix(matrix[:, columns])
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    grouped, group_weights, used, inverse = _merge(sub[rows], weights[rows])
    lp = _model(grouped, group_weights, k, None)
    lp.integrality_ = []
    highs = _highs()
    highs.setOptionValue("simplex_strategy", 4)  # primal simplex: a few x and many y, measured faster here
    if time_limit is not None:
        highs.setOptionValue("time_limit", max(float(time_limit), 0.0))
    highs.passModel(lp)
    highs.run()
    solution = highs.getSolution()
    row_dual = np.maximum(np.asarray(solution.row_dual), 0.0)  # ≤ rows of a maximisation: HiGHS's sign
    duals = np.asarray(weights, dtype=float).copy()
    duals[rows] = row_dual[:-1][inverse] * weights[rows] / group_weights[inverse]
    x = np.zeros(len(columns))
    x[used] = np.asarray(solution.col_value)[:len(used)]
    return float(highs.getInfo().objective_function_value), x, duals, float(row_dual[-1])


def _covered_weight(matrix: sparse.csc_matrix, weights: np.ndarray, chosen: np.ndarray) -> float:
    return float(weights[np.asarray(matrix[:, chosen].sum(axis=1)).ravel() > 0].sum())


# Long because the three phases (column generation, an LP or restricted answer, fixing and the MIP)
# share the bound and the incumbent; apart they would pass six values each way.
def best_k(matrix: sparse.spmatrix, weights: np.ndarray, k: int, start: np.ndarray,
           time_limit: float | None = None) -> tuple[np.ndarray, float | None]:
    """The ``k`` columns covering the most weight (MCLP), and a proven bound when not optimal.

    Column generation on the LP relaxation, starting from ``start`` (greedy's columns) and the
    columns that reach most alone; then the LP answer if integral, else reduced-cost fixing and
    :func:`solve_covering` on the columns that survive.  Returns ``(chosen, None)`` when proven
    optimal (gap ≤ 1e-9 of the total weight), else ``(best so far, upper bound)``.  A run stopped
    by ``time_limit`` (seconds for all phases together) may differ from one run to the next.
    """
    if k == 0:
        return np.empty(0, dtype=np.int64), None
    began = time.perf_counter()

    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - began)

    matrix = sparse.csc_matrix(matrix)
    weights = np.asarray(weights, dtype=float)
    n_sites, step = matrix.shape[1], max(2 * k, 50)
    best, best_value = np.asarray(start, dtype=np.int64), _covered_weight(matrix, weights, start)
    alone = matrix.T @ weights
    columns = np.union1d(best, np.argsort(-alone, kind="stable")[:step])
    tolerance = 1e-9 * max(float(weights.sum()), 1.0)
    values: list[float] = []
    bound, fixing_price = np.inf, np.zeros(n_sites)
    while True:
        value, x, duals, mu = _restricted_lp(matrix, weights, columns, k, left())
        price = matrix.T @ duals - mu  # what one more unit of each column would add to the LP
        this_bound = k * mu + np.maximum(price, 0.0).sum() + np.maximum(weights - duals, 0.0).sum()  # weak duality
        if this_bound < bound:  # every round's duals bound the optimum; keep the tightest, and its prices
            bound, fixing_price = this_bound, price
        outside = np.setdiff1d(np.arange(n_sites), columns)
        entering = outside[price[outside] > tolerance]
        # Done when no column would improve the LP, its bound is within 1e-7 of it, or two rounds of new
        # columns left its value unchanged (the fixing below still proves the optimum from this bound;
        # chasing the last degenerate columns costs more than it saves).
        stalled = len(values) >= 2 and value - values[-2] <= tolerance
        values.append(value)
        if len(entering) == 0 or bound - value <= 1e-7 * bound or stalled or (left() is not None and left() <= 0):
            break
        columns = np.union1d(columns, entering[np.argsort(-price[entering], kind="stable")[:step]])
    if np.all((x < 1e-9) | (x > 1 - 1e-9)):
        lp_sites = columns[x > 0.5]
        lp_value = _covered_weight(matrix, weights, lp_sites)
        if lp_value > best_value + tolerance:
            best, best_value = lp_sites, lp_value
    everyone = np.ones(matrix.shape[0], dtype=bool)
    if bound - best_value > tolerance:  # the MIP over the generated columns: a strong incumbent, fast
        sub, sub_weights, used = merge_identical_demand(matrix[:, columns], weights, everyone)
        within = {c: i for i, c in enumerate(columns[used])}
        chosen, _ = solve_covering(sub, sub_weights, np.array([within[c] for c in best if c in within],
                                                               dtype=np.int64), k=k, time_limit=left())
        if _covered_weight(matrix, weights, columns[used][chosen]) > best_value + tolerance:
            best, best_value = columns[used][chosen], _covered_weight(matrix, weights, columns[used][chosen])
    if bound - best_value <= tolerance:
        return np.sort(best), None
    # Reduced-cost fixing: any choice with column j scores at most bound − slack_j.
    slack = np.maximum(-fixing_price, 0.0)
    kept = np.flatnonzero(bound - slack >= best_value - tolerance)
    if left() is not None and left() <= 0:
        return np.sort(best), float(bound)
    sub, sub_weights, used = merge_identical_demand(matrix[:, kept], weights, everyone)
    within = {c: i for i, c in enumerate(kept[used])}
    chosen, mip_bound = solve_covering(sub, sub_weights, np.array([within[c] for c in best if c in within],
                                                                   dtype=np.int64), k=k, time_limit=left())
    found = kept[used][chosen]
    if _covered_weight(matrix, weights, found) >= best_value - tolerance:
        best, best_value = found, _covered_weight(matrix, weights, found)
    if mip_bound is None:
        return np.sort(best), None
    return np.sort(best), float(min(bound, mip_bound))


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
