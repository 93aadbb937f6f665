"""Where to put new bases: the candidate sites that bring the most older residents within reach.

Planners ask two questions of one table of who can walk to which candidate (a
:class:`~geo_welfare.analysis.reach.Reach`: 公民館, 集会所, vacant buildings or a grid):

- *With k new places, where do they reach the most people not reached today?*  The maximal
  covering location problem (MCLP): :func:`maximal_covering`, with :func:`greedy_covering` alongside.
- *How few new places bring coverage to 90 %?*  The location set covering problem (LSCP), a
  *partial* set cover below 100 %: :func:`set_covering`.

Existing places are fixed: anyone they already reach counts as covered, so that demand is dropped
before a model is built (spopt's ``predefined_facilities_arr`` would give the same optimum with a
larger model).  Demand weights are the 65+ residents of each street point
(:func:`geo_welfare.analysis.spread.spread_population`).

Both models are solved exactly as integer programmes by HiGHS through ``highspy``'s own API: the
constraint matrix goes in as one sparse block, not as PuLP's per-term Python objects, which is
where most of spopt's time goes on a city-sized instance (``benchmarks/siting.py``).  Before
solving, demand points reached by the same set of candidates are merged (weights summed) and
candidates that reach no one still uncovered are left out; neither changes the optimum.  The
coverage variables are continuous in [0, 1]: with the site choices integral, each takes its
bound at an optimum, so only the sites need branching.  HiGHS starts from the greedy answer.  On
street networks the optimum comes in well under a second to a few seconds (Sapporo: 20,000 points,
1,000 candidates, k = 50 at 1.5 km in about 1.5 s); where candidates overlap heavily (dozens
reaching each point) the root LP alone can take minutes, so callers that must answer promptly pass
``time_limit`` and read ``optimal`` and ``bound``.

The greedy pass (each step takes the site that adds most) is the usual heuristic; it is kept
beside the exact answer because it can be clearly worse (the big middle site that blocks the
better pair, see ``tests/test_siting.py``), and a planner should see by how much.

Results are exposed the same way for every model (:class:`Siting`), as spopt's ``locate`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from geo_welfare.analysis.reach import Reach
from geo_welfare.core.errors import GeoWelfareError


class InfeasibleTarget(GeoWelfareError, ValueError):
    """No choice of candidates reaches the coverage target: too much demand is beyond every candidate."""


@dataclass(frozen=True)
class Siting:
    """Chosen sites and what they add; the same fields for every model.

    ``sites`` are candidate indices in an add order: the order chosen for the greedy model; for
    the exact models, the order in which adding them one by one gains most at each step (the
    greedy order among the chosen sites).  ``added[i]`` is the weight ``sites[i]`` adds after
    those before it (they sum to ``after − before``); ``unique[i]`` is the weight only that site
    reaches among existing and chosen places (what would be lost by leaving it out).  ``covered``
    says, per demand point, whether any existing or chosen place reaches it.  Sites that would add
    no one are not returned, so fewer than ``k`` may come back.  ``optimal`` is ``False`` for
    the greedy model and for an exact model stopped by its time limit; ``bound`` is then the most
    ``after`` could be with that many sites, as proven by HiGHS (NaN for greedy), so a planner
    can say how far from the best the answer may be.
    """

    model: str
    sites: np.ndarray
    added: np.ndarray
    unique: np.ndarray
    covered: np.ndarray
    before: float
    after: float
    total: float
    optimal: bool
    bound: float

    @property
    def gain(self) -> float:
        """Weight the new sites add (``after − before``)."""
        return self.after - self.before

    @property
    def share_before(self) -> float:
        """Share of all demand covered by existing places alone (NaN when there is no demand)."""
        return self.before / self.total if self.total > 0 else float("nan")

    @property
    def share_after(self) -> float:
        """Share of all demand covered once the sites are added (NaN when there is no demand)."""
        return self.after / self.total if self.total > 0 else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """One row per site in add order: ``site``, ``added``, ``covered_after`` (running total), ``unique``."""
        return pd.DataFrame({"order": np.arange(1, len(self.sites) + 1), "site": self.sites, "added": self.added,
                             "covered_after": self.before + np.cumsum(self.added), "unique": self.unique})


@dataclass(frozen=True)
class _Demand:
    """The instance after the existing places: who each candidate reaches, and who is still open."""

    incidence: sparse.csc_matrix  # points × candidates, 1 where the candidate reaches the point
    weights: np.ndarray
    already: np.ndarray
    open: np.ndarray  # positive weight and not reached by an existing place

    @property
    def total(self) -> float:
        return float(self.weights.sum())

    @property
    def before(self) -> float:
        return float(self.weights[self.already].sum())


def reached(reach: Reach) -> np.ndarray:
    """Per point: is it within reach of any place in ``reach`` (e.g. the existing places)?"""
    return np.bincount(reach.point, minlength=reach.n_points) > 0


def maximal_covering(reach: Reach, weights: np.ndarray, k: int, already_covered: np.ndarray | Reach | None = None,
                     time_limit: float | None = None) -> Siting:
    """The ``k`` candidates that together reach the most demand not already covered (exact, HiGHS).

    ``reach`` pairs demand points with the candidates within the walking threshold (use
    ``Reach.within`` for a shorter one); ``weights`` are the 65+ residents of each point;
    ``already_covered`` is a boolean per point, or the existing places' own ``Reach`` over the same
    points.  ``time_limit`` (seconds) stops HiGHS with its best sites so far (``optimal`` is then
    ``False``, and ``bound`` says how much better the best could be); by default it runs to a
    proven optimum.  HiGHS starts from the greedy sites, so even a stopped run is never worse.
    """
    _check_k(k)
    demand = _prepare(reach, weights, already_covered)
    matrix, group_weights, columns = _merged(demand)
    if k >= len(columns):
        return _result("maximal_covering", demand, columns)
    start, _ = _greedy(matrix.tocsc(), group_weights, limit=k)
    chosen, bound = _solve(matrix, group_weights, start, k=k, time_limit=time_limit)
    return _result("maximal_covering", demand, columns[chosen], bound=bound)


def greedy_covering(reach: Reach, weights: np.ndarray, k: int,
                    already_covered: np.ndarray | Reach | None = None) -> Siting:
    """Up to ``k`` candidates, each in turn the one that adds most (ties: the lowest index).

    Fast and simple, but not optimal: it guarantees only 1 − 1/e (63 %) of the best gain, and a
    site that looks best alone can block a better pair.  Arguments as in :func:`maximal_covering`.
    """
    _check_k(k)
    demand = _prepare(reach, weights, already_covered)
    return _result("greedy_covering", demand, np.arange(reach.n_places), limit=k)


def set_covering(reach: Reach, weights: np.ndarray, target: float = 1.0,
                 already_covered: np.ndarray | Reach | None = None, time_limit: float | None = None) -> Siting:
    """The fewest candidates that bring coverage (existing places included) to ``target`` of all demand.

    ``target`` is a share in (0, 1]; below 1 this is a partial set cover: at least ``target`` ×
    total weight covered, whoever it is.  Among the fewest sites, the ones that cover the most are
    returned (a second, maximal covering solve with that many sites).  Raises
    :class:`InfeasibleTarget` when even every candidate together falls short.  Other arguments
    as in :func:`maximal_covering`.
    """
    if not 0 < target <= 1:
        raise ValueError(f"the coverage target is a share in (0, 1], got {target!r}")
    demand = _prepare(reach, weights, already_covered)
    total, before = demand.total, demand.before
    tolerance = 1e-9 * max(total, 1.0)
    need = target * total - before
    if need <= tolerance:
        return _result("set_covering", demand, np.empty(0, dtype=np.int64))
    matrix, group_weights, columns = _merged(demand)
    reachable = float(group_weights.sum())
    if reachable < need - tolerance:
        raise InfeasibleTarget(
            f"coverage target {target:.1%} is out of reach: existing places cover {before:,.1f} of {total:,.1f} "
            f"({before / total:.1%}) and all {reach.n_places} candidates together add {reachable:,.1f}, at most "
            f"{(before + reachable) / total:.1%}; {total - before - reachable:,.1f} are beyond every candidate")
    start, _ = _greedy(matrix.tocsc(), group_weights, need=need - tolerance)
    fewest, at_least = _solve(matrix, group_weights, start, need=need - tolerance, time_limit=time_limit)
    best, bound = _solve(matrix, group_weights, fewest, k=len(fewest), time_limit=time_limit)
    if at_least is not None and np.ceil(at_least - 1e-6) < len(fewest):
        bound = np.nan  # fewer sites might do: no bound on coverage can be given for this count
    return _result("set_covering", demand, columns[best], bound=bound)


def _check_k(k: int) -> None:
    if int(k) != k or k < 0:
        raise ValueError(f"k is a number of sites (0 or more), got {k!r}")


def _prepare(reach: Reach, weights: np.ndarray, already_covered: np.ndarray | Reach | None) -> _Demand:
    """Validate the inputs and build the point × candidate incidence matrix (duplicates merged)."""
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (reach.n_points,):
        raise ValueError(f"weights must give one value per demand point ({reach.n_points}), got shape {weights.shape}")
    if not np.all(np.isfinite(weights)) or (weights < 0).any():
        raise ValueError("weights must be finite and not negative")
    if already_covered is None:
        already = np.zeros(reach.n_points, dtype=bool)
    elif isinstance(already_covered, Reach):
        if already_covered.n_points != reach.n_points:
            raise ValueError("the existing places' reach must be over the same demand points")
        already = reached(already_covered)
    else:
        already = np.asarray(already_covered, dtype=bool)
        if already.shape != (reach.n_points,):
            raise ValueError(f"already_covered must give one value per demand point ({reach.n_points})")
    incidence = sparse.csc_matrix((np.ones(len(reach.point)), (reach.point, reach.place)),
                                  shape=(reach.n_points, reach.n_places))
    incidence.sum_duplicates()
    incidence.data[:] = 1.0
    return _Demand(incidence, weights, already, ~already & (weights > 0))


def _merged(demand: _Demand) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Open demand grouped by identical candidate sets: (groups × used candidates, weights, candidate ids).

    Points no candidate reaches are left out (no choice changes them); so are candidates that
    reach no open point.
    """
    rows = demand.incidence.tocsr()[np.flatnonzero(demand.open)]
    weights = demand.weights[demand.open]
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


def _solve(matrix: sparse.csr_matrix, weights: np.ndarray, start: np.ndarray, k: int | None = None,
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
        raise InfeasibleTarget("no choice of candidates reaches the coverage target")
    if highs.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        raise RuntimeError(f"HiGHS stopped without a solution: {highs.modelStatusToString(status)}")
    chosen = np.flatnonzero(np.asarray(highs.getSolution().col_value)[:n_sites] > 0.5)
    if status == highspy.HighsModelStatus.kOptimal:
        return chosen, None
    return chosen, float(highs.getInfo().mip_dual_bound)


def _greedy(incidence: sparse.csc_matrix, weights: np.ndarray, limit: int | None = None,
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


def _result(model: str, demand: _Demand, candidates: np.ndarray, limit: int | None = None,
            bound: float | None = None) -> Siting:
    """Order ``candidates`` by what each adds in turn (up to ``limit``; none that adds no one).

    ``bound`` is the solver's proven best gain when it stopped short of an optimum (``None``: the
    candidates are optimal, as when every useful one is taken); greedy passes ``limit`` and gets NaN.
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    chosen_from = demand.incidence[:, candidates]
    order, added = _greedy(chosen_from, np.where(demand.open, demand.weights, 0.0), limit)
    sites = candidates[order]
    per_point = np.asarray(chosen_from[:, order].sum(axis=1)).ravel()
    alone = np.where(demand.open & (per_point == 1), demand.weights, 0.0)
    unique = np.asarray(chosen_from[:, order].T @ alone).ravel()
    covered = demand.already | (per_point > 0)
    after = float(demand.weights[covered].sum())
    if limit is not None:
        best = np.nan
    elif bound is None:
        best = after
    else:
        best = min(demand.before + bound, demand.total) if np.isfinite(bound) else np.nan
    optimal = limit is None and bound is None
    return Siting(model, sites, added, unique, covered, demand.before, after, demand.total, optimal, best)
