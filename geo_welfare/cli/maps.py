"""``geo-welfare map``: print-ready maps (地域資源マップ) of one district or of every district.

A CSW prints the map of a school district for a residents' meeting: the district, its places
numbered, the list with days and phone numbers beside it.  Staff-only places never appear unless
``--include-staff`` asks for a staff copy, which the page then says it is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from tqdm import tqdm

from geo_welfare.core import glossary

from geo_welfare.cli.base import CONTEXT, Group, UsageError, argument, option
from geo_welfare.cli.options import (dataset_option, format_option, include_staff_option, network_option,
                                     output_option, railway_option, speed_option, unit_option, water_option)


def _file_name(code: str, name: str, fmt: str) -> str:
    """``E02_デモ本町小学校区.pdf``: code first so the files sort as the districts do."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", f"{code}_{name}").strip("_")
    return f"{safe}.{fmt}"


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
@include_staff_option("help_opt_include_staff_map")
@option("--dpi", default=200, show_default=True, type=click.IntRange(72, 600), help="help_opt_dpi")
@click.pass_obj
def district(obj, code, every, unit, paper, orientation, fmt, output, shading, dataset, service_minutes, speed,
             network_file, water, railway, credits, include_staff, dpi) -> None:
    """Make the resource map of the district CODE, or with ``--all`` one file per district of ``--unit``.

    Everything is checked (the format, the code) before anything is drawn.
    """
    from geo_welfare.maps import render_district_map
    from geo_welfare.maps.background import read_background
    from geo_welfare.core.words import t

    if bool(code) == bool(every):
        raise UsageError("cli_code_or_all", field="CODE")
    lang = obj.lang
    fmt = _map_format(fmt, output, every)
    layers, codes = _store_layers(obj, code, every, unit, include_staff=include_staff, shading=shading,
                                  dataset=dataset)
    background = read_background(streets=network_file, water=water, railway=railway)
    reach = _walking_reach(obj, layers, service_minutes, network_file, speed)

    def draw(content):
        return render_district_map(content, background=background, paper=paper.upper(), orientation=orientation,
                                   lang=lang, reach=reach, extra_credits=credits)

    folder = (output or Path(".")) if every else None
    written = _draw_and_save(layers, codes, draw, folder=folder, output=output, fmt=fmt, dpi=dpi, lang=lang,
                             every=every)
    if every:
        click.echo(t("maps_written", lang, count=len(written), dir=str(folder)), err=True)


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
                                   dataset=dataset)
        codes = layers.codes if every else [code]
        if not every:
            district_content(layers, code)  # an unknown code is refused before anything is read or drawn
    except NotStored as error:
        raise UsageError(error.key, field="CODE" if code else "--unit", **error.values) from error
    return layers, codes


def _walking_reach(obj, layers, minutes: float | None, network_file: Path | None, speed: float):
    """The places' walking reach for ``--service-minutes`` (over the streets when a file gives them), or None."""
    if not minutes:
        return None
    from geo_welfare.maps.reach import walking_reach
    network = obj.network(network_file, report=False)  # the one way every command loads streets
    return walking_reach(layers.resources, minutes, network=network, speed_kmh=speed)


def _draw_and_save(layers, codes: list[str], draw, *, folder: Path | None, output: Path | None, fmt: str, dpi: int,
                   lang: str, every: bool) -> list[Path]:
    """Draw and save each district's map (a progress bar for several); returns the files written."""
    from geo_welfare.maps import district_content
    from geo_welfare.core.words import t

    written: list[Path] = []
    with tqdm(total=len(codes), desc=t("drawing", lang), unit="map", file=sys.stderr, disable=len(codes) < 2,
              leave=False) as bar:
        for one in codes:
            content = district_content(layers, one)
            page = draw(content)
            target = folder / _file_name(one, content.name, fmt) if folder is not None else \
                (output or Path(_file_name(one, content.name, fmt)))
            page.save(target, fmt, dpi=dpi)
            written.append(target)
            _tell(page, target, lang, every)
            bar.update(1)
    return written


def _tell(page, target: Path, lang: str, every: bool) -> None:
    """What the user should know about one map: crowded labels, a list that did not fit, where it went."""
    from geo_welfare.core.words import t

    if page.crowded:
        tqdm.write(t("label_crowded", lang, file=target.name, numbers=", ".join(map(str, page.crowded))),
                   file=sys.stderr)
    if not page.list_fits:
        tqdm.write(t("list_overflow", lang, file=target.name), file=sys.stderr)
    if not every:
        click.echo(t("map_written", lang, file=str(target), count=len(page.entries)), err=True)
