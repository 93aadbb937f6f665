"""``geo-welfare serve`` and ``geo-welfare demo``: the web app on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from geo_welfare.cli.base import CONTEXT, Context, option_group
from geo_welfare.core import config as settings


SERVE_OPTIONS = [
    click.option("--host", default="127.0.0.1", show_default=True, help="待ち受けるアドレス / address to listen on"),
    click.option("--port", default=5000, show_default=True, type=int, help="ポート番号 / port"),
    click.option("--tiles", envvar="GEO_WELFARE_TILES",
                 help="背景地図: gsi（既定）, osm, none, または {z}/{x}/{y} の URL / base tiles: gsi (default), osm, "
                      "none, or a {z}/{x}/{y} URL template (closed networks: none or a local tile server)"),
    click.option("--network", "network_file", envvar=settings.NETWORK_ENV,
                 type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="徒歩距離に使う道路網 / street network for walking distances"),
]


_serve_options = option_group(SERVE_OPTIONS)


@click.command(context_settings=CONTEXT)
@_serve_options
@click.pass_obj
def serve(obj: Context, host: str, port: int, tiles: str | None, network_file: Path | None) -> None:
    """地図を配信する（本番は gunicorn 等の WSGI サーバーで geo_welfare.web:create_app()） / Serve the map."""
    from geo_welfare.web import create_app
    obj.engine()
    try:
        app = create_app(obj.database_url, lang=obj.lang, tiles=tiles, network=network_file)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--tiles") from error
    obj.say("serving", host=host, port=port)
    app.run(host=host, port=port)


@click.command(context_settings=CONTEXT)
@click.option("--serve/--no-serve", "then_serve", default=True, help="取り込み後に地図を配信する / serve the map afterwards")
@_serve_options
@click.pass_context
def demo(ctx: click.Context, then_serve: bool, host: str, port: int, tiles: str | None,
         network_file: Path | None) -> None:
    """デモ町（架空の合成データ）を取り込み地図を開く / Import the synthetic demo town and serve the map."""
    from geo_welfare.store.demo import import_demo_town
    obj: Context = ctx.obj
    obj.say("demo_importing", dir=str(settings.DEMO_DATA_DIR))
    for report in import_demo_town(obj.engine()):
        obj.say("imported", file=report.file.name, created=report.result.created, updated=report.result.updated,
                removed=report.result.removed, layer=report.layer)
    if then_serve:
        ctx.invoke(serve, host=host, port=port, tiles=tiles,
                   network_file=network_file or settings.DEMO_DATA_DIR / "streets.geojson")

