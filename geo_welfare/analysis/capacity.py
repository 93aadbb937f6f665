"""Capacity (planners): places per 1,000 older residents within reach, by two-step floating catchments.

Coverage says whether a resident can walk to a place; it says nothing about room.  A salon that
seats 20 and is the only one within reach of 900 older residents covers all of them yet offers
each very little.  The two-step floating catchment area method (2SFCA, Luo & Wang 2003) shares
each place's capacity among everyone within reach of it (step 1: capacity / older residents
within reach), then gives each resident the sum of those shares over the places within their
reach (step 2).  The enhanced form (E2SFCA, Luo & Qi 2009) weights both steps by a decreasing
function of the walk, so a place next door counts more than one at the edge of the catchment.

Conventions follow PySAL ``access`` (``fca.two_stage_fca``) so results can be checked against it:
pairs with a walk ``<= max_metres`` count, the same weight applies in both steps, distance bands
include their upper bound, and the Gaussian is ``exp(-d² / 2σ²)`` with weight 1 at distance 0.
Differences: ratios are multiplied by 1,000 (``access`` gives per person), a point with no place
within reach gets 0 (``access`` gives NaN), and a place with no weighted demand within reach
shares nothing (``access`` gives ``inf``, which would spread to the points that reach it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.analysis.reach import Reach
from geo_welfare.analysis.spread import unit_of_points

#: Ratios are reported per this many older residents (the planners' "per 1,000 aged 65+").
PER = 1000.0

Weights = Callable[[np.ndarray], np.ndarray]


class UnknownCapacityWarning(UserWarning):
    """Some places have no known capacity and were left out of :func:`two_step_fca`.

    Parameters
    ----------
    count : int
        Places without a known capacity (kept as :attr:`count`).
    total : int
        All places.
    """

    def __init__(self, count: int, total: int):
        self.count = count
        super().__init__(f"{count} of {total} places have no known capacity and were left out")


def distance_bands(bands: Sequence[tuple[float, float, float]]) -> Weights:
    """E2SFCA step weights from distance bands, as ``access.weights.step_fn`` gives them.

    ``[(0, 500, 1.0), (500, 1000, 0.68)]`` is ``access.weights.step_fn({500: 1.0, 1000: 0.68})``:
    a walk of exactly 500 m takes the first band's weight (upper bounds are inclusive) and a walk
    beyond the last band weighs 0.  Bands must start at 0 and follow on without gaps, so the lower
    bounds only guard against typing errors.

    Parameters
    ----------
    bands : sequence of (float, float, float)
        ``(lower, upper, weight)`` per band: bounds in metres, weight 0 or more.

    Returns
    -------
    callable
        Vectorised function from walks (metres, array) to weights (array of the same shape).

    Raises
    ------
    ValueError
        If the bands do not start at 0, leave a gap or overlap, or a weight is negative.
    """
    table = np.asarray(bands, dtype=float).reshape(-1, 3)
    lower, upper, weight = table.T
    if len(table) == 0 or lower[0] != 0 or np.any(lower[1:] != upper[:-1]) or np.any(upper <= lower):
        raise ValueError("distance bands must start at 0 and follow on without gaps or overlaps")
    if np.any(weight < 0):
        raise ValueError("band weights must not be negative")
    padded = np.append(weight, 0.0)
    return lambda metres: padded[np.searchsorted(upper, metres, side="left")]


def gaussian(sigma: float) -> Weights:
    """Gaussian distance decay ``exp(-d² / 2σ²)``, as ``access.weights.gaussian``: weight 1 at 0 m.

    Parameters
    ----------
    sigma : float
        σ, metres.

    Returns
    -------
    callable
        Vectorised function from walks ``d`` (metres, array) to weights, at most 1.

    Raises
    ------
    ValueError
        If ``sigma`` is 0.
    """
    if sigma == 0:
        raise ValueError("sigma must be non-zero")
    return lambda metres: np.exp(-np.square(metres) / (2.0 * sigma**2))


def two_step_fca(reach: Reach, demand: np.ndarray, supply: np.ndarray, max_metres: float,
                 weights: Weights | Sequence[tuple[float, float, float]] | None = None) -> np.ndarray:
    """Supply per 1,000 persons within reach of each demand point (2SFCA, or E2SFCA with ``weights``).

    Step 1 shares each place's capacity among the (weighted) demand within its reach; step 2
    gives each point the sum of the shares of the places within its reach, with the same weight.
    Pairs with a walk ``<= max_metres`` count, as in PySAL ``access``.

    Parameters
    ----------
    reach : Reach
        Demand point–place pairs and the walk between them, metres
        (:func:`~geo_welfare.analysis.reach.reach_table`), cut off at ``max_metres`` or beyond;
        pairs beyond ``max_metres`` are ignored.
    demand : array_like
        Persons per demand point, shape (n_points,), finite and not negative (e.g. the
        ``age_65_plus`` of :func:`~geo_welfare.analysis.spread.spread_population`).
    supply : array_like
        Capacity per place, shape (n_places,), in any unit (seats a session; or 1 each to count
        places).  NaN/None means unknown: such places are left out, with an
        :class:`UnknownCapacityWarning` giving how many.
    max_metres : float
        Catchment, metres of walk.
    weights : callable or sequence of (float, float, float), optional
        None: 2SFCA, every pair within ``max_metres`` weighs 1.  ``(lower, upper, weight)``
        bands in metres (:func:`distance_bands`), or any vectorised function of metres
        (e.g. :func:`gaussian`, or a product of the two): E2SFCA.

    Returns
    -------
    numpy.ndarray
        Shape (n_points,): supply units per 1,000 persons at each point; 0 where no place is
        within reach.  The sum over points of ``value × demand / 1000`` equals the known supply
        of every place with demand within reach.

    Raises
    ------
    ValueError
        If ``demand`` or ``supply`` has the wrong length, ``demand`` is negative or not finite,
        or ``max_metres`` exceeds the cut-off of ``reach``.
    """
    demand = np.asarray(demand, dtype=float)
    supply = np.asarray(supply, dtype=float)
    if demand.shape != (reach.n_points,) or supply.shape != (reach.n_resources,):
        raise ValueError(f"expected {reach.n_points} demand values and {reach.n_resources} supply values, "
                         f"got {demand.shape} and {supply.shape}")
    if not np.all(np.isfinite(demand) & (demand >= 0)):
        raise ValueError("demand must be finite and not negative")
    if max_metres > reach.cutoff:
        raise ValueError(f"the reach table was cut at {reach.cutoff:g} m; it cannot answer {max_metres:g} m")
    known = np.isfinite(supply)
    if not known.all():
        warnings.warn(UnknownCapacityWarning(int((~known).sum()), len(supply)), stacklevel=2)
    within = reach.metres <= max_metres
    point, resource, metres = reach.point[within], reach.resource[within], reach.metres[within]
    if weights is None:
        weight = np.ones(len(metres))
    else:
        weight_of = weights if callable(weights) else distance_bands(weights)
        weight = np.asarray(weight_of(metres), dtype=float)
    # Step 1: each place's known capacity over the (weighted) demand within its reach.
    resource_demand = np.bincount(resource, weights=weight * demand[point], minlength=reach.n_resources)
    share = np.zeros(reach.n_resources)
    np.divide(supply, resource_demand, out=share, where=known & (resource_demand > 0))
    # Step 2: each point sums the shares of the places within its reach, with the same weight.
    return PER * np.bincount(point, weights=weight * share[resource], minlength=reach.n_points)


def capacity_by_area(points: gpd.GeoDataFrame, per_point: np.ndarray, units: gpd.GeoDataFrame | None = None
                     ) -> pd.DataFrame:
    """Supply per 1,000 residents 65+ per small area (or per unit), from :func:`two_step_fca`.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        The resident points the values were computed for, with ``age_65_plus`` (persons) and
        ``area_code`` (used when ``units`` is None).
    per_point : array_like
        The values of :func:`two_step_fca`, shape (n_points,), per 1,000 persons.
    units : geopandas.GeoDataFrame, optional
        Area units with ``code`` and polygons, any declared CRS; None: the points' small areas.

    Returns
    -------
    pandas.DataFrame
        One row per ``code`` (NaN for points in no unit): ``age_65_plus`` (residents),
        ``age_65_plus_in_reach`` (those with some supply within reach, value > 0), ``supply``
        (the part of the places' capacity that falls to these residents: the sum of value ×
        residents / 1000, so the areas' supply adds up to the capacity in use) and ``per_1000``
        (the 65+-weighted mean value, = 1000 × supply / age_65_plus; NaN without residents).

    Raises
    ------
    ValueError
        If ``per_point`` does not give one value per point.
    """
    per_point = np.asarray(per_point, dtype=float)
    if len(per_point) != len(points):
        raise ValueError(f"expected {len(points)} values (one per point), got {len(per_point)}")
    residents = points["age_65_plus"].to_numpy(dtype=float)
    codes = points["area_code"].to_numpy() if units is None else unit_of_points(points, units).to_numpy()
    frame = pd.DataFrame({"code": codes, "age_65_plus": residents,
                          "age_65_plus_in_reach": np.where(per_point > 0, residents, 0.0),
                          "supply": per_point * residents / PER})
    table = frame.groupby("code", dropna=False)[["age_65_plus", "age_65_plus_in_reach", "supply"]].sum()
    table["per_1000"] = PER * table["supply"] / table["age_65_plus"].where(table["age_65_plus"] > 0)
    return table.reset_index()
