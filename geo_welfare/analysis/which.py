"""Which centre serves this address (うちの担当の包括はどこ？): the areas a point lies in and the centre tied to its 圏域.

A resident's first question is not "which centre is nearest" but "which one is mine": a
地域包括支援センター serves the 日常生活圏域 it is tied to (:mod:`geo_welfare.store.area_links`),
and the nearest centre is often another's (圏域 follow 町丁目 and rivers, not distance).  So the
answer names the tied centre; only when no tie is stored does it give the nearest centre, and then
it says so (:data:`TIE_NEAREST`), never presenting it as the one responsible.

An address is placed through the stored gazetteers (:func:`locate`); one matched only to its
市区町村, or not at all, is refused with the reason: a city centre would answer for the wrong 圏域.
The location asked about is only used: nothing here stores or logs it.

:func:`prepare_service_map` reads the areas and centres once (the web keeps it per store
revision); :func:`answer_at` answers each question, reading the ties and the 地区's CSW fresh (they
change without an import).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import geopandas as gpd
import shapely
from sqlalchemy import Engine

from geo_welfare.analysis.nearest import Places, nearest_places, prepare_places
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH
from geo_welfare.core.errors import EXIT_INPUT, ConflictError, GeoWelfareError
from geo_welfare.core.words import Word
from geo_welfare.layers.schedules import describe
from geo_welfare.network.graph import WalkingNetwork
from geo_welfare.store.area_links import area_links
from geo_welfare.store.gazetteer import AddressMatch, geocoder
from geo_welfare.store.read import read_areas, read_resources

#: The area units an answer names, in the order it lists them.
UNITS = ("daily_life_area", "elementary_district", "junior_high_district", "district")
SERVICE_UNIT = "daily_life_area"
CENTRE_KIND = "support_centre"
DISTRICT_UNIT = "district"
#: The centre is the one tied to the point's 圏域 / only the nearest (no tie stored).
TIE_ASSIGNED = "assigned"
TIE_NEAREST = "nearest"
#: A district attribute whose name holds this word is its CSW (「CSW」「担当CSW」「CSW配置」).
CSW_WORD = "csw"


class AddressNotPlaced(GeoWelfareError):
    """The address matched only its municipality, or nothing: refused as input (CLI exit 1, HTTP 422)."""

    exit_code = EXIT_INPUT
    http_status = 422


@dataclass(frozen=True, eq=False)
class ServiceMap:
    """The stored areas of :data:`UNITS` and the support centres made ready for walking, read once."""

    areas: dict[str, gpd.GeoDataFrame]
    centres: Places


def prepare_service_map(engine: Engine, network: WalkingNetwork | None = None, *,
                        include_staff_only: bool = False) -> ServiceMap:
    """Areas and centres of the store, the centres snapped to ``network`` (None: straight lines).

    Staff-only centres are left out unless asked for: a public answer never shows them.
    """
    areas = read_areas(engine)
    by_unit = {unit: areas[areas["unit"] == unit].reset_index(drop=True) for unit in UNITS}
    centres = read_resources(engine, kinds=[CENTRE_KIND], include_staff_only=include_staff_only)
    return ServiceMap(by_unit, prepare_places(centres, network))


@dataclass(frozen=True)
class Area:
    """One area the point lies in."""

    unit: str
    code: str
    name: str | None


@dataclass(frozen=True)
class Centre:
    """The centre of the answer and the walk to it (``walking_m`` None: not reachable over the streets)."""

    id: int
    name: str
    address: str | None
    phone: str | None
    hours: str
    tie: str  # TIE_ASSIGNED or TIE_NEAREST
    walking_m: float | None
    walking_min: float | None
    straight_m: float | None
    method: str | None
    lon: float
    lat: float
    route: shapely.LineString | None = None


@dataclass(frozen=True)
class Answer:
    """The areas by unit (None: the point is in no stored area of it), the centre, and the 地区's CSW entries."""

    areas: dict[str, Area | None]
    centre: Centre | None
    csw: tuple[tuple[str, str], ...]
    tied_areas: bool  # whether any 圏域 of the store has a tie at all

    def as_dict(self) -> dict:
        centre = None
        if self.centre is not None:
            centre = {key: value for key, value in asdict(self.centre).items() if key != "route"}
        return {"areas": {unit: (asdict(area) if area else None) for unit, area in self.areas.items()},
                "centre": centre, "csw": [{"key": key, "value": value} for key, value in self.csw]}


def locate(engine: Engine, address: str) -> AddressMatch:
    """The point of ``address`` from the stored gazetteers, at 街区, 町丁目 or 大字 level.

    Raises
    ------
    ConflictError
        No gazetteer is stored (``geo-welfare import gazetteer`` first).
    AddressNotPlaced
        The address matched only its municipality, or nothing: the reason, never a city centre.
        The message names the level and the reason, not the address (it could reach a log).
    """
    matcher = geocoder(engine)
    if matcher is None:
        raise ConflictError("geocode_no_gazetteer")
    match = matcher.match(address)
    if not match.placed:
        raise AddressNotPlaced("which_address_not_placed", field="address",
                                 level=Word(f"geocode_level_{match.level}"),
                                 reason=Word(match.reason or "geocode_reason_no_town"))
    return match


def _containing(frame: gpd.GeoDataFrame, point: shapely.Point) -> Area | None:
    """The first area (by code) that covers the point, or None."""
    if frame.empty:
        return None
    inside = frame.geometry.covers(point).to_numpy()
    if not inside.any():
        return None
    row = frame.iloc[int(inside.argmax())]
    name = row["name"]
    return Area(row["unit"], str(row["code"]), name if isinstance(name, str) else None)


def _centre(service: ServiceMap, lonlat: tuple[float, float], tied: int | None, speed_kmh: float,
            lang: str) -> Centre | None:
    """The tied centre (or, with ``tied`` None, the nearest) with the walk to it; None when there is none."""
    places = service.centres
    if len(places) == 0:
        return None
    index = None
    if tied is not None:
        index = next((i for i, record in enumerate(places.records) if int(record["id"]) == tied), None)
        if index is None:
            return None  # tied to a place not shown here (staff-only): said as "no centre", never guessed
    found = nearest_places(places, lonlat, k=len(places) if tied is not None else 1, speed_kmh=speed_kmh, lang=lang)
    walk = next((item for item in found if tied is None or int(item.row["id"]) == tied), None)
    if index is None:
        if walk is None:
            return None  # no centre reachable over the streets: none is named nearest
        index = next(i for i, record in enumerate(places.records) if record is walk.place)
    record = places.records[index]
    point = record["geometry"]
    return Centre(
        id=int(record["id"]), name=record["name"], address=_text(record.get("address")), phone=_text(record.get("phone")),
        hours=describe(places.schedules[index], lang), tie=TIE_ASSIGNED if tied is not None else TIE_NEAREST,
        walking_m=walk.row["walking_m"] if walk else None, walking_min=walk.row["walking_min"] if walk else None,
        straight_m=walk.row["straight_m"] if walk else None, method=walk.row["method"] if walk else None,
        lon=round(point.x, 7), lat=round(point.y, 7), route=walk.route if walk else None)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _csw(engine: Engine, district: Area | None) -> tuple[tuple[str, str], ...]:
    """The stored attributes of the 地区 that name its CSW (key, value), in import order."""
    if district is None:
        return ()
    from geo_welfare.store.district_attributes import read_district_attributes
    table = read_district_attributes(engine, DISTRICT_UNIT, district.code)
    return tuple((key, value) for key, value in zip(table["key"], table["value"]) if CSW_WORD in str(key).lower())


def answer_at(engine: Engine, service: ServiceMap, lonlat: tuple[float, float], *,
              speed_kmh: float = DEFAULT_WALKING_SPEED_KMH, lang: str = "ja") -> Answer:
    """The areas at ``lonlat`` (lon, lat, EPSG:6668), the centre serving its 圏域, and the 地区's CSW.

    The centre is the one tied to the 圏域 (:func:`geo_welfare.store.area_links.link_place`); without
    a tie it is the nearest centre by walk, marked :data:`TIE_NEAREST`.  ``lonlat`` is only used.
    """
    point = shapely.Point(lonlat)
    areas = {unit: _containing(service.areas[unit], point) for unit in UNITS}
    links = area_links(engine, CENTRE_KIND)
    home = areas[SERVICE_UNIT]
    tied = links.get((SERVICE_UNIT, home.code)) if home is not None else None
    centre = _centre(service, lonlat, tied, speed_kmh, lang)
    if centre is None and tied is not None:
        tied = None
        centre = _centre(service, lonlat, None, speed_kmh, lang)
    return Answer(areas, centre, _csw(engine, areas[DISTRICT_UNIT]),
                  tied_areas=any(unit == SERVICE_UNIT for unit, _ in links))
