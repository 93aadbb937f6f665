"""Imports as a user runs them: files → layers (validate every file) → store (one transaction).

All files named in one import are read and validated before anything is written, and then
written in a single transaction, so an import either stores every file or changes nothing.
The reports returned here are what the CLI and the web show: counts, and the things a person
should look at (schedules kept as text, population rows that joined to no small area).  A
population table of a whole city imported into a store of one ward says how many of its rows
belong to each ward the store does not hold, and lists only the unmatched rows of the wards it
does hold (:func:`rows_elsewhere`).

Every import is recorded (:mod:`geo_welfare.store.import_history`): an ``import_run`` row per
file, and for resource lists a history row per place created, changed or removed.  A resource
list that would remove more than a fifth of its source's places, or touch places edited on the
web since the source's last import, is refused (:class:`~geo_welfare.store.import_history.ImportRefused`)
unless ``allow_removals`` / ``overwrite_edits`` say the user means it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, select

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.store import import_history as history
from geo_welfare.io.cells import column_lengths
from geo_welfare.store.read import MUNICIPALITY_CODE_DIGITS
from geo_welfare.store.models import AreaUnit, CandidateSite, PopulationCount, PopulationDataset, Resource
from geo_welfare.store.engine import transaction
from geo_welfare.store.partial import check_positions, geocoder_of, place_by_address, settle
from geo_welfare.store.write import (WriteResult, plan_resources, write_areas, write_candidates, write_population,
                                     write_resources)
from geo_welfare.layers.areas import AreaImport, read_areas
from geo_welfare.layers.population import PopulationImport, join_to_small_areas, read_population
from geo_welfare.layers import national
from geo_welfare.layers.resources import CandidateImport, ResourceImport, read_candidates, read_resources

Progress = Callable[[str, Path], None]


def _quiet(_stage: str, _path: Path) -> None:
    """The default progress callback: say nothing."""


class _Lazy:
    """The store's geocoder, built the first time a row needs one (reading every gazetteer costs a moment)."""

    def __init__(self, build: Callable[[], object]):
        self._build, self._built, self._value = build, False, None

    def match(self, address: str):
        if not self._built:
            self._value, self._built = self._build(), True
        return self._value.match(address)

    def __bool__(self) -> bool:
        if not self._built:
            self._value, self._built = self._build(), True
        return self._value is not None


@dataclass
class FileReport:
    """What one file's import did."""

    file: Path
    layer: str
    result: WriteResult
    notes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RowPolicy:
    """What an import does with rows it cannot take as they are (:mod:`geo_welfare.store.partial`).

    ``skip_invalid`` imports the good rows and reports the rest (default: refuse the whole import);
    ``merge_duplicates`` keeps the first row of a place listed twice; ``report`` is where the
    refused rows are written; ``lang`` the language of their reasons; ``check_positions`` (metres)
    warns of rows whose coordinates lie further than that from their own address.
    """

    skip_invalid: bool = False
    merge_duplicates: bool = False
    report: Path | None = None
    lang: str | None = None
    #: With a distance (metres): check the rows that have coordinates against their address too.
    check_positions: float | None = None


def import_resources(engine: Engine, paths: Sequence[Path], *, kind: str | None = None,
                     columns: dict[str, str] | None = None, source: str | None = None, encoding: str | None = None,
                     crs: str | None = None, allow_removals: bool = False, overwrite_edits: bool = False,
                     progress: Progress = _quiet, connection: Connection | None = None,
                     policy: RowPolicy = RowPolicy()) -> list[FileReport]:
    """Import resource lists; ``source`` (default: each file's stem) keys re-imports.

    ``connection`` (every import takes it) writes in the caller's transaction instead of one of its own.
    Rows without coordinates but with an address are placed from the stored gazetteers; bad rows
    refuse the import, or are skipped and reported, as ``policy`` says.

    Refused (:class:`~geo_welfare.store.import_history.ImportRefused`, nothing written) when a file
    would remove more than 20 % of its source's places without ``allow_removals``, or touch places
    edited on the web since the source's last import without ``overwrite_edits``.
    """
    validated: list[tuple[Path, ResourceImport]] = []
    geocoder, placed = _Lazy(lambda: geocoder_of(engine, connection)), {}
    for path in map(Path, paths):
        progress("reading", path)
        item = read_resources(path, kind=kind, columns=columns, source=source, encoding=encoding, crs=crs,
                              lengths=column_lengths(Resource.__table__), merge_duplicates=policy.merge_duplicates)
        if policy.check_positions is not None:  # before placing: the rows placed from their address need no check
            check_positions(item, path, geocoder, policy.check_positions)
        placed[path] = place_by_address(item, path, geocoder)
        validated.append((path, item))
    refused = settle(validated, skip_invalid=policy.skip_invalid, report=policy.report, lang=policy.lang)
    validated = national.merge_sources(validated)  # service files of one --source: one place per office
    progress("writing", Path(paths[0]) if paths else Path("."))
    options = {"allow_removals": allow_removals, "overwrite_edits": overwrite_edits}
    reports, refusals, when = [], [], history.now()
    with transaction(engine, connection) as connection:
        for path, item in validated:
            plan = plan_resources(connection, item.frame, item.source)
            if not len(item.frame) and not plan.removed:  # a header and no rows, for a source with no places
                refusals.append(Problem(str(path), None, None, "file_has_no_rows", {}))
                continue
            problems = history.resource_problems(path, plan, history.web_edits(connection, plan), **options)
            if problems:
                refusals += problems
                continue
            result = write_resources(connection, item.frame, item.source, plan)
            history.record_resource_changes(connection, plan, path.name, when)
            history.record_run(connection, path, "resources", item.source, result, when, options)
            reports.append(FileReport(path, "resources", result, {
                "unparsed_schedules": item.unparsed_schedules, "source": item.source, "warnings": item.warnings,
                "skipped": refused[path].count, "report": refused[path].report, "placed": placed[path]}))
        if refusals:
            raise history.ImportRefused(refusals)  # the transaction rolls back: nothing of any file is kept
    return reports


def import_candidates(engine: Engine, paths: Sequence[Path], *, columns: dict[str, str] | None = None,
                      source: str | None = None, encoding: str | None = None, crs: str | None = None,
                      progress: Progress = _quiet, connection: Connection | None = None,
                      policy: RowPolicy = RowPolicy()) -> list[FileReport]:
    """Import candidate sites for new community bases; bad rows, duplicates and addresses as for resources."""
    validated: list[tuple[Path, CandidateImport]] = []
    geocoder, placed = _Lazy(lambda: geocoder_of(engine, connection)), {}
    for path in map(Path, paths):
        progress("reading", path)
        item = read_candidates(path, columns=columns, source=source, encoding=encoding, crs=crs,
                               lengths=column_lengths(CandidateSite.__table__), merge_duplicates=policy.merge_duplicates)
        placed[path] = place_by_address(item, path, geocoder)
        validated.append((path, item))
    refused = settle(validated, skip_invalid=policy.skip_invalid, report=policy.report, lang=policy.lang)
    reports, when = [], history.now()
    with transaction(engine, connection) as connection:
        for path, item in validated:
            result = write_candidates(connection, item.frame, item.source)
            history.record_run(connection, path, "candidates", item.source, result, when)
            reports.append(FileReport(path, "candidates", result, {
                "warnings": item.warnings, "skipped": refused[path].count, "report": refused[path].report,
                "placed": placed[path]}))
    return reports


def import_areas(engine: Engine, paths: Sequence[Path], unit: str, *, columns: dict[str, str] | None = None,
                 source: str | None = None, encoding: str | None = None, crs: str | None = None,
                 repair: bool = False, progress: Progress = _quiet,
                 connection: Connection | None = None) -> list[FileReport]:
    """Import polygons of one area level; census totals the file carries (JINKO/SETAI) become a dataset."""
    validated: list[tuple[Path, AreaImport]] = []
    for path in map(Path, paths):
        progress("reading", path)
        validated.append((path, read_areas(path, unit, columns=columns, source=source, encoding=encoding, crs=crs,
                                           repair=repair, lengths=column_lengths(AreaUnit.__table__))))
    reports, when = [], history.now()
    with transaction(engine, connection) as connection:
        claimed = _area_codes_by_source(connection, unit)
        for path, item in validated:
            _refuse_codes_of_another_source(path, item, unit, claimed)
            progress("writing", path)
            result = write_areas(connection, item.frame, unit, item.source)
            notes: dict[str, object] = {"dissolved_codes": item.dissolved_codes, "repaired": item.repaired,
                                        "units": len(item.frame)}
            if item.census is not None:
                census = item.census.rename(columns={"code": "row_key"}).assign(
                    parent_name=None, name=None, age_0_14=None, age_15_64=None, age_65_plus=None, age_75_plus=None)
                write_population(connection, item.source, path.name, census, census["row_key"])
                notes["census_population"] = int(census["total"].sum())
            history.record_run(connection, path, f"areas:{unit}", item.source, result, when)
            reports.append(FileReport(path, f"areas:{unit}", result, notes))
    return reports


def _area_codes_by_source(connection, unit: str) -> dict[str, str]:
    """Code → source of the units of ``unit`` already stored."""
    rows = connection.execute(select(AreaUnit.code, AreaUnit.source).where(AreaUnit.unit == unit))
    return {code: source for code, source in rows}


def _refuse_codes_of_another_source(path: Path, item: AreaImport, unit: str, claimed: dict[str, str]) -> None:
    """A code belongs to one source: the same code from a second file would silently merge two layers.

    A newer edition of the same layer under another file name is imported with ``--source`` naming
    the first one, which replaces it; anything else is refused before a row is written.
    """
    problems = []
    for number, code in enumerate(item.frame["code"], start=1):
        owner = claimed.get(code)
        if owner is not None and owner != item.source:
            problems.append(Problem(str(path), number, "code",
                                    "code_was_already_imported_from_to", {"code": code, "owner": owner},
                                    code))
    if problems:
        raise InputError(problems[:20])
    claimed.update({code: item.source for code in item.frame["code"]})


def small_area_names(connection: Connection) -> pd.DataFrame:
    """Codes, names and municipality names of the stored small areas, for joining tables by name.

    Read in the import's own transaction, so a folder import joins to the small areas it has just written.
    """
    statement = select(AreaUnit.code, AreaUnit.name, AreaUnit.municipality_name).where(AreaUnit.unit == "small_area")
    return pd.DataFrame(connection.execute(statement).all(), columns=["code", "name", "municipality_name"])


def municipality_names(connection: Connection) -> pd.DataFrame:
    """Codes and names of the stored ``municipality`` areas (wards too), to name the wards a store lacks."""
    statement = select(AreaUnit.code, AreaUnit.name).where(AreaUnit.unit == "municipality")
    return pd.DataFrame(connection.execute(statement).all(), columns=["code", "name"])


def rows_elsewhere(unmatched: pd.DataFrame, by_code: bool, small_areas: pd.DataFrame,
                   municipalities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the unmatched rows: those of wards (municipalities) the store holds no small area of, and the rest.

    A whole city's table imported into a store of one ward leaves thousands of rows unmatched
    that are no mistake: they name the small areas of the other wards.  A row is of another ward
    when its code's first five digits begin no stored small area's code (a table keyed by code),
    or when its ward (``parent_name``) is no stored small area's municipality (a table keyed by
    ward and name).  Those rows are counted by ward; the rest, of the wards the store does hold,
    are the ones a person should look at.

    Parameters
    ----------
    unmatched : pandas.DataFrame
        :attr:`~geo_welfare.layers.population.JoinResult.unmatched` (``row_key``, ``parent_name``, …).
    by_code : bool
        The table was joined by code (``row_key`` is the code), else by ward and name.
    small_areas : pandas.DataFrame
        The stored small areas' ``code`` and ``municipality_name`` (:func:`small_area_names`).
    municipalities : pandas.DataFrame
        The stored municipality areas' ``code`` and ``name`` (:func:`municipality_names`), to name a
        ward by its code or code it by its name.

    Returns
    -------
    elsewhere : pandas.DataFrame
        One row per other ward, by code then name: ``code`` (``""`` when unknown), ``name``
        (``""`` when unknown) and ``rows``.
    here : pandas.DataFrame
        The unmatched rows of the wards the store holds (or that name no ward), as ``unmatched``.
    """
    empty = pd.DataFrame({"code": pd.Series(dtype=str), "name": pd.Series(dtype=str), "rows": pd.Series(dtype=int)})
    ward_names = set(small_areas["municipality_name"].dropna())
    if by_code:
        ward = unmatched["row_key"].astype(str).str[:MUNICIPALITY_CODE_DIGITS]
        elsewhere = ~ward.isin(set(small_areas["code"].astype(str).str[:MUNICIPALITY_CODE_DIGITS]))
    elif ward_names:
        ward = unmatched["parent_name"]
        elsewhere = ward.notna() & ~ward.isin(ward_names)
    else:
        return empty, unmatched
    if not elsewhere.any():
        return empty, unmatched
    by_name = dict(zip(municipalities["name"], municipalities["code"]))
    by_number = dict(zip(municipalities["code"], municipalities["name"]))
    rows = unmatched[elsewhere].assign(ward=ward[elsewhere])
    counted = rows.groupby("ward", sort=False).agg(rows=("ward", "size"), parent=("parent_name", "first"))
    parents = [parent if isinstance(parent, str) else "" for parent in counted["parent"]]
    if by_code:
        codes = list(counted.index)
        names = [by_number.get(key) or parent for key, parent in zip(codes, parents)]
    else:
        codes, names = [by_name.get(key, "") for key in counted.index], list(counted.index)
    groups = pd.DataFrame({"code": codes, "name": names, "rows": counted["rows"].to_numpy()})
    groups = groups.assign(uncoded=groups["code"].eq("")).sort_values(["uncoded", "code", "name"]).drop(
        columns="uncoded")
    return groups.reset_index(drop=True), unmatched[~elsewhere].reset_index(drop=True)


def import_population(engine: Engine, paths: Sequence[Path], *, columns: dict[str, str] | None = None,
                      dataset: str | None = None, encoding: str | None = None,
                      progress: Progress = _quiet, connection: Connection | None = None) -> list[FileReport]:
    """Import population tables, joined to the stored small areas by code or normalised name."""
    validated: list[tuple[Path, PopulationImport]] = []
    for path in map(Path, paths):
        progress("reading", path)
        validated.append((path, read_population(path, columns=columns, source=dataset, encoding=encoding, lengths={
            **column_lengths(PopulationDataset.__table__), **column_lengths(PopulationCount.__table__)})))
    reports, when = [], history.now()
    with transaction(engine, connection) as connection:
        areas, municipalities = small_area_names(connection), municipality_names(connection)
        for path, item in validated:
            progress("writing", path)
            joined = join_to_small_areas(item.frame, areas)
            elsewhere, here = rows_elsewhere(joined.unmatched, bool(item.frame["code"].notna().any()), areas,
                                             municipalities)
            result = write_population(connection, item.source, path.name, item.frame, joined.area_codes, item.as_of)
            history.record_run(connection, path, "population", item.source, result, when)
            reports.append(FileReport(path, "population", result, {
                "dataset": item.source, "layout": item.layout, "rows": len(item.frame),
                "matched": joined.matched_count, "unmatched": joined.unmatched, "elsewhere": elsewhere,
                "unmatched_here": here,
                "totals_checked": item.totals_checked}))
    return reports
