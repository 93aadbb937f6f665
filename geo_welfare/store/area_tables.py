"""Areas built from a table of 町丁目: dissolved from the stored small areas, cut at 番 with 街区 points.

``geo-welfare import areas TABLE.csv --unit daily-life-area --from small-area`` lands here.  The
table is parsed (:mod:`geo_welfare.layers.area_tables`), its members matched to the stored small
areas and every 町丁目 of the table's municipalities decided (:mod:`geo_welfare.layers.area_members`),
then each area is the union of the small areas it holds whole and, for a 町丁目 cut at 番, of the
cells of its 番: the Voronoi diagram of the gazetteer's 街区 points inside that 町丁目, clipped to
it.  A Voronoi cell is the part of the 町丁目 nearer to that 番's representative point than to any
other 番's, which is the best boundary points alone can give: MLIT's 街区 points sit inside their
block, so neighbouring blocks' cells meet about halfway between them, on the streets that
separate blocks.  The diagram is drawn in a local plane (longitude scaled by cos latitude) so
that "nearer" means metres, not degrees.

A member that names no stored 町丁目 refuses the whole table (file, row, field), and nothing is
written; everything else (町丁目 in no area or in two, cuts assigned by the declared rule, places
that are not 町丁目) is returned as warnings with the import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Engine, select

from geo_welfare.core.config import STORAGE_CRS
from geo_welfare.core.errors import InputError, Problem
from geo_welfare.layers.addresses.normalise import canonical
from geo_welfare.layers.area_grammar import JOIN
from geo_welfare.layers.area_members import Claim, Decision, Finding, Town, claims, coverage
from geo_welfare.layers.area_tables import TableRow, read_table
from geo_welfare.store import import_history as history
from geo_welfare.store.importing import FileReport
from geo_welfare.store.models import AreaUnit, GazetteerEntry
from geo_welfare.store.read import read_areas
from geo_welfare.store.write import write_areas

#: Findings that refuse the table: a member the store cannot find is a typo until shown otherwise.
REFUSALS = {"area_table_member_unknown", "area_table_member_code_unknown", "area_table_member_ambiguous"}
#: Findings about 町丁目 that are listed together, one line each kind, with their count.
GROUPED = ("area_table_town_in_no_area", "area_table_town_in_two_areas")


def towns_of(areas: gpd.GeoDataFrame) -> list[Town]:
    """The stored small areas as known 町丁目 (municipality by name where stored, else by code)."""
    municipalities = areas["municipality_name"].where(areas["municipality_name"].notna(),
                                                      areas["municipality_code"])
    return [Town(str(code), str(name or code), municipality)
            for code, name, municipality in zip(areas["code"], areas["name"], municipalities)]


def block_points(engine: Engine, towns: Sequence[Town]) -> dict[str, dict[int, tuple[float, float]]]:
    """Town code → 番 → (lon, lat) of the stored 街区 points of those towns (番 written as digits only)."""
    wanted: dict[str, list[Town]] = {}
    for town in towns:
        wanted.setdefault(town.key, []).append(town)
    statement = select(GazetteerEntry.municipality, GazetteerEntry.town, GazetteerEntry.block, GazetteerEntry.lon,
                       GazetteerEntry.lat).where(GazetteerEntry.level == "block")
    found: dict[str, dict[int, tuple[float, float]]] = {}
    with engine.connect() as connection:
        for municipality, name, block, lon, lat in connection.execute(statement):
            number = re.match(r"\d+", canonical(block or ""))
            for town in wanted.get(canonical(name), []):
                known = canonical(town.municipality or "")
                if number and (not known or canonical(municipality).endswith(known)):
                    found.setdefault(town.code, {}).setdefault(int(number.group()), (lon, lat))
    return found


def block_cells(polygon: shapely.Geometry, points: dict[int, tuple[float, float]]) -> dict[int, shapely.Geometry]:
    """番 → its Voronoi cell within ``polygon`` (see the module), drawn in a local plane of metres."""
    scale = math.cos(math.radians(polygon.centroid.y))

    def to_plane(coords):
        return coords * [scale, 1.0]

    def to_degrees(coords):
        return coords / [scale, 1.0]

    numbers = sorted(points)
    plane = shapely.transform(polygon, to_plane)
    generators = [shapely.transform(shapely.Point(points[n]), to_plane) for n in numbers]
    if len(numbers) == 1:
        return {numbers[0]: polygon}
    cells = shapely.voronoi_polygons(shapely.MultiPoint(generators), extend_to=plane, ordered=True).geoms
    return {number: shapely.transform(shapely.intersection(cell, plane), to_degrees)
            for number, cell in zip(numbers, cells)}


def _pieces(decisions: Sequence[Decision], geometry: dict[str, shapely.Geometry],
            points: dict[str, dict[int, tuple[float, float]]]) -> dict[str, list[shapely.Geometry]]:
    pieces: dict[str, list[shapely.Geometry]] = {}
    for decision in decisions:
        polygon = geometry[decision.town.code]
        if decision.owner is not None:
            pieces.setdefault(decision.owner, []).append(polygon)
        elif decision.blocks:
            for number, cell in block_cells(polygon, points[decision.town.code]).items():
                if number in decision.blocks:
                    pieces.setdefault(decision.blocks[number], []).append(cell)
    return pieces


def _frame(rows: Sequence[TableRow], pieces: dict[str, list], all_claims: Sequence[Claim], path: Path
           ) -> gpd.GeoDataFrame:
    names = {row.area_code: row.area_name for row in rows}
    problems = [Problem(str(path), next(row.row for row in rows if row.area_code == area), None,
                        "area_table_area_without_polygon", {"area": area}) for area in names if area not in pieces]
    if problems:
        raise InputError(problems)
    records = []
    for area, parts in pieces.items():
        union = shapely.union_all([part for part in parts if not part.is_empty]).buffer(0)
        polygons = [g for g in getattr(union, "geoms", [union]) if g.geom_type == "Polygon"]
        municipalities = {c.town.municipality for c in all_claims if c.area == area}
        records.append({"code": area, "name": names[area], "name_kana": None, "parent_code": None,
                        "municipality_code": None,
                        "municipality_name": municipalities.pop() if len(municipalities) == 1 else None,
                        "geometry": shapely.MultiPolygon(polygons)})
    return gpd.GeoDataFrame(records, geometry="geometry", crs=STORAGE_CRS)


def report_problems(findings: Sequence[Finding], path: Path, column: str | None) -> list[Problem]:
    """The findings as warnings: 町丁目 in no area / in two each one line with their count, the rest as they are."""
    problems, grouped = [], {}
    for finding in findings:
        if finding.key in GROUPED:
            areas = finding.values.get("areas")
            grouped.setdefault(finding.key, []).append(finding.values["town"] + (f" ({areas})" if areas else ""))
        else:
            problems.append(finding.problem(str(path), column))
    for key, towns in grouped.items():
        problems.append(Problem(str(path), None, None, key + "_grouped", {"count": len(towns), "towns": JOIN.join(towns)}))
    return problems


def plan_area_table(engine: Engine, path: Path, *, encoding: str | None = None):
    """Read, match and decide a table against the store, writing nothing: (rows, claims, decisions, findings, areas)."""
    rows = read_table(path, encoding=encoding)
    areas = read_areas(engine, "small_area")
    if areas.empty:
        raise InputError.single(path, "area_table_no_small_areas")
    towns = towns_of(areas)
    found, findings = claims(rows, towns)
    refusals = [f for f in findings if f.key in REFUSALS]
    if refusals:
        raise InputError([Problem(str(path), f.row, _member_field(rows, f.row), f.key, f.values)
                          for f in refusals])
    cut = [c.town for c in found if c.blocks or c.exceptions]
    points = block_points(engine, cut) if cut else {}
    decisions, more = coverage(towns, found, {code: set(numbers) for code, numbers in points.items()})
    return rows, found, decisions, findings + more, areas, points


def _member_field(rows: Sequence[TableRow], number: int | None) -> str | None:
    """The column (as the file names it) of row ``number``'s member."""
    return next((row.member_field for row in rows if row.row == number), None)


def import_area_table(engine: Engine, path: Path, unit: str, *, source: str | None = None,
                      encoding: str | None = None) -> FileReport:
    """Build the areas of ``unit`` from the table and store them in one transaction (the source's are replaced)."""
    path = Path(path)
    rows, found, decisions, findings, areas, points = plan_area_table(engine, path, encoding=encoding)
    geometry = dict(zip(areas["code"].astype(str), areas.geometry))
    frame = _frame(rows, _pieces(decisions, geometry, points), found, path)
    source = source or path.stem
    with engine.begin() as connection:
        owners = {code: owner for code, owner in
                  connection.execute(select(AreaUnit.code, AreaUnit.source).where(AreaUnit.unit == unit))}
        taken = [Problem(str(path), None, "area_code", "code_was_already_imported_from_to",
                         {"code": code, "owner": owners[code]}, code)
                 for code in frame["code"] if owners.get(code, source) != source]
        if taken:
            raise InputError(taken)
        result = write_areas(connection, frame, unit, source)
        history.record_run(connection, path, f"areas:{unit}", source, result, history.now())
    column = next((row.member_field for row in rows if row.member is not None), None)
    warnings = report_problems([f for f in findings if f.key not in REFUSALS], path, column)
    return FileReport(path, f"areas:{unit}", result, {
        "warnings": warnings, "dissolved_codes": 0, "repaired": 0, "units": len(frame),
        "decisions": decisions, "findings": findings})
