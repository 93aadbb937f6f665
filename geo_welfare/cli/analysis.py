"""The planner's commands: coverage, gaps, service areas, aging, capacity, and a network check.

Each command reads the store and (optionally) a street network file, runs one analysis from
:mod:`geo_welfare.analysis.study`, and prints a table or writes a layer.  Without ``--network`` the
distances are straight lines; the command says so, and so does the ``method`` column of every row.
"""

from __future__ import annotations

from pathlib import Path

import click
import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.cli.base import CONTEXT, Context, option_group, resolve_kinds
from geo_welfare.core.words import t
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH
from geo_welfare.core import glossary

UNIT_OPTION = click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), default="small-area",
                           show_default=True, help="集計する区域 / area unit of the table")


_analysis_options = option_group([
    click.option("--network", "network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="道路網（OSM .osm/.pbf、道路中心線 GeoJSON/Shapefile） / street network file"),
    click.option("--kind", "kinds", multiple=True, help="資源の種別（複数可、省略時すべて） / resource kinds (repeatable)"),
    click.option("--dataset", help="年齢別人口のデータセット / population-by-age dataset"),
    click.option("--speed", type=click.FloatRange(min=0.5, max=10), default=DEFAULT_WALKING_SPEED_KMH,
                 show_default=True, help="歩く速さ km/h（高齢者 4、虚弱 3） / walking speed"),
])


def _study(obj: Context, network_file: Path | None, kinds, dataset):
    from geo_welfare.analysis import study as planning
    network, was_cached = planning.load_network(network_file, obj.database_url)
    if network is None:
        obj.say("straight_line_only")
    else:
        obj.say("network_loaded", nodes=network.node_count, edges=network.edge_count,
                cached=t("from_cache" if was_cached else "built", obj.lang))
    study = planning.open_study(obj.engine(), network, kinds=resolve_kinds(kinds), dataset=dataset,
                                progress=lambda stage: obj.say(f"stage_{stage}"))
    if len(study.resources) == 0:
        raise click.UsageError(t("no_places", obj.lang))
    return study


def _unit(unit: str) -> str:
    return glossary.AREA_UNIT_OPTIONS[unit]


def _emit(obj: Context, table: pd.DataFrame, output: Path | None, output_format: str) -> None:
    """A table to stdout (table/csv/json), or any table or layer to a file by its suffix."""
    if output is not None:
        from geo_welfare.io.writers import write_layer
        write_layer(table, output)
        obj.say("exported", file=str(output), count=len(table))
        return
    plain = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    if output_format == "csv":
        click.echo(plain.to_csv(index=False), nl=False)
    elif output_format == "json":
        click.echo(plain.to_json(orient="records", force_ascii=False, indent=1))
    else:
        click.echo(plain.round(3).to_string(index=False) if len(plain) else "(0)")


OUTPUT_OPTIONS = [
    click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
                 help="画面への出力形式 / format on stdout"),
    click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
                 help="ファイルに書き出す（.csv .geojson .gpkg .shp） / write to a file"),
]


_outputs = option_group(OUTPUT_OPTIONS)


@click.command(context_settings=CONTEXT)
@_analysis_options
@click.option("--minutes", multiple=True, type=click.FloatRange(min=1, max=120), default=(10.0, 15.0, 20.0),
              show_default=True, help="徒歩の分数（複数可） / walking minutes (repeatable)")
@UNIT_OPTION
@_outputs
@click.pass_obj
def coverage(obj: Context, network_file, kinds, dataset, speed, minutes, unit, output_format, output) -> None:
    """徒歩圏内に住む65歳以上・75歳以上（区域別と全体） / Older residents within walking reach, by unit."""
    from geo_welfare.analysis import study as planning
    study = _study(obj, network_file, kinds, dataset)
    _emit(obj, planning.coverage(obj.engine(), study, minutes, _unit(unit), speed), output, output_format)


@click.command(context_settings=CONTEXT)
@_analysis_options
@click.option("--minutes", type=click.FloatRange(min=1, max=120), default=15.0, show_default=True,
              help="徒歩の分数 / walking minutes")
@click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), default="elementary-district",
              show_default=True, help="区域 / area unit")
@_outputs
@click.pass_obj
def gaps(obj: Context, network_file, kinds, dataset, speed, minutes, unit, output_format, output) -> None:
    """徒歩圏外の地域（多い順、--output で図形も） / Areas beyond walking reach, ranked by older residents."""
    from geo_welfare.analysis import study as planning
    study = _study(obj, network_file, kinds, dataset)
    table = planning.gaps(obj.engine(), study, minutes, _unit(unit), speed)
    _emit(obj, table, output, output_format)


@click.command("service-areas", context_settings=CONTEXT)
@_analysis_options
@click.option("--minutes", type=click.FloatRange(min=1, max=120), default=15.0, show_default=True,
              help="徒歩の分数 / walking minutes")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="書き出すファイル（.geojson .gpkg .shp） / output layer")
@click.pass_obj
def service_areas_command(obj: Context, network_file, kinds, dataset, speed, minutes, output) -> None:
    """資源ごとの徒歩圏（道路に沿った範囲） / Each place's walking area, from the streets reached."""
    from geo_welfare.analysis import study as planning
    from geo_welfare.io.writers import write_layer
    study = _study(obj, network_file, kinds, dataset)
    layer = planning.service_area_layer(study, minutes, speed)
    write_layer(layer, output)
    obj.say("exported", file=str(output), count=len(layer))


@click.command(context_settings=CONTEXT)
@click.option("--network", "network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="道路網（区域に跨る小地域を道路沿いに按分） / street network (shares small areas along streets)")
@click.option("--dataset", help="年齢別人口のデータセット / population-by-age dataset")
@UNIT_OPTION
@_outputs
@click.pass_obj
def aging(obj: Context, network_file, dataset, unit, output_format, output) -> None:
    """区域別の高齢化率 / Aging rate (高齢化率) by area unit."""
    from geo_welfare.analysis import study as planning
    from geo_welfare.analysis.aging import aging_table
    from geo_welfare.store import read
    engine = obj.engine()
    network, _ = planning.load_network(network_file, obj.database_url)
    population = read.read_population(engine, planning.age_dataset(engine, dataset))
    units = None if unit == "small-area" else read.read_areas(engine, _unit(unit))
    table = aging_table(read.read_areas(engine, planning.SMALL_AREA), population, units, network)
    _emit(obj, table, output, output_format)


@click.command(context_settings=CONTEXT)
@_analysis_options
@click.option("--minutes", type=click.FloatRange(min=1, max=120), default=15.0, show_default=True,
              help="徒歩の分数 / walking minutes")
@click.option("--enhanced", is_flag=True,
              help="E2SFCA: 近いほど重く（0–1/3: 1, –2/3: 0.68, –1: 0.22） / distance-decay bands")
@UNIT_OPTION
@_outputs
@click.pass_obj
def capacity(obj: Context, network_file, kinds, dataset, speed, minutes, enhanced, unit, output_format,
             output) -> None:
    """徒歩圏の定員（65歳以上1,000人あたり、2SFCA） / Seats per 1,000 older residents within reach (2SFCA)."""
    from geo_welfare.analysis import study as planning
    study = _study(obj, network_file, kinds, dataset)
    bands = [(0, minutes / 3, 1.0), (minutes / 3, 2 * minutes / 3, 0.68), (2 * minutes / 3, minutes, 0.22)] \
        if enhanced else None
    table = planning.capacity(obj.engine(), study, minutes, _unit(unit), speed, bands)
    if table.attrs["places_without_capacity"]:
        obj.say("capacity_unknown", count=table.attrs["places_without_capacity"], total=table.attrs["places"])
    _emit(obj, table, output, output_format)


@click.command(context_settings=CONTEXT)
@_analysis_options
@click.option("--minutes", type=click.FloatRange(min=1, max=120), default=15.0, show_default=True,
              help="徒歩の分数 / walking minutes")
@click.option("--k", "count", type=click.IntRange(min=1, max=200), help="新しい拠点の数（MCLP） / number of new sites")
@click.option("--target", type=click.FloatRange(min=1, max=100),
              help="目標カバー率 %（最少の拠点数、LSCP） / coverage target in %: the fewest sites (LSCP)")
@click.option("--grid", type=click.FloatRange(min=50), metavar="METRES",
              help="保存済み候補地の代わりに格子点を候補にする（間隔 m） / use a grid of candidates instead")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="選ばれた拠点を書き出す（.geojson .gpkg .csv） / write the chosen sites")
@click.pass_obj
def plan(obj: Context, network_file, kinds, dataset, speed, minutes, count, target, grid, output) -> None:
    """新しい拠点の候補地選び（MCLP/LSCP を HiGHS で厳密に、貪欲法と比較） / Where to put new bases."""
    from geo_welfare.analysis import study as planning
    from geo_welfare.store import read
    if (count is None) == (target is None):
        raise click.UsageError("--k か --target のどちらか一方を指定 / give either --k or --target")
    study = _study(obj, network_file, kinds, dataset)
    candidates = planning.grid_candidates(study, grid) if grid else read.read_candidates(obj.engine())
    if len(candidates) == 0:
        raise click.UsageError(t("no_candidates", obj.lang))
    result = planning.plan(study, candidates, minutes, k=count, target=None if target is None else target / 100,
                           speed_kmh=speed)
    for row in result.summary.itertuples():
        obj.say("plan_summary", model=t(f"model_{row.model}", obj.lang), sites=row.sites, before=row.share_before, after=row.share_after,
                gain=row.gain_65_plus)
    _emit(obj, result.sites, output, "table")


@click.group(context_settings=CONTEXT)
def network() -> None:
    """道路網の確認 / Street network checks."""


@network.command("check", context_settings=CONTEXT)
@click.argument("network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def network_check(obj: Context, network_file) -> None:
    """連結成分と、孤立した小さな道路網に吸着した地点 / Pieces of the network and points snapped to small islands."""
    from geo_welfare.analysis import study as planning
    from geo_welfare.network.components import components, on_small_islands
    from geo_welfare.network.snap import snap_points
    from geo_welfare.store import read
    net, was_cached = planning.load_network(network_file, obj.database_url)
    obj.say("network_loaded", nodes=net.node_count, edges=net.edge_count,
            cached=t("from_cache" if was_cached else "built", obj.lang))
    table = components(net)
    obj.say("components", count=len(table), small=int(table["small"].sum()),
            main_km=round(float(table["metres"].iloc[0]) / 1000, 1) if len(table) else 0)
    engine = obj.engine()
    for layer, frame in (("resources", read.read_resources(engine, include_staff_only=True)),
                         ("candidates", read.read_candidates(engine))):
        if len(frame) == 0:
            continue
        xy = gpd.GeoSeries(frame.geometry, crs=frame.crs).to_crs(net.crs)
        snapped = snap_points(net, np.column_stack([xy.x, xy.y]))
        small = on_small_islands(net, snapped)
        obj.say("on_islands", layer=layer, count=int(small.sum()), total=len(frame))
        for name, metres in zip(frame["name"][small], snapped.offset[small]):
            click.echo(f"  {layer}\t{name}\t{metres:.0f} m", err=True)
    click.echo(table.assign(metres=table["metres"].round(1)).head(20).to_string(index=False))
