"""``geo-welfare batch coverage|gaps|plan``: the planner's questions for many municipalities at once, on Dask.

The store is read once here; :func:`geo_welfare.analysis.partition.cut` makes one self-contained
part per municipality (its residents, the places and streets within the margin) and
:mod:`geo_welfare.analysis.batch` runs them on a local cluster of processes, or on a running
scheduler (``--scheduler tcp://…``), reporting each part as it finishes.  The answer is one table
or layer with a ``municipality`` column.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo_welfare.cli.base import CONTEXT, Context, Group, UsageError, option, resolve_kinds
from geo_welfare.cli.options import minutes_option, output_option, siting_options, study_options, unit_option
from geo_welfare.cli.output import emit_table, outputs
from geo_welfare.core import glossary
from geo_welfare.core.words import t

_batch_options = study_options(
    option("--municipality", "municipalities", multiple=True, metavar="CODE", help="help_opt_municipality"),
    option("--scheduler", metavar="URL", help="help_opt_scheduler"),
    option("--workers", type=click.IntRange(min=1, max=256), default=2, show_default=True, help="help_opt_workers"),
    option("--safety", type=click.FloatRange(min=0), default=500.0, show_default=True, metavar="METRES",
           help="help_opt_safety"),
)


@click.group("batch", cls=Group, context_settings=CONTEXT, help="help_cmd_batch")
def batch_group() -> None:
    """Coverage, gaps and new bases for many municipalities, one Dask task per municipality."""


class _Run:
    """What every batch command does: read the study, choose the municipalities, run the parts, report them."""

    def __init__(self, obj: Context, network_file: Path | None, kinds, dataset, include_staff: bool,
                 municipalities, scheduler: str | None, workers: int):
        from geo_welfare.analysis.partition import municipality_codes
        from geo_welfare.analysis.study import open_study
        from geo_welfare.store import read
        self.obj, self.scheduler, self.workers = obj, scheduler, workers
        network = obj.network(network_file)
        self.study = open_study(obj.engine(), network, kinds=resolve_kinds(kinds), dataset=dataset,
                                include_staff_only=include_staff, progress=lambda stage: obj.say(f"stage_{stage}"))
        if self.study.staff_only:
            obj.say("staff_only_counted" if include_staff else "staff_only_left_out", count=self.study.staff_only)
        stored = municipality_codes(self.study.small_areas)
        choices = read.within_choices(obj.engine())
        self.names = dict(zip(choices["code"], choices["name"]))
        for code in municipalities:
            if code not in stored:
                raise UsageError("batch_unknown_municipality", field="--municipality", code=code,
                                 choices=", ".join(f"{c} {self.names.get(c, '')}".strip() for c in stored))
        self.codes = list(municipalities) or stored

    def run(self, task, parts, **arguments):
        from geo_welfare.analysis import batch
        with batch.dask_client(self.scheduler, self.workers) as client:
            self.obj.say("batch_started", parts=len(parts), workers=len(client.scheduler_info()["workers"]),
                         address=client.scheduler.address)
            return batch.run_parts(client, task, parts, lang=self.obj.lang, progress=self._done, **arguments)

    def _done(self, done: int, total: int, part) -> None:
        self.obj.say("batch_part_done", done=done, total=total, code=part.code, name=part.name)




def _units(obj: Context, unit: str):
    from geo_welfare.analysis.study import PlanningInputError
    from geo_welfare.store import read
    identifier = glossary.AREA_UNIT_OPTIONS[unit]
    if identifier == "small_area":
        return None
    units = read.read_areas(obj.engine(), identifier)
    if len(units) == 0:
        raise PlanningInputError("no_areas_of_unit_stored", unit=identifier)
    return units


@batch_group.command("coverage", help="help_cmd_batch_coverage")
@_batch_options
@minutes_option(default=(10.0, 15.0, 20.0), multiple=True, help="help_opt_minutes_repeatable")
@unit_option(default="small-area", help="help_opt_unit_table")
@outputs
@click.pass_obj
def coverage(obj: Context, network_file, kinds, dataset, speed, include_staff, municipalities, scheduler, workers,
             safety, minutes, unit, output_format, output, raw) -> None:
    """Coverage by unit for every municipality, rows of units across a border added up, with the totals."""
    from geo_welfare.analysis import batch, partition
    from geo_welfare.core.walking import walk_metres
    job = _Run(obj, network_file, kinds, dataset, include_staff, municipalities, scheduler, workers)
    units = _units(obj, unit)
    margin = partition.margin_for(walk_metres(max(minutes), speed), safety=safety)
    parts = partition.cut(job.study, margin_metres=margin, codes=job.codes, units=units, names=job.names)
    tables = job.run(batch.coverage_part, parts, minutes=list(minutes), speed_kmh=speed)
    names = (units if units is not None else job.study.small_areas).set_index("code")["name"]
    table = batch.combine_coverage(tables, names, t("total_row", obj.lang), job.study.method)
    emit_table(obj, table, output, output_format, raw)


@batch_group.command("gaps", help="help_cmd_batch_gaps")
@_batch_options
@minutes_option()
@unit_option(default="elementary-district")
@outputs
@click.pass_obj
def gaps(obj: Context, network_file, kinds, dataset, speed, include_staff, municipalities, scheduler, workers,
         safety, minutes, unit, output_format, output, raw) -> None:
    """Gap pieces of every unit, each unit computed in the one municipality holding most of it."""
    from geo_welfare.analysis import batch, partition
    from geo_welfare.core.walking import walk_metres
    job = _Run(obj, network_file, kinds, dataset, include_staff, municipalities, scheduler, workers)
    units = _units(obj, unit)
    margin = partition.margin_for(walk_metres(minutes, speed), land=True, safety=safety)
    parts = partition.cut(job.study, margin_metres=margin, codes=job.codes,
                          units=units if units is not None else job.study.small_areas, whole_units=True,
                          names=job.names)
    pieces = job.run(batch.gaps_part, parts, minutes=minutes, speed_kmh=speed)
    emit_table(obj, batch.combine_gaps(pieces, minutes, job.study.method), output, output_format, raw)


@batch_group.command("plan", help="help_cmd_batch_plan")
@_batch_options
@minutes_option()
@siting_options("help_opt_k_batch", "help_opt_target_batch")
@output_option("help_opt_output_plan")
@click.pass_obj
def plan(obj: Context, network_file, kinds, dataset, speed, include_staff, municipalities, scheduler, workers,
         safety, minutes, count, target, grid, output) -> None:
    """Each municipality's own new bases (MCLP with ``--k`` or LSCP with ``--target``) among the sites in it."""
    from geo_welfare.analysis import batch, partition
    from geo_welfare.core.walking import walk_metres
    from geo_welfare.store import read
    if (count is None) == (target is None):
        raise UsageError("cli_k_or_target", field="--k")
    job = _Run(obj, network_file, kinds, dataset, include_staff, municipalities, scheduler, workers)
    candidates = None if grid else read.read_candidates(obj.engine())
    if candidates is not None and len(candidates) == 0:
        raise UsageError("no_candidates", field="--grid")
    margin = partition.margin_for(walk_metres(minutes, speed), safety=safety)
    parts = partition.cut(job.study, margin_metres=margin, codes=job.codes, candidates=candidates, names=job.names)
    answers = job.run(batch.plan_part, parts, minutes=minutes, k=count,
                      target=None if target is None else target / 100, grid=grid, speed_kmh=speed)
    for part, (_, summary) in zip(parts, answers):
        for row in summary.itertuples():
            obj.say("plan_summary_municipality", code=part.code, name=part.name, model=t(f"model_{row.model}", obj.lang),
                    sites=row.sites, before=row.share_before, after=row.share_after, gain=row.gain_65_plus)
    sites = pd.concat([sites for sites, _ in answers], ignore_index=True)
    emit_table(obj, sites, output, "table")
