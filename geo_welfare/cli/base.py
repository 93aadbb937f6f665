"""What every ``geo-welfare`` command shares: the context, exit codes, error handling, option helpers.

Exit codes scripts can trust: 0 done; 1 the input was refused (nothing was written);
2 the command line was wrong; 3 the store could not be used; 4 an unexpected error (a bug:
``GEO_WELFARE_DEBUG=1`` shows the traceback).  Errors go to stderr, the
first line being the one-line reason.  Messages are Japanese unless ``--lang en`` or
``GEO_WELFARE_LANG=en``.
"""

from __future__ import annotations

import os
import sys

import click

from geo_welfare.core import config as settings
from geo_welfare.core import glossary
from geo_welfare.core.errors import GeoWelfareError, InputError
from geo_welfare.core.words import t

EXIT_INPUT, EXIT_USAGE, EXIT_STORE, EXIT_INTERNAL = 1, 2, 3, 4
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Context:
    """What every subcommand shares: the store URL and the language."""

    def __init__(self, database: str | None, lang: str | None):
        self.database_url = settings.database_url(database)
        self.lang = settings.language(lang)

    def engine(self):
        from geo_welfare.store import open_store
        return open_store(self.database_url)

    def say(self, key: str, **values: object) -> None:
        click.echo(t(key, self.lang, **values), err=True)


def _fail(error: GeoWelfareError, lang: str) -> None:
    """Print the reason (first line) and details, then exit with the code for its kind."""
    if isinstance(error, InputError):
        click.echo(t("nothing_written", lang), err=True)
        click.echo(error.message(lang), err=True)
        sys.exit(EXIT_INPUT)
    click.echo(error.message(lang), err=True)
    sys.exit(EXIT_STORE)


class Group(click.Group):
    """A command group that turns our errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GeoWelfareError as error:
            lang = ctx.obj.lang if isinstance(ctx.obj, Context) else settings.language()
            _fail(error, lang)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("GEO_WELFARE_DEBUG"):
                raise
            lang = ctx.obj.lang if isinstance(ctx.obj, Context) else settings.language()
            click.echo(t("internal_error", lang, error=f"{type(error).__name__}: {error}"), err=True)
            sys.exit(EXIT_INTERNAL)


@click.option("--database", metavar="URL", envvar=settings.DATABASE_URL_ENV,
              help="保存先（sqlite:///ファイル または postgresql+psycopg://…）。既定: ./geo_welfare.sqlite / "
                   "Store URL (SpatiaLite file or PostGIS); default ./geo_welfare.sqlite")
@click.option("--lang", type=click.Choice(["ja", "en"]), envvar=settings.LANGUAGE_ENV,
              help="表示言語 / message language (default ja)")
@click.version_option(package_name="geo-welfare")


def option_group(options: list):
    """One decorator that adds ``options`` to a command, in the order listed (click applies bottom-up)."""
    def apply(function):
        for option in reversed(options):
            function = option(function)
        return function
    return apply


def resolve_kinds(kinds: tuple[str, ...]) -> list[str] | None:
    """The resource kinds ``--kind`` names (identifiers, labels or aliases); None when none is named."""
    resolved = []
    for kind in kinds:
        identifier = glossary.resource_kind(kind)
        if identifier is None:
            raise click.BadParameter(f"{kind}: {', '.join(glossary.RESOURCE_KIND_IDS)}", param_hint="--kind")
        resolved.append(identifier)
    return resolved or None

