"""``geo-welfare import folder DIR``: a municipality's whole folder, identified, planned and imported at once.

The plan (what each file is, what it becomes, the kind of each list of places and how it was
found, and why a file is left out) goes to stdout, then the summary: one line per file and a
total.  Progress goes to stderr as in the other imports, and so do the rows to look at
(schedules kept as text, population rows that joined to no small area).  ``--dry-run`` stops
after the plan.  A refusal lists every problem of every file, grouped, and stores nothing.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from tqdm import tqdm

from geo_welfare.cli.base import CONTEXT, Command, Context, UsageError, argument, option
from geo_welfare.cli.options import allow_removals_option, overwrite_edits_option
from geo_welfare.core import glossary
from geo_welfare.core.errors import grouped_lines
from geo_welfare.core.words import Word, t

#: How many rows of one file's warnings are listed before the rest are counted.
WARNINGS_LISTED = 10


def _pairs(values: tuple[str, ...], option_name: str) -> dict[str, str]:
    """``FILE=VALUE`` options as a mapping (the value after the last ``=``)."""
    pairs = {}
    for value in values:
        name, equals, word = value.rpartition("=")
        if not equals or not name.strip() or not word.strip():
            raise UsageError("folder_override_malformed", field=option_name, option=option_name, value=value)
        pairs[name.strip()] = word.strip()
    return pairs


@click.command("folder", cls=Command, context_settings=CONTEXT, help="help_cmd_import_folder")
@argument("folder", type=click.Path(path_type=Path), help="help_arg_folder")
@option("--dry-run", is_flag=True, help="help_opt_dry_run_folder")
@option("--kind", "kinds", multiple=True, metavar="FILE=KIND", help="help_opt_kind_folder",
        help_values={"kinds": glossary.KIND_CHOICES})
@option("--unit", "units", multiple=True, metavar="FILE=UNIT", help="help_opt_unit_folder",
        help_values={"units": ", ".join(glossary.AREA_UNIT_OPTIONS)})
@option("--skip", "skips", multiple=True, metavar="FILE", help="help_opt_skip_folder")
@option("--merge-duplicates", is_flag=True, help="help_opt_merge_duplicates_folder")
@option("--skip-invalid", is_flag=True, help="help_opt_skip_invalid_folder")
@option("--municipality", metavar="NAME", help="help_opt_municipality_folder")
@allow_removals_option()
@overwrite_edits_option()
@click.pass_obj
def import_folder_command(obj: Context, folder: Path, dry_run: bool, kinds, units, skips, merge_duplicates: bool,
                          skip_invalid: bool, municipality: str | None, allow_removals: bool,
                          overwrite_edits: bool) -> None:
    """Identify every file of FOLDER, print the plan, and import it all in one transaction."""
    from geo_welfare.store.folder import import_folder
    from geo_welfare.store.folder_plan import listed, plan_folder
    with tempfile.TemporaryDirectory(prefix="geo_welfare_folder_") as workspace:
        plan = plan_folder(folder, Path(workspace), kinds=_pairs(kinds, "--kind"), units=_pairs(units, "--unit"),
                           skip=tuple(skips), municipality=municipality)
        _print_plan(obj, plan, listed(plan))
        if dry_run:
            click.echo(t("folder_dry_run", obj.lang))
            return
        if not plan.imported:
            click.echo(t("folder_nothing_to_import", obj.lang))
            return
        bar = tqdm(total=len(plan.imported), desc=t("folder_progress", obj.lang), unit="file", file=sys.stderr,
                   disable=len(plan.imported) < 2, leave=False)
        with bar:
            outcomes = import_folder(obj.engine(), plan, Path(workspace), merge_duplicates=merge_duplicates,
                                     allow_removals=allow_removals, overwrite_edits=overwrite_edits,
                                     reports_to=Path.cwd() if skip_invalid else None, lang=obj.lang,
                                     progress=lambda _item: bar.update(1))
        _print_summary(obj, outcomes, [item for item in listed(plan) if not item.layer])
        for outcome in outcomes:
            _print_warnings(obj, outcome)


def _what(item) -> Word:
    return Word(f"folder_what_{item.identity.what}")


def _target(item, lang: str) -> str:
    """What a file becomes: areas of a level, population, address points, or places of a kind."""
    if item.layer == "areas":
        return t("folder_target_areas", lang, unit=glossary.label(glossary.AREA_UNITS, item.unit, lang))
    if item.layer == "resources":
        kind = (glossary.label(glossary.RESOURCE_KINDS, item.kind, lang) if item.kind
                else t("folder_kind_rows", lang))
        return t("folder_target_resources", lang, kind=kind, how=Word(f"folder_kind_from_{item.kind_from}"))
    return t(f"folder_target_{item.layer}", lang)


def _print_plan(obj: Context, plan, shown) -> None:
    lang = obj.lang
    click.echo(t("folder_plan_heading", lang, folder=str(plan.folder), count=len(shown)))
    if plan.municipality_from:  # said, so that a wrong guess is seen before anything is imported
        click.echo(t("folder_municipality_inferred", lang, name=plan.municipality, file=plan.municipality_from))
    for order, item in enumerate(plan.imported, start=1):
        click.echo(t("folder_plan_import", lang, order=order, file=item.shown, what=_what(item),
                     target=_target(item, lang)))
        if item.identity.reason:
            click.echo(t("folder_plan_note", lang, note=t(item.identity.reason, lang, **item.skip_values)))
    for item in shown:
        if not item.layer:
            click.echo(t("folder_plan_skip", lang, file=item.shown, what=_what(item),
                         reason=t(item.skip, lang, **item.skip_values)))


def _print_summary(obj: Context, outcomes, skipped) -> None:
    lang = obj.lang
    click.echo(t("folder_summary_heading", lang))
    for outcome in outcomes:
        click.echo(t("folder_summary_file", lang, file=outcome.planned.shown, what=_what(outcome.planned),
                     created=outcome.created, updated=outcome.updated, removed=outcome.removed,
                     warnings=outcome.warnings))
        if outcome.notes.get("report") is not None:  # --skip-invalid: the rows left out, and where they are
            click.echo(t("folder_summary_report", lang, count=outcome.notes["skipped"],
                         path=str(outcome.notes["report"])))
    for item in skipped:
        click.echo(t("folder_summary_skipped", lang, file=item.shown, what=_what(item),
                     reason=t(item.skip, lang, **item.skip_values)))
    click.echo(t("folder_summary_total", lang, files=len(outcomes), skipped=len(skipped),
                 created=sum(o.created for o in outcomes), updated=sum(o.updated for o in outcomes),
                 removed=sum(o.removed for o in outcomes), warnings=sum(o.warnings for o in outcomes)))


def _print_warnings(obj: Context, outcome) -> None:
    """The rows of one file a person should look at (stderr), the first few listed and the rest counted."""
    name, notes = outcome.planned.shown, outcome.notes
    if outcome.planned.layer == "resources" and notes.get("unparsed_schedules"):
        unparsed = notes["unparsed_schedules"]
        obj.say("folder_warning_heading", file=name)
        obj.say("unparsed_schedules", count=len(unparsed))
        _listed(obj, [f"  {row} {title}: {text}" for row, title, text in unparsed])
    if notes.get("warnings"):
        obj.say("folder_warning_heading", file=name)
        _listed(obj, ["  " + line for line in grouped_lines(notes["warnings"], obj.lang)])
    if outcome.planned.layer != "population":
        return
    unmatched, elsewhere = notes["unmatched_here"], notes["elsewhere"]
    if notes.get("no_small_areas") and len(unmatched):
        obj.say("folder_warning_no_small_areas", file=name, count=len(unmatched))
        return
    if len(elsewhere):
        groups = ", ".join(t("rows_of_ward", obj.lang, ward=f"{row.code} {row.name}".strip(), count=row.rows)
                           for row in elsewhere.itertuples())
        obj.say("folder_warning_heading", file=name)
        obj.say("unmatched_rows_elsewhere", count=int(elsewhere["rows"].sum()), groups=groups)
    if len(unmatched):
        obj.say("folder_warning_heading", file=name)
        obj.say("unmatched_rows", count=len(unmatched))
        _listed(obj, [f"  {row._0} {'/'.join(str(p) for p in (row.parent_name, row.name) if p)}: {t(row.reason, obj.lang)}"
                      for row in unmatched.itertuples(index=False)])


def _listed(obj: Context, lines: list[str]) -> None:
    for line in lines[:WARNINGS_LISTED]:
        click.echo(line, err=True)
    if len(lines) > WARNINGS_LISTED:
        obj.say("folder_warning_more", count=len(lines) - WARNINGS_LISTED)
