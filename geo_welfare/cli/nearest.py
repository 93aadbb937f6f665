"""``geo-welfare nearest``: the nearest places for a client by walking time (the location is never kept)."""

from __future__ import annotations

import click

from geo_welfare.cli.base import (CONTEXT, Command, Context, UsageError, argument, option, resolve_consultation_field,
                                  resolve_kinds)
from geo_welfare.cli.options import format_option, kind_option, network_option, raw_option, speed_option
from geo_welfare.cli.output import echo_table
from geo_welfare.core import glossary
from geo_welfare.core.words import Word


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_nearest")
@argument("lon", type=click.FloatRange(122.0, 154.5), required=False, help="help_arg_lon")
@argument("lat", type=click.FloatRange(20.0, 46.0), required=False, help="help_arg_lat")
@option("--address", metavar="ADDRESS", help="help_opt_address_nearest")
@network_option("help_opt_network_streets")
@option("-k", "count", default=5, show_default=True, type=click.IntRange(1, 100), help="help_opt_count_nearest")
@kind_option(multiple=True, help="help_opt_kinds")
@option("--open", "open_at", type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]), help="help_opt_open")
@option("--weekday", type=click.Choice(list(glossary.WEEKDAY_NAMES)), help="help_opt_weekday")
@option("--target", help="help_opt_target_nearest")
@option("--barrier-free", is_flag=True, help="help_opt_barrier_free")
@option("--consultation", is_flag=True, help="help_opt_consultation")
@option("--consults", "consults", multiple=True, metavar="FIELD", help="help_opt_consults")
@speed_option("help_opt_speed_nearest")
@format_option(("table", "csv", "json", "geojson"))
@raw_option()
@click.pass_obj
def nearest(obj: Context, lon, lat, address, network_file, count, kinds, open_at, weekday, target, barrier_free,
            consultation, consults, speed, output_format, raw) -> None:
    """The nearest places to (LON, LAT) that meet the needs given, by walking time.

    The client's location is used for this answer only: it is neither stored nor printed to stderr,
    which may end up in a log.
    """
    from geo_welfare.analysis.nearest import Needs, nearest_resources
    from geo_welfare.store import read
    if (address is None) == (lon is None or lat is None) or (lon is None) != (lat is None):
        raise UsageError("nearest_address_or_point", field="--address")
    if address is not None:  # placed by the gazetteers, or refused with the reason; stderr names only the level
        from geo_welfare.analysis.which import locate
        match = locate(obj.engine(), address)
        lon, lat = match.lon, match.lat
        obj.say("nearest_located", level=Word(f"geocode_level_{match.level}"))
    resolved = resolve_kinds(kinds) or []
    fields = tuple(resolve_consultation_field(word) for word in consults)
    network = obj.network(network_file)
    day = glossary.WEEKDAY_NAMES.get(weekday) if weekday else None
    needs = Needs(kinds=tuple(resolved) or None, open_at=open_at, weekday=day, target=target,
                  barrier_free=barrier_free or None, consultation=consultation or None, consults=fields or None)
    result = nearest_resources(read.read_resources(obj.engine()), (lon, lat), k=count, network=network, needs=needs,
                               speed_kmh=speed, lang=obj.lang)
    if output_format == "geojson":
        click.echo(result.to_json(ensure_ascii=False, drop_id=True))
        return
    echo_table(obj, result, output_format, raw=raw)


