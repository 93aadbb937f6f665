"""How a command's answer leaves it: a table, CSV or JSON on stdout, or any table or layer to a file.

One function for every analysis and listing command (single-machine and batch), so a table reads
the same whichever command made it.  Tables and CSV are for people by default
(:func:`geo_welfare.reports.tables.for_people`: the user's language, whole people, percentages);
``--raw`` keeps the machine form (English column names, full precision) that scripts rely on, and
JSON and GIS layers are always the machine form.  Every CSV starts with a byte-order mark, stdout
included, so ``… --format csv > table.csv`` opens in Excel with its kanji intact.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo_welfare.cli.base import Context, option_group
from geo_welfare.cli.options import format_option, output_option, raw_option
from geo_welfare.core.words import t

#: ``--format`` (stdout), ``--output`` (a file, its kind by its suffix) and ``--raw``.
OUTPUT_OPTIONS = [format_option(help="help_opt_format_stdout"), output_option(), raw_option()]
outputs = option_group(OUTPUT_OPTIONS)


def shown_table(obj: Context, table: pd.DataFrame, raw: bool) -> pd.DataFrame:
    """The table as the user asked for it: for people in their language, or the machine form."""
    if raw:
        return pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    from geo_welfare.reports.tables import for_people
    return for_people(table, obj.lang)


def echo_table(obj: Context, table: pd.DataFrame, output_format: str, *, raw: bool = False) -> None:
    """``table`` to stdout as a table, CSV (with a BOM) or JSON (always the machine form)."""
    if output_format == "json":
        plain = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
        click.echo(plain.to_json(orient="records", force_ascii=False, indent=1, date_format="iso"))
        return
    shown = shown_table(obj, table, raw)
    if output_format == "csv":
        from geo_welfare.io.writers import csv_text
        click.echo(csv_text(shown, bom=True), nl=False)  # no text cell reaches a spreadsheet as a formula
    elif not len(shown):
        click.echo(t("table_no_rows", obj.lang))
    else:
        click.echo((shown.round(3) if raw else shown.astype(object).where(shown.notna(), "")).to_string(index=False))


def emit_table(obj: Context, table: pd.DataFrame, output: Path | None, output_format: str,
               raw: bool = False) -> None:
    """The answer to a file (CSV or .xlsx for people, GeoPackage, GeoJSON… as layers), or to stdout."""
    if output is None:
        echo_table(obj, table, output_format, raw=raw)
        return
    from geo_welfare.io.writers import TABLE_SUFFIXES, write_layer
    if output.suffix.lower() in TABLE_SUFFIXES and not raw:
        write_layer(shown_table(obj, table, raw), output)
    else:
        write_layer(table, output)
    obj.say("exported", file=str(output), count=len(table))
