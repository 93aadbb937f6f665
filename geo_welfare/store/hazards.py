"""Hazard zones and shelters in the store: every file read and checked first, then one transaction.

``import hazards FILE…`` takes 国土数値情報 A31 / A33 files and GSI 指定緊急避難場所・指定避難所 files
together; each file is told by its columns (:func:`geo_welfare.layers.hazards.hazard_kind`,
:func:`geo_welfare.layers.shelters.is_shelter_file`).  Every file is read and checked before anything
is written, so one bad row in the last file leaves the store as it was; a file is its own source
(its name), and importing it again replaces what it brought the last time, in the same transaction,
which also records the import (``import_run``: added, and replaced as removed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from geoalchemy2.shape import from_shape
from sqlalchemy import Engine, delete, func, insert, select

from geo_welfare.core.config import STORAGE_CRS, STORAGE_SRID
from geo_welfare.core.errors import InputError
from geo_welfare.core.values import plain
from geo_welfare.io.readers import is_vector_file, read_vector
from geo_welfare.layers.hazards import HazardZones, hazard_kind, read_hazard_zones, KNOWN_FIELDS
from geo_welfare.layers.shelters import Shelters, is_shelter_file, read_shelters
from geo_welfare.store.import_history import now, record_run
from geo_welfare.store.models import HazardZone, Shelter
from geo_welfare.store.write import WriteResult

#: Rows per INSERT statement (each binds 8 values at most: well below either backend's limit).
BATCH = 1000


@dataclass(frozen=True)
class HazardReport:
    """What one file brought: ``layer`` (``hazard_zones`` or ``shelters``), rows written and rows replaced."""

    file: Path
    layer: str
    count: int
    replaced: int
    edition: str | None = None
    repaired: int = 0


def read_hazard_file(path: Path, *, encoding: str | None = None, crs: str | None = None) -> HazardZones | Shelters:
    """The file's zones or shelters, checked; which it is comes from its columns."""
    path = Path(path)
    if not path.exists():
        raise InputError.single(path, "file_not_found")
    if not is_vector_file(path):
        raise InputError.single(path, "hazard_file_not_recognised", fields=", ".join(KNOWN_FIELDS))
    head = read_vector(path, encoding=encoding, crs=crs)
    if is_shelter_file(head.columns):
        return read_shelters(path, frame=head)
    if hazard_kind(head.columns) is None:
        raise InputError.single(path, "hazard_file_not_recognised", fields=", ".join(KNOWN_FIELDS))
    return read_hazard_zones(path, frame=head)


def _batches(rows: list[dict]):
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _write_zones(connection, zones: HazardZones) -> int:
    replaced = connection.execute(delete(HazardZone).where(HazardZone.source == zones.source)).rowcount
    rows = [{"source": zones.source, "hazard": hazard, "scenario": plain(scenario), "zone_class": zone_class,
             "phenomenon": plain(phenomenon), "label": label, "name": plain(name),
             "geom": from_shape(geometry, srid=STORAGE_SRID)}
            for hazard, scenario, zone_class, phenomenon, label, name, geometry in zip(
                zones.frame["hazard"], zones.frame["scenario"], zones.frame["zone_class"], zones.frame["phenomenon"],
                zones.frame["label"], zones.frame["name"], zones.frame.geometry)]
    for batch in _batches(rows):
        connection.execute(insert(HazardZone), batch)
    return max(int(replaced or 0), 0)


def _write_shelters(connection, shelters: Shelters) -> int:
    replaced = connection.execute(delete(Shelter).where(Shelter.source == shelters.source)).rowcount
    rows = [{"source": shelters.source, "source_id": source_id, "name": name, "address": plain(address),
             "kind": kind, "hazards": hazards, "geom": from_shape(geometry, srid=STORAGE_SRID)}
            for source_id, name, address, kind, hazards, geometry in zip(
                shelters.frame["source_id"], shelters.frame["name"], shelters.frame["address"],
                shelters.frame["kind"], shelters.frame["hazards"], shelters.frame.geometry)]
    for batch in _batches(rows):
        connection.execute(insert(Shelter), batch)
    return max(int(replaced or 0), 0)


def import_hazards(engine: Engine, paths, *, encoding: str | None = None, crs: str | None = None
                   ) -> list[HazardReport]:
    """Read and check every file, then write them all in one transaction; one report per file.

    Raises
    ------
    InputError
        Any file's problems (all of them, file by file: the first file refused stops the import);
        nothing is written.
    """
    read = [(Path(path), read_hazard_file(Path(path), encoding=encoding, crs=crs)) for path in paths]
    names = [path.name for path, _ in read]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:  # a file's name is its source: two of one name would replace each other
        raise InputError.single(read[0][0], "hazard_source_repeated", names=", ".join(repeated))
    reports, when = [], now()
    with engine.begin() as connection:
        for path, content in read:
            if isinstance(content, Shelters):
                report = HazardReport(path, "shelters", len(content.frame), _write_shelters(connection, content))
            else:
                report = HazardReport(path, "hazard_zones", len(content.frame), _write_zones(connection, content),
                                      content.edition, content.repaired)
            # the import's history, in the same transaction (and the store's revision moves with it)
            record_run(connection, path, report.layer, content.source, WriteResult(report.count, 0, report.replaced),
                       when)
            reports.append(report)
    return reports


def _frame(engine: Engine, statement) -> gpd.GeoDataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        table = pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)
    geometry = shapely.from_wkb([bytes(b) for b in table.pop("wkb")])
    return gpd.GeoDataFrame(table, geometry=geometry, crs=STORAGE_CRS)


def read_hazard_zones_stored(engine: Engine, hazard: str | None = None) -> gpd.GeoDataFrame:
    """The stored zones (of one hazard), lon/lat: id, source, hazard, scenario, zone_class, phenomenon, label, name."""
    statement = select(HazardZone.id, HazardZone.source, HazardZone.hazard, HazardZone.scenario,
                       HazardZone.zone_class, HazardZone.phenomenon, HazardZone.label, HazardZone.name,
                       func.ST_AsBinary(HazardZone.geom).label("wkb")).order_by(HazardZone.id)
    if hazard is not None:
        statement = statement.where(HazardZone.hazard == hazard)
    return _frame(engine, statement)


def stored_hazards(engine: Engine) -> list[str]:
    """The hazards the store holds zones of (``flood``, ``landslide``), sorted: what a page may offer to draw."""
    with engine.connect() as connection:
        return sorted(connection.execute(select(HazardZone.hazard).distinct()).scalars())


def read_shelters_stored(engine: Engine) -> gpd.GeoDataFrame:
    """The stored shelters, lon/lat: ``id, source, source_id, name, address, kind, hazards``."""
    statement = select(Shelter.id, Shelter.source, Shelter.source_id, Shelter.name, Shelter.address, Shelter.kind,
                       Shelter.hazards, func.ST_AsBinary(Shelter.geom).label("wkb")).order_by(Shelter.id)
    return _frame(engine, statement)
