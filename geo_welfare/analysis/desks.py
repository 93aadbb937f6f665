"""Consultation desks (相談窓口) by field, for one district or the whole municipality.

The municipal plans (藤沢型地域包括ケア, 逗子市・鎌倉市の地域福祉計画) answer 「どこに相談にいったらいいのか
わからない」 with a list of desks by field, as 広報 prints it: for each field (高齢・介護, 障がい …) the
places that take consultations on it, with address, phone, hours in words and whether they visit
homes.  A place of several fields is listed under each, because a resident reads only the field of
their worry.  Public places only, unless a staff copy is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geo_welfare.core import consultation_fields as consultation, glossary
from geo_welfare.core.errors import NotFoundError
from geo_welfare.core.values import plain
from geo_welfare.core.words import Word
from geo_welfare.layers.schedules import describe, schedule_of


@dataclass(frozen=True)
class Desk:
    """One place as a desk list prints it; ``hours`` is its schedule in words ("" when the list gave none)."""

    id: int
    name: str
    kind: str
    address: str | None
    phone: str | None
    hours: str
    outreach: bool | None
    fields: tuple[str, ...]


@dataclass(frozen=True)
class DeskList:
    """The desks of an area by field, in the glossary's order of fields (a field without desks is left out).

    ``code`` and ``unit`` are None for the whole municipality (then ``name`` is its name, or "").
    """

    name: str
    code: str | None
    unit: str | None
    groups: tuple[tuple[str, tuple[Desk, ...]], ...]
    include_staff: bool = False

    @property
    def desk_count(self) -> int:
        """How many places the list names (a place of two fields counts once)."""
        return len({desk.id for _, desks in self.groups for desk in desks})


def _desk(record: dict, lang: str) -> Desk:
    return Desk(int(record["id"]), str(record["name"]), str(record["kind"]), plain(record.get("address")),
                plain(record.get("phone")), describe(schedule_of(record), lang) or "",
                plain(record.get("outreach")), consultation.stored_fields(record.get("consultation_fields")))


def group_desks(resources: pd.DataFrame, fields: tuple[str, ...] | None = None, lang: str = "ja"
                ) -> tuple[tuple[str, tuple[Desk, ...]], ...]:
    """The places of ``resources`` that take consultations, under each of their fields (of ``fields`` only).

    Within a field desks are in the order of their kana reading, then their name (a 広報 page's order).
    """
    desks = [_desk(record, lang) for record in resources.to_dict("records")
             if consultation.stored_fields(record.get("consultation_fields"))]
    readings = {int(r["id"]): (plain(r.get("name_kana")) or str(r["name"]), str(r["name"]))
                for r in resources.to_dict("records")}
    desks.sort(key=lambda desk: readings[desk.id])
    wanted = fields or glossary.CONSULTATION_FIELD_IDS
    return tuple((field, tuple(desk for desk in desks if field in desk.fields))
                 for field in glossary.CONSULTATION_FIELD_IDS
                 if field in wanted and any(field in desk.fields for desk in desks))


def within(resources: gpd.GeoDataFrame, area) -> gpd.GeoDataFrame:
    """The places whose point lies in ``area`` (its edge included, as coverage counts a place on a boundary)."""
    return resources[resources.geometry.covered_by(area)] if len(resources) else resources


def desk_list(engine: Engine, unit: str | None = None, code: str | None = None, *, include_staff: bool = False,
              fields: tuple[str, ...] | None = None, lang: str = "ja") -> DeskList:
    """The desk list of district ``code`` of ``unit``, or (``code`` None) of every place in the store.

    An unknown unit or code is :class:`NotFoundError` naming what the store holds.
    """
    from geo_welfare.store import read
    resources = read.read_resources(engine, include_staff_only=include_staff)
    if code is None:
        municipalities = read.read_areas(engine, "municipality")
        name = "、".join(str(n) for n in municipalities["name"].dropna()) if len(municipalities) else ""
        return DeskList(name, None, None, group_desks(resources, fields, lang), include_staff)
    areas = read.read_areas(engine, unit)
    if areas.empty:
        raise NotFoundError("not_stored", field="--unit", what=Word("area_unit"), value=unit or "",
                            listed=", ".join(sorted(set(read.read_areas(engine)["unit"]))) or "—")
    chosen = areas[areas["code"] == code]
    if chosen.empty:
        term = next(term for term in glossary.AREA_UNITS if term.id == unit)
        raise NotFoundError("not_stored", field="DISTRICT", what=term, value=code,
                            listed=", ".join(str(c) for c in areas["code"]) or "—")
    row = chosen.iloc[0]
    return DeskList(str(plain(row["name"]) or code), code, unit,
                    group_desks(within(resources, row.geometry), fields, lang), include_staff)


def kinds_by_field(places: pd.DataFrame) -> dict[str, list[str]]:
    """For each consultation field, the kinds of the places that take it (kinds in the glossary's order).

    The coordinator's page ticks these kinds when a field is chosen: searching 障がい among the salons it
    ticks by default would find no desk at all, and the coordinator would not know why.

    Parameters
    ----------
    places : pandas.DataFrame
        Places with ``kind`` and ``consultation_fields`` (the store's text of field ids).
    """
    found: dict[str, set[str]] = {}
    if len(places):
        for kind, fields in zip(places["kind"], places["consultation_fields"]):
            for field in consultation.stored_fields(fields):
                found.setdefault(field, set()).add(kind)
    order = {kind: index for index, kind in enumerate(glossary.RESOURCE_KIND_IDS)}
    return {field: sorted(kinds, key=lambda kind: order.get(kind, len(order)))
            for field, kinds in found.items()}
