"""Hazard zones from 国土数値情報: A31 洪水浸水想定区域 (flood depth ranks) and A33 土砂災害警戒区域.

Each file is one kind of zone, told by its attribute names (the shapefile / GeoJSON names of the
product specifications); every edition in use is read, and its depth ranks are kept as the
bands the code list gives, so that one rank never means two depths:

* **A31a, current edition** (河川単位, 第4.x, data of 2022 onwards): the 浸水深ランク of the planned
  scale (計画規模) in ``A31a_105`` and of the maximum scale (想定最大規模) in ``A31a_205``, each file one
  of them; the river's name in ``A31a_102`` / ``A31a_202``.  Code list 浸水深ランクコード
  (``water_depth_code``): 1 0–0.5 m, 2 0.5–3.0 m, 3 3.0–5.0 m, 4 5.0–10.0 m, 5 10.0–20.0 m, 6 20.0 m or more.
* **A31b, current edition** (一次メッシュ単位, 第5.0): the same ranks in ``A31b_101`` (planned) and
  ``A31b_201`` (maximum), no river name.
* **A31, editions 2.1–4.0** (data of 2019–2022, 河川単位 and the 第4.0版 一次メッシュ files ``A31-22_…``, whose
  ``10_計画規模`` and ``20_想定最大規模`` layers hold the rank): the same ranks in ``A31_101`` (planned) and
  ``A31_201`` (maximum); ``A31_301`` / ``A31_401`` (継続時間, 家屋倒壊) are not depth files and are refused.
* **A31, edition 1.1** (data of 2012, before the 2017 revision of the 水防法): ``A31_001`` in two code
  lists, 11–15 (0–0.5, 0.5–1.0, 1.0–2.0, 2.0–5.0, 5.0 m or more) and 21–27 (0–0.5, 0.5–1.0, 1.0–2.0,
  2.0–3.0, 3.0–4.0, 4.0–5.0, 5.0 m or more); its scenario is ``legacy``.
* **A33** (土砂災害警戒区域, every edition since 2013): ``A33_001`` 現象の種類 (CodeOfPhenomenon: 1 急傾斜地の
  崩壊, 2 土石流, 3 地滑り), ``A33_002`` 区域区分 (CodeOfZone: 1 警戒区域, 2 特別警戒区域 (指定済), 3 and 4 the
  same before designation: 基礎調査結果の公表), ``A33_005`` 区域名.  The line files of A33 (the zones'
  outlines) are refused: only the polygons hold residents.

The zone classes counted by :mod:`geo_welfare.analysis.hazard_exposure` are a depth band (``0.5-3``,
``20-`` for an open band) or ``warning`` / ``special_warning`` (``…_proposed`` before designation).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core.words import t
from geo_welfare.io.readers import ROW, check_geometries, read_vector, to_storage_crs

FLOOD, LANDSLIDE = "flood", "landslide"
PLANNED, MAXIMUM, LEGACY = "planned", "maximum", "legacy"

#: Depth bands in metres (lower, upper; None: no upper bound) of each code list.
CURRENT_DEPTHS = {"1": (0.0, 0.5), "2": (0.5, 3.0), "3": (3.0, 5.0), "4": (5.0, 10.0), "5": (10.0, 20.0),
                  "6": (20.0, None)}
LEGACY_DEPTHS = {"11": (0.0, 0.5), "12": (0.5, 1.0), "13": (1.0, 2.0), "14": (2.0, 5.0), "15": (5.0, None),
                 "21": (0.0, 0.5), "22": (0.5, 1.0), "23": (1.0, 2.0), "24": (2.0, 3.0), "25": (3.0, 4.0),
                 "26": (4.0, 5.0), "27": (5.0, None)}

#: The rank fields, in the order they are looked for: (field, edition, scenario, river-name field, code list).
FLOOD_FIELDS: tuple[tuple[str, str, str, str | None, dict], ...] = (
    ("A31a_205", "A31a", MAXIMUM, "A31a_202", CURRENT_DEPTHS),
    ("A31a_105", "A31a", PLANNED, "A31a_102", CURRENT_DEPTHS),
    ("A31b_201", "A31b", MAXIMUM, None, CURRENT_DEPTHS),
    ("A31b_101", "A31b", PLANNED, None, CURRENT_DEPTHS),
    ("A31_201", "A31-v2-4", MAXIMUM, None, CURRENT_DEPTHS),
    ("A31_101", "A31-v2-4", PLANNED, None, CURRENT_DEPTHS),
    ("A31_001", "A31-v1.1", LEGACY, None, LEGACY_DEPTHS),
)
PHENOMENON_FIELD, ZONE_FIELD, ZONE_NAME_FIELD = "A33_001", "A33_002", "A33_005"
#: CodeOfPhenomenon and CodeOfZone (A33).
PHENOMENA = {"1": "steep_slope", "2": "debris_flow", "3": "landslide"}
ZONES = {"1": "warning", "2": "special_warning", "3": "warning_proposed", "4": "special_warning_proposed"}
#: Every field that says a file is a hazard file, for the message refusing one that is not.
KNOWN_FIELDS = tuple(field for field, *_ in FLOOD_FIELDS) + (PHENOMENON_FIELD + "+" + ZONE_FIELD,)

COLUMNS = ["hazard", "scenario", "zone_class", "phenomenon", "label", "name"]


@dataclass
class HazardZones:
    """Validated zones of one file: ``frame`` (:data:`COLUMNS` and MultiPolygons, lon/lat), the edition read."""

    frame: gpd.GeoDataFrame
    hazard: str
    edition: str
    source: str
    repaired: int = 0


def hazard_kind(columns) -> str | None:
    """``flood`` or ``landslide`` when the columns are an A31 or A33 file's, else None."""
    names = set(columns)
    if {PHENOMENON_FIELD, ZONE_FIELD} <= names:
        return LANDSLIDE
    return FLOOD if any(field in names for field, *_ in FLOOD_FIELDS) else None


def code_text(value: object) -> str | None:
    """A code cell as its code list writes it: ``3``, ``"3"`` and ``3.0`` are ``"3"``; blank is None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def band_class(lower: float, upper: float | None) -> str:
    """A depth band's class: ``0.5-3`` (metres), ``20-`` for the open top band."""
    return f"{lower:g}-" + ("" if upper is None else f"{upper:g}")


def band_label(lower: float, upper: float | None, lang: str = "ja") -> str:
    """A depth band in words, as the code lists write it (0.5m以上3.0m未満)."""
    if upper is None:
        return t("depth_band_open", lang, lower=f"{lower:.1f}")
    return t("depth_band", lang, lower=f"{lower:.1f}", upper=f"{upper:.1f}")


def zone_label(zone: str, phenomenon: str, lang: str = "ja") -> str:
    """An A33 zone in words: 土砂災害特別警戒区域（土石流）."""
    return t("landslide_zone_label", lang, zone=t(f"landslide_zone_{zone}", lang),
             phenomenon=t(f"landslide_phenomenon_{phenomenon}", lang))


def class_label(hazard: str, zone_class: str, phenomenon: str | None, lang: str = "ja") -> str:
    """A zone class in words: its depth band (``0.5-3`` → 0.5m以上3.0m未満), or the A33 zone and phenomenon."""
    if hazard == FLOOD:
        lower, _, upper = str(zone_class).partition("-")
        return band_label(float(lower), float(upper) if upper else None, lang)
    return zone_label(str(zone_class), str(phenomenon), lang)


def hazard_label(hazard: str, scenario: str | None, lang: str = "ja") -> str:
    """The hazard in words, with the flood's scenario: 洪水（想定最大規模）, 土砂災害."""
    word = t(f"hazard_{hazard}", lang)
    if scenario is None or (isinstance(scenario, float) and pd.isna(scenario)):
        return word
    return t("hazard_with_scenario", lang, hazard=word, scenario=t(f"flood_scenario_{scenario}", lang))


def _cell(frame: gpd.GeoDataFrame, field: str | None) -> list:
    if field is None or field not in frame.columns:
        return [None] * len(frame)
    return [None if pd.isna(v) or not str(v).strip() else str(v).strip() for v in frame[field]]


def _coded(frame: gpd.GeoDataFrame, field: str, codes: dict, path: Path, problems: list[Problem]) -> list:
    """Each row's code of ``field`` as the code list's value; unknown or blank codes are noted as problems."""
    values = []
    for row, cell in zip(frame[ROW], frame[field]):
        code = code_text(cell)
        if code not in codes:
            problems.append(Problem(str(path), int(row), field, "hazard_code_unknown",
                                    {"codes": ", ".join(codes)}, found="" if code is None else code))
        values.append(codes.get(code))
    return values


def _flood(frame: gpd.GeoDataFrame, path: Path, problems: list[Problem]) -> tuple[pd.DataFrame, str]:
    field, edition, scenario, name_field, codes = next(entry for entry in FLOOD_FIELDS if entry[0] in frame.columns)
    bands = _coded(frame, field, codes, path, problems)
    table = pd.DataFrame({
        "hazard": FLOOD, "scenario": scenario,
        "zone_class": [None if b is None else band_class(*b) for b in bands],
        "phenomenon": None, "label": [None if b is None else band_label(*b) for b in bands],
        "name": _cell(frame, name_field)}, index=frame.index)
    return table, edition


def _landslide(frame: gpd.GeoDataFrame, path: Path, problems: list[Problem]) -> tuple[pd.DataFrame, str]:
    phenomena = _coded(frame, PHENOMENON_FIELD, PHENOMENA, path, problems)
    zones = _coded(frame, ZONE_FIELD, ZONES, path, problems)
    labels = [None if z is None or p is None else zone_label(z, p) for z, p in zip(zones, phenomena)]
    table = pd.DataFrame({"hazard": LANDSLIDE, "scenario": None, "zone_class": zones, "phenomenon": phenomena,
                          "label": labels, "name": _cell(frame, ZONE_NAME_FIELD)}, index=frame.index)
    return table, "A33"


def read_hazard_zones(path: str | Path, *, encoding: str | None = None, crs: str | None = None,
                      frame: gpd.GeoDataFrame | None = None) -> HazardZones:
    """Read and check an A31 or A33 file (GeoJSON, Shapefile, GeoPackage); every bad row is reported at once.

    Invalid polygons (common in the national files) are mended (``make_valid``) and counted in
    ``repaired``; missing geometries, lines, points and unknown codes refuse the file.  ``frame``: the
    file as :func:`~geo_welfare.io.readers.read_vector` read it, when the caller has read it already.

    Raises
    ------
    InputError
        The file is no A31/A33 file (naming the fields looked for), or rows hold unknown codes or
        unusable geometries (file, row and field of each).
    """
    path = Path(path)
    frame = read_vector(path, encoding=encoding, crs=crs) if frame is None else frame  # given: read already
    hazard = hazard_kind(frame.columns)
    if hazard is None:
        raise InputError.single(path, "hazard_file_not_recognised", fields=", ".join(KNOWN_FIELDS))
    frame = to_storage_crs(frame, path)
    problems: list[Problem] = []
    frame, repaired = check_geometries(frame, path, allowed_types={"Polygon", "MultiPolygon"}, repair=True,
                                       problems=problems)
    table, edition = (_flood if hazard == FLOOD else _landslide)(frame, path, problems)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0)))
    geometries = [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in frame.geometry]
    zones = gpd.GeoDataFrame(table[COLUMNS].reset_index(drop=True), geometry=geometries, crs=frame.crs)
    return HazardZones(zones, hazard, edition, path.name, repaired)
