"""Writing layers and results to the files other tools open.

GeoPackage and GeoJSON for GIS, Shapefile with a ``.cpg`` so Japanese names survive, and CSV
in UTF-8 with a BOM so that Excel on a municipal PC opens it without garbling the kanji.

Every CSV the program writes (``export … .csv``, ``list --format csv``, the CLI's result tables, the
planner's downloads) goes through :func:`csv_text` or :func:`write_csv`, so no text cell reaches a
spreadsheet as a formula (:func:`geo_welfare.io.cells.spreadsheet_cell`).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo_welfare.io.cells import spreadsheet_table

DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile"}

#: Shapefile field names are at most 10 characters: chosen names instead of GDAL's truncation.
SHAPEFILE_NAMES = {
    "target_groups": "targets", "barrier_free": "barrierfre", "consultation": "consult",
    "last_checked": "checked", "schedule_text": "schedule", "closed_on_holidays": "hol_closed",
    "closed_year_end": "ye_closed", "times_per_month": "per_month", "schedule_unparsed": "sched_todo",
    "municipality_code": "muni_code", "municipality_name": "muni_name", "parent_code": "parent",
}


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns every format can hold: lists/dicts as JSON text, dates as ISO text."""
    result = frame.copy()
    for column in result.columns:
        if column == getattr(frame, "_geometry_column_name", None):
            continue
        sample = result[column].dropna()
        if len(sample) and isinstance(sample.iloc[0], (list, dict)):
            result[column] = result[column].map(lambda v: json.dumps(v, ensure_ascii=False) if v is not None else None)
        elif len(sample) and hasattr(sample.iloc[0], "isoformat"):
            result[column] = result[column].map(lambda v: v.isoformat() if v is not None and not pd.isna(v) else None)
    return result


def write_layer(frame: gpd.GeoDataFrame | pd.DataFrame, output: Path) -> None:
    """Write ``frame`` to ``output``; the suffix chooses the format (.gpkg .geojson .shp .csv)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    suffix = output.suffix.lower()
    plain = _plain_columns(frame)
    if suffix == ".csv":
        if isinstance(frame, gpd.GeoDataFrame) and len(frame) and frame.geometry.geom_type.eq("Point").all():
            plain["lon"], plain["lat"] = frame.geometry.x.round(7), frame.geometry.y.round(7)
        write_csv(pd.DataFrame(plain.drop(columns="geometry", errors="ignore")), output)
        return
    if suffix not in DRIVERS:
        raise ValueError(f"unsupported export format {suffix!r}")
    if output.exists() and suffix != ".gpkg":
        output.unlink()
    options = {}
    if suffix == ".shp":
        plain = plain.rename(columns=SHAPEFILE_NAMES)
        options = {"encoding": "UTF-8"}
    pyogrio.write_dataframe(gpd.GeoDataFrame(plain, geometry="geometry", crs=frame.crs), output,
                            driver=DRIVERS[suffix], **options)


def csv_text(table: pd.DataFrame) -> str:
    """``table`` as CSV text (no index), formula-like text cells neutralised: what a command prints."""
    return spreadsheet_table(table).to_csv(index=False)


def write_csv(table: pd.DataFrame, output: Path) -> None:
    """``table`` as a CSV file in UTF-8 with a BOM (Excel), formula-like text cells neutralised."""
    spreadsheet_table(table).to_csv(output, index=False, encoding="utf-8-sig")
