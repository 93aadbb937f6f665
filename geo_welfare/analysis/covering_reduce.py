"""Making a covering problem small before it is solved: identical demand merged, dominated candidates dropped.

A city's 160,000 resident points reach the candidates in far fewer distinct ways; points reached by
the same set of candidates are one demand group with their weights added (Lv et al. 2025, EJOR), and
a candidate whose reach lies inside another's can be dropped (the other is never worse).  Both are
exact: the reduced problem has the same optimum.  Deterministic: fixed hash keys, stable sorts,
first occurrences (see :mod:`geo_welfare.analysis.covering`).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

_HASH_KEYS_SEED = 20261201  # fixed, so the groups (and HiGHS's model) are the same on every run


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
    matrix, group_weights, columns, _ = merge_rows(rows[reached], weights[reached])
    return matrix, group_weights, columns


def merge_rows(rows: sparse.csr_matrix, weights: np.ndarray
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
