"""What an import does with the rows a list could not give as they are: place them by address, refuse or skip them.

A row without coordinates but with an address is placed from the stored gazetteers
(:func:`geo_welfare.store.gazetteer.geocoder`) when the address is found to a 街区, 町丁目 or 大字;
placed only at the municipality, or not at all, it stays refused with the reason: a place is
never put at a city's centre, where a coordinator would walk to no door.  The level and the
gazetteer are stored with the place (``location_level``, ``location_gazetteer``).

Then the import is all or nothing by default: any refused row refuses the list (one
:class:`~geo_welfare.core.errors.InputError`, its problems grouped).  With ``skip_invalid`` the
good rows are imported and every refused row is written, with its reasons, to a report file
(:func:`geo_welfare.io.writers.write_report`) that the user fixes and imports again.  A refused
list's report is written too when its message had to be shortened, so the full list is somewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import shapely
from sqlalchemy import Engine

from geo_welfare.core.errors import InputError, Problem, grouped_lines
from geo_welfare.core.words import Word, t
from geo_welfare.io.readers import ROW
from geo_welfare.io.writers import write_report
from geo_welfare.layers.findings import without_position

from geo_welfare.store.gazetteer import geocoder as stored_geocoder

#: The most lines a refusal prints (:meth:`geo_welfare.core.errors.InputError.message`); past it the report is written.
MESSAGE_LINES = 20
#: Levels at which a matched address gives a place; coarser ones (municipality, none) leave the row refused.
PLACED_LEVELS = ("block", "chome", "oaza")
#: Levels fine enough to check a list's own coordinates against (``--geocode``).
CHECKED_LEVELS = ("block", "chome")


@dataclass
class Refusals:
    """What became of one file's refused rows: how many, and the report listing them (if written)."""

    count: int = 0
    report: Path | None = None


def geocoder_of(engine: Engine, connection=None):
    """The store's geocoder, or None when no gazetteer is stored; read in ``connection``'s transaction if given."""
    return stored_geocoder(engine, connection=connection)


def place_by_address(item, path: Path, geocoder) -> int:
    """Give the rows of ``item.frame`` that have no point one from their address; the rest become problems.

    ``item`` is a layer's import (``frame``, ``problems``, ``address_column``); returns how many rows
    were placed.  Without a ``geocoder`` every such row is refused saying a gazetteer would place it.
    """
    frame = item.frame
    if not len(frame):
        return 0
    missing = without_position(frame)
    if not missing.any():
        return 0
    placed, problems = 0, []
    frame = frame.copy()
    has_levels = "location_level" in frame.columns
    for index in frame.index[missing]:
        address, number = frame.at[index, "address"], int(frame.at[index, ROW])
        if not geocoder:
            problems.append(Problem(str(path), number, item.address_column, "address_not_placed_no_gazetteer", {},
                                    address))
            continue
        match = geocoder.match(address)
        if match.placed and match.level in PLACED_LEVELS:
            frame.at[index, frame.geometry.name] = shapely.Point(match.lon, match.lat)
            if has_levels:
                frame.at[index, "location_level"], frame.at[index, "location_gazetteer"] = match.level, match.gazetteer
            placed += 1
        else:
            key = "address_found_only_to_municipality" if match.level == "municipality" else "address_not_found"
            problems.append(Problem(str(path), number, item.address_column, key, {}, address))
    refused = {problem.row for problem in problems}
    item.frame = frame[~frame[ROW].isin(refused)]
    item.problems = sorted(item.problems + problems, key=lambda p: (p.row or 0))
    return placed


def check_positions(item, path: Path, geocoder, metres: float) -> int:
    """Warn of every row whose point lies more than ``metres`` from where its own address puts it.

    A list's coordinates are often typed by hand (緯度 and 経度 swapped, a digit lost, the office's
    old address): the row is kept as it stands, but a person should look at it.  Only addresses
    matched to a 街区 or a 町丁目 are checked: a 大字 can be kilometres across (仏生山町甲), so its
    point says too little to doubt a list's coordinates.  Returns how many rows were checked.
    """
    from pyproj import Geod
    frame = item.frame
    if not geocoder or not len(frame):
        return 0
    geod = Geod(ellps="GRS80")
    checked = 0
    for index in frame.index[~without_position(frame)]:
        address, point = frame.at[index, "address"], frame.at[index, frame.geometry.name]
        if not isinstance(address, str) or not address.strip() or point is None or point.is_empty:
            continue
        match = geocoder.match(address)
        if not (match.placed and match.level in CHECKED_LEVELS):
            continue
        checked += 1
        _, _, distance = geod.inv(point.x, point.y, match.lon, match.lat)
        if distance > metres:
            item.warnings.append(Problem(str(path), int(frame.at[index, ROW]), item.address_column,
                                         "position_far_from_address",
                                         {"metres": round(distance), "limit": round(metres),
                                          "level": Word(f"geocode_level_{match.level}"), "matched": match.matched},
                                         address))
    item.warnings.sort(key=lambda p: (p.row or 0))
    return checked


def report_path(report: Path | None, path: Path, several: bool) -> Path | None:
    """Where the report of ``path``'s refused rows goes: ``report``, or beside it named after the file (several)."""
    if report is None:
        return None
    return report.with_name(f"{report.stem}_{path.stem}{report.suffix or '.csv'}") if several else report


def settle(validated: Sequence[tuple[Path, object]], *, skip_invalid: bool, report: Path | None,
           lang: str | None) -> dict[Path, Refusals]:
    """Refuse the import for its refused rows (raise), or with ``skip_invalid`` note them and carry on.

    The report of each file with refused rows is written when rows are skipped, or when the
    refusal's message groups or cuts its problems (so the full list is in the file); nothing is
    written to the store either way before this returns.
    """
    several = len(validated) > 1
    outcome: dict[Path, Refusals] = {}
    everything: list[Problem] = []
    written: Path | None = None
    lines = len(grouped_lines([p for _, item in validated for p in item.problems], lang))
    shortened = lines < sum(len(item.problems) for _, item in validated) or lines > MESSAGE_LINES
    for path, item in validated:
        where = report_path(report, path, several)
        outcome[path] = Refusals(len({p.row for p in item.problems}))
        if item.problems and where is not None and (skip_invalid or shortened):
            write_report(item.rows, _reasons(item.problems, lang), where, row_column=ROW)
            outcome[path].report = written = where
        everything += item.problems
    if everything and not skip_invalid:
        error = InputError(everything)
        error.report = written
        raise error
    return outcome


def _reasons(problems: Sequence[Problem], lang: str | None) -> dict[int, str]:
    """Row → every reason it was refused, in one cell: the field, what to change, what was found."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        text = problem.expected(lang)
        if problem.field:
            text = t("problem_field", lang, field=problem.field) + ": " + text
        if problem.found is not None:
            text += t("problem_found", lang, found=repr(problem.found))
        reasons.setdefault(problem.row, []).append(text)
    return {row: " / ".join(texts) for row, texts in reasons.items()}
