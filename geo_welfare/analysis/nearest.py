"""Nearest places for a client (近くのサロンを探す): by walking time over the streets, with filters.

A coordinator gives a point (the client's home) and what the client needs (a kind of place, a day
and time, barrier-free access, someone to talk to); the answer lists the nearest places that fit,
with walking metres and minutes, the straight-line distance, the route, the schedule in words and
the contact.  The client's location is an argument only: nothing here stores or logs it.

Without a street network the distances are straight lines, and every row says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo_welfare.core.crs import metric_crs
from geo_welfare.network.distance import walking_minutes
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.route import walking_routes
from geo_welfare.network.search import ResourceSearch
from geo_welfare.network.snap import snap_points
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS
from geo_welfare.core.glossary import ANYONE_WORDS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import describe, is_open, occurs_on_weekday, schedule_of

METHOD_NETWORK = "network"
METHOD_STRAIGHT = "straight_line"


@dataclass(frozen=True)
class Needs:
    """What the client needs from a place; ``None`` means it does not matter.

    Attributes
    ----------
    kinds : tuple of str, optional
        Resource kind codes to keep (:data:`geo_welfare.core.glossary.RESOURCE_KINDS`).
    open_at : datetime.datetime, optional
        A moment (local time) at which the place must be open.
    weekday : int, optional
        A day on which the place must be held, 0 = Monday … 6 = Sunday.
    target : str, optional
        Words that must appear in the place's ``target_groups`` text; places that welcome
        anyone (:data:`geo_welfare.core.glossary.ANYONE_WORDS`) also fit.
    barrier_free, consultation : bool, optional
        True keeps only places marked barrier-free, or with someone to talk to; False, like
        None, does not filter.
    include_unknown_schedules : bool, default False
        Keep places whose schedule cannot answer the ``open_at``/``weekday`` question (by
        default only places whose schedule says yes are kept).
    """

    kinds: tuple[str, ...] | None = None
    open_at: datetime.datetime | None = None
    weekday: int | None = None  # 0 = Monday
    target: str | None = None
    barrier_free: bool | None = None
    consultation: bool | None = None
    include_unknown_schedules: bool = False  # places whose schedule cannot answer the day/time question


def matching(resources: gpd.GeoDataFrame, needs: Needs) -> gpd.GeoDataFrame:
    """The resources that fit the client's needs.

    Parameters
    ----------
    resources : geopandas.GeoDataFrame
        Resources as :func:`geo_welfare.store.read.read_resources` gives them (``kind``,
        ``barrier_free``, ``consultation``, ``target_groups`` and the schedule fields).
    needs : Needs
        What the client needs.

    Returns
    -------
    geopandas.GeoDataFrame
        The fitting rows of ``resources``, index and order kept.
    """
    keep = pd.Series(True, index=resources.index)
    if needs.kinds:
        keep &= resources["kind"].isin(needs.kinds)
    if needs.barrier_free:
        keep &= resources["barrier_free"].map(lambda v: v is True or v == 1)
    if needs.consultation:
        keep &= resources["consultation"].map(lambda v: v is True or v == 1)
    if needs.target:
        text = resources["target_groups"].map(lambda v: v if isinstance(v, str) else "")
        keep &= text.map(lambda t: needs.target in t or any(word in t for word in ANYONE_WORDS))
    if needs.open_at is not None or needs.weekday is not None:
        def fits(row: dict) -> bool:
            schedule = schedule_of(row)
            answers = []
            if needs.open_at is not None:
                answers.append(is_open(schedule, needs.open_at))
            if needs.weekday is not None:
                answers.append(occurs_on_weekday(schedule, needs.weekday))
            if any(answer is False for answer in answers):
                return False
            return all(answer is True for answer in answers) or needs.include_unknown_schedules
        keep &= pd.Series([fits(row) for row in resources.to_dict("records")], index=resources.index)
    return resources.loc[keep]


def nearest_resources(resources: gpd.GeoDataFrame, client_lonlat: tuple[float, float], *, k: int = 5,
                      network: WalkingNetwork | None = None, needs: Needs | None = None,
                      speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, lang: str = "ja") -> gpd.GeoDataFrame:
    """The ``k`` nearest resources that fit the client's needs, by walk, with the routes.

    With a network the distance is the walk over the streets
    (:class:`~geo_welfare.network.search.PlaceSearch`); without one it is the straight line, and
    ``method`` says so.  The client's location is only used, never stored or logged.

    Parameters
    ----------
    resources : geopandas.GeoDataFrame
        Points in lon/lat (EPSG:6668) as :func:`geo_welfare.store.read.read_resources` gives
        them (``id``, ``name``, ``kind``, schedule fields; ``phone`` and ``address`` if any).
    client_lonlat : tuple of float
        The client's home (lon, lat), degrees, EPSG:6668.
    k : int, default 5
        How many places, at least 1.
    network : WalkingNetwork, optional
        Streets to walk; None: straight lines in the plane rectangular zone of the client.
    needs : Needs, optional
        Filters (:func:`matching`); None: every resource.
    speed_kmh : float, default 4.0
        Walking speed for ``walking_min``, km/h.
    lang : {"ja", "en"}, default "ja"
        Language of ``kind_label`` and ``schedule``.

    Returns
    -------
    geopandas.GeoDataFrame
        Up to ``k`` rows, nearest first (fewer when fewer fit, or with a network fewer are
        reachable), in EPSG:6668: ``rank`` (from 1), ``id``, ``name``, ``kind``, ``kind_label``,
        ``walking_m`` (metres), ``walking_min`` (minutes), ``straight_m`` (metres), ``method``
        (``"network"`` or ``"straight_line"``), ``schedule`` (in words), ``phone``, ``address``;
        the geometry is the route from the client to the place (a straight line without a network).

    Raises
    ------
    ValueError
        If ``k`` is less than 1.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    candidates = matching(resources, needs or Needs())
    crs = network.crs if network is not None else metric_crs(*client_lonlat)
    to_metric = Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
    to_lonlat = Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)
    client = np.array(to_metric.transform(*client_lonlat))
    resource_xy = np.column_stack(to_metric.transform(candidates.geometry.x.to_numpy(), candidates.geometry.y.to_numpy())) \
        if len(candidates) else np.empty((0, 2))
    straight = np.hypot(*(resource_xy - client).T) if len(resource_xy) else np.empty(0)
    if network is not None and len(resource_xy):
        search = ResourceSearch(network, snap_points(network, resource_xy))
        order, metres = search.nearest(snap_points(network, client[None]), k)
        walking = np.full(len(resource_xy), np.inf)
        walking[order] = metres
        order = order.tolist()
        method = METHOD_NETWORK
    else:
        walking, method = straight.copy(), METHOD_STRAIGHT
        order = [i for i in np.argsort(walking, kind="stable") if np.isfinite(walking[i])][:k]
    if network is not None and order:
        _, routes = walking_routes(network, tuple(client), resource_xy[order])
    else:
        routes = [shapely.LineString([client, resource_xy[i]]) for i in order]
    rows = []
    for rank, (index, route) in enumerate(zip(order, routes), start=1):
        row = candidates.iloc[index].to_dict()
        rows.append({
            "rank": rank, "id": int(row["id"]), "name": row["name"], "kind": row["kind"],
            "kind_label": label(RESOURCE_KINDS, row["kind"], lang),
            "walking_m": round(float(walking[index]), 1),
            "walking_min": round(float(walking_minutes(walking[index], speed_kmh)), 1),
            "straight_m": round(float(straight[index]), 1), "method": method,
            "schedule": describe(schedule_of(row), lang), "phone": row.get("phone"), "address": row.get("address"),
        })
    lonlat_routes = [shapely.transform(route, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
                     for route in routes]
    columns = ["rank", "id", "name", "kind", "kind_label", "walking_m", "walking_min", "straight_m", "method",
               "schedule", "phone", "address"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=lonlat_routes, crs=STORAGE_CRS)
