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
                                     encoding_option, kind_option, overwrite_edits_option, source_option, unit_option)
from geo_welfare.core import glossary
from geo_welfare.core.errors import GeoWelfareError
from geo_welfare.core.words import t
from geo_welfare.layers.columns import parse_column_map


@click.group("import", cls=Group, context_settings=CONTEXT, help="help_cmd_import")
def import_group() -> None:
    """Each import reads every file and checks every row before writing: all or nothing."""


_common_import_options = option_group([columns_option(), encoding_option()])
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


def _print_reports(obj: Context, reports) -> None:
    for report in reports:
        obj.say("imported", file=report.file.name, created=report.result.created, updated=report.result.updated,
                removed=report.result.removed, layer=report.layer)


@import_group.command("resources", context_settings=CONTEXT, help="help_cmd_import_resources")
@_files
@kind_option(help="help_opt_kind_import", help_values={"kinds": glossary.KIND_CHOICES})
@source_option("help_opt_source_import_resources")
@crs_option("help_opt_crs_import_resources")
@allow_removals_option()
@overwrite_edits_option()
@_common_import_options
@click.pass_obj
def import_resources_command(obj: Context, files, kind, source, crs, allow_removals, overwrite_edits, columns,
                             encoding) -> None:
    """Import resource lists; rows whose schedule text could not be read are listed, not refused."""
    _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_resources
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_resources(obj.engine(), files, kind=kind, columns=_columns(obj, columns), source=source,
                                   encoding=encoding, crs=crs, allow_removals=allow_removals,
                                   overwrite_edits=overwrite_edits, progress=report)
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
@_common_import_options
@click.pass_obj
def import_candidates_command(obj: Context, files, source, crs, columns, encoding) -> None:
    """Import candidate sites for new community bases (read by ``plan``)."""
    _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_candidates
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_candidates(obj.engine(), files, columns=_columns(obj, columns), source=source,
                                    encoding=encoding, crs=crs, progress=report)
    _print_reports(obj, reports)


@import_group.command("areas", context_settings=CONTEXT, help="help_cmd_import_areas")
@_files
@unit_option(required=True)
@source_option()
@crs_option("help_opt_crs_import_areas")
@option("--repair-geometry", is_flag=True, help="help_opt_repair_geometry")
@_common_import_options
@click.pass_obj
def import_areas_command(obj: Context, files, unit, source, crs, repair_geometry, columns, encoding) -> None:
    """Import area polygons of one level; says how many pieces were dissolved and shapes repaired."""
    _one_file_per_name(files, source, "--source")
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
@_common_import_options
@click.pass_obj
def import_population_command(obj: Context, files, dataset, columns, encoding) -> None:
    """Import population by age and join it to the stored small areas; unmatched rows are listed.

    Rows of wards the store holds no small area of (a whole city's table in a store of one ward)
    are counted by ward in one line instead.
    """
    _one_file_per_name(files, dataset, "--dataset")
    from geo_welfare.store.importing import import_population
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
            for row in unmatched.itertuples(index=False):
                area_name = "/".join(str(part) for part in (row.parent_name, row.name) if part)
                click.echo(f"  {item.file.name}:{row._0} {area_name}: {row.reason}", err=True)

