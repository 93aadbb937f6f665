"""Gazetteers in the store: writing a file's entries (one transaction), reading them back as a geocoder.

An import replaces the entries of its ``source`` (the file's name), so importing a newer 位置参照情報
release of the same name refreshes it instead of doubling it.  :func:`geocoder` builds the
in-memory :class:`~geo_welfare.layers.addresses.matcher.Geocoder` from everything stored; the import
of resource lists calls it once per import to place rows that have an address and no coordinates.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select

from geo_welfare.layers.addresses.gazetteer import SMALL_AREA, GazetteerRecord, records_from_areas
from geo_welfare.layers.addresses.matcher import AddressMatch, Geocoder
from geo_welfare.store.engine import transaction
from geo_welfare.store.import_history import now, record_run
from geo_welfare.store.models import AreaUnit, GazetteerEntry
from geo_welfare.store.write import WriteResult

__all__ = ["AddressMatch", "Geocoder", "geocoder", "municipality_name", "read_records", "small_area_records",
           "write_gazetteer"]
_COLUMNS = ("gazetteer", "source", "prefecture", "municipality_code", "municipality", "town", "koaza", "block",
            "level", "lon", "lat")
BATCH = 2000


def write_gazetteer(engine: Engine, records: list[GazetteerRecord], source: str, *, path: Path | None = None,
                    options: dict | None = None, connection: Connection | None = None) -> tuple[int, int]:
    """Replace the entries of ``source`` by ``records`` in one transaction (or the caller's): (written, removed).

    With ``path`` (the file read) the import is recorded in the store's history, as every import is.
    """
    rows = [asdict(record) | {"source": source} for record in records]
    with transaction(engine, connection) as connection:
        removed = connection.execute(delete(GazetteerEntry).where(GazetteerEntry.source == source)).rowcount or 0
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(GazetteerEntry), rows[start:start + BATCH])
        if path is not None:
            record_run(connection, path, "gazetteer", source, WriteResult(len(rows), 0, removed), now(), options)
    return len(rows), removed


def read_records(connection: Connection) -> list[GazetteerRecord]:
    """Every stored entry, as the records the matcher indexes."""
    columns = [getattr(GazetteerEntry, name) for name in _COLUMNS]
    return [GazetteerRecord(*row) for row in connection.execute(select(*columns).order_by(GazetteerEntry.id))]


#: The last geocoder built per store, with the (count, largest id) of the entries it was built from.
_BUILT: dict[str, tuple[tuple, Geocoder]] = {}
_KEPT = 4


def geocoder(engine: Engine, *, connection: Connection | None = None) -> Geocoder | None:
    """The matcher over every stored gazetteer, or None when none is stored (then nothing can be placed).

    Built once and kept while the entries stay the same (their count, largest id, sums of the
    coordinates and of the names' lengths: one cheap query), because the web's address box asks for
    it on every request; the last :data:`_KEPT` stores are kept.  With ``connection`` the entries are
    read in its transaction, so an import sees the gazetteer written just before it in the same one.
    """
    entry = GazetteerEntry
    with _reading(engine, connection) as reader:
        signature = tuple(reader.execute(select(
            func.count(), func.max(entry.id), func.sum(entry.lon), func.sum(entry.lat),
            func.sum(func.length(entry.town) + func.length(func.coalesce(entry.block, ""))))).one())
        if signature[0] == 0:
            return None
        key = engine.url.render_as_string(hide_password=False)
        built = _BUILT.get(key)
        if built is None or built[0] != signature:
            if len(_BUILT) >= _KEPT:
                _BUILT.pop(next(iter(_BUILT)))
            built = _BUILT[key] = (signature, Geocoder(read_records(reader)))
    return built[1]


def _reading(engine: Engine, connection: Connection | None):
    """A connection to read with: the caller's (its transaction's view), else one of the engine's own."""
    return nullcontext(connection) if connection is not None else engine.connect()


def small_area_records(engine: Engine, source: str = SMALL_AREA) -> list[GazetteerRecord]:
    """The stored small areas (町丁・字) as gazetteer records: name, municipality and a point on each polygon."""
    from geo_welfare.store.read import read_areas
    areas = read_areas(engine, "small_area")
    if areas.empty:
        return []
    points = areas.geometry.representative_point()
    # Small areas imported without municipality columns (the demo town's, e-Stat files cut to a town) are
    # named from the stored municipality outline whose code begins their KEY_CODE.
    outlines = read_areas(engine, "municipality")
    names = dict(zip(outlines["code"].astype(str).str[:5], outlines["name"]))
    codes = areas["municipality_code"].where(areas["municipality_code"].notna(), areas["code"].astype(str).str[:5])
    municipalities = areas["municipality_name"].where(areas["municipality_name"].notna(),
                                                      codes.astype(str).str[:5].map(names))
    return records_from_areas(zip(areas["name"], municipalities, codes, points.x, points.y), source)


def municipality_name(engine: Engine, code: str) -> str | None:
    """The name the store's areas give municipality ``code`` (5 digits, or 6 with the check digit)."""
    code = code[:5]
    with engine.connect() as connection:
        names = connection.execute(
            select(AreaUnit.municipality_name, func.count())
            .where(func.substr(AreaUnit.municipality_code, 1, 5) == code)
            .where(AreaUnit.municipality_name.is_not(None)).group_by(AreaUnit.municipality_name)
            .order_by(func.count().desc())).all()
    return names[0][0] if names else None
