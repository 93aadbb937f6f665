"""``geo-welfare import …``: resource lists, candidate sites, areas and population, each all or nothing.

A resource list that would remove more than a fifth of its source's places, or change places edited
on the web since the last import, is refused (exit 1) naming them, unless ``--allow-removals`` /
``--overwrite-edits``; every import is recorded in the store's history.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from geo_welfare.cli.base import CONTEXT, Context, Group, UsageError, argument, option, option_group
from geo_welfare.cli.options import (allow_removals_option, columns_option, crs_option, dataset_option,
                                     encoding_option, kind_option, merge_duplicates_option, overwrite_edits_option,
                                     report_option, skip_invalid_option, source_option, unit_option)
from geo_welfare.core import glossary
from geo_welfare.core.errors import GeoWelfareError, grouped_lines
from geo_welfare.core.words import t
from geo_welfare.store.partial import report_path
from geo_welfare.layers.columns import parse_column_map


@click.group("import", cls=Group, context_settings=CONTEXT, help="help_cmd_import")
def import_group() -> None:
    """Each import reads every file and checks every row before writing: all or nothing."""


_common_import_options = option_group([columns_option(), encoding_option()])
#: What a list of places does with rows it cannot take as they are.
_row_options = option_group([skip_invalid_option(), merge_duplicates_option(), report_option()])
#: The files of an import (one or more; each is checked before anything is written).
_files = argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), help="help_arg_files_import")


def _progress(obj: Context, total: int):
    bar = tqdm(total=total, desc=t("reading", obj.lang, file=""), unit="file", file=sys.stderr,
               disable=total < 2, leave=False)

    def report(stage: str, path: Path) -> None:
        if stage == "reading":
            if total < 2:
                obj.say("reading", file=path.name)
            bar.update(1)
        elif stage == "writing" and total < 2:
            obj.say("writing")
    return report, bar


def _columns(obj: Context, text: str | None) -> dict[str, str]:
    """``--columns`` parsed; a malformed map is click's "Invalid value for --columns" (scripts match it)."""
    try:
        return parse_column_map(text)
    except (ValueError, GeoWelfareError) as error:
        reason = error.message(obj.lang) if isinstance(error, GeoWelfareError) else str(error)
        raise click.BadParameter(reason, param_hint="--columns") from error


def _one_file_per_name(files, name: str | None, flag: str) -> None:
    """A name given to an import keys its rows; shared by several files, each would replace the last."""
    if name and len(files) > 1:
        raise UsageError("cli_needs_single_file", field=flag, option=flag)


def _policy(obj: Context, files, skip_invalid: bool, merge_duplicates: bool, report: Path | None,
            check_positions: float | None = None):
    """The import's row policy; the report goes to ``--report`` or the current folder, never beside the input.

    The input may be on a folder the user cannot write (a shared drive, ``../shared``); the current
    folder is the user's own.
    """
    from geo_welfare.store.importing import RowPolicy
    default = Path(f"{Path(files[0]).stem}_report.csv") if len(files) == 1 else Path("import_report.csv")
    return RowPolicy(skip_invalid, merge_duplicates, (report or default).absolute(), obj.lang, check_positions)


def _print_reports(obj: Context, reports) -> None:
    """One line per file (added / updated / removed / skipped / warnings), then what to look at."""
    for report in reports:
        warnings = report.notes.get("warnings") or []
        obj.say("import_summary", file=report.file.name, created=report.result.created,
                updated=report.result.updated, removed=report.result.removed,
                skipped=report.notes.get("skipped", 0), warnings=len(warnings), layer=report.layer)
        if report.notes.get("placed"):
            obj.say("placed_by_address", count=report.notes["placed"])
        if warnings:
            obj.say("import_warnings", count=len(warnings))
            for line in grouped_lines(warnings, obj.lang):
                click.echo(f"  {line}", err=True)
        if report.notes.get("report") is not None:
            obj.say("report_written", count=report.notes["skipped"], path=report.notes["report"],
                    layer=report.layer)


@import_group.command("resources", context_settings=CONTEXT, help="help_cmd_import_resources")
@_files
@kind_option(help="help_opt_kind_import", help_values={"kinds": glossary.KIND_CHOICES})
@source_option("help_opt_source_import_resources")
@crs_option("help_opt_crs_import_resources")
@allow_removals_option()
@overwrite_edits_option()
@option("--geocode", "geocode_metres", type=click.FloatRange(min=10), is_flag=False, flag_value=500.0, default=None,
        metavar="[METRES]", help="help_opt_geocode_check")
@_row_options
@_common_import_options
@click.pass_obj
def import_resources_command(obj: Context, files, kind, source, crs, allow_removals, overwrite_edits, geocode_metres,
                             skip_invalid, merge_duplicates, report, columns, encoding) -> None:
    """Import resource lists; rows whose schedule text could not be read are listed, not refused."""
    from geo_welfare.layers import national
    if not national.service_lists(files):  # a national system's service files share a source: one place per office
        _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_resources
    policy = _policy(obj, files, skip_invalid, merge_duplicates, report, geocode_metres)
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_resources(obj.engine(), files, kind=kind, columns=_columns(obj, columns), source=source,
                                   encoding=encoding, crs=crs, allow_removals=allow_removals,
                                   overwrite_edits=overwrite_edits, progress=report, policy=policy)
    _print_reports(obj, reports)
    for item in reports:
        unparsed = item.notes["unparsed_schedules"]
        if unparsed:
            obj.say("unparsed_schedules", count=len(unparsed))
            for row, name, text in unparsed:
                click.echo(f"  {item.file.name}:{row} {name}: {text}", err=True)


@import_group.command("candidates", context_settings=CONTEXT, help="help_cmd_import_candidates")
@_files
@source_option()
@crs_option()
@_row_options
@_common_import_options
@click.pass_obj
def import_candidates_command(obj: Context, files, source, crs, skip_invalid, merge_duplicates, report, columns,
                              encoding) -> None:
    """Import candidate sites for new community bases (read by ``plan``)."""
    _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_candidates
    policy = _policy(obj, files, skip_invalid, merge_duplicates, report)
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_candidates(obj.engine(), files, columns=_columns(obj, columns), source=source,
                                    encoding=encoding, crs=crs, progress=report, policy=policy)
    _print_reports(obj, reports)


@import_group.command("areas", context_settings=CONTEXT, help="help_cmd_import_areas")
@_files
@unit_option(required=True)
@source_option()
@crs_option("help_opt_crs_import_areas")
@option("--repair-geometry", is_flag=True, help="help_opt_repair_geometry")
@option("--from", "from_", type=click.Choice(["small-area"]), help="help_opt_from_areas")
@_common_import_options
@click.pass_obj
def import_areas_command(obj: Context, files, unit, source, crs, repair_geometry, from_, columns, encoding) -> None:
    """Import area polygons of one level; says how many pieces were dissolved and shapes repaired."""
    _one_file_per_name(files, source, "--source")
    if from_:  # a table of 町丁目, not polygons: geo_welfare.cli.area_tables
        from geo_welfare.cli.area_tables import import_table
        return import_table(obj, files, glossary.AREA_UNIT_OPTIONS[unit], source=source, encoding=encoding)
    from geo_welfare.store.importing import import_areas
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_areas(obj.engine(), files, glossary.AREA_UNIT_OPTIONS[unit], columns=_columns(obj, columns),
                               source=source, encoding=encoding, crs=crs, repair=repair_geometry, progress=report)
    _print_reports(obj, reports)
    dissolved = sum(item.notes["dissolved_codes"] for item in reports)
    repaired = sum(item.notes["repaired"] for item in reports)
    if dissolved:
        obj.say("dissolved_pieces", count=dissolved)
    if repaired:
        obj.say("repaired_geometries", count=repaired)


@import_group.command("population", context_settings=CONTEXT, help="help_cmd_import_population")
@_files
@dataset_option("help_opt_dataset_import_population")
@report_option()
@_common_import_options
@click.pass_obj
def import_population_command(obj: Context, files, dataset, report, columns, encoding) -> None:
    """Import population by age and join it to the stored small areas; unmatched rows are listed.

    Rows of wards the store holds no small area of (a whole city's table in a store of one ward)
    are counted by ward in one line instead.
    """
    _one_file_per_name(files, dataset, "--dataset")
    from geo_welfare.store.importing import import_population
    policy = _policy(obj, files, False, False, report)
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_population(obj.engine(), files, columns=_columns(obj, columns), dataset=dataset,
                                    encoding=encoding, progress=report)
    _print_reports(obj, reports)
    for item in reports:
        obj.say("matched_rows", matched=item.notes["matched"], total=item.notes["rows"])
        elsewhere, unmatched = item.notes["elsewhere"], item.notes["unmatched_here"]
        if len(elsewhere):  # a whole city's table in a store of one ward: counted by ward, not listed
            groups = ", ".join(t("rows_of_ward", obj.lang, ward=f"{row.code} {row.name}".strip(), count=row.rows)
                               for row in elsewhere.itertuples())
            obj.say("unmatched_rows_elsewhere", count=int(elsewhere["rows"].sum()), groups=groups)
        if len(unmatched):
            obj.say("unmatched_rows", count=len(unmatched))
            _print_unmatched(obj, item.file, unmatched, report_path(policy.report, item.file, len(files) > 1))


def _print_unmatched(obj: Context, file: Path, unmatched, report: Path) -> None:
    """The rows that joined to no small area, by reason: a few listed, many counted (all of them in ``report``).

    A table imported into a store without its small areas has thousands of such rows; one line
    per reason says so, with the first rows, instead of thousands of identical lines.
    """
    from geo_welfare.core.errors import GROUP_AT, GROUP_SHOWN_ROWS
    from geo_welfare.io.readers import ROW
    from geo_welfare.io.writers import write_report
    grouped = False
    for key, rows in unmatched.groupby("reason", sort=False):
        reason = t(key, obj.lang)
        names = ["/".join(str(part) for part in (row.parent_name, row.name) if part) for row in rows.itertuples()]
        if len(rows) < GROUP_AT:
            for number, name in zip(rows[ROW], names):
                click.echo(f"  {file.name}:{number} {name}: {reason}", err=True)
            continue
        grouped = True
        first = ", ".join(f"{number} {name}" for number, name in list(zip(rows[ROW], names))[:GROUP_SHOWN_ROWS])
        click.echo(f"  {file.name}, {t('problem_group_rows', obj.lang, count=len(rows), rows=first + ', …')}: "
                   f"{reason}", err=True)
    if grouped:
        table = unmatched[[ROW, "parent_name", "name"]]
        write_report(table, dict(zip(unmatched[ROW].astype(int), (t(key, obj.lang) for key in unmatched["reason"]))),
                     report)
        obj.say("problems_full_list_in", path=report)

