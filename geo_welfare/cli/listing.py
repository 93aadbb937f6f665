"""``geo-welfare list`` and ``geo-welfare export``: the stored layers as tables and files."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo_welfare.cli.base import CONTEXT, Command, Context, UsageError, argument
from geo_welfare.cli.options import (dataset_option, format_option, include_staff_option, kind_option, raw_option,
                                     unit_option)
from geo_welfare.cli.output import echo_table
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
        raise UsageError("no_population_dataset_stored", field="--dataset", name=dataset, stored=names)
    counts = read.read_population(engine, dataset)
    known = counts["age_65_plus"].notna()
    counts["aging_rate"] = (counts["age_65_plus"].astype("Float64") / counts["total"].where(known)).round(4)
    return counts


@click.command("list", cls=Command, context_settings=CONTEXT, help="help_cmd_list")
@argument("layer", type=click.Choice(LIST_LAYERS), help="help_arg_layer_list")
@format_option()
@unit_option()
@kind_option()
@dataset_option("help_opt_dataset_list")
@include_staff_option()
@raw_option()
@click.pass_obj
def list_command(obj: Context, layer, output_format, unit, kind, dataset, include_staff, raw) -> None:
    """List a stored layer one row each (points with lon/lat columns); population lists its datasets."""
    frame = _listing(obj, layer, unit, kind, include_staff, dataset)
    table = pd.DataFrame(frame.drop(columns=[c for c in ("geometry", "schedules") if c in frame.columns]))
    if "geometry" in frame.columns and len(frame):
        points = frame.geometry.geom_type.eq("Point").all()
        if points:
            table["lon"], table["lat"] = frame.geometry.x.round(7), frame.geometry.y.round(7)
    if layer == "resources" and len(table):  # the services an office offers (the national lists), in one cell
        from geo_welfare.store.read import service_labels
        table["services"] = service_labels(obj.engine(), table["id"])
    echo_table(obj, table, output_format, raw=raw)


EXPORT_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".html")


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_export", epilog="help_epilog_export")
@argument("layer", type=click.Choice(["resources", "areas", "candidates"]), help="help_arg_layer_export")
@argument("output", type=click.Path(path_type=Path), help="help_arg_output_export")
@unit_option()
@kind_option()
@include_staff_option("help_opt_include_staff_export")
@click.pass_obj
def export(obj: Context, layer, output, unit, kind, include_staff) -> None:
    """Write a layer to a file whose suffix chooses the format (HSDS and the offline map included)."""
    from geo_welfare.io.writers import write_layer
    from geo_welfare.io.hsds import write_hsds
    hsds = output.name.lower().endswith(".hsds.json")
    if hsds and layer != "resources":
        raise UsageError("cli_hsds_resources_only", field="OUTPUT")
    if not hsds and output.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError("cli_export_suffix", field="OUTPUT", suffix=output.suffix or output.name)
    if output.suffix.lower() == ".html":
        from geo_welfare.web.offline import write_offline_map
        obj.say("exported", file=str(output), count=write_offline_map(obj.database_url, output, obj.lang))
        return
    frame = _listing(obj, layer, unit, kind, include_staff, None)
    if hsds:
        from geo_welfare.store.read import read_services
        write_hsds(frame, output, obj.lang, read_services(obj.engine(), frame["id"]) if len(frame) else None)
    else:
        write_layer(frame, output)
    obj.say("exported", file=str(output), count=len(frame))

