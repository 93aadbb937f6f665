"""``geo-welfare import gazetteer`` and ``geo-welfare geocode``: address matching, offline, from imported gazetteers.

``import gazetteer`` reads every file before writing any (all or nothing) and replaces the entries
of each file's name; ``geocode`` adds a point and its match level to every row of any CSV, and
says for each row that is not placed why not: no row is ever put at a town or city centre.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from geo_welfare.cli.base import CONTEXT, Command, Context, UsageError, argument, option
from geo_welfare.cli.options import encoding_option, output_option
from geo_welfare.core.errors import ConflictError, InputError
from geo_welfare.core.words import t

#: The columns ``geocode`` adds, as catalogue keys of their headers.
ADDED_COLUMNS = ("lat", "lon", "level", "matched", "gazetteer", "reason")


def _municipality(obj: Context, value: str | None) -> tuple[str | None, str | None]:
    """``--municipality`` as (name, code): a code is looked up in the store's areas."""
    if not value:
        return None, None
    value = value.strip()
    if not value.isdigit():
        return value, None
    from geo_welfare.store.gazetteer import municipality_name
    name = municipality_name(obj.engine(), value)
    if name is None:
        raise UsageError("gazetteer_municipality_code_unknown", field="--municipality", code=value)
    return name, value[:5]


@click.command("gazetteer", cls=Command, context_settings=CONTEXT, help="help_cmd_import_gazetteer")
@argument("files", nargs=-1, type=click.Path(path_type=Path), help="help_arg_files_gazetteer")
@option("--municipality", metavar="CODE|NAME", help="help_opt_municipality_gazetteer")
@option("--small-areas", is_flag=True, help="help_opt_small_areas_gazetteer")
@click.pass_obj
def import_gazetteer(obj: Context, files, municipality, small_areas) -> None:
    """Read every gazetteer file (位置参照情報 CSV/zip, Geolonia JSON), then store each, replacing its old entries."""
    from geo_welfare.layers.addresses.gazetteer import SMALL_AREA, read_gazetteer
    from geo_welfare.store.gazetteer import small_area_records, write_gazetteer
    if not files and not small_areas:
        raise UsageError("gazetteer_nothing_to_import", field="FILE")
    if municipality and sum(Path(f).suffix.lower() == ".json" for f in files) > 1:
        raise UsageError("gazetteer_municipality_one_file", field="--municipality")
    named = [Path(f).name for f in files if Path(f).suffix.lower() in (".csv", ".zip")]
    if municipality and named:  # 位置参照情報 rows name their own municipality: the option would be silently ignored
        raise UsageError("gazetteer_municipality_json_only", field="--municipality", files=", ".join(named))
    name, code = _municipality(obj, municipality)
    engine = obj.engine()
    read = [(Path(path), read_gazetteer(Path(path), municipality=name, municipality_code=code)) for path in files]
    if small_areas:
        records = small_area_records(engine)
        if not records:
            raise ConflictError("gazetteer_no_small_areas")
        read.append((None, records))
    options = {"municipality": municipality} if municipality else None
    for path, records in read:
        written, _ = write_gazetteer(engine, records, path.name if path else SMALL_AREA, path=path, options=options)
        levels = Counter(record.level for record in records)
        obj.say("gazetteer_imported", file=path.name if path else SMALL_AREA, count=written,
                levels=", ".join(f"{t('geocode_level_' + level, obj.lang)} {n:,}" for level, n in levels.items()))


@click.command("geocode", cls=Command, context_settings=CONTEXT, help="help_cmd_geocode")
@argument("file", type=click.Path(path_type=Path), help="help_arg_file_geocode")
@output_option("help_opt_output_geocode", short=True)
@option("--column", metavar="NAME", help="help_opt_column_geocode")
@encoding_option()
@click.pass_obj
def geocode(obj: Context, file: Path, output: Path | None, column: str | None, encoding: str | None) -> None:
    """Add 緯度, 経度, 一致レベル, the matched name, the gazetteer and the reason to every row of FILE."""
    from geo_welfare.io.readers import ROW, find_column, read_table
    from geo_welfare.io.writers import csv_text, write_csv
    from geo_welfare.layers.columns import RESOURCE_COLUMNS
    from geo_welfare.store.gazetteer import geocoder
    table = read_table(file, encoding=encoding)
    address = find_column(table.columns, [column] if column else RESOURCE_COLUMNS["address"])
    if address is None:
        raise InputError.single(file, "geocode_no_address_column", field=column,
                                columns=", ".join(column and [column] or RESOURCE_COLUMNS["address"]))
    matcher = geocoder(obj.engine())
    if matcher is None:
        raise ConflictError("geocode_no_gazetteer")
    matches = [matcher.match(text) for text in table[address]]
    values = {"lat": [m.lat for m in matches], "lon": [m.lon for m in matches],
              "level": [t(f"geocode_level_{m.level}", obj.lang) for m in matches],
              "matched": [m.matched or "" for m in matches], "gazetteer": [m.gazetteer or "" for m in matches],
              "reason": [t(m.reason, obj.lang) if m.reason else "" for m in matches]}
    table = table.drop(columns=ROW)
    for key in ADDED_COLUMNS:
        header = t(f"geocode_column_{key}", obj.lang)
        if header in table.columns:  # the list's own 緯度 stays as it is, beside the one from the address
            header = t("geocode_column_again", obj.lang, column=header)
        table[header] = values[key]
    if output:
        write_csv(table, output)
    else:
        click.echo(csv_text(table), nl=False)
    levels = Counter(m.level for m in matches)
    obj.say("geocoded", file=file.name, count=len(matches),
            levels=", ".join(f"{t('geocode_level_' + level, obj.lang)} {levels[level]:,}"
                             for level in ("block", "chome", "oaza", "municipality", "none") if levels[level]))
