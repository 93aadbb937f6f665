"""``geo-welfare nearest``: the nearest places for a client by walking time (the location is never kept)."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo_welfare.cli.base import CONTEXT, Context, resolve_kinds
from geo_welfare.core import config as settings
from geo_welfare.core.words import t


WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
            "月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}


@click.command(context_settings=CONTEXT)
@click.argument("lon", type=click.FloatRange(122.0, 154.5))
@click.argument("lat", type=click.FloatRange(20.0, 46.0))
@click.option("--network", "network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar=settings.NETWORK_ENV, help="道路網（OSM または道路中心線） / street file (OSM or road centre lines)")
@click.option("-k", "count", default=5, show_default=True, type=click.IntRange(1, 100), help="件数 / how many")
@click.option("--kind", "kinds", multiple=True, help="種別（複数可） / kind (repeatable)")
@click.option("--open", "open_at", type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]),
              help="この日時に開いている / open at this date and time, e.g. '2026-11-11 10:30'")
@click.option("--weekday", type=click.Choice(list(WEEKDAYS)), help="この曜日に開催 / held on this weekday")
@click.option("--target", help="対象者（例: 高齢者） / target group, e.g. 高齢者")
@click.option("--barrier-free", is_flag=True, help="バリアフリーのみ / barrier-free only")
@click.option("--consultation", is_flag=True, help="相談できる所のみ / places that take consultations only")
@click.option("--speed", default=settings.DEFAULT_WALKING_SPEED_KMH, show_default=True,
              type=click.FloatRange(0.5, 8.0), help="歩く速さ km/h（虚弱な方は 3） / walking speed km/h (frail: 3)")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json", "geojson"]), default="table",
              help="出力形式 / output format")
@click.pass_obj
def nearest(obj: Context, lon, lat, network_file, count, kinds, open_at, weekday, target, barrier_free,
            consultation, speed, output_format) -> None:
    """近くの資源を徒歩時間順に探す（利用者の位置は保存も記録もしない） / Nearest places by walking time.

    \b
    LON LAT は利用者の位置（経度 緯度） / the client's location (longitude latitude).
    The location is used for this answer only: it is neither stored nor logged.
    """
    from geo_welfare.analysis.nearest import Needs, nearest_resources
    from geo_welfare.store import read
    resolved = resolve_kinds(kinds) or []
    network = None
    if network_file is not None:
        from geo_welfare.network.cache import cached_network
        network, was_cached = cached_network(network_file, settings.cache_directory(obj.database_url))
        obj.say("network_loaded", nodes=network.node_count, edges=network.edge_count,
                cached=t("from_cache" if was_cached else "built", obj.lang))
    else:
        obj.say("straight_line_only")
    needs = Needs(kinds=tuple(resolved) or None, open_at=open_at, weekday=WEEKDAYS.get(weekday) if weekday else None,
                  target=target, barrier_free=barrier_free or None, consultation=consultation or None)
    result = nearest_resources(read.read_resources(obj.engine()), (lon, lat), k=count, network=network, needs=needs,
                               speed_kmh=speed, lang=obj.lang)
    if output_format == "geojson":
        click.echo(result.to_json(ensure_ascii=False, drop_id=True))
        return
    table = pd.DataFrame(result.drop(columns="geometry"))
    if output_format == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif output_format == "json":
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        click.echo(table.to_string(index=False) if len(table) else "(0)")

