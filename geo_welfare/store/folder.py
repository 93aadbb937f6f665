"""A municipality's folder imported whole, in one transaction, from its plan (:mod:`geo_welfare.store.folder_plan`).

``geo-welfare import folder DIR`` plans the folder (what each file is, in which order) and then
runs every import of the plan inside one ``engine.begin()``, in the order the layers depend on
each other: areas (municipalities first, small areas last), population (joined to the small
areas just written), address points, places (located from those address points).  Each file's
problems are collected, so a refusal (:class:`FolderRefused`) names every problem of every file at
once, grouped, and then rolls everything back.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Connection, Engine

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.core.words import Word, t
from geo_welfare.io.readers import read_vector
from geo_welfare.layers.addresses.gazetteer import read_gazetteer
from geo_welfare.layers.identify import is_closed_outline
from geo_welfare.store import importing
from geo_welfare.store.folder_plan import FolderPlan, PlannedFile
from geo_welfare.store.gazetteer import write_gazetteer

#: How many row numbers a refusal lists for one kind of problem of one file (the count says how many in all).
ROWS_SHOWN = 20

Progress = Callable[["PlannedFile"], None]


@dataclass
class FileOutcome:
    """What importing one file did, and what of it a person should look at."""

    planned: PlannedFile
    created: int = 0
    updated: int = 0
    removed: int = 0
    warnings: int = 0
    notes: dict[str, object] = field(default_factory=dict)


class FolderRefused(InputError):
    """Some files of a folder cannot be imported: every problem of every file, grouped; nothing was stored."""

    def __init__(self, failures: list[tuple[PlannedFile, list[Problem]]]):
        self.failures = failures
        super().__init__([problem for _, problems in failures for problem in problems])

    def message(self, lang: str | None = None, limit: int = 0) -> str:
        lines = [t("folder_refused_heading", lang, files=len(self.failures), count=len(self.problems))]
        for planned, problems in self.failures:
            lines.append(t("folder_refused_file", lang, file=planned.shown,
                           what=Word(f"folder_what_{planned.identity.what}"), count=len(problems)))
            lines += [_group_line(group, lang) for group in _groups(problems)]
        lines.append(t("folder_refused_hint", lang))
        return "\n".join(lines)


def _groups(problems: list[Problem]) -> list[list[Problem]]:
    """Problems of the same field and kind together (first seen first), each listed by its rows."""
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[(problem.field, problem.key, tuple(sorted((k, str(v)) for k, v in problem.values.items())))].append(
            problem)
    return list(groups.values())


def _group_line(group: list[Problem], lang: str | None) -> str:
    """One kind of problem of one file: what to change, how many rows and which (the first :data:`ROWS_SHOWN`)."""
    first = group[0]
    where = f"{first.field}: " if first.field else ""
    numbers = [str(problem.row) for problem in group if problem.row is not None]
    rows = ", ".join(numbers[:ROWS_SHOWN]) + (", …" if len(numbers) > ROWS_SHOWN else "") if numbers else "-"
    line = t("folder_refused_group", lang, where=where, expected=first.expected(lang), count=len(group), rows=rows)
    found = list(dict.fromkeys(repr(problem.found) for problem in group if problem.found is not None))
    if found:
        shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
        line += t("folder_refused_found", lang, values=shown)
    return line


# --- the import ---------------------------------------------------------------------------------------

def import_folder(engine: Engine, plan: FolderPlan, workspace: Path, *, merge_duplicates: bool = False,
                  allow_removals: bool = False, overwrite_edits: bool = False, reports_to: Path | None = None,
                  lang: str | None = None, progress: Progress = lambda _item: None) -> list[FileOutcome]:
    """Import every planned file in order in one transaction; :class:`FolderRefused` (nothing kept) on any problem.

    Each file is read, checked and written in turn inside the one transaction, so population
    joins to the small areas written just before it; a file's problems are collected and the
    next file is still checked, so the refusal lists every problem of every file.
    ``merge_duplicates``, ``allow_removals`` and ``overwrite_edits`` apply to the lists of places as
    in ``import resources``; so does ``reports_to`` (a folder), the ``--skip-invalid`` of a folder: each
    list's good rows are imported and its refused rows written to ``<list>_report.csv`` there (areas,
    population and gazetteers stay all or nothing: a boundary or a count is not a row to leave out).
    """
    policy = _ResourceOptions(importing.RowPolicy(skip_invalid=reports_to is not None,
                                                  merge_duplicates=merge_duplicates, lang=lang),
                              allow_removals, overwrite_edits, reports_to)
    outcomes: list[FileOutcome] = []
    failures: list[tuple[PlannedFile, list[Problem]]] = []
    with engine.begin() as connection:
        for item in plan.imported:
            progress(item)
            try:
                outcomes.append(_import_one(engine, connection, item, workspace, policy, plan.municipality))
            except InputError as error:
                failures.append((item, error.problems))
        if failures:
            raise FolderRefused(failures)  # leaving the block rolls the transaction back
    return outcomes


@dataclass(frozen=True)
class _ResourceOptions:
    """What the user allowed the lists of places (``import resources``'s options)."""

    policy: importing.RowPolicy
    allow_removals: bool
    overwrite_edits: bool
    reports_to: Path | None = None  # skip invalid rows: each list's report in this folder


def _import_one(engine: Engine, connection: Connection, item: PlannedFile, workspace: Path,
                options: _ResourceOptions, municipality: str | None) -> FileOutcome:
    """One file through the import of its layer, in the folder's transaction."""
    if item.layer == "areas":
        path = _closed_lines_as_polygons(item, workspace) if item.identity.closed_lines else item.path
        reports = importing.import_areas(engine, [path], item.unit, source=item.path.stem, connection=connection)
        return _outcome(item, reports, warnings=0)
    if item.layer == "population":
        reports = importing.import_population(engine, [item.path], connection=connection)
        unmatched = reports[0].notes["unmatched_here"]
        outcome = _outcome(item, reports, warnings=len(unmatched))
        outcome.notes["no_small_areas"] = importing.small_area_names(connection).empty
        return outcome
    if item.layer == "gazetteer":
        return _import_gazetteer(engine, connection, item, municipality)
    policy = options.policy if options.reports_to is None else dataclasses.replace(
        options.policy, report=options.reports_to / f"{item.path.stem}_report.csv")
    reports = importing.import_resources(engine, [item.path], kind=item.kind, connection=connection,
                                         policy=policy, allow_removals=options.allow_removals,
                                         overwrite_edits=options.overwrite_edits)
    return _outcome(item, reports, warnings=sum(len(report.notes.get("unparsed_schedules") or ())
                                                + len(report.notes.get("warnings") or ()) for report in reports))


def _import_gazetteer(engine: Engine, connection: Connection, item: PlannedFile,
                      municipality: str | None) -> FileOutcome:
    """A 位置参照情報 (or Geolonia) file's points, replacing those of its file name, in the folder's transaction.

    A replacement has no keys to match, so as many entries as were there before count as updated,
    the rest as added or removed.
    """
    written, removed = write_gazetteer(engine, read_gazetteer(item.path, municipality=municipality), item.path.name,
                                       path=item.path, connection=connection)
    kept = min(written, removed)
    return FileOutcome(item, created=written - kept, updated=kept, removed=removed - kept)


def _outcome(item: PlannedFile, reports, *, warnings: int) -> FileOutcome:
    outcome = FileOutcome(item, warnings=warnings, notes=dict(reports[0].notes) if reports else {})
    for report in reports:
        outcome.created += report.result.created
        outcome.updated += report.result.updated
        outcome.removed += report.result.removed
    return outcome


def _closed_lines_as_polygons(item: PlannedFile, workspace: Path) -> Path:
    """Outlines drawn as closed lines (Sapporo's ward file) as the polygons they enclose, in a copy of the file.

    A closed line that does not cross itself encloses exactly one area, so this is no guess; a
    line that does not close stays a line and the area import refuses it by row.
    """
    frame = read_vector(item.path).drop(columns="_row")
    frame["geometry"] = [_enclosed(shape) for shape in frame.geometry]
    target = workspace / "outlines" / item.shown
    target.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(frame, geometry="geometry").to_file(target.with_suffix(".geojson"), driver="GeoJSON")
    return target.with_suffix(".geojson")


def _enclosed(shape):
    """The area a closed outline encloses (a MultiPolygon for several rings); anything else as it is."""
    if shape is None or shape.geom_type not in ("LineString", "MultiLineString") or not is_closed_outline(shape):
        return shape
    rings = [shapely.Polygon(part) for part in getattr(shape, "geoms", [shape])]
    return rings[0] if len(rings) == 1 else shapely.MultiPolygon(rings)
