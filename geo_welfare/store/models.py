"""Tables of the store, the same on SpatiaLite and PostGIS.

Geometries are stored as JGD2011 lon/lat (SRID 6668) with spatial indexes, so the file or the
database opens in QGIS as it is.  Derived figures (高齢化率 = 65+ / total) are computed when read,
never stored, so they cannot disagree with the counts they come from.
"""

from __future__ import annotations

import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint,
                        false, func)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from geo_welfare.core.config import STORAGE_SRID


class Base(DeclarativeBase):
    """Declarative base of every table."""


class AreaUnit(Base):
    """A polygon of one area level: municipality, 日常生活圏域, 地区, school district or 小地域.

    Levels are kept side by side rather than as a tree because they do not nest (a 小学校区
    cuts across 町丁); ``parent_code`` records nesting only where the source declares it.
    """

    __tablename__ = "area_unit"
    __table_args__ = (UniqueConstraint("unit", "code", name="uq_area_unit_unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(64))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    municipality_name: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(200))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=True, nullable=False))


class PopulationDataset(Base):
    """One imported population table (a census or resident-register release)."""

    __tablename__ = "population_dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    source_file: Mapped[str] = mapped_column(String(500))
    as_of: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    counts: Mapped[list["PopulationCount"]] = relationship(back_populates="dataset", cascade="all, delete-orphan")


class PopulationCount(Base):
    """Population of one statistical unit, as published, with the small area it joins to.

    Every row of the source is kept, including rows that join to no small area
    (``area_code`` is NULL): city totals stay right and the unmatched rows can be listed.
    """

    __tablename__ = "population_count"
    __table_args__ = (UniqueConstraint("dataset_id", "row_key", name="uq_population_dataset_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("population_dataset.id", ondelete="CASCADE"), index=True)
    row_key: Mapped[str] = mapped_column(String(200))
    area_code: Mapped[str | None] = mapped_column(String(64), index=True)
    parent_name: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    total: Mapped[int] = mapped_column(Integer)
    age_0_14: Mapped[int | None] = mapped_column(Integer)
    age_15_64: Mapped[int | None] = mapped_column(Integer)
    age_65_plus: Mapped[int | None] = mapped_column(Integer)
    age_75_plus: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    dataset: Mapped[PopulationDataset] = relationship(back_populates="counts")

    @property
    def aging_rate(self) -> float | None:
        """高齢化率: residents 65+ over all residents."""
        if self.age_65_plus is None or not self.total:
            return None
        return self.age_65_plus / self.total


class Resource(Base):
    """A place residents can go: サロン, 通いの場, 地域の縁側, 地域包括支援センター, 公民館 …

    ``(source, source_id)`` is stable across re-imports of the same list, so importing it again
    updates the rows instead of duplicating them.
    """

    __tablename__ = "resource"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_resource_source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_kana: Mapped[str | None] = mapped_column(String(300))
    operator: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    target_groups: Mapped[str | None] = mapped_column(String(300))
    fee: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: The 定員 cell as the list wrote it; ``capacity`` is its number only where it says one (「約20名」: approximate).
    capacity_text: Mapped[str | None] = mapped_column(String(500))
    capacity_approximate: Mapped[bool | None] = mapped_column(Boolean)
    #: How a place without coordinates in its list was placed by its address (block, chome, oaza), and from which
    #: gazetteer; NULL for the list's own point.
    location_level: Mapped[str | None] = mapped_column(String(16))
    location_gazetteer: Mapped[str | None] = mapped_column(String(200))
    barrier_free: Mapped[bool | None] = mapped_column(Boolean)
    consultation: Mapped[bool | None] = mapped_column(Boolean)
    #: The fields it takes consultations on (glossary ids joined by commas, migration 0010), and whether it visits homes.
    consultation_fields: Mapped[str | None] = mapped_column(String(300))
    outreach: Mapped[bool | None] = mapped_column(Boolean)
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    last_checked: Mapped[datetime.date | None] = mapped_column(Date)
    schedule_text: Mapped[str | None] = mapped_column(Text)
    closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_year_end: Mapped[bool] = mapped_column(Boolean, default=False)
    times_per_month: Mapped[int | None] = mapped_column(Integer)
    schedule_unparsed: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    #: Raised by every change (web edit or import), so a save made from an older copy is refused (409).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=True, nullable=False))
    schedules: Mapped[list["Schedule"]] = relationship(back_populates="resource", cascade="all, delete-orphan",
                                                       order_by="Schedule.id")


class Schedule(Base):
    """One recurrence rule of a resource, shaped like an Open Referral HSDS ``schedule``.

    ``closed`` rows name days the place is shut (HSDS has no such schedule; the export leaves them
    to the description); the other columns beyond HSDS's say what a rule does on holidays.
    """

    __tablename__ = "schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    freq: Mapped[str] = mapped_column(String(16))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    byday: Mapped[str | None] = mapped_column(String(64))
    bymonthday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[str | None] = mapped_column(String(5))
    closes_at: Mapped[str | None] = mapped_column(String(5))
    bymonth: Mapped[str | None] = mapped_column(String(64))  # 4月～9月 → "4,5,6,7,8,9"; None: every month
    #: On public holidays: next_day (祝日の場合は翌日), not_held, only (the 祝日 column), unknown; None: as any day.
    if_holiday: Mapped[str | None] = mapped_column(String(16))
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a 定休日 rule
    notes: Mapped[str | None] = mapped_column(Text)  # the schedule's conditions (雨天中止 …), "；" between them
    resource: Mapped[Resource] = relationship(back_populates="schedules")


class CandidateSite(Base):
    """A place where a new community base (拠点) could open: 公民館, 集会所, 空き家 …"""

    __tablename__ = "candidate_site"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_candidate_source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(500))
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=True, nullable=False))


class User(Base):
    """A person who signs in to the web app: an ``editor`` changes resources, a ``viewer`` only reads.

    Only a salted hash of the password is kept (werkzeug's scrypt), never the password itself.
    The table is ``app_user`` because ``user`` is a reserved word in PostgreSQL.
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)


class ResourceChange(Base):
    """One change to a resource made in the web app: who, when (UTC), what, and each field's old and new value.

    ``changes`` is JSON text ``{field: [old, new]}``.  Neither ``resource_id`` nor ``username`` is a
    foreign key, so the history outlives a deleted resource and a removed user.
    """

    __tablename__ = "resource_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[str] = mapped_column(Text)


class WebSession(Base):
    """A signed-in web session, kept server-side so that logout, a new password or removal ends it.

    ``id`` is the SHA-256 of the random token in the browser's cookie: a copy of the table does
    not give anyone a session.
    """

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime)


class ImportRun(Base):
    """One import of one file: what it was, when, and what it changed (the history of the lists)."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200), index=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    options: Mapped[str | None] = mapped_column(Text)


class GazetteerEntry(Base):
    """One place of an imported gazetteer (位置参照情報, Geolonia, the store's small areas) for address matching.

    ``source`` is the file it came from: importing the same file again replaces its entries.  The
    point is kept as plain lon/lat numbers, not a geometry: the matcher reads every entry into memory
    and never asks the database a spatial question of them.
    """

    __tablename__ = "gazetteer_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gazetteer: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), index=True)
    prefecture: Mapped[str | None] = mapped_column(String(16))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    municipality: Mapped[str] = mapped_column(String(100))
    town: Mapped[str] = mapped_column(String(200))
    koaza: Mapped[str | None] = mapped_column(String(200))
    block: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class ResourceService(Base):
    """One service an office offers (HSDS's ``service`` at a ``location``): the national systems' rows.

    The national service-information systems list an office once per service (通所介護, 訪問介護 …);
    the office is one :class:`Resource` (one place on the map) and each service one row here, with
    the file's own number for it (``source_id``: the NO of the row, or the NOs of two rows that list
    the same service), its type as written, the kind and target group the glossary maps it to, its
    capacity and its own schedule: the rules as JSON text (``ParsedSchedule.to_stored``), which
    :func:`geo_welfare.layers.schedules.from_stored` reads back, so a service answers "open then?"
    by its own hours while the office answers only where all its services agree.
    """

    __tablename__ = "resource_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str | None] = mapped_column(Text)
    service_code: Mapped[str | None] = mapped_column(String(16))
    service_type: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32))
    target_groups: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None] = mapped_column(Integer)
    capacity_text: Mapped[str | None] = mapped_column(Text)  # as the file wrote it, however long
    schedule_text: Mapped[str | None] = mapped_column(Text)
    schedule_rules: Mapped[str | None] = mapped_column(Text)
    closed_on_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_year_end: Mapped[bool] = mapped_column(Boolean, default=False)
    schedule_unparsed: Mapped[str | None] = mapped_column(Text)


class DistrictAttribute(Base):
    """One thing an office knows of a district that no map shows: CSW配置, 協議体, モデル地区 …

    Kept as (key, value) rows rather than columns because every municipality keeps its own list;
    ``key`` is the column header as the office's table wrote it.  ``source`` is the file: importing
    the same file again for the same unit replaces its rows.
    """

    __tablename__ = "district_attribute"
    __table_args__ = (UniqueConstraint("unit", "code", "key", "source", name="uq_district_attribute"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))


class PopulationBand(Base):
    """One 5-year age band (by sex where the table gives it) of a :class:`PopulationCount`: the pyramid's bars.

    Kept beside the count's groups rather than instead of them because most tables (e-Stat's 小地域
    totals, the demo town) have no bands; the bands of a count add up to its groups (checked when
    written).  ``band_end`` is None for the open top band (85歳以上, 100歳以上); ``sex`` is None
    where the table counts both sexes together, else ``male`` or ``female``.
    """

    __tablename__ = "population_band"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("population_count.id", ondelete="CASCADE"), index=True)
    band_start: Mapped[int] = mapped_column(Integer)
    band_end: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(8))
    count: Mapped[int | None] = mapped_column(Integer)


class HazardZone(Base):
    """A 国土数値情報 A31 depth band or A33 zone (:mod:`geo_welfare.layers.hazards`); its file's rows are replaced whole."""

    __tablename__ = "hazard_zone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    hazard: Mapped[str] = mapped_column(String(16), index=True)
    scenario: Mapped[str | None] = mapped_column(String(16))
    zone_class: Mapped[str] = mapped_column(String(32))
    phenomenon: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=True, nullable=False))


class Shelter(Base):
    """A GSI 避難場所・避難所 (``source_id``: 共通ID) and the ``hazards`` it is open for, ids joined by commas."""

    __tablename__ = "shelter"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_shelter_source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(32))
    hazards: Mapped[str] = mapped_column(String(200))
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=True, nullable=False))


class TransitStop(Base):
    """A station or stop (issue 14): ``mode`` station, bus, tram or other; a re-import of its ``source`` replaces it.

    ``departures_per_day`` is known only from a timetable (GTFS), for the day ``departures_date``.
    """

    __tablename__ = "transit_stop"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_transit_stop_source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(16))
    operator: Mapped[str | None] = mapped_column(String(300))
    departures_per_day: Mapped[int | None] = mapped_column(Integer)
    departures_date: Mapped[str | None] = mapped_column(String(10))
    geom = mapped_column(Geometry("POINT", srid=STORAGE_SRID, spatial_index=True, nullable=False))


class TransitServiceArea(Base):
    """An area a community transport serves (乗合タクシー, デマンド交通 …); ``kind`` is the file's word for it."""

    __tablename__ = "transit_service_area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(64))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=True, nullable=False))
