"""The planner's commands: coverage, gaps, service areas, aging, capacity, and a network check.

Each command reads the store and (optionally) a street network file, runs one analysis from
:mod:`geo_welfare.analysis.study`, and prints a table or writes a layer.  Without ``--network`` the
distances are straight lines; the command says so, and so does the ``method`` column of every row.
Places are the public ones, as ``list`` and ``export`` give them, unless ``--include-staff``: the
tables and layers are handed on, and one that counted a staff-only place would give it away.  The
command says how many staff-only places it left out or counted.  ``--within CODE`` studies one
ward or stored area of the store (:mod:`geo_welfare.analysis.within`), keeping the places within
the command's longest walk of it, so that its figures are the whole store's figures for that area.
"""

from __future__ import annotations

from pathlib import Path

import click
import geopandas as gpd
import numpy as np

from geo_welfare.cli.base import (CONTEXT, Command, Context, Group, UsageError, argument, option, resolve_kinds)
from geo_welfare.cli.options import (dataset_option, group_option, minutes_option, network_option, output_option,
                                     siting_options, study_options, unit_option, within_option)
from geo_welfare.core.words import t
from geo_welfare.cli.output import emit_table, outputs
from geo_welfare.core import glossary
from geo_welfare.core.target_groups import DEFAULT_GROUP, target_group

#: The unit a table is summed by, unless the command says otherwise.
_table_unit = unit_option(default="small-area", help="help_opt_unit_table")


_analysis_options = study_options(within_option())


def _study(obj: Context, network_file: Path | None, kinds, dataset, include_staff: bool, within: str | None = None,
           minutes: float | tuple[float, ...] = 0.0, speed: float = 4.0, group: str = DEFAULT_GROUP.id):
    """The command's study; with ``within``, places are kept as far as its longest walk (and the buffer) reaches.

    Without ``--kind`` the places are every kind for the older residents (as before the groups), and
    the places serving the group for another (:func:`~geo_welfare.core.target_groups.serves`).
    """
    from geo_welfare.analysis.study import open_study
    from geo_welfare.analysis.within import margin_for
    network = obj.network(network_file)
    longest = max(minutes) if isinstance(minutes, tuple) else minutes
    study = open_study(obj.engine(), network, kinds=resolve_kinds(kinds), dataset=dataset,
                       include_staff_only=include_staff, within=within, margin_metres=margin_for(longest, speed),
                       progress=lambda stage: obj.say(f"stage_{stage}"),
                       group=None if group == DEFAULT_GROUP.id else group)
    if study.staff_only:
        obj.say("staff_only_counted" if include_staff else "staff_only_left_out", count=study.staff_only)
    if len(study.resources) == 0:
        raise UsageError("no_places", field="--kind")
    return study


def _unit(unit: str) -> str:
    return glossary.AREA_UNIT_OPTIONS[unit]




@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_coverage")
@_analysis_options
@minutes_option(default=(10.0, 15.0, 20.0), multiple=True, help="help_opt_minutes_repeatable")
@_table_unit
@group_option()
@outputs
@click.pass_obj
def coverage(obj: Context, network_file, kinds, dataset, speed, include_staff, within, minutes, unit, group,
             output_format, output, raw) -> None:
    """Residents aged 65+ and 75+ (or of ``--group``) within each walking time of a place, by unit and in total."""
    from geo_welfare.analysis import planning
    study = _study(obj, network_file, kinds, dataset, include_staff, within, tuple(minutes), speed, group)
    table = planning.coverage(obj.engine(), study, minutes, _unit(unit), speed, group=group)
    emit_table(obj, table, output, output_format, raw)


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_gaps")
@_analysis_options
@minutes_option()
@unit_option(default="elementary-district")
@group_option()
@outputs
@click.pass_obj
def gaps(obj: Context, network_file, kinds, dataset, speed, include_staff, within, minutes, unit, group,
         output_format, output, raw) -> None:
    """Areas beyond walking reach, ranked by older residents or ``--group``'s (``--output`` writes their shapes)."""
    from geo_welfare.analysis import planning
    study = _study(obj, network_file, kinds, dataset, include_staff, within, minutes, speed, group)
    table = planning.gaps(obj.engine(), study, minutes, _unit(unit), speed, group=group)
    emit_table(obj, table, output, output_format, raw)


@click.command("service-areas", cls=Command, context_settings=CONTEXT, help="help_cmd_service_areas")
@_analysis_options
@minutes_option()
@output_option("help_opt_output_service_areas", required=True)
@click.pass_obj
def service_areas_command(obj: Context, network_file, kinds, dataset, speed, include_staff, within, minutes,
                          output) -> None:
    """Each place's walking area as a polygon layer, drawn from the streets reached."""
    from geo_welfare.analysis import planning
    from geo_welfare.io.writers import write_layer
    study = _study(obj, network_file, kinds, dataset, include_staff, within, minutes, speed)
    layer = planning.service_area_layer(study, minutes, speed)
    write_layer(layer, output)
    obj.say("exported", file=str(output), count=len(layer))


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_aging")
@network_option("help_opt_network_aging")
@dataset_option()
@within_option()
@_table_unit
@outputs
@click.pass_obj
def aging(obj: Context, network_file, dataset, within, unit, output_format, output, raw) -> None:
    """The aging rate (share aged 65+) by area unit; small areas crossing units are shared along streets."""
    from geo_welfare.analysis.study import SMALL_AREA, age_dataset
    from geo_welfare.analysis.aging import aging_table
    from geo_welfare.analysis.within import resolve_within
    from geo_welfare.store import read
    engine = obj.engine()
    network = obj.network(network_file, report=False)
    population = read.read_population(engine, age_dataset(engine, dataset))
    units = None if unit == "small-area" else read.read_areas(engine, _unit(unit))
    small_areas = read.read_areas(engine, SMALL_AREA)
    if within is not None:  # the area's small areas, spread with their neighbours so borders fall as city-wide
        area = resolve_within(engine, within, small_areas)
        population = population[population["area_code"].isin(set(area.small_areas["code"]))]
        small_areas, units = area.spread_areas, None if units is None else area.clip(units)
    table = aging_table(small_areas, population, units, network)
    emit_table(obj, table, output, output_format, raw)


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_capacity")
@_analysis_options
@minutes_option()
@option("--enhanced", is_flag=True, help="help_opt_enhanced")
@_table_unit
@outputs
@click.pass_obj
def capacity(obj: Context, network_file, kinds, dataset, speed, include_staff, within, minutes, enhanced, unit,
             output_format, output, raw) -> None:
    """Seats per 1,000 residents aged 65+ within walking reach (2SFCA, or E2SFCA's distance bands)."""
    from geo_welfare.analysis import planning
    study = _study(obj, network_file, kinds, dataset, include_staff, within, minutes, speed)
    bands = [(0, minutes / 3, 1.0), (minutes / 3, 2 * minutes / 3, 0.68), (2 * minutes / 3, minutes, 0.22)] \
        if enhanced else None
    table = planning.capacity(obj.engine(), study, minutes, _unit(unit), speed, bands)
    if table.attrs["places_without_capacity"]:
        obj.say("capacity_unknown", count=table.attrs["places_without_capacity"], total=table.attrs["places"])
    emit_table(obj, table, output, output_format, raw)


@click.command(cls=Command, context_settings=CONTEXT, help="help_cmd_plan")
@_analysis_options
@minutes_option()
@siting_options("help_opt_k_plan", "help_opt_target_plan")
@output_option("help_opt_output_plan")
@group_option()
@click.pass_obj
def plan(obj: Context, network_file, kinds, dataset, speed, include_staff, within, minutes, count, target, grid,
         output, group) -> None:
    """Where to put new bases: MCLP (``--k``) or LSCP (``--target``) solved exactly, beside the greedy answer."""
    from geo_welfare.analysis import planning
    from geo_welfare.store import read
    if (count is None) == (target is None):
        raise UsageError("cli_k_or_target", field="--k")
    study = _study(obj, network_file, kinds, dataset, include_staff, within, minutes, speed, group)
    candidates = planning.grid_candidates(study, grid, obj.lang) if grid else read.read_candidates(obj.engine())
    if len(candidates) == 0:
        raise UsageError("no_candidates", field="--grid")
    result = planning.plan(study, candidates, minutes, k=count, target=None if target is None else target / 100,
                           speed_kmh=speed, lang=obj.lang, group=group)
    chosen = target_group(group)
    own = {} if chosen is DEFAULT_GROUP else {"group": chosen}  # the older residents' lines, as they were
    for row in result.summary.to_dict("records"):
        gain, bound, total = (row[f"{name}_{chosen.tag}"] for name in ("gain", "bound", "total"))
        obj.say("plan_summary_group" if own else "plan_summary", model=t(f"model_{row['model']}", obj.lang),
                sites=row["sites"], before=row["share_before"], after=row["share_after"], gain=gain, **own)
        if not row["optimal"] and row["model"] != "greedy_covering":  # stopped by the time limit: never "exact"
            obj.say("plan_not_proven_group" if own else "plan_not_proven", model=t(f"model_{row['model']}", obj.lang),
                    bound=bound / total if total else float("nan"), **own)
    emit_table(obj, result.sites, output, "table")


@click.group(cls=Group, context_settings=CONTEXT, help="help_cmd_network")
def network() -> None:
    """Checks of a street network file before the analyses rely on it."""


@network.command("check", context_settings=CONTEXT, help="help_cmd_network_check")
@argument("network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="help_arg_network_file")
@click.pass_obj
def network_check(obj: Context, network_file) -> None:
    """The network's connected pieces, and the stored points that snap to a small island of it."""
    from geo_welfare.network.components import components, on_small_islands
    from geo_welfare.network.snap import snap_points
    from geo_welfare.store import read
    net = obj.network(network_file)
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
