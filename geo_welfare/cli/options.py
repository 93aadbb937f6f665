"""Every option more than one ``geo-welfare`` command takes, declared once.

A command says which it takes (``@network_option(...)``); the name, the type, the allowed
values, the default and the environment variable are written here only, so ``--network`` reads
``GEO_WELFARE_NETWORK`` on every command and ``--speed`` accepts the same range everywhere (the
settings table's, :mod:`geo_welfare.core.config`).  Where commands explain an option in their own
words (``--dataset`` names a dataset to import or one to analyse), the words are a parameter;
everything else is not.  Every ``help`` is a key of the word catalogue (``help_opt_…``), shown
in the reader's language by :class:`geo_welfare.cli.base.Option`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from geo_welfare.cli.base import option, option_group, remember_language
from geo_welfare.core import config as settings
from geo_welfare.core import glossary
from geo_welfare.core.walking import DEFAULT_WALKING_SPEED_KMH, WALKING_SPEED_RANGE

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

#: A file that must exist (streets, rivers, railways).
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
#: The formats a table prints in.
TABLE_FORMATS = ("table", "csv", "json")
#: The allowed walking minutes of an analysis.
MINUTES_RANGE = (1, 120)


def _option(*names: str, **attributes: Any) -> Decorator:
    """:func:`base.option`, leaving out attributes that are None so click's own defaults apply."""
    return option(*names, **{key: value for key, value in attributes.items() if value is not None})


# --- the store and the language (the root group) ---------------------------------------------------

def database_option() -> Decorator:
    return option("--database", metavar="URL", envvar=settings.DATABASE_URL.environment, help="help_opt_database")


def language_option() -> Decorator:
    """``--lang``, eager so that a ``--help`` after it is in that language."""
    return option("--lang", type=click.Choice(list(settings.LANGUAGE.choices)), envvar=settings.LANGUAGE.environment,
                  is_eager=True, callback=remember_language, help="help_opt_lang")


# --- what the analyses walk on and whom they count -------------------------------------------------

def network_option(help: str = "help_opt_network") -> Decorator:
    """``--network FILE`` (→ ``network_file``), else ``GEO_WELFARE_NETWORK``; without either, straight lines."""
    return option("--network", "network_file", type=EXISTING_FILE, envvar=settings.NETWORK.environment, help=help)


def speed_option(help: str = "help_opt_speed") -> Decorator:
    """``--speed KM/H`` within the one walking-speed range of the settings table."""
    return option("--speed", type=click.FloatRange(*WALKING_SPEED_RANGE), default=DEFAULT_WALKING_SPEED_KMH,
                  show_default=True, help=help)


def minutes_option(*, default: float | Sequence[float] = 15.0, multiple: bool = False,
                   help: str = "help_opt_minutes") -> Decorator:
    """``--minutes N`` (repeatable with ``multiple``), 1–120."""
    return _option("--minutes", type=click.FloatRange(*MINUTES_RANGE), default=default, show_default=True,
                   multiple=multiple or None, help=help)


def kind_option(*, multiple: bool = False, help: str = "help_opt_kind",
                help_values: dict[str, object] | None = None) -> Decorator:
    """``--kind`` (→ ``kind``), or repeatable (→ ``kinds``); names are resolved by :func:`base.resolve_kinds`."""
    if multiple:
        return _option("--kind", "kinds", multiple=True, help=help, help_values=help_values)
    return _option("--kind", help=help, help_values=help_values)


def dataset_option(help: str = "help_opt_dataset") -> Decorator:
    return option("--dataset", help=help)


class UnitChoice(click.Choice):
    """An area unit by its CLI name (``elementary-district``) or as people write it (小学校区, 小学校区域 …).

    A Japanese user types the unit's Japanese name, as ``--kind`` takes サロン; it is answered with the
    CLI name, so a command sees one spelling.
    """

    def __init__(self) -> None:
        super().__init__(list(glossary.AREA_UNIT_OPTIONS))
        self.words = {spelling: name for name, identifier in glossary.AREA_UNIT_OPTIONS.items()
                      for spelling in glossary.area_unit_spellings(identifier)}

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.strip() in self.words:
            return self.words[value.strip()]
        return super().convert(value, param, ctx)


def unit_option(*, default: str | None = None, required: bool = False,
                help: str = "help_opt_unit") -> Decorator:
    """``--unit`` among the area units' CLI names (``small-area``, ``elementary-district``, …) or their labels."""
    return _option("--unit", type=UnitChoice(), default=default,
                   show_default=True if default is not None else None, required=required or None, help=help)


def include_staff_option(help: str = "help_opt_include_staff") -> Decorator:
    return option("--include-staff", is_flag=True, help=help)


def within_option(help: str = "help_opt_within") -> Decorator:
    """``--within CODE``: one ward (``01101``) or stored area of the store; see :mod:`geo_welfare.analysis.within`."""
    return option("--within", metavar="CODE", help=help)


# --- what is printed or written --------------------------------------------------------------------

def format_option(choices: Sequence[str] = TABLE_FORMATS, *, dest: str = "output_format", default: str | None = "table",
                  help: str = "help_opt_format") -> Decorator:
    """``--format`` (→ ``output_format``) among ``choices``."""
    return _option("--format", dest, type=click.Choice(list(choices)), default=default, help=help)


def raw_option() -> Decorator:
    """``--raw``: a table in its machine form (English column names, full precision) for scripts."""
    return _option("--raw", "raw", is_flag=True, help="help_opt_raw")


def output_option(help: str = "help_opt_output", *,
                  required: bool = False, folder: bool = False, short: bool = False) -> Decorator:
    """``--output FILE`` (``-o`` too with ``short``; a folder is allowed with ``folder``)."""
    names = ("--output", "-o") if short else ("--output",)
    kind = click.Path(path_type=Path) if folder else click.Path(dir_okay=False, path_type=Path)
    return _option(*names, type=kind, required=required or None, help=help)


# --- what an import reads ---------------------------------------------------------------------------

def source_option(help: str = "help_opt_source") -> Decorator:
    return option("--source", help=help)


def crs_option(help: str = "help_opt_crs") -> Decorator:
    return option("--crs", help=help)


def columns_option() -> Decorator:
    return option("--columns", metavar="MAP", help="help_opt_columns")


def encoding_option() -> Decorator:
    return option("--encoding", help="help_opt_encoding")


def allow_removals_option() -> Decorator:
    """``--allow-removals``: a re-import may remove more than a fifth of its source's places (else refused)."""
    return option("--allow-removals", is_flag=True, help="help_opt_allow_removals")


def overwrite_edits_option() -> Decorator:
    """``--overwrite-edits``: a re-import may change places edited or deleted on the web since the last one."""
    return option("--overwrite-edits", is_flag=True, help="help_opt_overwrite_edits")


def skip_invalid_option() -> Decorator:
    """``--skip-invalid``: import the good rows, write the refused ones with their reasons to the report."""
    return option("--skip-invalid", is_flag=True, help="help_opt_skip_invalid")


def merge_duplicates_option() -> Decorator:
    """``--merge-duplicates``: a place listed twice keeps its first row (the differences are listed)."""
    return option("--merge-duplicates", is_flag=True, help="help_opt_merge_duplicates")


def report_option() -> Decorator:
    """``--report PATH``: where the refused rows go (default: ``<file>_report.csv`` in the current folder)."""
    return option("--report", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
                  help="help_opt_report")


# --- the web app --------------------------------------------------------------------------------------

def host_option() -> Decorator:
    return option("--host", default="127.0.0.1", show_default=True, help="help_opt_host")


def port_option() -> Decorator:
    return option("--port", default=5000, show_default=True, type=int, help="help_opt_port")


def tiles_option() -> Decorator:
    """``--tiles``, else ``GEO_WELFARE_TILES``; checked by :func:`geo_welfare.web.tiles.base_tiles`."""
    return option("--tiles", envvar=settings.TILES.environment, help="help_opt_tiles")


# --- the print map's background -------------------------------------------------------------------

def water_option() -> Decorator:
    return option("--water", type=EXISTING_FILE, envvar=settings.WATER.environment, help="help_opt_water")


def railway_option() -> Decorator:
    return option("--railway", type=EXISTING_FILE, envvar=settings.RAILWAY.environment, help="help_opt_railway")


def jobs_option(help: str = "help_opt_jobs") -> Decorator:
    """``--jobs N``: processes drawing pages at once (default: one per core this process may use)."""
    return option("--jobs", type=click.IntRange(1, 256), metavar="N", help=help)


# --- whom an analysis counts ------------------------------------------------------------------------

class GroupChoice(click.Choice):
    """A target group by its id (``children``) or as people write it (子ども, 児童, 高齢者, 全年齢 …).

    Answered with the id, as :class:`UnitChoice` answers a unit, so a command sees one spelling.
    """

    def __init__(self) -> None:
        from geo_welfare.core import target_groups
        super().__init__(list(target_groups.TARGET_GROUP_IDS))
        self.groups = target_groups

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.strip() and value.strip() not in self.choices:
            try:
                return self.groups.target_group(value).id
            except self.groups.UnknownTargetGroup:
                pass
        return super().convert(value, param, ctx)


def group_option(help: str = "help_opt_group") -> Decorator:
    """``--group older|children|all`` (→ ``group``), Japanese names too; default ``older`` (65+ and 75+)."""
    return option("--group", type=GroupChoice(), default="older", show_default=True, help=help)


def study_options(*more) -> Callable[[F], F]:
    """What every study of the store takes (the streets, the kinds, the dataset, the speed, staff-only places),
    then ``more``: declared once for ``coverage``, ``gaps`` … and their ``batch`` forms alike."""
    return option_group([network_option(), kind_option(multiple=True, help="help_opt_kinds_analysis"),
                         dataset_option(), speed_option(),
                         include_staff_option("help_opt_include_staff_analysis"), *more])


def siting_options(k_help: str, target_help: str) -> Callable[[F], F]:
    """``--k``, ``--target`` and ``--grid``: how many new bases, or the coverage to reach, and a candidate grid."""
    return option_group([
        option("--k", "count", type=click.IntRange(min=1, max=200), help=k_help),
        option("--target", type=click.FloatRange(min=1, max=100), help=target_help),
        option("--grid", type=click.FloatRange(min=50), metavar="METRES", help="help_opt_grid")])
