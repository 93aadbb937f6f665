"""A tighter MCLP bound from unfinished column generation: subgradient steps on the Lagrangian dual.

Why it exists: when a time limit stops column generation before the LP, the bound its duals prove
can be far above the optimum (all of Sapporo from scratch, k = 100, after five rounds in 36 CPU s:
433,463 against the LP's 420,968, a 4.7 % gap to the best answer known).  The Lagrangian bound
(:func:`~geo_welfare.analysis.covering.lagrangian_bounds`) holds for any group duals ``u ≥ 0``, and
each evaluation is one sparse product and a partial sort (5 ms there), so a few hundred
subgradient steps from those duals cost seconds: 433,463 → 422,726 in 300 steps (3 CPU s), 421,952
in 500.  The bound is re-proven from the duals kept, never taken from the steps' arithmetic.

The steps are Polyak's, toward the best answer known (``target``), with the step factor halved
after 20 steps without a better bound (Held, Wolfe & Crowder 1974).  Deterministic for a given
number of steps: no randomness, and a time limit only ends the loop early (then it may differ
between runs, as every time-limited phase of :func:`~geo_welfare.analysis.covering.best_k` may).
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse


def lagrangian_value(transposed: sparse.csr_matrix, weights: np.ndarray, duals: np.ndarray, k: int
                     ) -> tuple[float, np.ndarray]:
    """The Lagrangian bound for ``duals`` (as in ``lagrangian_bounds``) and the ``k`` columns it takes.

    ``transposed`` is the candidates × groups matrix (the covering matrix transposed, row-major,
    so each evaluation is one fast product).
    """
    price = np.maximum(transposed @ duals, 0.0)
    k = min(k, len(price))
    top = np.argpartition(-price, k - 1)[:k] if k > 0 else np.empty(0, dtype=np.int64)
    return float(np.maximum(weights - duals, 0.0).sum() + price[top].sum()), top


def tighten_bound(matrix: sparse.csc_matrix, weights: np.ndarray, duals: np.ndarray, k: int, target: float,
                  steps: int = 500, seconds: float | None = None) -> tuple[float, np.ndarray]:
    """The best Lagrangian bound found from ``duals`` in ``steps`` subgradient steps: (bound, its duals).

    Parameters
    ----------
    matrix : scipy.sparse.csc_matrix
        Groups × candidates, 1 where the candidate reaches the group.
    weights : numpy.ndarray
        Weight per group.
    duals : numpy.ndarray
        Starting duals per group, ≥ 0 (e.g. column generation's last); never made worse.
    k : int
        Number of sites.
    target : float
        The best answer known (a lower bound on the optimum), which the step aims at.
    steps : int, default 500
        Most steps taken.
    seconds : float, optional
        Wall time after which no further step is begun.

    Returns
    -------
    tuple of (float, numpy.ndarray)
        The bound (never above the one ``duals`` prove) and the duals that prove it.
    """
    began = time.perf_counter()
    weights = np.asarray(weights, dtype=float)
    transposed = sparse.csr_matrix(matrix.T)
    u = np.clip(np.asarray(duals, dtype=float), 0.0, weights)  # above its weight a dual only adds to the bound
    best, best_u = lagrangian_value(transposed, weights, np.asarray(duals, dtype=float), k)[0], np.asarray(duals)
    factor, since_better = 1.0, 0
    for _ in range(steps):
        if seconds is not None and time.perf_counter() - began >= seconds:
            break
        value, top = lagrangian_value(transposed, weights, u, k)
        if value < best:
            best, best_u, since_better = value, u.copy(), 0
        else:
            since_better += 1
            if since_better >= 20:
                factor, since_better = factor / 2, 0
        # d/du_g: −1 where the group's own term w_g − u_g is positive, + (how many of the k taken reach g)
        gradient = np.asarray(matrix[:, top].sum(axis=1)).ravel() - (u < weights)
        norm = float(gradient @ gradient)
        if norm == 0 or value <= target:
            break
        u = np.clip(u - factor * (value - target) / norm * gradient, 0.0, weights)
    return best, best_u
