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
bound at an optimum, so only the sites need branching.

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
from geo_welfare.errors import GeoWelfareError


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
    the greedy model and for an exact model stopped by its time limit.
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
    ``False``); by default it runs to a proven optimum.
    """
    _check_k(k)
    demand = _prepare(reach, weights, already_covered)
    matrix, group_weights, columns = _merged(demand)
    if k >= len(columns):
        return _result("maximal_covering", demand, columns, optimal=True)
    chosen, optimal = _solve(matrix, group_weights, k=k, time_limit=time_limit)
    return _result("maximal_covering", demand, columns[chosen], optimal=optimal)


def greedy_covering(reach: Reach, weights: np.ndarray, k: int,
                    already_covered: np.ndarray | Reach | None = None) -> Siting:
    """Up to ``k`` candidates, each in turn the one that adds most (ties: the lowest index).

    Fast and simple, but not optimal: it guarantees only 1 − 1/e (63 %) of the best gain, and a
    site that looks best alone can block a better pair.  Arguments as in :func:`maximal_covering`.
    """
    _check_k(k)
    demand = _prepare(reach, weights, already_covered)
    return _result("greedy_covering", demand, np.arange(reach.n_places), optimal=False, limit=k)


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
        return _result("set_covering", demand, np.empty(0, dtype=np.int64), optimal=True)
    matrix, group_weights, columns = _merged(demand)
    reachable = float(group_weights.sum())
    if reachable < need - tolerance:
        raise InfeasibleTarget(
            f"coverage target {target:.1%} is out of reach: existing places cover {before:,.1f} of {total:,.1f} "
            f"({before / total:.1%}) and all {reach.n_places} candidates together add {reachable:,.1f}, at most "
            f"{(before + reachable) / total:.1%}; {total - before - reachable:,.1f} are beyond every candidate")
    chosen, optimal = _solve(matrix, group_weights, need=need - tolerance, time_limit=time_limit)
    best, optimal_cover = _solve(matrix, group_weights, k=len(chosen), time_limit=time_limit)
    return _result("set_covering", demand, columns[best], optimal=optimal and optimal_cover)


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


def _solve(matrix: sparse.csr_matrix, weights: np.ndarray, k: int | None = None, need: float | None = None,
           time_limit: float | None = None) -> tuple[np.ndarray, bool]:
    """Chosen columns of ``matrix`` and whether HiGHS proved them optimal.

    With ``k``: maximise Σ w·y subject to Σ x ≤ k.  With ``need``: minimise Σ x subject to
    Σ w·y ≥ need.  Both with y_g ≤ Σ_j a_gj x_j, x binary, 0 ≤ y ≤ 1.
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
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise InfeasibleTarget("no choice of candidates reaches the coverage target")
    solution = np.asarray(highs.getSolution().col_value)
    if status != highspy.HighsModelStatus.kOptimal and (status != highspy.HighsModelStatus.kTimeLimit
                                                         or len(solution) != n_sites + n_groups):
        raise RuntimeError(f"HiGHS stopped without a solution: {highs.modelStatusToString(status)}")
    return np.flatnonzero(solution[:n_sites] > 0.5), status == highspy.HighsModelStatus.kOptimal


def _result(model: str, demand: _Demand, candidates: np.ndarray, optimal: bool, limit: int | None = None) -> Siting:
    """Order ``candidates`` by what each adds in turn (stopping at ``limit`` or when none adds anyone)."""
    chosen_from = demand.incidence[:, candidates]
    left = np.where(demand.open, demand.weights, 0.0)
    order, added = [], []
    for _ in range(len(candidates) if limit is None else min(limit, len(candidates))):
        gains = chosen_from.T @ left
        best = int(np.argmax(gains)) if len(gains) else -1
        if best < 0 or gains[best] <= 0:
            break
        order.append(best)
        added.append(float(gains[best]))
        left[chosen_from.indices[chosen_from.indptr[best]:chosen_from.indptr[best + 1]]] = 0.0
    order = np.asarray(order, dtype=np.int64)
    sites = np.asarray(candidates, dtype=np.int64)[order]
    per_point = np.asarray(chosen_from[:, order].sum(axis=1)).ravel()
    alone = np.where(demand.open & (per_point == 1), demand.weights, 0.0)
    unique = np.asarray(chosen_from[:, order].T @ alone).ravel()
    covered = demand.already | (per_point > 0)
    return Siting(model, sites, np.asarray(added), unique, covered, demand.before,
                  float(demand.weights[covered].sum()), demand.total, optimal)
