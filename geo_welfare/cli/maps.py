"""``geo-welfare map``: print-ready maps (地域資源マップ) of one district or of every district.

A CSW prints the map of a school district for a residents' meeting: the district, its places
numbered, the list with days and phone numbers beside it.  Staff-only places never appear unless
``--include-staff`` asks for a staff copy, which the page then says it is.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click

from geo_welfare.core import config as settings
from geo_welfare.core import glossary

from geo_welfare.cli.base import CONTEXT, Group, UsageError, argument, option
from geo_welfare.cli.options import (dataset_option, format_option, include_staff_option, jobs_option,
                                     network_option, output_option, railway_option, speed_option, unit_option,
                                     water_option)


@click.group("map", cls=Group, context_settings=CONTEXT, help="help_cmd_map")
def map_group() -> None:
    """Print-ready maps for handing out at residents' meetings."""


@map_group.command("district", context_settings=CONTEXT, help="help_cmd_map_district",
                   epilog="help_epilog_map_district")
@argument("code", required=False, help="help_arg_code_map")
@option("--all", "every", is_flag=True, help="help_opt_all")
@unit_option(default="elementary-district")
@option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True,
        help="help_opt_paper")
@option("--orientation", type=click.Choice(["auto", "portrait", "landscape"]), default="auto", show_default=True,
        help="help_opt_orientation")
@format_option(("pdf", "png", "svg"), dest="fmt", default=None, help="help_opt_format_map")
@output_option("help_opt_output_map", folder=True, short=True)
@option("--shading", type=click.Choice(["aging", "none"]), default="aging", show_default=True, help="help_opt_shading")
@dataset_option("help_opt_dataset_map")
@option("--service-minutes", type=click.FloatRange(1, 60), help="help_opt_service_minutes")
@speed_option()
@network_option("help_opt_network_streets")
@water_option()
@railway_option()
@option("--credit", "credits", multiple=True, help="help_opt_credit")
@option("--large-print", is_flag=True, help="help_opt_large_print")
@option("--hazards", multiple=True, type=click.Choice(glossary.HAZARD_IDS), help="help_opt_hazards_map")
@include_staff_option("help_opt_include_staff_map")
@option("--dpi", default=200, show_default=True, type=click.IntRange(72, 600), help="help_opt_dpi")
@jobs_option()
@click.pass_obj
def district(obj, code, every, unit, paper, orientation, fmt, output, shading, dataset, service_minutes, speed,
             network_file, water, railway, credits, large_print, hazards, include_staff, dpi, jobs) -> None:
    """Make the resource map of the district CODE, or with ``--all`` one file per district of ``--unit``.

    Everything is checked (the format, the code) before anything is drawn; the store, the files and
    the network are read once, then the pages are drawn (with ``--all``, on every core).
    """
    if bool(code) == bool(every):
        raise UsageError("cli_code_or_all", field="CODE")
    lang = obj.lang
    fmt = _map_format(fmt, output, every)
    with _collector_paused():  # the modules, the layers, the lines and the network: kept to the end
        from geo_welfare.maps.atlas import PageRequest
        from geo_welfare.maps.background import read_background

        layers, codes = _store_layers(obj, code, every, unit, include_staff=include_staff, shading=shading,
                                      dataset=dataset)
        background = read_background(streets=network_file, water=water, railway=railway,
                                     cache_directory=settings.cache_directory(obj.database_url))
        reach = _walking_reach(obj, layers, service_minutes, network_file, speed, background)
        if hazards:
            from geo_welfare.maps.background import add_stored_hazards
            add_stored_hazards(background, obj.engine(), tuple(h for h in glossary.HAZARD_IDS if h in hazards))
    request = PageRequest(layers, background, reach, paper.upper(), orientation, lang, tuple(credits), fmt, dpi,
                          large_print=large_print)
    folder = (output or Path(".")) if every else None
    with nullcontext() if every else _collector_paused(settle=False):  # one page's few cycles: collected after
        written = _draw_and_save(request, codes, folder=folder, output=output, jobs=jobs, every=every)
    if every:
        from geo_welfare.core.words import t
        click.echo(t("maps_written", lang, count=len(written), dir=str(folder)), err=True)


@contextmanager
def _collector_paused(*, settle: bool = True) -> Iterator[None]:
    """Python's cycle collector paused for a while, then (``settle``) what is alive frozen (:func:`_settle`).

    The modules imported, the store's layers, the street lines and the network are millions of
    objects made at once and kept until the command ends; the collector, counting them as they are
    made, walks them again and again (0.3–0.5 CPU s of a one-page command, seven full collections)
    and finds nothing to free.  Paused while they are made, then frozen, they are never walked.
    One page is drawn paused too, nothing frozen (its cycles are a few MB, collected afterwards
    by a caller that lives on); the pages of ``--all`` are drawn with it running, so each page's
    cycles are collected page after page, here and in the forked workers, which inherit it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if settle:
            _settle()
        if enabled:
            gc.enable()


def _settle() -> None:
    """Tell Python's cycle collector that what is alive now lives until the command ends.

    The imported modules, the store's layers, the street lines and the network are millions of
    objects; each full collection would walk them all again (0.5–0.9 CPU s of a one-page command).
    Frozen (:func:`gc.freeze`), they are left alone; what each page makes is collected as usual.
    """
    gc.freeze()


def _map_format(fmt: str | None, output: Path | None, every: bool) -> str:
    """``--format``, else the suffix of ``--output`` (one map), else pdf."""
    fmt = fmt or (output.suffix.lstrip(".").lower() if output is not None and not every and output.suffix else "pdf")
    if fmt not in ("pdf", "png", "svg"):
        raise UsageError("cli_map_suffix", field="--output", suffix=output.suffix)
    return fmt


def _store_layers(obj, code: str | None, every: bool, unit: str, *, include_staff: bool, shading: str,
                  dataset: str | None):
    """The store's layers for ``unit`` and the district codes to draw; an unknown code is refused
    before anything is read or drawn."""
    from geo_welfare.maps import district_content, load_store_layers
    from geo_welfare.maps.content import NotStored

    unit_id = glossary.AREA_UNIT_OPTIONS[unit]
    try:
        layers = load_store_layers(obj.engine(), unit_id, include_staff=include_staff, shading=shading,
                                   dataset=dataset, district=None if every else code)
        codes = layers.codes if every else [code]
        if not every and code not in layers.codes:
            district_content(layers, code)  # refuses the unknown code, listing the stored ones
    except NotStored as error:
        raise UsageError(error.key, field="CODE" if code else "--unit", **error.values) from error
    return layers, codes


def _walking_reach(obj, layers, minutes: float | None, network_file: Path | None, speed: float, background):
    """The places' walking reach for ``--service-minutes`` (over the streets when a file gives them), or None.

    The network comes through the cache beside the store as for every command; its zone is chosen
    from the street lines the background has already read (from the same cache), so the file is
    not read twice, nor at all when the cache holds it.
    """
    if not minutes:
        return None
    from geo_welfare.maps.reach import walking_reach
    network = None
    if network_file is not None:
        from geo_welfare.core.crs import metric_crs_for_bounds
        from geo_welfare.network.cache import cached_network
        zone = metric_crs_for_bounds(tuple(background.streets.total_bounds)).to_string()
        network, _ = cached_network(network_file, settings.cache_directory(obj.database_url), crs=zone)
    return walking_reach(layers.resources, minutes, network=network, speed_kmh=speed)


def _draw_and_save(request, codes: list[str], *, folder: Path | None, output: Path | None, jobs: int | None,
                   every: bool) -> list[Path]:
    """Draw and save each district's map (in parallel, with a progress bar, for several); returns the files.

    A page that cannot be drawn is reported and the others are still written; the command then
    fails, saying how many were not.
    """
    from geo_welfare.core.errors import UnprocessableError
    from geo_welfare.core.words import t
    from geo_welfare.maps.atlas import district_names, draw_page, draw_pages, map_file_name
    from geo_welfare.maps.background import drawn_hazards

    names = district_names(request.layers)
    minutes = request.reach.minutes if request.reach is not None else None
    hazards = drawn_hazards(request.background)
    files = {one: map_file_name(one, names[one], request.paper_name, request.fmt, minutes, hazards) for one in codes}
    pages = [(one, folder / files[one] if folder is not None else (output or Path(files[one]))) for one in codes]
    if not every:  # one page: drawn here, and what stops it is said as it is
        result = draw_page(request, *pages[0], catch=False)
        _tell(result, request.lang, every)
        return [result.path]
    from tqdm import tqdm  # a progress bar for several pages (its import alone costs a page 0.05 s)

    written: list[Path] = []
    failed = 0
    with tqdm(total=len(codes), desc=t("drawing", request.lang), unit="map", file=sys.stderr,
              disable=len(codes) < 2, leave=False) as bar:
        for result in draw_pages(request, pages, jobs=jobs, on_done=lambda _: bar.update(1)):
            if result.failure is not None:
                failed += 1
                tqdm.write(t("map_page_failed", request.lang, file=result.path.name, reason=result.failure),
                           file=sys.stderr)
                continue
            written.append(result.path)
            _tell(result, request.lang, every)
    if failed:
        click.echo(t("maps_written", request.lang, count=len(written), dir=str(folder)), err=True)
        raise UnprocessableError("maps_failed", count=failed, total=len(codes))
    return written


def _tell(result, lang: str, every: bool) -> None:
    """What the user should know about one map: crowded labels, a list that did not fit, where it went."""
    from geo_welfare.core.words import t

    if result.crowded or not result.list_fits:
        from tqdm import tqdm  # its write keeps the progress bar of several pages whole
    if result.crowded:
        tqdm.write(t("label_crowded", lang, file=result.path.name, numbers=", ".join(map(str, result.crowded))),
                   file=sys.stderr)
    if not result.list_fits:
        tqdm.write(t("list_overflow", lang, file=result.path.name), file=sys.stderr)
    if not every:
        click.echo(t("map_written", lang, file=str(result.path), count=result.count), err=True)
