"""``geo-welfare serve`` and ``geo-welfare demo``: the web app on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from geo_welfare.cli.base import CONTEXT, Command, Context, option, option_group
from geo_welfare.cli.options import host_option, network_option, port_option, tiles_option
from geo_welfare.core import config as settings


SERVE_OPTIONS = [host_option(), port_option(), tiles_option(),
                 network_option("help_opt_network_serve")]


_serve_options = option_group(SERVE_OPTIONS)


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_serve")
@_serve_options
@click.pass_obj
def serve(obj: Context, host: str, port: int, tiles: str | None, network_file: Path | None) -> None:
    """Flask's development server on this machine; production runs ``create_app()`` under a WSGI server."""
    from geo_welfare.web import create_app
    obj.engine()
    try:
        app = create_app(obj.database_url, lang=obj.lang, tiles=tiles, network=network_file)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--tiles") from error
    obj.say("serving", host=host, port=port)
    app.run(host=host, port=port)


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_demo")
@option("--serve/--no-serve", "then_serve", default=True, help="help_opt_then_serve")
@_serve_options
@click.pass_context
def demo(ctx: click.Context, then_serve: bool, host: str, port: int, tiles: str | None,
         network_file: Path | None) -> None:
    """Import the synthetic demo town (re-importing is harmless) and serve it with its own streets."""
    from geo_welfare.store.demo import import_demo_town
    obj: Context = ctx.obj
    obj.say("demo_importing", dir=str(settings.DEMO_DATA_DIR))
    for report in import_demo_town(obj.engine()):
        obj.say("imported", file=report.file.name, created=report.result.created, updated=report.result.updated,
                removed=report.result.removed, layer=report.layer)
    if then_serve:
        ctx.invoke(serve, host=host, port=port, tiles=tiles,
                   network_file=network_file or settings.DEMO_DATA_DIR / "streets.geojson")

