"""Writing layers and results to the files other tools open.

GeoPackage and GeoJSON for GIS, Shapefile with a ``.cpg`` so Japanese names survive, CSV
in UTF-8 with a BOM so that Excel on a municipal PC opens it without garbling the kanji, and
``.xlsx`` workbooks, since that is what offices open.

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

#: Files that hold a table, not a layer: what a person opens in a spreadsheet.
TABLE_SUFFIXES = (".csv", ".xlsx")
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
    if suffix in TABLE_SUFFIXES:
        if isinstance(frame, gpd.GeoDataFrame) and len(frame) and frame.geometry.geom_type.eq("Point").all():
            plain["lon"], plain["lat"] = frame.geometry.x.round(7), frame.geometry.y.round(7)
        table = pd.DataFrame(plain.drop(columns="geometry", errors="ignore"))
        (write_xlsx if suffix == ".xlsx" else write_csv)(table, output)
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


def csv_text(table: pd.DataFrame, *, bom: bool = False) -> str:
    """``table`` as CSV text (no index), formula-like text cells neutralised: what a command prints.

    ``bom`` starts it with a byte-order mark, as every CSV the CLI prints does: ``… > list.csv``
    then opens in Excel without garbling the kanji.
    """
    return ("\ufeff" if bom else "") + spreadsheet_table(table).to_csv(index=False)


def write_xlsx(table: pd.DataFrame, output: Path) -> None:
    """``table`` as an Excel workbook (what offices open): one sheet, header row frozen, columns sized to fit.

    Text cells that a spreadsheet would run as a formula are neutralised as in a CSV.
    """
    from openpyxl.utils import get_column_letter  # openpyxl only for the one format that needs it
    sheet_table = spreadsheet_table(table)
    with pd.ExcelWriter(output, engine="openpyxl") as writer:
        sheet_table.to_excel(writer, index=False, sheet_name="geo-welfare")
        sheet = writer.sheets["geo-welfare"]
        sheet.freeze_panes = "A2"
        for number, column in enumerate(sheet_table.columns, start=1):
            longest = max([len(str(column))] + [len(str(value)) for value in sheet_table[column].head(200)])
            sheet.column_dimensions[get_column_letter(number)].width = min(60, 2 + longest * 1.6)


def write_csv(table: pd.DataFrame, output: Path) -> None:
    """``table`` as a CSV file in UTF-8 with a BOM (Excel), formula-like text cells neutralised."""
    spreadsheet_table(table).to_csv(output, index=False, encoding="utf-8-sig")


def write_report(rows: pd.DataFrame, reasons: dict[int, str], output: Path, *, row_column: str = "_row") -> Path:
    """The refused rows of an import as a CSV the user fixes and imports again; returns ``output``.

    ``rows`` are the file's own rows (its columns as written, and ``row_column``, the row as the
    user sees it); ``reasons`` maps a row to why it was refused.  The report has the file's columns
    in the file's order, then 行番号 and 理由 (replaced, when the file is itself a report), in UTF-8
    with a BOM like every CSV the program writes, so Excel opens it and the importer reads it back
    (the two added columns name no field, so a re-import ignores them).
    """
    from geo_welfare.core.glossary import REPORT_REASON_COLUMN, REPORT_ROW_COLUMN
    refused = rows[rows[row_column].isin(list(reasons))]
    table = refused.drop(columns=[row_column, REPORT_ROW_COLUMN, REPORT_REASON_COLUMN], errors="ignore").copy()
    table[REPORT_ROW_COLUMN] = refused[row_column].astype(int).to_numpy()
    table[REPORT_REASON_COLUMN] = [reasons[int(row)] for row in refused[row_column]]
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, output)
    return output
