"""``geo-welfare import stops``, ``import service-areas`` and ``transit-gaps``: public transport and 交通空白地.

``import stops`` takes OpenStreetMap extracts, 国土数値情報 P11 (バス停留所) and N02 (鉄道駅) files
and GTFS / GTFS-JP feeds, each file one source that a re-import replaces; a feed's departures
are counted for ``--date`` or its typical weekday.  ``import service-areas`` takes the polygons of
乗合タクシー, コミュニティバス or デマンド交通.  ``transit-gaps`` counts the older residents beyond
a walk to every stop and station, by district, prints what it counted as served (there is no
national standard) and writes the gaps' polygons with ``--output``.
"""

from __future__ import annotations

from pathlib import Path

import click

from geo_welfare.cli.base import CONTEXT, Command, Context, UsageError, argument, option
from geo_welfare.cli.options import (MINUTES_RANGE, crs_option, dataset_option, network_option,
                                     source_option, speed_option, unit_option, within_option)
from geo_welfare.cli.output import emit_table, outputs
from geo_welfare.core import glossary

#: Files, or a GTFS feed's folder.
_files = argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path),
                  help="help_arg_files_import")


def _sources(source: str | None, files) -> list[str]:
    """Each file's source: ``--source`` (one file only) or the file's name, never one name for two files."""
    if source and len(files) > 1:
        raise UsageError("cli_needs_single_file", field="--source", option="--source")
    names = [source or Path(path).name for path in files]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UsageError("transit_same_source", field="--source", name=repeated[0])
    return names


@click.command("stops", cls=Command, context_settings=CONTEXT, help="help_cmd_import_stops")
@_files
@source_option()
@option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="help_opt_gtfs_date")
@click.pass_obj
def import_stops_command(obj: Context, files, source, day) -> None:
    """Import stations and stops (OSM, P11, N02, GTFS); every file is read and checked before any is written."""
    from geo_welfare.layers.stops import read_stop_file
    from geo_welfare.store.stops import write_stops
    names = _sources(source, files)
    read = []
    for path in files:
        obj.say("reading", file=path.name)
        read.append((path, read_stop_file(path, day=day.date() if day else None)))
    with obj.engine().begin() as connection:  # every file or none
        results = [write_stops(connection, stop_file.stops, name) for (_, stop_file), name in zip(read, names)]
    for (path, stop_file), result in zip(read, results):
        modes = stop_file.stops["mode"].value_counts()
        obj.say("transit_stops_imported", file=path.name, count=len(stop_file.stops),
                stations=int(modes.get("station", 0)), bus=int(modes.get("bus", 0)),
                others=int(modes.get("tram", 0) + modes.get("other", 0)),
                created=result.created, updated=result.updated, removed=result.removed)
        if stop_file.layout == "gtfs":
            if stop_file.day is None:
                obj.say("transit_departures_unknown", file=path.name)
            else:
                weekday = glossary.label(glossary.WEEKDAYS, glossary.WEEKDAYS[stop_file.day.weekday()].id, obj.lang)
                obj.say("transit_departures_counted", file=path.name, date=stop_file.day.isoformat(), weekday=weekday)


@click.command("service-areas", cls=Command, context_settings=CONTEXT, help="help_cmd_import_service_areas")
@_files
@source_option()
@option("--kind", help="help_opt_kind_service_area")
@crs_option()
@click.pass_obj
def import_service_areas_command(obj: Context, files, source, kind, crs) -> None:
    """Import community-transport service areas; residents inside them are not in a transit gap."""
    from geo_welfare.layers.stops_areas import read_service_areas
    from geo_welfare.store.stops import write_service_areas
    names = _sources(source, files)
    read = [(path, read_service_areas(path, kind=kind, crs=crs)) for path in files]
    with obj.engine().begin() as connection:  # every file or none
        results = [write_service_areas(connection, areas, name) for (_, areas), name in zip(read, names)]
    for (path, _), result in zip(read, results):
        obj.say("transit_service_areas_imported", file=path.name, count=result.created, removed=result.removed)


def _say_definition(obj: Context, definition, counted: dict) -> None:
    """The definition of served in the user's words (walks, speed, departures), and what was counted."""
    obj.say("transit_definition", stop_minutes=f"{definition.stop_minutes:g}",
            stop_metres=round(definition.stop_metres), station_minutes=f"{definition.station_minutes:g}",
            station_metres=round(definition.station_metres), speed=f"{definition.speed_kmh:g}")
    if definition.min_departures:
        obj.say("transit_definition_departures", count=definition.min_departures)
    else:
        obj.say("transit_definition_any_departures")
    obj.say("transit_definition_no_standard")
    obj.say("transit_counted", **counted)


@click.command("transit-gaps", cls=Command, context_settings=CONTEXT, help="help_cmd_transit_gaps")
@network_option()
@dataset_option()
@speed_option()
@within_option()
@option("--stop-minutes", type=click.FloatRange(*MINUTES_RANGE), default=5.0, show_default=True,
        help="help_opt_stop_minutes")
@option("--station-minutes", type=click.FloatRange(*MINUTES_RANGE), default=10.0, show_default=True,
        help="help_opt_station_minutes")
@option("--min-departures", type=click.IntRange(1, 2000), metavar="N", help="help_opt_min_departures")
@unit_option(default="small-area", help="help_opt_unit_table")
@outputs
@click.pass_obj
def transit_gaps_command(obj: Context, network_file, dataset, speed, within, stop_minutes, station_minutes,
                         min_departures, unit, output_format, output, raw) -> None:
    """Older residents beyond a walk to every stop and station, by district; ``--output`` writes the gaps' shapes."""
    from geo_welfare.analysis.study import open_study
    from geo_welfare.analysis.transit_gaps import TransitDefinition, transit_gaps
    from geo_welfare.analysis.within import margin_for
    from geo_welfare.io.writers import TABLE_SUFFIXES, write_layer
    from geo_welfare.store.stops import read_service_areas, read_stops
    engine = obj.engine()
    stops = read_stops(engine)
    if len(stops) == 0:
        raise UsageError("transit_no_stops_stored")
    definition = TransitDefinition(stop_minutes, station_minutes, speed, min_departures)
    study = open_study(engine, obj.network(network_file), dataset=dataset, within=within,
                       margin_metres=margin_for(max(stop_minutes, station_minutes), speed),
                       progress=lambda stage: obj.say(f"stage_{stage}"))
    answer = transit_gaps(engine, study, stops, read_service_areas(engine), definition,
                          glossary.AREA_UNIT_OPTIONS[unit], obj.lang)
    _say_definition(obj, definition, answer.counted)
    if output is not None and output.suffix.lower() not in TABLE_SUFFIXES:
        write_layer(answer.pieces, output)
        obj.say("exported", file=str(output), count=len(answer.pieces))
        output = None
    emit_table(obj, answer.table, output, output_format, raw)
