"""Which place serves which area, and who works there: the ties a coordinator sets once and every answer uses.

A 地域包括支援センター serves one or more 日常生活圏域; the nearest centre is often not the one
responsible (a 圏域 is drawn around 町丁目, not around the centre), so ``which`` must answer from a
stated tie, never from distance.  A tie names the place by its list and row (``source`` +
``source_id``, as imports key places) rather than by its row id, so it survives a re-import of the
list; an area is named by unit and code, as imports key areas.  (A 地区's CSW is one of the
district's attributes: :mod:`geo_welfare.store.district_attributes`.)

The table is the store's own (migration 0009) and not part of :mod:`geo_welfare.store.models`'
resource rows, so an import of places never touches them.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, Integer, String, UniqueConstraint, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from geo_welfare.store.models import Base, Resource

__all__ = ["ServiceAreaLink", "area_links", "link_place", "link_places", "ties_from_list"]


class ServiceAreaLink(Base):
    """One area served by one place: (area unit, area code) → the place's (source, source_id)."""

    __tablename__ = "service_area_link"
    __table_args__ = (UniqueConstraint("area_unit", "area_code", "resource_kind", name="uq_service_area_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_unit: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str] = mapped_column(String(64))
    resource_kind: Mapped[str] = mapped_column(String(32))
    resource_source: Mapped[str] = mapped_column(String(200))
    resource_source_id: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime.datetime] = mapped_column(DateTime)


def link_place(engine: Engine, resource_id: int, unit: str, code: str) -> None:
    """Tie the stored place ``resource_id`` to the area (``unit``, ``code``), replacing the area's tie for that kind.

    One place of a kind per area (a 圏域 has one 包括); one place may serve several areas.
    """
    link_places(engine, [(resource_id, unit, code)])


def link_places(engine: Engine, ties: list[tuple[int, str, str]]) -> None:
    """Every (place id, area unit, area code) tie of ``ties``, in one transaction (all or none)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with engine.begin() as connection:
        for resource_id, unit, code in ties:
            source, source_id, kind = connection.execute(
                select(Resource.source, Resource.source_id, Resource.kind).where(Resource.id == resource_id)).one()
            connection.execute(delete(ServiceAreaLink).where(ServiceAreaLink.area_unit == unit,
                                                             ServiceAreaLink.area_code == code,
                                                             ServiceAreaLink.resource_kind == kind))
            connection.execute(insert(ServiceAreaLink).values(
                area_unit=unit, area_code=code, resource_kind=kind, resource_source=source,
                resource_source_id=source_id, linked_at=now))


def area_links(engine: Engine, kind: str) -> dict[tuple[str, str], int]:
    """(area unit, area code) → the id of the stored place of ``kind`` tied to it (ties to removed places left out)."""
    link = ServiceAreaLink
    statement = (select(link.area_unit, link.area_code, Resource.id)
                 .join(Resource, (Resource.source == link.resource_source)
                       & (Resource.source_id == link.resource_source_id))
                 .where(link.resource_kind == kind).order_by(link.id))
    with engine.connect() as connection:
        return {(unit, code): int(identifier) for unit, code, identifier in connection.execute(statement)}


def ties_from_list(engine: Engine, path: Path, *, unit: str, kind: str, encoding: str | None = None
                   ) -> list[tuple[int, str, str]]:
    """The ties a list states in its 担当圏域 column: (stored place id, place name, area code) for each row.

    The list is the one imported (``import resources``): a row is the stored place of ``kind`` with the
    row's name among the places imported from that file (source = the file's stem, as imports name it);
    its area is a stored area of ``unit`` by code or by name.  Rows with an empty cell are skipped.

    Raises
    ------
    InputError
        No 担当圏域 or name column, or rows whose place or area is not stored (each naming its row and
        field): nothing is tied then.
    """
    from geo_welfare.core.errors import InputError, Problem
    from geo_welfare.io.readers import ROW, find_column, read_table
    from geo_welfare.layers.columns import RESOURCE_COLUMNS
    from geo_welfare.store.models import AreaUnit
    table = read_table(path, encoding=encoding)
    column, name_column = (find_column(table.columns, RESOURCE_COLUMNS[field]) for field in ("service_area", "name"))
    if column is None or name_column is None:
        raise InputError.single(path, "link_list_no_column",
                                columns=", ".join(RESOURCE_COLUMNS["service_area" if column is None else "name"]))
    with engine.connect() as connection:
        places: dict[str, list[int]] = {}
        for identifier, name in connection.execute(select(Resource.id, Resource.name).where(
                Resource.source == path.stem, Resource.kind == kind)):
            places.setdefault(name, []).append(int(identifier))
        areas = connection.execute(select(AreaUnit.code, AreaUnit.name).where(AreaUnit.unit == unit)).all()
    codes = {code: code for code, _ in areas} | {name: code for code, name in areas if name}
    ties, problems = [], []
    for record in table.to_dict("records"):
        area, name = str(record[column]).strip(), str(record[name_column]).strip()
        if not area:
            continue
        found = places.get(name, [])
        if len(found) != 1:
            problems.append(Problem(str(path), int(record[ROW]), name_column, "link_list_place_unknown",
                                    {"name": name, "source": path.stem}))
        elif area not in codes:
            problems.append(Problem(str(path), int(record[ROW]), column, "link_list_area_unknown", {"area": area}))
        else:
            ties.append((found[0], name, codes[area]))
    if problems:
        raise InputError(problems)
    return ties
