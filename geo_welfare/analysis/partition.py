"""Cutting a study into self-contained parts, one per municipality or ward, each with a margin across its border.

A prefecture runs the same analysis for every municipality (北海道 has 179); a batch
(:mod:`geo_welfare.analysis.batch`) sends each one to a worker as a :class:`Part` that holds
everything its answer needs and nothing else, so a worker never reads the store or the whole
network.  The rule, chosen so that every figure is the whole study's figure:

* **Residents** are those of the part's small areas (code prefix = the municipality code, five
  digits), spread along the streets together with the small areas touching them, so a street point
  on a border belongs to the small area it belongs to in the whole study
  (:class:`~geo_welfare.analysis.within.Within`).
* **Places** are those within the margin (straight line) of the part's area, and **streets** every
  edge within the margin of it, plus the edge each kept place snaps to on the whole network (so a
  place near the margin stands on the same street as in the whole study).  Edges are kept whole and
  in their order: the streets are split exactly as in the whole network, and the residents come out
  in the same order.
* **The margin** is the walk plus a safety distance (:data:`SAFETY_METRES`), plus the streets'
  buffer for land (gaps).  A walk over streets is never shorter than the straight line, so every walk
  of at most the limit from a resident of the part runs on kept streets to a kept place: a walk
  within the limit is found with the same length, one beyond it stays beyond it.
* **Units** other than small areas: a table (coverage) sums each part's residents by every unit
  near the part, in the whole study's order, and the batch adds up the rows of a unit that straddles
  a border.  Land cut into units (gaps) gives each unit to the one part that holds most of its area
  (:func:`cut` with ``whole_units``); that part then holds the residents of every small area the
  unit overlaps (or comes within :data:`UNIT_TOLERANCE_METRES` of), and reports only its own units'
  pieces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo_welfare.analysis.service_areas import BUFFER_METRES
from geo_welfare.analysis.study import Study
from geo_welfare.analysis.within import MUNICIPALITY, Within
from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.network.snap import edge_tree, snap_points
from geo_welfare.store.read import MUNICIPALITY_CODE_DIGITS

#: Metres added to every margin beyond the walk (and the buffer): room for a block hole ringed by reached
#: streets across the border (filled when under 50,000 m², a disc of 126 m radius) and for rounding.
SAFETY_METRES = 500.0
#: Units within this many metres of a part's residents may hold them (the tolerance of ``unit_of_points``).
UNIT_TOLERANCE_METRES = 2.0


def margin_for(metres: float, *, land: bool = False, safety: float = SAFETY_METRES) -> float:
    """The margin (metres) a part needs for walks of up to ``metres``: the walk, the buffer for land, the safety.

    Parameters
    ----------
    metres : float
        The longest walk asked, metres.
    land : bool, default False
        The answer is land (gaps): the streets' buffer must fit in the margin too.
    safety : float, default 500
        Metres beyond that (:data:`SAFETY_METRES`).

    Returns
    -------
    float
        Metres around the part's area within which streets and places are kept.
    """
    return float(metres) + (BUFFER_METRES if land else 0.0) + float(safety)


@dataclass
class Part:
    """One self-contained piece of a batch: a municipality's study with its margin, and its units.

    Attributes
    ----------
    code, name : str
        The municipality (or ward) code and name.
    study : Study
        Its residents, the places within the margin, the streets within the margin.
    units : geopandas.GeoDataFrame or None
        The units near the part, in the whole study's order, lon/lat; None: small areas.
    owned : list of str or None
        The codes of the units whose land this part reports (``whole_units``); None: all its rows.
    candidates : geopandas.GeoDataFrame or None
        Candidate sites standing in the part's area (lon/lat), for a plan.
    """

    code: str
    name: str
    study: Study
    units: gpd.GeoDataFrame | None = None
    owned: list[str] | None = None
    candidates: gpd.GeoDataFrame | None = None

    def __getstate__(self) -> dict:
        """What a worker receives: the streets as arrays and WKB (pickling each LineString is 20× slower)."""
        state = dict(self.__dict__)
        network = self.study.network
        state["study"] = replace(self.study, network=None)
        state["study"].__dict__["crs"] = self.study.crs  # the whole study's zone, not one fitted to the part
        state["streets"] = None if network is None else (
            network.crs.to_wkt(), network.node_xy, network.edge_u, network.edge_v, network.edge_length,
            shapely.to_wkb(network.edge_geometry))
        return state

    def __setstate__(self, state: dict) -> None:
        """Rebuild the part's street network from its arrays."""
        streets = state.pop("streets")
        self.__dict__.update(state)
        if streets is not None:
            crs, node_xy, edge_u, edge_v, edge_length, wkb = streets
            self.study.network = WalkingNetwork(CRS.from_wkt(crs), node_xy, edge_u, edge_v, edge_length,
                                                shapely.from_wkb(wkb))


def municipality_codes(small_areas: gpd.GeoDataFrame) -> list[str]:
    """The municipality (or ward) codes the small areas' codes begin with, sorted.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        Census small areas with ``code``.

    Returns
    -------
    list of str
        Five-digit codes, such as ``01101`` … ``01110`` for Sapporo's wards.
    """
    return sorted(set(small_areas["code"].astype(str).str[:MUNICIPALITY_CODE_DIGITS]))


def quiet(_stage: str) -> None:
    """A part's progress: silent (a worker has no terminal; the batch reports each finished part)."""


def crop_network(network: WalkingNetwork, area: shapely.Geometry, margin: float,
                 extra_edges: np.ndarray | None = None) -> WalkingNetwork:
    """The edges within ``margin`` metres of ``area`` (and ``extra_edges``), whole and in their order, as a network.

    Parameters
    ----------
    network : WalkingNetwork
        The whole network.
    area : shapely.Geometry
        The part's area in the network's CRS.
    margin : float
        Metres.
    extra_edges : numpy.ndarray, optional
        Edge indices to keep whatever their distance (the places' streets).

    Returns
    -------
    WalkingNetwork
        The kept edges, renumbered in their order, with their nodes (also in their order).
    """
    keep = np.zeros(network.edge_count, dtype=bool)
    keep[edge_tree(network).query(area, predicate="dwithin", distance=margin)] = True
    if extra_edges is not None:
        keep[extra_edges[extra_edges >= 0]] = True
    edges = np.flatnonzero(keep)
    nodes, inverse = np.unique(np.concatenate([network.edge_u[edges], network.edge_v[edges]]), return_inverse=True)
    inverse = inverse.ravel()
    return WalkingNetwork(network.crs, network.node_xy[nodes], inverse[: len(edges)], inverse[len(edges):],
                          network.edge_length[edges], network.edge_geometry[edges])


def _touching(small_areas: gpd.GeoDataFrame, kept: np.ndarray) -> gpd.GeoDataFrame:
    """The kept small areas and every small area meeting one, in the stored order (who owns a border point)."""
    geometry = np.asarray(small_areas.geometry.values, dtype=object)
    _, neighbours = shapely.STRtree(geometry).query(geometry[kept], predicate="intersects")
    chosen = kept.copy()
    chosen[neighbours] = True
    return small_areas[chosen]


def _owners(units: gpd.GeoDataFrame, metric_areas: np.ndarray, prefix: np.ndarray, codes: Sequence[str],
            crs) -> np.ndarray:
    """For each unit, the index into ``codes`` of the municipality holding most of its area (−1: none)."""
    wards = [shapely.union_all(metric_areas[prefix == code]) for code in codes]
    geometry = np.asarray(units.to_crs(crs).geometry.values, dtype=object)
    shared = np.column_stack([shapely.area(shapely.intersection(geometry, ward)) for ward in wards])
    return np.where(shared.max(axis=1) > 0, shared.argmax(axis=1), -1)


def _near(frame: gpd.GeoDataFrame, area: shapely.Geometry, crs, metres: float) -> np.ndarray:
    """Which rows of ``frame`` (any declared CRS) lie within ``metres`` of ``area`` (in the metric ``crs``)."""
    if not len(frame):
        return np.zeros(0, dtype=bool)
    return shapely.dwithin(area, np.asarray(frame.to_crs(crs).geometry.values, dtype=object), metres)


def cut(study: Study, *, margin_metres: float, codes: Sequence[str] | None = None,
        units: gpd.GeoDataFrame | None = None, whole_units: bool = False,
        candidates: gpd.GeoDataFrame | None = None, names: Mapping[str, str] | None = None) -> list[Part]:
    """One self-contained :class:`Part` per municipality of ``study`` (the module's rule).

    Parameters
    ----------
    study : Study
        The whole study (every municipality's small areas, all places, the whole network).
    margin_metres : float
        Streets and places within this many metres of a part's area are kept (:func:`margin_for`).
    codes : sequence of str, optional
        The municipalities to cut (five-digit codes); None: every one (:func:`municipality_codes`).
    units : geopandas.GeoDataFrame, optional
        Area units (``code``, ``name``, polygons) the answer is given by; None: small areas.
    whole_units : bool, default False
        Give each unit to one part (the one holding most of its area), with the residents of every
        small area it overlaps: for land cut into units (gaps).
    candidates : geopandas.GeoDataFrame, optional
        Candidate sites; each part keeps those standing in its own small areas.
    names : mapping of str to str, optional
        Each municipality's name (:func:`geo_welfare.store.read.within_choices`); default none.

    Returns
    -------
    list of Part
        In the order of ``codes``.
    """
    small_areas = study.small_areas
    codes = list(codes) if codes is not None else municipality_codes(small_areas)
    prefix = small_areas["code"].astype(str).str[:MUNICIPALITY_CODE_DIGITS].to_numpy()
    network, crs = study.network, study.crs
    metric_areas = np.asarray(small_areas.to_crs(crs).geometry.values, dtype=object)
    resources_xy = study.xy(study.resources)
    place_edges = snap_points(network, resources_xy).edge if network is not None and len(resources_xy) else None
    candidate_edges = None
    if candidates is not None and network is not None and len(candidates):
        candidate_edges = snap_points(network, study.xy(candidates)).edge
    owners = None
    if units is not None and whole_units:  # small areas as units belong to their own municipality, by code
        owners = (np.array([codes.index(c) if c in codes else -1 for c in prefix]) if units is small_areas
                  else _owners(units, metric_areas, prefix, codes, crs))
    territory = prefix_of_points(candidates, small_areas) if candidates is not None else None
    names = dict(names or {})
    parts = []
    for index, code in enumerate(codes):
        kept = prefix == code
        owned = None
        if owners is not None:
            mine = units[owners == index]
            owned = list(mine["code"])
            if len(mine):
                unit_area = shapely.union_all(np.asarray(mine.to_crs(crs).geometry.values, dtype=object))
                # Every small area a resident of these units may come from, those along their edge too:
                # a point just outside every unit joins the nearest one (``unit_of_points``' tolerance).
                kept = kept | shapely.dwithin(unit_area, metric_areas, UNIT_TOLERANCE_METRES)
        area_metric = shapely.union_all(metric_areas[kept])
        if owned:
            area_metric = shapely.union_all([area_metric, unit_area])
        area = gpd.GeoSeries([area_metric], crs=crs).to_crs(STORAGE_CRS).iloc[0]
        near = _near(study.resources, area_metric, crs, margin_metres)
        extra = [edges[mask] for edges, mask in ((place_edges, near),) if edges is not None]
        part_candidates = None
        if candidates is not None:
            inside = territory == code
            part_candidates = candidates[inside].reset_index(drop=True)
            if candidate_edges is not None:
                extra.append(candidate_edges[inside])
        part_network = None if network is None else crop_network(
            network, area_metric, margin_metres, np.concatenate(extra) if extra else None)
        kept_areas = small_areas[kept].reset_index(drop=True)
        within = Within(code, str(names.get(code, "")), MUNICIPALITY, area, kept_areas,
                        _touching(small_areas, kept).reset_index(drop=True), True, float(margin_metres))
        population = study.population[study.population["area_code"].isin(set(kept_areas["code"]))]
        part_study = Study(study.resources[near].reset_index(drop=True), kept_areas, population.reset_index(drop=True),
                           part_network, quiet, includes_staff_only=study.includes_staff_only, within=within)
        part_study.__dict__["crs"] = crs  # straight lines too are measured in the whole study's zone
        part_units = None
        if units is not None:
            reach = margin_metres if owned is not None else UNIT_TOLERANCE_METRES
            part_units = units[_near(units, area_metric, crs, reach)].reset_index(drop=True)
        parts.append(Part(code, within.name, part_study, part_units, owned, part_candidates))
    return parts


def prefix_of_points(points: gpd.GeoDataFrame, small_areas: gpd.GeoDataFrame) -> np.ndarray:
    """The municipality code of the small area each point stands in ('' for none): whose territory a site is.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Points, any declared CRS.
    small_areas : geopandas.GeoDataFrame
        Census small areas with ``code``.

    Returns
    -------
    numpy.ndarray
        One code per point, object dtype.
    """
    joined = gpd.sjoin(points[["geometry"]].to_crs(small_areas.crs), small_areas[["code", "geometry"]],
                       how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]["code"].reindex(points.index)
    return joined.fillna("").astype(str).str[:MUNICIPALITY_CODE_DIGITS].to_numpy(dtype=object)
