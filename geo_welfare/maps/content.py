"""What one district's map shows, read from the store once for any number of districts.

The store is read once (:func:`load_store_layers`): the districts of the chosen unit, every
resource (public ones only unless a staff copy is asked for), the small areas with their 高齢化率.
:func:`district_content` then picks one district out of that, in the plane rectangular zone of the
area so that the map is drawn in metres.  Resources are numbered by kind (the legend's order),
then north to south and west to east, the order a reader scans the page in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from sqlalchemy import Engine, func, select

from geo_welfare.core.crs import metric_crs_for_bounds
from geo_welfare.core.errors import NotFoundError
from geo_welfare.core.words import Word
from geo_welfare.store import read
from geo_welfare.store.models import ImportRun, PopulationCount, PopulationDataset
from geo_welfare.core.values import plain
from geo_welfare.core.glossary import AREA_UNITS, RESOURCE_KIND_IDS

#: The unit a district map is made for unless another is asked for: 小学校区, the unit residents'
#: own activities (and Fujisawa's 地域の縁側) are organised by.
DEFAULT_UNIT = "elementary_district"


class NotStored(NotFoundError):
    """A district, area unit or population dataset that is not in the store; the message lists what is."""

    def __init__(self, what: object, value: str, stored: list[str]):
        self.value, self.stored = value, stored
        listed = ", ".join(stored[:40]) + (" …" if len(stored) > 40 else "") or "—"
        super().__init__("not_stored", what=what, value=value, listed=listed)


@dataclass
class StoreLayers:
    """Everything the maps of one unit's districts read from the store (JGD2011 lon/lat)."""

    unit: str
    districts: gpd.GeoDataFrame
    municipalities: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    small_areas: gpd.GeoDataFrame | None  # with ``aging_rate`` (None: no shading asked for or no ages)
    population_dataset: str | None
    include_staff: bool
    sources: list[str] = field(default_factory=list)  # the store's source names the maps use
    #: Each source's file as the user imported it (the latest import's file name, from ``import_run``).
    source_files: dict[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return list(self.districts["code"])


@dataclass
class DistrictContent:
    """One district in metres: its outline, neighbours, numbered resources, shaded small areas."""

    unit: str
    code: str
    name: str
    municipality: str | None
    crs: CRS
    outline: shapely.Geometry
    neighbours: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame  # ``number`` 1..n, in list order
    small_areas: gpd.GeoDataFrame | None  # clipped to the district, with ``aging_rate``
    include_staff: bool
    layers: StoreLayers

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.outline.bounds)  # type: ignore[return-value]


def _known_ages(engine: Engine) -> dict[str, int]:
    """Each stored population dataset's count of rows whose 65+ is known, by one aggregate query."""
    statement = (select(PopulationDataset.name, func.count(PopulationCount.age_65_plus))
                 .join(PopulationCount, isouter=True).group_by(PopulationDataset.id))
    with engine.connect() as connection:
        return {name: int(known) for name, known in connection.execute(statement)}


def _aging_by_small_area(engine: Engine, areas: gpd.GeoDataFrame,
                         dataset: str | None) -> tuple[gpd.GeoDataFrame | None, str | None]:
    """Small areas with 高齢化率 from ``dataset`` (default: the stored dataset with the most known ages).

    The datasets' known ages are counted in the store, so only the chosen one is read.
    """
    small = areas[areas["unit"] == "small_area"].reset_index(drop=True)
    if small.empty:
        return None, None
    datasets = list(read.population_datasets(engine)["name"])
    if dataset is not None and dataset not in datasets:
        raise NotStored(Word("population_dataset"), dataset, datasets)
    known = _known_ages(engine)
    best, best_known = None, 0
    for name in ([dataset] if dataset else datasets):  # the first of the most, as the names sort
        if known.get(name, 0) > best_known:
            best, best_known = name, known[name]
    if best is None:
        return None, None
    from geo_welfare.analysis.aging import aging_table
    rates = aging_table(small, read.read_population(engine, best)).set_index("code")["aging_rate"]
    small["aging_rate"] = small["code"].map(rates).astype(float)
    return small, best


def source_files(engine: Engine) -> dict[str, str]:
    """Each source's file name as the user imported it (the latest import of the source wins).

    The store's source names are ids the import made up from the file (``elementary_districts``);
    a reader of the printed map knows the file they were given (``papamama_Elementary.geojson``).
    """
    statement = select(ImportRun.source, ImportRun.file_name).order_by(ImportRun.imported_at, ImportRun.id)
    with engine.connect() as connection:
        return {source: Path(name).name for source, name in connection.execute(statement) if name}


def _areas(engine: Engine, unit: str, district: str | None,
           shading: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, gpd.GeoDataFrame]:
    """The districts of ``unit``, the municipalities, and the areas the small areas are taken from.

    For every district (``district`` None) the store's areas are read at once; for one district's
    page only the unit's districts (its neighbours among them), the municipalities and the small
    areas meeting the district's box: a page of a city reads its few hundred small areas, not
    6,000 (0.1–0.2 CPU s).  Each small area's 高齢化率 is its own rows', so the shading is the same.
    """
    if district is None:
        areas = read.read_areas(engine)
        municipalities = areas[areas["unit"] == "municipality"].reset_index(drop=True)
        return areas[areas["unit"] == unit].reset_index(drop=True), municipalities, areas
    districts = read.read_areas(engine, unit)
    if districts.empty:
        return districts, None, read.read_areas(engine)  # refused by the caller, naming the stored units
    outline = districts.geometry[districts["code"] == district]
    small = districts.iloc[:0]  # none: no shading, or an unknown code (refused by the caller)
    if len(outline) and shading == "aging":
        small = read.read_areas(engine, "small_area", within=tuple(outline.iloc[0].bounds))
    return districts, read.read_areas(engine, "municipality"), small


def load_store_layers(engine: Engine, unit: str = DEFAULT_UNIT, *, include_staff: bool = False,
                      shading: str = "aging", dataset: str | None = None,
                      district: str | None = None) -> StoreLayers:
    """Read the store once for the maps of ``unit``'s districts (or, with ``district``, of that one).

    ``include_staff`` adds staff-only places (a staff copy; never for a public handout);
    ``shading`` is ``aging`` (高齢化率 of the small areas, when population with ages is stored) or ``none``;
    ``district`` reads only what that district's page shows (:func:`_areas`).
    """
    districts, municipalities, areas = _areas(engine, unit, district, shading)
    if districts.empty:
        raise NotStored(Word("area_unit"), unit, sorted(set(areas["unit"])))
    resources = read.read_resources(engine, include_staff_only=include_staff)
    small, dataset_used = _aging_by_small_area(engine, areas, dataset) if shading == "aging" else (None, None)
    sources = list(dict.fromkeys(list(districts["source"]) + list(resources["source"]) +
                                 ([dataset_used] if dataset_used else [])))
    return StoreLayers(unit, districts, municipalities, resources, small, dataset_used, include_staff, sources,
                       source_files(engine))


def _municipality(layers: StoreLayers, row: pd.Series, outline: shapely.Geometry, crs: CRS) -> str | None:
    """The district's municipality: its own record, else the stored municipality it lies in most."""
    name = plain(row.get("municipality_name"))
    if name:
        return str(name)
    if layers.municipalities.empty:
        return None
    overlap = layers.municipalities.to_crs(crs).geometry.intersection(outline).area
    best = overlap.idxmax()
    return str(layers.municipalities.loc[best, "name"]) if overlap[best] > 0 else None


def _numbered(resources: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    order = {kind: i for i, kind in enumerate(RESOURCE_KIND_IDS)}
    frame = resources.assign(_kind=resources["kind"].map(order).fillna(len(order)),
                             _north=-resources.geometry.y.round(0), _east=resources.geometry.x.round(0))
    frame = frame.sort_values(["_kind", "_north", "_east", "name"]).drop(columns=["_kind", "_north", "_east"])
    frame = frame.reset_index(drop=True)
    frame.insert(0, "number", range(1, len(frame) + 1))
    return frame


def district_content(layers: StoreLayers, code: str) -> DistrictContent:
    """The content of the map of district ``code`` (metres in its plane rectangular zone)."""
    matches = layers.districts.index[layers.districts["code"] == code]
    if not len(matches):
        raise NotStored(next(term for term in AREA_UNITS if term.id == layers.unit), code,
                        [f"{c} {n}" for c, n in zip(layers.districts["code"], layers.districts["name"])])
    row = layers.districts.loc[matches[0]]
    outline_lonlat = row.geometry
    try:
        crs = metric_crs_for_bounds(tuple(outline_lonlat.bounds), plain(row.get("municipality_code")))
    except ValueError:  # a code that names no prefecture: the zone from the coordinates
        crs = metric_crs_for_bounds(tuple(outline_lonlat.bounds))
    districts = layers.districts.to_crs(crs)
    outline = districts.geometry.iloc[matches[0]]
    neighbours = districts.drop(index=matches[0])
    inside = layers.resources.geometry.covered_by(outline_lonlat) if len(layers.resources) else []
    resources = _numbered(layers.resources[inside].to_crs(crs)) if len(layers.resources) else \
        layers.resources.to_crs(crs).assign(number=pd.Series(dtype=int))
    small = None
    if layers.small_areas is not None:
        near = layers.small_areas[layers.small_areas.intersects(outline_lonlat)].to_crs(crs)
        small = near.assign(geometry=near.geometry.intersection(outline))
        small = small[~small.geometry.is_empty & small.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    return DistrictContent(layers.unit, code, str(plain(row["name"]) or code),
                           _municipality(layers, row, outline, crs), crs, outline, neighbours, resources, small,
                           layers.include_staff, layers)
