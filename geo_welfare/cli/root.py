"""The ``geo-welfare`` command group itself (store and language options) and ``init``."""

from __future__ import annotations

import click

from geo_welfare.cli.base import CONTEXT, Context, Group, Option
from geo_welfare.cli.options import database_option, language_option


@click.group(cls=Group, context_settings=CONTEXT, help="help_cmd_main", epilog="help_epilog_main")
@database_option()
@language_option()
@click.version_option(package_name="geo-welfare", cls=Option, help="help_option_version")
@click.pass_context
def main(ctx: click.Context, database: str | None, lang: str | None) -> None:
    """The root group: opens nothing, only records the store URL and the language for the subcommands."""
    ctx.obj = Context(database, lang)


@main.command(context_settings=CONTEXT, help="help_cmd_init")
@click.pass_obj
def init(obj: Context) -> None:
    """Create the store's tables, or migrate them to the current schema (harmless when up to date)."""
    obj.engine()
    obj.say("store_ready", url=obj.database_url)
