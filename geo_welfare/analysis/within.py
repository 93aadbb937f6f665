"""One ward or 圏域 of the store: which small areas, residents and places a study of one area keeps.

A city's store holds every ward; a ward's planner asks about one of them (``--within 01101``, the
selector of the planner and CSW pages).  The rule, for every analysis alike:

* **A ward or municipality** (a five-digit code such as ``01101`` that the stored small areas'
  codes begin with) and **a small area** (its own code) keep their small areas by code: the
  residents are exactly those of these small areas.
* **Any other stored area** (a municipality polygon whose code the small areas do not carry, a
  daily-life area, a district, a school district) keeps the small areas that overlap it (share
  more than a border) and, of their residents, those standing in it or on its border.
* **Residents** are spread along the streets as for the whole city: the kept small areas are
  spread together with the small areas touching them, so a street point on a border belongs to
  the same small area as in the city's study, and the figures of a ward are the city's figures of
  that ward (:attr:`Within.spread_areas`).  (A point lying on the border of two small areas to the
  last bit, as a made-up grid town's may, can fall to the other one: its position is computed from
  the streets spread together, to within 1e-9 m.)
* **Places** are those within :attr:`Within.margin_metres` (straight line) of the area, so people
  near the border still find their nearest place across it.  A walk over streets is never
  shorter than the straight line, so every walk of at most the margin from a resident of the area
  ends at a kept place: coverage, capacity and new bases within a walk of at most the margin, and
  gaps and walking areas within the margin less the streets' buffer, are those of the whole
  city's store (:func:`margin_for`; the planning functions refuse a longer walk).
* **Other units** (the school districts a table is summed by, the units gaps are cut into) are
  those overlapping the area, cut to it (:meth:`Within.clip`).
* **Capacity** (2SFCA) shares each place's seats among the residents of the area who reach it:
  the area's own view, which differs from the city's near the border, where residents outside
  the area would share them too.  **New bases** are chosen among the candidates standing in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_welfare.analysis.service_areas import BUFFER_METRES
from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.errors import UsageError
from geo_welfare.core.glossary import AREA_UNIT_IDS
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, walk_metres
from geo_welfare.store import read

SMALL_AREA, MUNICIPALITY = "small_area", "municipality"
#: The least share of a unit's surface inside the area for the unit to count as one of the area's.
SLIVER_SHARE = 0.01
#: The walk the default margin allows: the planner page's longest (60 minutes at 4 km/h), plus the buffer.
DEFAULT_MARGIN_MINUTES = 60.0


def margin_for(minutes: float, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> float:
    """The margin (metres) a study needs for walks of up to ``minutes``: the walk plus the streets' buffer.

    Parameters
    ----------
    minutes : float
        The longest walk the analyses will ask, minutes.
    speed_kmh : float, default 4.0
        Walking speed, km/h.

    Returns
    -------
    float
        Metres around the area within which places are kept.
    """
    return walk_metres(minutes, speed_kmh) + BUFFER_METRES


#: Places within this many metres of the area are kept unless the caller says otherwise.
DEFAULT_MARGIN_METRES = margin_for(DEFAULT_MARGIN_MINUTES)


class UnknownWithin(UsageError):
    """No stored area has the code asked for; the message names it and the choices."""

    def __init__(self, code: str, choices: pd.DataFrame):
        listed = ", ".join(f"{row.code} {row.name}".strip() for row in choices.itertuples()) or "-"
        super().__init__("within_unknown_code", field="within", code=code, choices=listed)
        self.choices = list(choices["code"])

    @property
    def extra(self) -> dict[str, object]:
        """The codes a page may offer instead (the web's problem details carry them)."""
        return {"allowed": self.choices}


class WithinMarginTooShort(UsageError):
    """A walk longer than the margin was asked of a study of one area: near its border it would be wrong."""


@dataclass(frozen=True)
class Within:
    """One area of the store and what a study of it keeps; see the module's rule.

    Attributes
    ----------
    code, name, unit : str
        The area asked for: its code, name and unit (``municipality`` for a ward code).
    area : shapely.Geometry
        Its polygon, lon/lat (EPSG:6668): the stored polygon, or the union of a ward's small areas.
    small_areas : geopandas.GeoDataFrame
        The small areas kept, lon/lat, by code.
    spread_areas : geopandas.GeoDataFrame
        The kept small areas and those touching them, by code: what residents are spread over.
    by_code : bool
        Residents are kept by their small area's code (a ward, a small area), else by standing in ``area``.
    margin_metres : float
        Places within this many metres (straight line) of ``area`` are kept.
    """

    code: str
    name: str
    unit: str
    area: shapely.Geometry
    small_areas: gpd.GeoDataFrame
    spread_areas: gpd.GeoDataFrame
    by_code: bool
    margin_metres: float
    _projected: dict = field(default_factory=dict, compare=False, repr=False)  # CRS → metric_area, computed once

    def check_walk(self, metres: float, *, buffered: bool = False) -> None:
        """Refuse a walk longer than the margin allows: near the border its answer would miss places.

        Parameters
        ----------
        metres : float
            The longest walk an analysis asks, metres.
        buffered : bool, default False
            The answer is land (gaps, walking areas): the streets' buffer must fit in the margin too.

        Raises
        ------
        WithinMarginTooShort
            If ``metres`` (plus the buffer) exceeds :attr:`margin_metres`.
        """
        needed = metres + (BUFFER_METRES if buffered else 0.0)
        if needed > self.margin_metres + 1e-6:
            raise WithinMarginTooShort("within_margin_too_short", field="within", code=self.code,
                                       margin=f"{self.margin_metres:,.0f}", needed=f"{needed:,.0f}")

    def metric_area(self, crs) -> shapely.Geometry:
        """:attr:`area` in the metric ``crs`` of a study (projected once per CRS)."""
        key = str(crs)
        if key not in self._projected:
            self._projected[key] = gpd.GeoSeries([self.area], crs=STORAGE_CRS).to_crs(crs).iloc[0]
        return self._projected[key]

    def keep_residents(self, points: gpd.GeoDataFrame) -> np.ndarray:
        """Which resident points (any metric CRS) belong to the area: by small area, or by standing in it."""
        kept = points["area_code"].isin(set(self.small_areas["code"])).to_numpy(dtype=bool)
        if self.by_code or not len(points):
            return kept
        area = self.metric_area(points.crs)
        return kept & shapely.intersects(area, np.asarray(points.geometry.values, dtype=object))

    def keep_places(self, places: gpd.GeoDataFrame, crs, metres: float | None = None) -> np.ndarray:
        """Which of ``places`` (points in any declared CRS) lie within ``metres`` (default: the margin) of the area.

        Parameters
        ----------
        places : geopandas.GeoDataFrame
            Points in any declared CRS.
        crs : pyproj.CRS
            The metric CRS of the study, in which distances are measured.
        metres : float, optional
            Straight-line distance from the area; None: :attr:`margin_metres`.

        Returns
        -------
        numpy.ndarray
            One bool per place.
        """
        if not len(places):
            return np.zeros(0, dtype=bool)
        projected = np.asarray(places.to_crs(crs).geometry.values, dtype=object)
        return shapely.dwithin(self.metric_area(crs), projected, self.margin_metres if metres is None else metres)

    def keep_candidates(self, candidates: gpd.GeoDataFrame, crs) -> np.ndarray:
        """Which candidate sites (points in any declared CRS) stand in the area (or on its border), in the metric ``crs``."""
        if not len(candidates):
            return np.zeros(0, dtype=bool)
        projected = np.asarray(candidates.to_crs(crs).geometry.values, dtype=object)
        return shapely.intersects(self.metric_area(crs), projected)

    def clip(self, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The ``units`` with at least :data:`SLIVER_SHARE` of their surface in the area, cut to it.

        Two sources' borders never quite agree (school districts drawn from another map than the
        census small areas), so a neighbouring unit often overlaps the area by a sliver; such a
        unit is left out rather than listed with a fraction of a resident.

        Parameters
        ----------
        units : geopandas.GeoDataFrame
            Area units with polygons, any declared CRS.

        Returns
        -------
        geopandas.GeoDataFrame
            The kept units in their own order and CRS, each cut to the area.
        """
        area = gpd.GeoSeries([self.area], crs=STORAGE_CRS).to_crs(units.crs).iloc[0]
        geometry = np.asarray(units.geometry.values, dtype=object)
        overlapping = shapely.intersects(area, geometry) & ~shapely.touches(area, geometry)
        inside = shapely.covers(area, geometry[overlapping])
        cut = np.where(inside, geometry[overlapping], shapely.intersection(geometry[overlapping], area))
        share = shapely.area(cut) / np.maximum(shapely.area(geometry[overlapping]), np.finfo(float).tiny)
        kept = units[overlapping].set_geometry(gpd.GeoSeries(cut, index=units.index[overlapping], crs=units.crs))
        return kept[share >= SLIVER_SHARE]


def _stored_area(engine: Engine, code: str) -> pd.Series | None:
    """The stored area (not a small area) of ``code``, of the coarsest unit that has it; None if none."""
    areas = read.read_areas(engine)
    found = areas[(areas["code"] == code) & (areas["unit"] != SMALL_AREA)]
    if not len(found):
        return None
    order = {unit: position for position, unit in enumerate(AREA_UNIT_IDS)}
    return found.iloc[int(np.argmin([order.get(unit, len(order)) for unit in found["unit"]]))]


def _touching(small_areas: gpd.GeoDataFrame, kept: np.ndarray) -> gpd.GeoDataFrame:
    """The kept small areas and every small area meeting one of them, in the stored (code) order."""
    tree = shapely.STRtree(np.asarray(small_areas.geometry.values, dtype=object))
    _, neighbours = tree.query(np.asarray(small_areas.geometry.values[kept], dtype=object), predicate="intersects")
    chosen = np.zeros(len(small_areas), dtype=bool)
    chosen[neighbours] = True
    chosen |= kept
    return small_areas[chosen]


def resolve_within(engine: Engine, code: str, small_areas: gpd.GeoDataFrame, *,
                   margin_metres: float = DEFAULT_MARGIN_METRES) -> Within:
    """The area ``code`` names, and what a study of it keeps (the module's rule).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    code : str
        A ward or municipality code the small areas' codes begin with (``01101``), a small area's
        code, or the code of any stored area of another unit.
    small_areas : geopandas.GeoDataFrame
        Every stored small area (:func:`geo_welfare.store.read.read_areas`), lon/lat, by code.
    margin_metres : float, optional
        Keep places within this many metres of the area (:func:`margin_for`); by default enough
        for the planner page's longest walk.

    Returns
    -------
    Within

    Raises
    ------
    UnknownWithin
        If no stored area has ``code``; the message lists the wards, 圏域 and districts stored.
    """
    code = str(code).strip()
    codes = small_areas["code"].astype(str)
    geometry = np.asarray(small_areas.geometry.values, dtype=object)
    digits = read.MUNICIPALITY_CODE_DIGITS
    if (codes == code).any() or (len(code) == digits and code.isdigit() and codes.str.startswith(code).any()):
        single = (codes == code).to_numpy()
        kept = single if single.any() else codes.str.startswith(code).to_numpy()
        unit = SMALL_AREA if single.any() else MUNICIPALITY
        name = small_areas.loc[kept, "name"].iloc[0] if single.any() else _ward_name(engine, code, small_areas[kept])
        area = geometry[kept][0] if single.any() else shapely.union_all(geometry[kept])
        by_code = True
    else:
        stored = _stored_area(engine, code)
        if stored is None:
            raise UnknownWithin(code, read.within_choices(engine))
        area, unit, name, by_code = stored.geometry, stored["unit"], stored["name"], False
        kept = shapely.intersects(area, geometry) & ~shapely.touches(area, geometry)
    return Within(code, str(name or ""), str(unit), area, small_areas[kept], _touching(small_areas, kept), by_code,
                  float(margin_metres))


def _ward_name(engine: Engine, code: str, small_areas: gpd.GeoDataFrame) -> str:
    """A ward's name as :func:`~geo_welfare.store.read.within_choices` gives it: its stored outline's, else its small areas'."""
    outlines = read.read_areas(engine, MUNICIPALITY)
    named = outlines.loc[outlines["code"] == code, "name"]
    if len(named):
        return str(named.iloc[0])
    names = small_areas["municipality_name"].dropna()
    return str(names.value_counts().index[0]) if len(names) else ""
