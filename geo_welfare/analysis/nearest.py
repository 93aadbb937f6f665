"""Nearest places for a client (近くのサロンを探す): by walking time over the streets, with filters.

A coordinator gives a point (the client's home) and what the client needs (a kind of place, a day
and time, barrier-free access, someone to talk to); the answer lists the nearest places that fit,
with walking metres and minutes, the straight-line distance, the route, the schedule in words and
the contact.  The client's location is an argument only: nothing here stores or logs it.

Without a street network the distances are straight lines, and every row says so.

Many coordinators ask of the same places: :func:`prepare_places` reads, projects and snaps a store's
places once (:class:`Places`, kept by the web per store revision), and :func:`nearest_places` answers
each question from them, walking only as far as the k-th nearest fitting place (the search) and then
as far as the farthest of those (the routes).  :func:`nearest_resources` is the same answer as a frame,
preparing the places it is given on the way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo_welfare.core.crs import metric_crs
from geo_welfare.network.distance import walking_minutes
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.route import walking_routes
from geo_welfare.network.search import ResourceSearch
from geo_welfare.network.snap import Snapped, snap_points
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS
from geo_welfare.core.consultation_fields import stored_fields
from geo_welfare.core.glossary import ANYONE_WORDS, RESOURCE_KINDS, label
from geo_welfare.layers.schedules import describe, is_open, occurs_on_weekday, open_at_time, schedule_of
from geo_welfare.layers.schedules.model import ParsedSchedule

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
    time_of_day : datetime.time, optional
        A time of day at which the place must be held (on ``weekday`` when given, else on some
        day; :func:`geo_welfare.layers.schedules.open_at_time`), as the coordinator's page asks.
    target : str, optional
        Words that must appear in the place's ``target_groups`` text; places that welcome
        anyone (:data:`geo_welfare.core.glossary.ANYONE_WORDS`) also fit.
    barrier_free, consultation : bool, optional
        True keeps only places marked barrier-free, or with someone to talk to; False, like
        None, does not filter.
    consults : tuple of str, optional
        Consultation fields (:data:`geo_welfare.core.glossary.CONSULTATION_FIELDS` ids) the place
        must take, every one of them.
    include_unknown_schedules : bool, default False
        Keep places whose schedule cannot answer the ``open_at``/``weekday`` question (by
        default only places whose schedule says yes are kept).
    """

    kinds: tuple[str, ...] | None = None
    open_at: datetime.datetime | None = None
    weekday: int | None = None  # 0 = Monday
    time_of_day: datetime.time | None = None
    target: str | None = None
    barrier_free: bool | None = None
    consultation: bool | None = None
    consults: tuple[str, ...] | None = None
    include_unknown_schedules: bool = False  # places whose schedule cannot answer the day/time question


def _yes(value: object) -> bool:
    return value is True or value == 1


def _fits(record: dict, schedule: ParsedSchedule, needs: Needs) -> bool:
    """Whether one place (its stored row and its parsed schedule) fits the client's needs."""
    if needs.kinds and record.get("kind") not in needs.kinds:
        return False
    if (needs.barrier_free and not _yes(record.get("barrier_free"))) or \
            (needs.consultation and not _yes(record.get("consultation"))):
        return False
    if needs.consults and not set(needs.consults) <= set(stored_fields(record.get("consultation_fields"))):
        return False
    if needs.target:
        text = record.get("target_groups")
        text = text if isinstance(text, str) else ""
        if needs.target not in text and not any(word in text for word in ANYONE_WORDS):
            return False
    answers = []
    if needs.open_at is not None:
        answers.append(is_open(schedule, needs.open_at))
    if needs.weekday is not None:
        answers.append(occurs_on_weekday(schedule, needs.weekday))
    if any(answer is False for answer in answers):
        return False
    if answers and not (all(answer is True for answer in answers) or needs.include_unknown_schedules):
        return False
    if needs.time_of_day is not None:
        held = open_at_time(schedule, needs.time_of_day, needs.weekday)
        return held is True or (held is None and needs.include_unknown_schedules)
    return True


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
    records = resources.to_dict("records")
    keep = [_fits(record, schedule_of(record), needs) for record in records]
    return resources.loc[np.asarray(keep, dtype=bool)] if records else resources


def _transformer(source: CRS | str, target: CRS | str) -> Transformer:
    """One transformer per pair of CRSs, made once: making one costs more than a request's search.

    Keyed by the CRSs' own definitions (``srs``, a text already at hand: hashing a CRS writes its WKT
    each time); pyproj ≥ 3.1 gives each thread its own PROJ object, so a transformer is shared safely.
    """
    return _transformer_of(CRS.from_user_input(source).srs, CRS.from_user_input(target).srs)


@lru_cache(maxsize=16)
def _transformer_of(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


@dataclass(frozen=True, eq=False)
class Places:
    """A set of places made ready for many nearest-place questions: read once, projected and snapped once.

    Built by :func:`prepare_places`.  Shared between threads (the searches keep no state of their
    own), never changed after it is built; it holds no client's location.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The places as given, in lon/lat (EPSG:6668).
    records : tuple of dict
        Each place's row (``frame.to_dict("records")``), in the frame's order.
    schedules : tuple of ParsedSchedule
        Each place's parsed schedule, in the same order.
    network : WalkingNetwork or None
        The streets they are snapped to; None: straight lines.
    xy : numpy.ndarray or None
        Coordinates in the network's CRS, shape (n, 2), metres; None without a network.
    snapped : Snapped or None
        Where each meets the streets; None without a network.
    search : ResourceSearch or None
        The k-nearest search over them; None without a network (or without places).
    """

    frame: gpd.GeoDataFrame
    records: tuple[dict, ...]
    schedules: tuple[ParsedSchedule, ...]
    network: WalkingNetwork | None
    xy: np.ndarray | None
    snapped: Snapped | None
    search: ResourceSearch | None

    def __len__(self) -> int:
        return len(self.records)

    def fitting(self, needs: Needs) -> np.ndarray:
        """Boolean mask, shape (n,): the places that fit ``needs`` (as :func:`matching` keeps them).

        The kinds are looked at first; only the places of those kinds are asked the rest, and only when
        the rest asks anything.
        """
        count = len(self.records)
        mask = np.fromiter((record.get("kind") in needs.kinds for record in self.records), dtype=bool, count=count) \
            if needs.kinds else np.ones(count, dtype=bool)
        if replace(needs, kinds=None) != Needs(include_unknown_schedules=needs.include_unknown_schedules):
            for index in np.flatnonzero(mask):
                mask[index] = _fits(self.records[index], self.schedules[index], needs)
        return mask


def prepare_places(resources: gpd.GeoDataFrame, network: WalkingNetwork | None = None) -> Places:
    """Places made ready for :func:`nearest_places`: rows and schedules read out, projected and snapped once.

    Parameters
    ----------
    resources : geopandas.GeoDataFrame
        Points in lon/lat (EPSG:6668) as :func:`geo_welfare.store.read.read_resources` gives them.
    network : WalkingNetwork, optional
        Streets to snap them to; None: the answers will be straight lines.

    Returns
    -------
    Places
        Ready for any number of questions, from any thread.
    """
    records = tuple(resources.to_dict("records"))
    schedules = tuple(schedule_of(record) for record in records)
    xy = snapped = search = None
    if network is not None:
        to_metric = _transformer(STORAGE_CRS, network.crs)
        xy = np.column_stack(to_metric.transform(resources.geometry.x.to_numpy(), resources.geometry.y.to_numpy())) \
            if len(records) else np.empty((0, 2))
        snapped = snap_points(network, xy)
        search = ResourceSearch(network, snapped) if len(records) else None
    return Places(resources, records, schedules, network, xy, snapped, search)


@dataclass(frozen=True)
class Found:
    """One place of an answer: the listed columns, the route to draw and the place's stored row.

    Attributes
    ----------
    row : dict
        ``rank`` … ``address``, the columns :func:`nearest_resources` returns.
    route : shapely.LineString
        From the client to the place, lon/lat (EPSG:6668): over the streets, or straight.
    place : dict
        The place's row as read from the store (:attr:`Places.records`).
    """

    row: dict
    route: shapely.LineString
    place: dict


def _subset(snapped: Snapped, order: list[int]) -> Snapped:
    return Snapped(snapped.edge[order], snapped.along[order], snapped.offset[order])


def nearest_places(places: Places, client_lonlat: tuple[float, float], *, k: int = 5, needs: Needs | None = None,
                   speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, lang: str = "ja") -> list[Found]:
    """The ``k`` nearest of prepared places that fit the client's needs, by walk, with the routes.

    The search from the client's street stops once the k-th nearest fitting place is settled
    (:class:`~geo_welfare.network.search.ResourceSearch`), and the routes are walked only as far as
    the farthest of those (:func:`~geo_welfare.network.route.walking_routes` with a cutoff): the
    streets beyond are never touched.  The location is only used, never stored or logged.

    Parameters
    ----------
    places : Places
        From :func:`prepare_places` (with the network to walk, or none for straight lines).
    client_lonlat : tuple of float
        The client's home (lon, lat), degrees, EPSG:6668.
    k : int, default 5
        How many places, at least 1.
    needs : Needs, optional
        Filters (:func:`matching`); None: every place.
    speed_kmh : float, default 4.0
        Walking speed for ``walking_min``, km/h.
    lang : {"ja", "en"}, default "ja"
        Language of ``kind_label`` and ``schedule``.

    Returns
    -------
    list of Found
        Up to ``k``, nearest first (see :func:`nearest_resources` for the columns).

    Raises
    ------
    ValueError
        If ``k`` is less than 1.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    network = places.network
    eligible = places.fitting(needs or Needs())
    crs = network.crs if network is not None else metric_crs(*client_lonlat)
    to_metric, to_lonlat = _transformer(STORAGE_CRS, crs), _transformer(crs, STORAGE_CRS)
    client = np.array(to_metric.transform(*client_lonlat))
    if network is not None and places.search is not None and eligible.any():
        origin = snap_points(network, client[None])
        found, metres = places.search.nearest(origin, k, eligible=eligible)
        order, walking, method = found.tolist(), dict(zip(found.tolist(), metres.tolist())), METHOD_NETWORK
        xy = places.xy[order]
        _, routes = walking_routes(network, tuple(client), xy, origin=origin,
                                   destinations=_subset(places.snapped, order),
                                   cutoff=float(metres.max()) if len(order) else None)
        straight = np.hypot(*(xy - client).T) if order else np.empty(0)
    else:
        frame = places.frame
        candidates = np.flatnonzero(eligible)
        xy = np.column_stack(to_metric.transform(frame.geometry.x.to_numpy()[candidates],
                                                 frame.geometry.y.to_numpy()[candidates])) \
            if len(candidates) else np.empty((0, 2))
        distance = np.hypot(*(xy - client).T) if len(xy) else np.empty(0)
        chosen = [i for i in np.argsort(distance, kind="stable") if np.isfinite(distance[i])][:k]
        order, method = [int(candidates[i]) for i in chosen], METHOD_STRAIGHT
        straight = distance[chosen]
        walking = dict(zip(order, straight.tolist()))
        routes = [shapely.LineString([client, xy[i]]) for i in chosen]
    routes = shapely.transform(np.asarray(routes, dtype=object),  # every route's points in one call
                               lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1]))) if order else []
    answer = []
    for rank, (index, route, line) in enumerate(zip(order, routes, straight.tolist()), start=1):
        row = places.records[index]
        walk = walking[index]
        answer.append(Found({
            "rank": rank, "id": int(row["id"]), "name": row["name"], "kind": row["kind"],
            "kind_label": label(RESOURCE_KINDS, row["kind"], lang),
            "walking_m": round(float(walk), 1), "walking_min": round(float(walking_minutes(walk, speed_kmh)), 1),
            "straight_m": round(float(line), 1), "method": method,
            "schedule": describe(places.schedules[index], lang), "phone": row.get("phone"),
            "address": row.get("address"),
        }, route, row))
    return answer


#: The columns of :func:`nearest_resources`, in order.
COLUMNS = ["rank", "id", "name", "kind", "kind_label", "walking_m", "walking_min", "straight_m", "method",
           "schedule", "phone", "address"]


def nearest_resources(resources: gpd.GeoDataFrame, client_lonlat: tuple[float, float], *, k: int = 5,
                      network: WalkingNetwork | None = None, needs: Needs | None = None,
                      speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, lang: str = "ja") -> gpd.GeoDataFrame:
    """The ``k`` nearest resources that fit the client's needs, by walk, with the routes.

    With a network the distance is the walk over the streets
    (:class:`~geo_welfare.network.search.ResourceSearch`); without one it is the straight line, and
    ``method`` says so.  The client's location is only used, never stored or logged.  For many
    questions of the same places, prepare them once (:func:`prepare_places`) and ask
    :func:`nearest_places`: this prepares ``resources`` on every call.

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
    found = nearest_places(prepare_places(resources, network), client_lonlat, k=k, needs=needs, speed_kmh=speed_kmh,
                           lang=lang)
    return gpd.GeoDataFrame(pd.DataFrame([item.row for item in found], columns=COLUMNS),
                            geometry=[item.route for item in found], crs=STORAGE_CRS)
