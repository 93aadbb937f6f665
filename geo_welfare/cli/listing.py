"""``geo-welfare list`` and ``geo-welfare export``: the stored layers as tables and files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from geo_welfare.cli.base import CONTEXT, Context
from geo_welfare.core import glossary


LIST_LAYERS = ("resources", "areas", "candidates", "population")


def _listing(obj: Context, layer: str, unit: str | None, kind: str | None, include_staff: bool,
             dataset: str | None):
    from geo_welfare.store import read
    engine = obj.engine()
    if layer == "resources":
        kinds = [glossary.resource_kind(kind) or kind] if kind else None
        return read.read_resources(engine, kinds=kinds, include_staff_only=include_staff)
    if layer == "areas":
        return read.read_areas(engine, glossary.AREA_UNIT_OPTIONS.get(unit, unit) if unit else None)
    if layer == "candidates":
        return read.read_candidates(engine)
    datasets = read.population_datasets(engine)
    if dataset is None:
        return datasets
    if dataset not in set(datasets["name"]):
        names = ", ".join(datasets["name"]) or "—"
        raise click.BadParameter(f"{dataset}: 人口データセットがありません / no such population dataset "
                                 f"(あるもの / stored: {names})", param_hint="--dataset")
    counts = read.read_population(engine, dataset)
    known = counts["age_65_plus"].notna()
    counts["aging_rate"] = (counts["age_65_plus"].astype("Float64") / counts["total"].where(known)).round(4)
    return counts


@click.command("list", context_settings=CONTEXT)
@click.argument("layer", type=click.Choice(LIST_LAYERS))
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              help="出力形式 / output format")
@click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), help="区域の単位 / area level")
@click.option("--kind", help="資源の種別 / resource kind")
@click.option("--dataset", help="人口データセット名（省略時は一覧） / population dataset (omit to list datasets)")
@click.option("--include-staff", is_flag=True, help="職員のみの資源も含める / include staff-only resources")
@click.pass_obj
def list_command(obj: Context, layer, output_format, unit, kind, dataset, include_staff) -> None:
    """保存内容を一覧する（1行1件） / List stored items, one row each."""
    frame = _listing(obj, layer, unit, kind, include_staff, dataset)
    table = pd.DataFrame(frame.drop(columns=[c for c in ("geometry", "schedules") if c in frame.columns]))
    if "geometry" in frame.columns and len(frame):
        points = frame.geometry.geom_type.eq("Point").all()
        if points:
            table["lon"], table["lat"] = frame.geometry.x.round(7), frame.geometry.y.round(7)
    if output_format == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif output_format == "json":
        click.echo(json.dumps(json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso")),
                              ensure_ascii=False, indent=1))
    else:
        click.echo(table.to_string(index=False) if len(table) else "(0)")


EXPORT_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".html")


@click.command(context_settings=CONTEXT)
@click.argument("layer", type=click.Choice(["resources", "areas", "candidates"]))
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), help="区域の単位 / area level")
@click.option("--kind", help="資源の種別 / resource kind")
@click.option("--include-staff", is_flag=True, help="職員のみの資源も含める（公開用には使わない） / include staff-only resources")
@click.pass_obj
def export(obj: Context, layer, output, unit, kind, include_staff) -> None:
    """層をファイルに書き出す / Export a layer.

    \b
    形式は拡張子で決まる / the suffix chooses the format:
      .gpkg .geojson .shp（.cpg 付き / with .cpg） .csv（UTF-8 BOM 付き / UTF-8 with BOM）
      .hsds.json（資源のみ、Open Referral HSDS 3.0 / resources only, Open Referral HSDS 3.0）
      .html（オフラインで開ける地図、公開の資源のみ / a map that opens offline, public places only）
    """
    from geo_welfare.io.writers import write_layer
    from geo_welfare.io.hsds import write_hsds
    hsds = output.name.lower().endswith(".hsds.json")
    if hsds and layer != "resources":
        raise click.BadParameter("HSDS: resources only / 資源のみ", param_hint="OUTPUT")
    if not hsds and output.suffix.lower() not in EXPORT_SUFFIXES:
        raise click.BadParameter(f"{output.suffix or output.name}: .gpkg .geojson .shp .csv .hsds.json .html",
                                 param_hint="OUTPUT")
    if output.suffix.lower() == ".html":
        from geo_welfare.web.offline import write_offline_map
        obj.say("exported", file=str(output), count=write_offline_map(obj.database_url, output, obj.lang))
        return
    frame = _listing(obj, layer, unit, kind, include_staff, None)
    if hsds:
        write_hsds(frame, output, obj.lang)
    else:
        write_layer(frame, output)
    obj.say("exported", file=str(output), count=len(frame))

