"""``geo-welfare import areas TABLE.csv --unit … --from small-area``: areas built from a table of 町丁目.

``import areas`` (in :mod:`geo_welfare.cli.importing`) hands a table here when ``--from small-area``
is given: the work is :func:`geo_welfare.store.area_tables.import_area_table`; this module only
says what it did — the import line, then every warning (町丁目 in no area or in two, grouped with
their count; cuts assigned by the declared rule; places that are not 町丁目).
"""

from __future__ import annotations

from pathlib import Path

import click

from geo_welfare.cli.base import Context, UsageError
from geo_welfare.core.errors import grouped_lines

#: The values ``--from`` takes: what the table's members are drawn from.
FROM_CHOICES = ("small-area",)


def import_table(obj: Context, files: tuple[Path, ...], unit: str, *, source: str | None,
                 encoding: str | None) -> None:
    """Import one area table (one file: a table is one layer of areas) and report what to look at."""
    if len(files) != 1:
        raise UsageError("cli_needs_single_file", field="--from", option="--from")
    from geo_welfare.store.area_tables import import_area_table
    obj.say("reading", file=Path(files[0]).name)
    report = import_area_table(obj.engine(), Path(files[0]), unit, source=source, encoding=encoding)
    warnings = report.notes["warnings"]
    obj.say("import_summary", file=report.file.name, created=report.result.created, updated=report.result.updated,
            removed=report.result.removed, skipped=0, warnings=len(warnings), layer=report.layer)
    if warnings:
        obj.say("import_warnings", count=len(warnings))
        for line in grouped_lines(warnings, obj.lang):
            click.echo(f"  {line}", err=True)
