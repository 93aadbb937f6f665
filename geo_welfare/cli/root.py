"""The ``geo-welfare`` command group itself (store and language options) and ``init``."""

from __future__ import annotations

import click

from geo_welfare.cli.base import CONTEXT, Context, Group
from geo_welfare.core import config as settings


@click.group(cls=Group, context_settings=CONTEXT)
@click.option("--database", metavar="URL", envvar=settings.DATABASE_URL_ENV,
              help="保存先（sqlite:///ファイル または postgresql+psycopg://…）。既定: ./geo_welfare.sqlite / "
                   "Store URL (SpatiaLite file or PostGIS); default ./geo_welfare.sqlite")
@click.option("--lang", type=click.Choice(["ja", "en"]), envvar=settings.LANGUAGE_ENV,
              help="表示言語 / message language (default ja)")
@click.version_option(package_name="geo-welfare")
@click.pass_context
def main(ctx: click.Context, database: str | None, lang: str | None) -> None:
    """地域福祉の資源マップと徒歩圏分析 / Community-welfare resource maps and walking-reach analysis.

    \b
    例 / Examples:
      geo-welfare demo
      geo-welfare import resources salons.csv --kind サロン
      geo-welfare import areas small_areas.geojson --unit small-area
      geo-welfare list resources --format csv
    """
    ctx.obj = Context(database, lang)


@main.command(context_settings=CONTEXT)
@click.pass_obj
def init(obj: Context) -> None:
    """保存先を作成・更新する / Create or upgrade the store."""
    obj.engine()
    obj.say("store_ready", url=obj.database_url)

