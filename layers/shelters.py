"""Shelters from GSI's 指定緊急避難場所・指定避難所 data, with the hazards each is open for.

The files are those of the GSI shelter lists as the shelter API serves them (one point per site,
the properties in Japanese, :data:`~geo_welfare.layers.columns.GSI_SHELTER_COLUMNS`):

* **指定緊急避難場所** (``emergency_site``): ``NO, 共通ID, 都道府県名及び市町村名, 施設・場所名, 住所``, then one flag
  per hazard, ``"1"`` where the site is designated for it and ``""`` where not: 洪水, 崖崩れ、土石流及び地滑り,
  高潮, 地震, 津波, 大規模な火事, 内水氾濫, 火山現象 (:data:`~geo_welfare.layers.columns.GSI_HAZARD_FLAGS`
  gives each its id: flood, landslide, storm_surge, earthquake, tsunami, large_fire, inland_flood, volcano),
  and 指定避難所との住所同一, 備考.
* **指定避難所** (``designated_shelter``): ``NO, 共通ID, 都道府県名及び市町村名, 施設・場所名, 住所,
  指定緊急避難場所との住所同一, その他市町村長が必要と認める事項, 受入対象者, 備考``.  A 指定避難所 is where people
  stay after the danger, not a place to flee to from a given hazard: the file names no hazard, so its
  ``hazards`` are empty and no hazard's reach counts it.  One with a 受入対象者 (妊産婦、乳児及びその家族,
  要配慮者 …) is a ``welfare_shelter`` (福祉避難所).

A flag other than ``"1"`` or blank, a missing 共通ID or name, or a 共通ID listed twice refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import ROW, check_geometries, read_vector, to_storage_crs
from geo_welfare.layers.columns import GSI_HAZARD_FLAGS, GSI_SHELTER_COLUMNS, GSI_HEADERS

EMERGENCY_SITE, DESIGNATED_SHELTER, WELFARE_SHELTER = "emergency_site", "designated_shelter", "welfare_shelter"
#: Every hazard id a GSI file may name, in the files' column order.
HAZARD_IDS: tuple[str, ...] = tuple(GSI_HAZARD_FLAGS.values())
COLUMNS = ["source_id", "name", "address", "kind", "hazards"]


@dataclass
class Shelters:
    """Validated shelters of one file: ``frame`` (:data:`COLUMNS`, points in lon/lat) and the file's name."""

    frame: gpd.GeoDataFrame
    source: str


def is_shelter_file(columns) -> bool:
    """Whether the columns are a GSI shelter file's (共通ID and 施設・場所名)."""
    return GSI_HEADERS <= set(columns)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value).strip() or None


def _hazards(frame: gpd.GeoDataFrame, path: Path, problems: list[Problem]) -> list[str]:
    """Each row's hazards, ids joined by commas in the files' order; a flag not "1" nor blank is a problem."""
    flags = [column for column in GSI_HAZARD_FLAGS if column in frame.columns]
    lists: list[list[str]] = [[] for _ in range(len(frame))]
    for column in flags:
        for position, (row, cell) in enumerate(zip(frame[ROW], frame[column])):
            value = _text(cell)
            if value == "1":
                lists[position].append(GSI_HAZARD_FLAGS[column])
            elif value is not None:
                problems.append(Problem(str(path), int(row), column, "shelter_flag_not_one_or_blank", {}, value))
    return [",".join(items) for items in lists]


def _required(frame: gpd.GeoDataFrame, path: Path, field: str, key: str, problems: list[Problem]) -> list:
    column = GSI_SHELTER_COLUMNS[field]
    values = [_text(v) for v in frame[column]] if column in frame.columns else [None] * len(frame)
    problems += [Problem(str(path), int(row), column, key, {}) for row, v in zip(frame[ROW], values) if v is None]
    return values


def read_shelters(path: str | Path, *, encoding: str | None = None, crs: str | None = None,
                  frame: gpd.GeoDataFrame | None = None) -> Shelters:
    """Read and check a GSI 指定緊急避難場所 or 指定避難所 file; every bad row is reported at once.

    ``frame``: the file as :func:`~geo_welfare.io.readers.read_vector` read it, when the caller has read it already.

    Raises
    ------
    InputError
        Not a GSI shelter file (naming the columns looked for), or rows without a 共通ID or name,
        with a flag other than "1" or blank, with a 共通ID seen before, or without a usable point.
    """
    path = Path(path)
    frame = read_vector(path, encoding=encoding, crs=crs) if frame is None else frame  # given: read already
    if not is_shelter_file(frame.columns):
        raise InputError.single(path, "shelter_file_not_recognised", columns=", ".join(sorted(GSI_HEADERS)))
    frame = to_storage_crs(frame, path)
    problems: list[Problem] = []
    frame, _ = check_geometries(frame, path, allowed_types={"Point"}, problems=problems)
    ids = _required(frame, path, "source_id", "shelter_id_missing", problems)
    names = _required(frame, path, "name", "shelter_name_missing", problems)
    seen: set[str] = set()
    for row, source_id in zip(frame[ROW], ids):
        if source_id is not None and source_id in seen:
            problems.append(Problem(str(path), int(row), GSI_SHELTER_COLUMNS["source_id"], "shelter_id_repeated",
                                    {}, source_id))
        seen.add(source_id)
    emergency = any(column in frame.columns for column in GSI_HAZARD_FLAGS)
    hazards = _hazards(frame, path, problems) if emergency else [""] * len(frame)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))
    accepts = [_text(v) for v in frame.get(GSI_SHELTER_COLUMNS["accepts"], pd.Series([None] * len(frame)))]
    kinds = [EMERGENCY_SITE if emergency else WELFARE_SHELTER if who else DESIGNATED_SHELTER for who in accepts]
    addresses = [_text(v) for v in frame[GSI_SHELTER_COLUMNS["address"]]] \
        if GSI_SHELTER_COLUMNS["address"] in frame.columns else [None] * len(frame)
    table = pd.DataFrame({"source_id": ids, "name": names, "address": addresses, "kind": kinds, "hazards": hazards})
    return Shelters(gpd.GeoDataFrame(table, geometry=list(frame.geometry), crs=frame.crs), path.name)


def open_for(shelters: gpd.GeoDataFrame, hazard_ids) -> gpd.GeoDataFrame:
    """The shelters open for any of ``hazard_ids`` (their ``hazards`` list names one of them)."""
    wanted = set(hazard_ids)
    keep = [bool(wanted & set(filter(None, str(h or "").split(",")))) for h in shelters["hazards"]]
    return shelters[keep].reset_index(drop=True)
