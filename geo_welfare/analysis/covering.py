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
3. **A strong first answer** (:mod:`~geo_welfare.analysis.covering_search`): greedy, then
   one-for-one swaps until none gains.  Every later phase is judged against it.
4. **The MCLP solved by column generation, then reduced-cost fixing** (:func:`best_k`): the LP
   relaxation is solved over a few hundred candidates, priced against all of them with its
   duals, until none would improve it; the duals give a proven upper bound
   (:func:`lagrangian_bounds`: the covering rows relaxed, the ``k`` best prices taken by sorting,
   never weaker than the LP's own multiplier for Σ x ≤ k).  If the LP answer is integral it is the
   optimum.  Otherwise a MIP over the LP's support (the columns with x > 0.001: about 100 of 5,200 on
   Sapporo, k = 50, proven in 0.6 s) looks for a better answer, then every
   candidate whose forced presence proves an answer worse than the best known is fixed out, every
   candidate whose absence would is fixed in (its demand removed), dominance is applied again among
   the free ones, and HiGHS's MIP is solved over them.  On street networks with existing places
   fixed the LP relaxation is nearly always integral, so most of the work is a few small LPs
   rather than one LP with 80,000 rows (which HiGHS needs minutes for).  Large restricted LPs are
   solved by the interior point method (:data:`INTERIOR_ROWS`): its central duals end column
   generation in a few rounds where simplex's vertex duals crawl through a degenerate face.

Measured and not kept (all of Sapporo from scratch, ``benchmarks/siting.py``): the full LP by
HiGHS's interior point method with crossover off (147 s wall, against 20-30 s of column
generation); one restricted LP kept in one HiGHS model, columns and rows added (``addCols``,
``addRows``, the merged rows split as columns arrive) and re-solved from its basis: 157 CPU s by
primal simplex and 63 by dual to the LP at k = 50 (the split rows grow to 27,000, twice what a fresh
merge gives, and each warm start still took thousands of degenerate pivots), against 10 CPU s by
interior point from scratch each round; HiGHS's MIP after fixing (701 free candidates, 15,720 rows,
k = 50, root LP by IPM): bound 269,692 → 269,647 in 120 s against the answer's 269,470; dropping columns with very negative reduced cost from the restricted LP (it cycles
on the degenerate LP: the bound stayed at 269,777 for 8 minutes); splitting by connected
components of the candidate-demand graph (the city is one piece: 4,868 of 5,200 candidates from
scratch, 1,671 of 2,276 with existing places fixed; the other pieces are one to a few sites each).

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

from geo_welfare.analysis.covering_reduce import (merge_identical_demand, merge_rows, reduce_demand,  # noqa: F401
                                                 undominated)
from geo_welfare.analysis.covering_search import covered_weight, improve_by_swaps
from geo_welfare.analysis.covering_subgradient import tighten_bound
from geo_welfare.core.errors import UnprocessableError

class InfeasibleTarget(UnprocessableError):
    """No choice of candidates reaches the coverage target: too much demand is beyond every candidate.

    An :class:`~geo_welfare.core.errors.UnprocessableError` (CLI exit code 3, HTTP 422); its values
    give the target, what existing places cover and the most all candidates together could.
    """


#: Above this many (merged) rows an LP is solved by HiGHS's interior point method, without crossover, and a
#: MIP's LPs by it too.  Why: the covering LP is highly degenerate.  On all of Sapporo from scratch
#: (k = 50) primal simplex took 3-5 s per restricted LP of 12,000 rows and, its duals being a vertex of a
#: large optimal face, column generation needed 22 rounds (85 CPU s) to price every column out; the
#: interior point's central duals price them out in 6 rounds (10 CPU s).  HiGHS's MIP over 21,000 rows ×
#: 900 candidates did not finish its root LP by dual simplex in 55 s, and did by IPM in 17 s.  Below it
#: (every case with existing places fixed) simplex is as fast and kept.
INTERIOR_ROWS = 5000


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
    if matrix.shape[0] > INTERIOR_ROWS:
        highs.setOptionValue("mip_lp_solver", "ipm")
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
                   time_limit: float | None = None) -> tuple[float, np.ndarray, np.ndarray, float, bool]:
    """The LP relaxation over ``columns`` only: (value, x, a dual per group of ``matrix``, dual of Σ x ≤ k,
    solved by the interior point method?).

    Above :data:`INTERIOR_ROWS` merged rows the interior point method without crossover: its x is
    then not a vertex and its value is within HiGHS's IPM tolerance only (the bound never relies on it:
    :func:`lagrangian_bounds` proves one from the duals alone).

    Groups no column reaches get dual = weight; the merged groups' duals are shared out in
    proportion to weight, which keeps them feasible for the full LP's dual.  Stopped by
    ``time_limit``, the duals still give a valid bound (any duals ≥ 0 do), only a weaker one.
    """
    sub = sparse.csr_matrix(matrix[:, columns])
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    grouped, group_weights, used, inverse = merge_rows(sub[rows], weights[rows])
    lp = _model(grouped, group_weights, k, None)
    lp.integrality_ = []
    highs = _highs()
    interior = grouped.shape[0] > INTERIOR_ROWS
    if interior:
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("run_crossover", "off")
    else:
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
    return float(highs.getInfo().objective_function_value), x, duals, float(row_dual[-1]), interior


def _covered_weight(matrix: sparse.csc_matrix, weights: np.ndarray, chosen: np.ndarray) -> float:
    return covered_weight(matrix, weights, chosen)


def lagrangian_bounds(matrix: sparse.csc_matrix, weights: np.ndarray, duals: np.ndarray, k: int
                      ) -> tuple[float, np.ndarray, np.ndarray]:
    """The bound any group duals ``u ≥ 0`` prove, and the same bound with each column forced out or in.

    Relaxing the covering rows with ``u`` leaves Σ max(w − u, 0) + Σ p·x over Σ x ≤ k, 0 ≤ x ≤ 1,
    with prices p = Aᵀu: the best is the ``k`` largest prices, found by sorting (the MCLP's
    Lagrangian subproblem; Galvão & ReVelle 1996).  This is never weaker than the bound with the
    LP's own multiplier of Σ x ≤ k (equal at the LP optimum, tighter when the LP was stopped) and it
    gives, per column, the bound with that column forced to 0 (the other ``k`` best) or forced to 1
    (its price and the ``k − 1`` best others) at no extra cost.  Returns (bound, bound with j out,
    bound with j in).
    """
    price = np.maximum(matrix.T @ duals, 0.0)
    base = float(np.maximum(weights - duals, 0.0).sum())
    k = min(k, len(price))
    order = np.sort(price)[::-1]
    top = float(order[:k].sum())
    kth = order[k - 1] if k > 0 else 0.0
    next_one = order[k] if k < len(price) else 0.0
    in_top = price >= kth if k > 0 else np.zeros(len(price), dtype=bool)
    # Ties at the k-th price: forcing one of them out or in leaves the sum unchanged either way.
    without = np.where(in_top, top - price + next_one, top)
    with_it = np.where(in_top, top, top - kth + price)
    return base + top, base + without, base + with_it


# Long because the phases (column generation, an LP or restricted answer, fixing and the MIP)
# share the bound and the incumbent; apart they would pass six values each way.
def best_k(matrix: sparse.spmatrix, weights: np.ndarray, k: int, start: np.ndarray,
           time_limit: float | None = None) -> tuple[np.ndarray, float | None]:
    """The ``k`` columns covering the most weight (MCLP), and a proven bound when not optimal.

    ``start`` (greedy's columns) is first improved by one-for-one swaps
    (:func:`~geo_welfare.analysis.covering_search.improve_by_swaps`).  Then column generation on
    the LP relaxation, starting from those and the columns that reach most alone; the LP answer if
    integral; else its ``k`` largest improved by swaps and a MIP over the LP's support (for a
    better incumbent: 269,470 on Sapporo, k = 50, against 269,337 rounded and swapped), reduced-cost fixing
    both ways (:func:`lagrangian_bounds`: a column whose forced presence, or absence, proves the
    answer worse than the best known is fixed out, or in), and :func:`solve_covering` on the
    columns left free, with the demand of the fixed-in columns removed and dominance applied again
    among the free ones.  Returns ``(chosen, None)`` when proven optimal (gap ≤ 1e-9 of the total
    weight), else ``(best so far, upper bound)``.  A run stopped by ``time_limit`` (seconds for
    all phases together; column generation leaves a quarter of it, and each of its rounds' ``k``
    largest is swapped and kept if better; the support MIP gets a third of what is left, or all of it
    when column generation did not finish) may differ from one run to the next.
    """
    if k == 0:
        return np.empty(0, dtype=np.int64), None
    began = time.perf_counter()

    def left(share: float = 1.0) -> float | None:
        return None if time_limit is None else share * (time_limit - (time.perf_counter() - began))

    matrix = sparse.csc_matrix(matrix)
    weights = np.asarray(weights, dtype=float)
    n_sites, step = matrix.shape[1], max(2 * k, 50)
    best = improve_by_swaps(matrix, weights, np.asarray(start, dtype=np.int64))
    best_value = _covered_weight(matrix, weights, best)
    alone = matrix.T @ weights
    columns = np.union1d(best, np.argsort(-alone, kind="stable")[:step])
    tolerance = 1e-9 * max(float(weights.sum()), 1.0)
    values: list[float] = []
    bound, best_duals = np.inf, np.asarray(weights, dtype=float)
    # A quarter of a time limit is kept for the answer (the LP's k largest and swaps, the support MIP): on
    # Sapporo, k = 100, column generation alone would use the whole minute and leave greedy's answer.
    reserve = 0.0 if time_limit is None else 0.25 * time_limit
    while True:
        round_began = time.perf_counter()
        value, x, duals, mu, interior = _restricted_lp(matrix, weights, columns, k,
                                                       None if time_limit is None else left() - reserve)
        round_seconds = time.perf_counter() - round_began
        if time_limit is not None and interior:  # each round's k largest, swapped: the answer if time runs out
            rounded = improve_by_swaps(matrix, weights, columns[np.argsort(-x, kind="stable")[:k]])
            if _covered_weight(matrix, weights, rounded) > best_value + tolerance:
                best, best_value = rounded, _covered_weight(matrix, weights, rounded)
        price = matrix.T @ duals - mu  # what one more unit of each column would add to the LP
        this_bound, _, _ = lagrangian_bounds(matrix, weights, duals, k)  # weak duality
        if this_bound < bound:  # every round's duals bound the optimum; keep the tightest, and its duals
            bound, best_duals = this_bound, duals
        outside = np.setdiff1d(np.arange(n_sites), columns)
        entering = outside[price[outside] > tolerance]
        # Done when no column would improve the LP, its bound is within 1e-7 of it, or (simplex only) two
        # rounds of new columns left its value unchanged (the fixing below still proves the optimum from this
        # bound; chasing the last degenerate columns costs more than it saves; central duals do not stall).
        stalled = not interior and len(values) >= 2 and value - values[-2] <= tolerance
        values.append(value)
        # With a time limit, no round is begun that the last one's length says would not end before the reserve.
        late = time_limit is not None and left() - reserve < round_seconds
        if len(entering) == 0 or bound - value <= 1e-7 * bound or stalled or late:
            break
        columns = np.union1d(columns, entering[np.argsort(-price[entering], kind="stable")[:step]])
    if np.all((x < 1e-9) | (x > 1 - 1e-9)):
        lp_sites = columns[x > 0.5]
    else:  # the LP's k largest, improved by swaps
        lp_sites = improve_by_swaps(matrix, weights, columns[np.argsort(-x, kind="stable")[:k]])
    lp_value = _covered_weight(matrix, weights, lp_sites)
    if lp_value > best_value + tolerance:
        best, best_value = lp_sites, lp_value
    everyone = np.ones(matrix.shape[0], dtype=bool)
    support = columns[x > 1e-3]
    # Column generation stopped by the time limit before the LP: its bound fixes almost nothing, so the
    # support MIP gets all the time left (on Sapporo, k = 100, a third gave it nothing).
    stopped = late and not (bound - value <= 1e-7 * bound or len(entering) == 0)  # by the time limit
    if stopped:  # stopped early: subgradient steps from the duals tighten the bound (4.7 % → 2 % there)
        tighter, tighter_duals = tighten_bound(matrix, weights, best_duals, k, best_value, seconds=left(1 / 3))
        if tighter < bound:
            bound, best_duals = tighter, tighter_duals
    if bound - best_value > tolerance and len(support) > k:  # the MIP over the LP's support: a strong incumbent
        sub, sub_weights, used = merge_identical_demand(matrix[:, support], weights, everyone)
        within = {c: i for i, c in enumerate(support[used])}
        chosen, _ = solve_covering(sub, sub_weights, np.array([within[c] for c in best if c in within],
                                                               dtype=np.int64), k=k,
                                  time_limit=left(1 if stopped else 1 / 3))
        if _covered_weight(matrix, weights, support[used][chosen]) > best_value + tolerance:
            best, best_value = support[used][chosen], _covered_weight(matrix, weights, support[used][chosen])
    if bound - best_value <= tolerance:
        return np.sort(best), None
    if left() is not None and left() <= 0:
        return np.sort(best), float(bound)
    # Reduced-cost fixing: a column whose presence (absence) caps every answer below the best known is out (in).
    _, without, with_it = lagrangian_bounds(matrix, weights, best_duals, k)
    fixed_in = np.flatnonzero(without < best_value - tolerance)
    free = np.setdiff1d(np.flatnonzero(with_it >= best_value - tolerance), fixed_in)
    if len(fixed_in) > k:  # cannot happen with exact arithmetic; never trust a fixing that contradicts itself
        fixed_in, free = np.empty(0, dtype=np.int64), np.arange(n_sites)
    open_rows = np.asarray(matrix[:, fixed_in].sum(axis=1)).ravel() == 0
    fixed_value = float(weights[~open_rows].sum())
    sub, sub_weights, used = reduce_demand(matrix[:, free], weights, open_rows)
    rest = k - len(fixed_in)
    if sub.shape[0] == 0 or rest == 0 or rest >= sub.shape[1]:  # nothing left to choose between
        found = np.concatenate([fixed_in, free[used][:rest]]).astype(np.int64)
        mip_bound = None
    else:
        within = {c: i for i, c in enumerate(free[used])}
        first = np.array([within[c] for c in best if c in within], dtype=np.int64)[:rest]
        chosen, mip_bound = solve_covering(sub, sub_weights, first, k=rest, time_limit=left())
        found = np.concatenate([fixed_in, free[used][chosen]]).astype(np.int64)
    if _covered_weight(matrix, weights, found) >= best_value - tolerance:
        best, best_value = found, _covered_weight(matrix, weights, found)
    if mip_bound is None:
        return np.sort(best), None
    return np.sort(best), float(min(bound, max(best_value, fixed_value + mip_bound)))


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
