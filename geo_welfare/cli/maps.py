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

from geo_welfare.core import config as settings
from geo_welfare.maps.background import RAILWAY_ENV, WATER_ENV
from geo_welfare.core import glossary

from geo_welfare.cli.base import CONTEXT
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _file_name(code: str, name: str, fmt: str) -> str:
    """``E02_デモ本町小学校区.pdf``: code first so the files sort as the districts do."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", f"{code}_{name}").strip("_")
    return f"{safe}.{fmt}"


@click.group("map", context_settings=CONTEXT)
def map_group() -> None:
    """印刷用の地図（地域資源マップ） / Print-ready maps."""


@map_group.command("district", context_settings=CONTEXT)
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="すべての地区（1地区1ファイル） / every district, one file each")
@click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), default="elementary-district",
              show_default=True, help="区域の単位 / area level")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4", show_default=True,
              help="用紙 / paper size")
@click.option("--orientation", type=click.Choice(["auto", "portrait", "landscape"]), default="auto",
              show_default=True, help="向き（auto: 地区の形で決める） / orientation (auto: by the district's shape)")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png", "svg"]),
              help="形式（既定: --output の拡張子、なければ pdf） / format (default: --output's suffix, else pdf)")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="出力ファイル（--all のときはフォルダ） / output file (a folder with --all)")
@click.option("--shading", type=click.Choice(["aging", "none"]), default="aging", show_default=True,
              help="町丁・字の高齢化率で塗り分ける / shade small areas by share aged 65+")
@click.option("--dataset", help="人口データセット（既定: 年齢のわかる行が最も多いもの） / population dataset")
@click.option("--service-minutes", type=click.FloatRange(1, 60), help="徒歩N分圏を描く / draw the N-minute walk")
@click.option("--speed", default=settings.DEFAULT_WALKING_SPEED_KMH, show_default=True,
              type=click.FloatRange(0.5, 8.0), help="歩く速さ km/h / walking speed km/h")
@click.option("--network", "network_file", type=FILE, envvar=settings.NETWORK_ENV,
              help="道路（OSM または道路中心線） / street file (OSM or road centre lines)")
@click.option("--water", type=FILE, envvar=WATER_ENV, help="川・水面のファイル / river and water file")
@click.option("--railway", type=FILE, envvar=RAILWAY_ENV, help="鉄道のファイル / railway file")
@click.option("--credit", "credits", multiple=True, help="出典の追記（複数可） / extra credit line (repeatable)")
@click.option("--include-staff", is_flag=True, help="職員のみの場所も載せる（職員用・配布不可） / staff copy")
@click.option("--dpi", default=200, show_default=True, type=click.IntRange(72, 600), help="PNG の解像度 / PNG dpi")
@click.pass_obj
def district(obj, code, every, unit, paper, orientation, fmt, output, shading, dataset, service_minutes, speed,
             network_file, water, railway, credits, include_staff, dpi) -> None:
    """地区の地域資源マップを作る / Make the resource map of a district (or of every district).

    \b
    例 / Examples:
      geo-welfare map district E02
      geo-welfare map district E02 --paper A3 --format png -o E02.png
      geo-welfare map district --all --unit junior-high-district -o maps/
      geo-welfare map district E02 --network streets.osm.pbf --service-minutes 10
    """
    from geo_welfare.maps import district_content, load_store_layers, render_district_map
    from geo_welfare.maps.background import read_background
    from geo_welfare.maps.content import NotStored
    from geo_welfare.maps.words import message

    if bool(code) == bool(every):
        raise click.UsageError("地区コードか --all のどちらかを指定してください / give a district CODE or --all")
    lang = obj.lang
    fmt = fmt or (output.suffix.lstrip(".").lower() if output is not None and not every and output.suffix else "pdf")
    if fmt not in ("pdf", "png", "svg"):
        raise click.BadParameter(f"{output.suffix}: .pdf .png .svg", param_hint="--output")
    unit_id = glossary.AREA_UNIT_OPTIONS[unit]
    try:
        layers = load_store_layers(obj.engine(), unit_id, include_staff=include_staff, shading=shading,
                                   dataset=dataset)
        codes = layers.codes if every else [code]
        if not every:
            district_content(layers, code)  # an unknown code is refused before anything is read or drawn
    except NotStored as error:
        raise click.BadParameter(error.message(lang), param_hint="CODE" if code else "--unit") from error

    background = read_background(streets=network_file, water=water, railway=railway)
    reach = None
    if service_minutes:
        from geo_welfare.maps.reach import walking_reach
        network = None
        if network_file is not None:
            from geo_welfare.network.cache import cached_network
            network, _ = cached_network(network_file, settings.cache_directory(obj.database_url))
        reach = walking_reach(layers.resources, service_minutes, network=network, speed_kmh=speed)

    folder = (output or Path(".")) if every else None
    written: list[Path] = []
    with tqdm(total=len(codes), desc=message("drawing", lang), unit="map", file=sys.stderr, disable=len(codes) < 2,
              leave=False) as bar:
        for one in codes:
            content = district_content(layers, one)
            page = render_district_map(content, background=background, paper=paper.upper(), orientation=orientation,
                                       lang=lang, reach=reach, extra_credits=credits)
            target = folder / _file_name(one, content.name, fmt) if folder is not None else \
                (output or Path(_file_name(one, content.name, fmt)))
            page.save(target, fmt, dpi=dpi)
            written.append(target)
            if page.crowded:
                tqdm.write(message("label_crowded", lang, file=target.name,
                                   numbers=", ".join(map(str, page.crowded))), file=sys.stderr)
            if not page.list_fits:
                tqdm.write(message("list_overflow", lang, file=target.name), file=sys.stderr)
            if not every:
                click.echo(message("map_written", lang, file=str(target), count=len(page.entries)), err=True)
            bar.update(1)
    if every:
        click.echo(message("maps_written", lang, count=len(written), dir=str(folder)), err=True)
