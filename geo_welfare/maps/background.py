"""The map's background from files beside the store: streets, rivers and water, railways.

None of these are store tables: a CSW's map takes them from the files the municipality or
OpenStreetMap provides (the same street file ``--network`` names for walking distances, a river
and a railway layer), read once and clipped to each district's view.  Each file's ``source``
attribute, when it has one, is kept for the credits.  The streets come through the network's cache
when a cache folder is given (:func:`~geo_welfare.network.cache.cached_street_lines`): the same
lines, without parsing the file again on every page printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo_welfare.core.glossary import CREDIT_COLUMNS
from geo_welfare.io.osm import is_osm_file

#: Attribute columns that may hold a file's own credit line (the glossary's, Japanese among them).
SOURCE_COLUMNS = CREDIT_COLUMNS
#: Degrees added around a view's box in lon/lat before the rows it may meet are chosen (about 200 m:
#: far more than a straight segment in metres strays from its straight segment in lon/lat).
VIEW_SLACK_DEGREES = 0.002


@dataclass
class Background:
    """Optional background layers in JGD2011 lon/lat, with the credits their files carry."""

    streets: gpd.GeoDataFrame | None = None
    water: gpd.GeoDataFrame | None = None
    railway: gpd.GeoDataFrame | None = None
    hazards: gpd.GeoDataFrame | None = None  # stored hazard zones (map district --hazards), lon/lat
    shelters: gpd.GeoDataFrame | None = None  # stored shelters, with the hazards each is open for
    street_file: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)  # layer → the file it was read from
    credits: dict[str, list[str]] = field(default_factory=dict)  # layer → the files' own source texts

    @property
    def streets_from_osm(self) -> bool:
        return self.street_file is not None and is_osm_file(self.street_file)

    def clipped(self, layer: str, crs: CRS, extent: tuple[float, float, float, float]) -> gpd.GeoDataFrame | None:
        """One layer in ``crs``, cut to ``extent`` (metres), or None when there is nothing to draw.

        The rows near the view are chosen in lon/lat, from the layer's spatial index (built once for
        every page), and only they are projected: a page of a city's street file projects a few
        thousand lines, not all of them (0.05–0.08 CPU s a page).  Projection is point by point, so
        each chosen row is the same in ``crs`` as when the whole layer was projected.
        """
        frame = getattr(self, layer)
        if frame is None or frame.empty:
            return None
        view = shapely.box(*extent)
        near = frame.iloc[np.sort(frame.sindex.query(_box_in(view, crs, frame.crs)))].to_crs(crs)  # in order
        near = near[near.intersects(view)]
        if near.empty:
            return None
        return near.assign(geometry=near.geometry.intersection(view))


def _box_in(view: shapely.Polygon, crs: CRS, target: CRS) -> shapely.Polygon:
    """A box in ``target`` (the layer's lon/lat) covering ``view`` (metres in ``crs``): its edges
    densified, carried over, widened."""
    minx, miny, maxx, maxy = view.bounds
    edges = shapely.segmentize(view, max(maxx - minx, maxy - miny, 1.0) / 32)
    minx, miny, maxx, maxy = gpd.GeoSeries([edges], crs=crs).to_crs(target).total_bounds
    return shapely.box(minx - VIEW_SLACK_DEGREES, miny - VIEW_SLACK_DEGREES, maxx + VIEW_SLACK_DEGREES,
                       maxy + VIEW_SLACK_DEGREES)


def _credits(frame: gpd.GeoDataFrame) -> list[str]:
    for column in SOURCE_COLUMNS:
        if column in frame.columns:
            return [str(v) for v in dict.fromkeys(frame[column].dropna()) if str(v).strip()][:3]
    return []


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    from geo_welfare.io.readers import read_vector, to_storage_crs  # pyogrio: only when a file is read

    frame = to_storage_crs(read_vector(path), path)
    return frame[frame.geometry.notna() & ~frame.geometry.is_empty].reset_index(drop=True)


def _street_lines(path: Path, cache_directory: Path | None) -> gpd.GeoDataFrame:
    if cache_directory is None:
        from geo_welfare.network.sources import read_walkable_lines

        return read_walkable_lines(path)
    from geo_welfare.network.cache import cached_street_lines

    return cached_street_lines(path, cache_directory)[0]


def read_background(*, streets: Path | None = None, water: Path | None = None, railway: Path | None = None,
                    cache_directory: Path | None = None) -> Background:
    """Read the files given (any may be None); streets as the walking network reads them.

    The files are named by the caller (``--network``/``--water``/``--railway``, or the settings
    ``GEO_WELFARE_NETWORK``/``_WATER``/``_RAILWAY`` of :mod:`geo_welfare.core.config`); nothing here
    reads the environment.  With ``cache_directory`` (the store's network cache) the streets are
    read from the cache when it holds this very file's lines, and cached there when not.
    """
    background = Background(street_file=Path(streets) if streets else None)
    if streets:
        lines = _street_lines(Path(streets), Path(cache_directory) if cache_directory is not None else None)
        background.streets = lines
        background.files["streets"] = Path(streets)
        background.credits["streets"] = _credits(lines)
    for layer, path in (("water", water), ("railway", railway)):
        if path:
            frame = _read_layer(Path(path))
            setattr(background, layer, frame)
            background.files[layer] = Path(path)
            background.credits[layer] = _credits(frame)
    return background


def add_stored_hazards(background: Background, engine, hazards: tuple[str, ...]) -> Background:
    """``background`` with the stored zones of ``hazards`` and the shelters (what ``--hazards`` and
    ``?hazards=`` put on a page); refused (409) when the store holds none of those zones."""
    import pandas as pd

    from geo_welfare.core.errors import ConflictError
    from geo_welfare.store.hazards import read_hazard_zones_stored, read_shelters_stored
    zones = pd.concat([read_hazard_zones_stored(engine, hazard) for hazard in hazards], ignore_index=True)
    if not len(zones):
        raise ConflictError("no_hazard_zones_stored")
    background.hazards, background.shelters = zones, read_shelters_stored(engine)
    return background


def drawn_hazards(background: Background) -> tuple[str, ...]:
    """The hazards whose zones ``background`` holds, in the order pages draw them (what a file name says)."""
    from geo_welfare.core.glossary import HAZARD_IDS
    held = set() if background.hazards is None else set(background.hazards["hazard"])
    return tuple(hazard for hazard in HAZARD_IDS if hazard in held)
