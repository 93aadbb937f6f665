"""Where to put new bases: the candidate sites that bring the most older residents within reach.

Planners ask two questions of one table of who can walk to which candidate (a
:class:`~geo_welfare.analysis.reach.Reach`: 公民館, 集会所, vacant buildings or a grid):

- *With k new places, where do they reach the most people not reached today?*  The maximal
  covering location problem (MCLP): :func:`maximal_covering`, with :func:`greedy_covering` alongside.
- *How few new places bring coverage to 90 %?*  The location set covering problem (LSCP), a
  *partial* set cover below 100 %: :func:`set_covering`.

Existing places are fixed: anyone they already reach counts as covered, so that demand is dropped
before a model is built (spopt's ``predefined_facilities_arr`` would give the same optimum with a
larger model).  Demand weights are the 65+ residents (or another target group's, :mod:`geo_welfare.core.target_groups`) of each street point
(:func:`geo_welfare.analysis.spread.spread_population`).

Both models are solved exactly by HiGHS through ``highspy``'s own API (:mod:`geo_welfare.analysis.covering`):
demand points reached by the same set of candidates are merged (weights summed; points no candidate
reaches drop out; so do candidates that reach no open point), candidates whose reach lies inside
another's are dropped, greedy's answer is improved by swaps, and the MCLP is solved by column
generation on its LP relaxation with reduced-cost fixing (out and in) before any branching.  With
the existing places fixed (the planner's question) this proves the optimum for all of Sapporo
(167,000 resident points, 18,000 grid candidates, k up to 100 at 15 minutes) in seconds; from
scratch (no existing place) k = 50 and 100 are not proven within a minute, and the answer then
says so with its bound (``benchmarks/siting.py``).  None of this changes the optimum.  The
coverage variables are continuous in [0, 1]: with the site choices integral, each takes its bound
at an optimum.  The same input gives the same sites on every run; ties between
equally good answers are broken as :mod:`~geo_welfare.analysis.covering` documents (identical
candidates: the lowest index).  A ``time_limit`` may stop a solve early: ``optimal`` is then False
and ``bound`` says how much better the best could be; such an answer must not be shown as optimal.

The greedy pass (each step takes the site that adds most) is the usual heuristic; it is kept
beside the exact answer because it can be clearly worse (the big middle site that blocks the
better pair, see ``tests/test_siting.py``), and a planner should see by how much.

Results are exposed the same way for every model (:class:`Siting`), as spopt's ``locate`` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from geo_welfare.analysis.covering import InfeasibleTarget, best_k, greedy_choice, reduce_demand, solve_covering
from geo_welfare.analysis.reach import Reach

__all__ = ["InfeasibleTarget", "Siting", "greedy_covering", "maximal_covering", "reached", "set_covering"]


@dataclass(frozen=True)
class Siting:
    """Chosen sites and what they add; the same fields for every model.

    Weights are in the unit of the demand weights given (65+ residents in this project).  Sites
    that would add no one are not returned, so fewer than ``k`` may come back.

    Attributes
    ----------
    model : str
        ``"maximal_covering"``, ``"greedy_covering"`` or ``"set_covering"``.
    sites : numpy.ndarray
        Candidate indices in an add order: the order chosen for the greedy model; for the exact
        models, the order in which adding them one by one gains most at each step (the greedy
        order among the chosen sites).
    added : numpy.ndarray
        ``added[i]`` is the weight ``sites[i]`` adds after those before it (they sum to
        ``after − before``).
    unique : numpy.ndarray
        ``unique[i]`` is the weight only ``sites[i]`` reaches among existing and chosen places
        (what would be lost by leaving it out).
    covered : numpy.ndarray
        Boolean per demand point, shape (n_points,): does any existing or chosen place reach it?
    before, after, total : float
        Weight covered by the existing places alone, covered once the sites are added, and of
        all demand.
    optimal : bool
        False for the greedy model and for an exact model stopped by its time limit.
    bound : float
        The most ``after`` could be with that many sites, as proven by HiGHS, so a planner can
        say how far from the best the answer may be: ``after`` itself when optimal, NaN for
        greedy (and for a stopped set cover that has not proven fewer sites cannot do).
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
        """Weight the new sites add (``after − before``), in the demand weights' unit."""
        return self.after - self.before

    @property
    def share_before(self) -> float:
        """Share (0–1) of all demand covered by existing places alone (NaN when there is no demand)."""
        return self.before / self.total if self.total > 0 else float("nan")

    @property
    def share_after(self) -> float:
        """Share (0–1) of all demand covered once the sites are added (NaN when there is no demand)."""
        return self.after / self.total if self.total > 0 else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """The sites as a table, one row per site in add order.

        Returns
        -------
        pandas.DataFrame
            Columns ``order`` (from 1), ``site`` (candidate index), ``added``, ``covered_after``
            (running total of covered weight, existing places included) and ``unique``.
        """
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
    """Per point: is it within reach of any place in ``reach`` (e.g. the existing places)?

    Parameters
    ----------
    reach : Reach
        Point–place pairs within the walking threshold.

    Returns
    -------
    numpy.ndarray
        Boolean, shape (n_points,).
    """
    return np.bincount(reach.point, minlength=reach.n_points) > 0


def maximal_covering(reach: Reach, weights: np.ndarray, k: int, already_covered: np.ndarray | Reach | None = None,
                     time_limit: float | None = None) -> Siting:
    """The ``k`` candidates that together reach the most demand not already covered (MCLP, exact).

    Solved as an integer programme by HiGHS, starting from the greedy sites, so even a run
    stopped by ``time_limit`` is never worse than :func:`greedy_covering`.

    Parameters
    ----------
    reach : Reach
        Demand point–candidate pairs within the walking threshold (use :meth:`Reach.within` for
        a shorter one).
    weights : array_like
        Demand per point, shape (n_points,), finite and not negative (the 65+ residents).
    k : int
        How many new sites, 0 or more.
    already_covered : numpy.ndarray or Reach, optional
        Boolean per point, or the existing places' own :class:`Reach` over the same points;
        this demand counts as covered and is not sought.  None: nothing is covered yet.
    time_limit : float, optional
        Seconds HiGHS may search before returning its best sites so far (``optimal`` is then
        False, and ``bound`` says how much better the best could be).  None: run to a proven
        optimum.

    Returns
    -------
    Siting
        Model ``"maximal_covering"``; at most ``k`` sites.

    Raises
    ------
    ValueError
        If ``k`` is not a whole number 0 or more, or ``weights`` or ``already_covered`` do not
        fit ``reach``.
    """
    _check_k(k)
    began = time.perf_counter()  # the time limit covers the reductions too, not only HiGHS
    demand = _prepare(reach, weights, already_covered)
    matrix, group_weights, columns = reduce_demand(demand.incidence, demand.weights, demand.open)
    if k >= len(columns):
        return _result("maximal_covering", demand, columns)
    start, _ = greedy_choice(matrix.tocsc(), group_weights, limit=k)
    if time_limit is not None:
        time_limit = max(time_limit - (time.perf_counter() - began), 0.0)
    chosen, bound = best_k(matrix, group_weights, k, start, time_limit=time_limit)
    return _result("maximal_covering", demand, columns[chosen], bound=bound)


def greedy_covering(reach: Reach, weights: np.ndarray, k: int,
                    already_covered: np.ndarray | Reach | None = None) -> Siting:
    """Up to ``k`` candidates, each in turn the one that adds most (ties: the lowest index).

    Fast and simple, but not optimal: it guarantees only 1 − 1/e (63 %) of the best gain, and a
    site that looks best alone can block a better pair; kept beside the exact answer so a
    planner sees by how much.

    Parameters
    ----------
    reach, weights, k, already_covered
        As in :func:`maximal_covering`.

    Returns
    -------
    Siting
        Model ``"greedy_covering"``, with ``optimal`` False and ``bound`` NaN.

    Raises
    ------
    ValueError
        As in :func:`maximal_covering`.
    """
    _check_k(k)
    demand = _prepare(reach, weights, already_covered)
    return _result("greedy_covering", demand, np.arange(reach.n_resources), limit=k)


def set_covering(reach: Reach, weights: np.ndarray, target: float = 1.0,
                 already_covered: np.ndarray | Reach | None = None, time_limit: float | None = None) -> Siting:
    """The fewest candidates that bring coverage (existing places included) to ``target`` of all demand.

    Below 1 this is a partial set cover: at least ``target`` × total weight covered, whoever it
    is.  Among the fewest sites, the ones that cover the most are returned (a second, maximal
    covering solve with that many sites).

    Parameters
    ----------
    reach, weights
        As in :func:`maximal_covering`.
    target : float, default 1.0
        Share of all demand to cover, in (0, 1].
    already_covered
        As in :func:`maximal_covering`.
    time_limit : float, optional
        Seconds for each of the two HiGHS solves; None: run to proven optima.

    Returns
    -------
    Siting
        Model ``"set_covering"``; no sites when existing places already reach ``target``.

    Raises
    ------
    InfeasibleTarget
        If even every candidate together falls short of ``target``.
    ValueError
        If ``target`` is not in (0, 1], or ``weights`` or ``already_covered`` do not fit ``reach``.
    """
    if not 0 < target <= 1:
        raise ValueError(f"the coverage target is a share in (0, 1], got {target!r}")
    demand = _prepare(reach, weights, already_covered)
    total, before = demand.total, demand.before
    tolerance = 1e-9 * max(total, 1.0)
    need = target * total - before
    if need <= tolerance:
        return _result("set_covering", demand, np.empty(0, dtype=np.int64))
    matrix, group_weights, columns = reduce_demand(demand.incidence, demand.weights, demand.open)
    reachable = float(group_weights.sum())
    if reachable < need - tolerance:
        raise InfeasibleTarget("coverage_target_out_of_reach", target=target, before=before, total=total,
                               share=before / total, candidates=reach.n_resources, reachable=reachable,
                               most=(before + reachable) / total, beyond=total - before - reachable)
    start, _ = greedy_choice(matrix.tocsc(), group_weights, need=need - tolerance)
    fewest, at_least = solve_covering(matrix, group_weights, start, need=need - tolerance, time_limit=time_limit)
    best, bound = best_k(matrix, group_weights, len(fewest), fewest, time_limit=time_limit)
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
    incidence = sparse.csc_matrix((np.ones(len(reach.point)), (reach.point, reach.resource)),
                                  shape=(reach.n_points, reach.n_resources))
    incidence.sum_duplicates()
    incidence.data[:] = 1.0
    return _Demand(incidence, weights, already, ~already & (weights > 0))


def _result(model: str, demand: _Demand, candidates: np.ndarray, limit: int | None = None,
            bound: float | None = None) -> Siting:
    """Order ``candidates`` by what each adds in turn (up to ``limit``; none that adds no one).

    ``bound`` is the solver's proven best gain when it stopped short of an optimum (``None``: the
    candidates are optimal, as when every useful one is taken); greedy passes ``limit`` and gets NaN.
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    chosen_from = demand.incidence[:, candidates]
    order, added = greedy_choice(chosen_from, np.where(demand.open, demand.weights, 0.0), limit)
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
