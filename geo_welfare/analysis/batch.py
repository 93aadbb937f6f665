"""Many municipalities at once on Dask: coverage, gaps and new bases, one self-contained part per worker task.

A prefecture's staff (北海道 alone has 179 municipalities) or a national study asks the planner's
questions of every municipality.  :func:`geo_welfare.analysis.partition.cut` turns the whole study
into parts that each hold their residents, places and streets with a margin across the border;
this module sends them to a ``dask.distributed`` cluster (a :class:`~distributed.LocalCluster` of
processes by default, or a running scheduler at ``tcp://…``), one task per part, and puts the
answers back together:

* **coverage**: each part sums its residents by unit; rows of a unit that straddles a border are
  added up, the shares recomputed, and the whole-area row recomputed from all of them, so the table
  is the whole study's :func:`geo_welfare.analysis.planning.coverage`, plus one total row per
  municipality.
* **gaps**: each unit belongs to the part holding most of its area, which reports its pieces
  (:func:`~geo_welfare.analysis.gaps.gap_areas`); ranks are given again over all of them.
* **plan**: each municipality chooses its own new bases (``k`` each, or the fewest for a target
  share) among the candidates standing in it, as that municipality alone would
  (:func:`geo_welfare.analysis.planning.plan` of a study of it): a batch of municipal plans, not one
  plan for the prefecture.

Dask is imported here only.  Workers import ``geo_welfare`` to run the tasks: install the same
version on every worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.analysis.coverage import coverage_by_area
from geo_welfare.analysis.gaps import gap_areas
from geo_welfare.analysis.partition import Part
from geo_welfare.analysis.service_areas import land_within
from geo_welfare.core.config import DEFAULT_WALKING_SPEED_KMH, STORAGE_CRS
from geo_welfare.core.errors import ConflictError, UsageError
from geo_welfare.core.walking import walk_metres

COUNTS = ("total", "age_65_plus", "age_75_plus", "age_65_plus_covered", "age_75_plus_covered")
#: Workers of the local cluster unless told otherwise: one process per core is what a PC has.
DEFAULT_WORKERS = 2
#: A part finished: (parts done, parts in all, the part).
Progress = Callable[[int, int, Part], None]


class BatchPartFailed(ConflictError):
    """One part's analysis refused (no candidates, an impossible target): the message names the municipality."""


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = DEFAULT_WORKERS) -> Iterator[Any]:
    """A ``distributed.Client``: connected to ``scheduler``, or to a local cluster of ``workers`` processes.

    Parameters
    ----------
    scheduler : str, optional
        The address of a running scheduler (``tcp://host:8786``, as dask-jobqueue or the Dask
        Kubernetes operator give it); None: start a :class:`~distributed.LocalCluster`.
    workers : int, default 2
        Processes of the local cluster, one thread each (ignored with ``scheduler``).

    Yields
    ------
    distributed.Client

    Raises
    ------
    UsageError
        If the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise UsageError("batch_scheduler_unreachable", field="--scheduler", address=scheduler,
                             reason=str(error)) from error
        try:
            yield client
        finally:
            client.close()
        return
    import logging
    import multiprocessing
    import warnings

    import dask
    # Forked workers inherit the imported libraries (a spawned one spends seconds importing GeoPandas again).
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a worker's last heartbeat to a closing scheduler is no news to the user
    try:
        with warnings.catch_warnings(), dask.config.set({"distributed.worker.multiprocessing-method": method}):
            warnings.simplefilter("ignore", UserWarning)  # "port 8787 is in use": another cluster's, not ours
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.CRITICAL)
        with cluster, Client(cluster) as client:
            yield client
    finally:
        quiet.setLevel(level)


def run_parts(client: Any, task: Callable[..., Any], parts: Sequence[Part], *, progress: Progress | None = None,
              lang: str = "ja", **arguments: Any) -> list[Any]:
    """``task(part, **arguments)`` for every part on the cluster, the answers in the parts' order.

    Parameters
    ----------
    client : distributed.Client
        The cluster (:func:`dask_client`).
    task : callable
        A module-level function of this module (the workers import it by name).
    parts : sequence of Part
        The self-contained parts (:func:`geo_welfare.analysis.partition.cut`).
    progress : callable, optional
        Called as each part finishes, in the order they finish.
    lang : str, default "ja"
        The language of a part's refusal.
    **arguments
        Passed to ``task``.

    Returns
    -------
    list
        One answer per part.

    Raises
    ------
    BatchPartFailed
        If a part's analysis refused (the first one to finish so).
    """
    from distributed import as_completed
    scattered = client.scatter(list(parts), hash=False)  # hashing a part's streets costs more than sending them
    futures = [client.submit(_guarded, task, part, arguments, lang, pure=False) for part in scattered]
    position = {future.key: i for i, future in enumerate(futures)}
    answers: list[Any] = [None] * len(futures)
    for done, future in enumerate(as_completed(futures), start=1):
        i = position[future.key]
        answers[i] = future.result()
        if isinstance(answers[i], _Refusal):
            for other in futures:
                other.cancel()
            raise BatchPartFailed("batch_part_failed", code=parts[i].code, name=parts[i].name,
                                  reason=answers[i].message)
        if progress is not None:
            progress(done, len(futures), parts[i])
    return answers


class _Refusal:
    """A part's refusal, carried back as words (an exception's values do not survive pickling)."""

    def __init__(self, message: str):
        self.message = message


def _guarded(task: Callable[..., Any], part: Part, arguments: dict[str, Any], lang: str) -> Any:
    """Run one task on a worker; a refusal of ours comes back as its message in ``lang``."""
    from geo_welfare.core.errors import GeoWelfareError
    try:
        return task(part, **arguments)
    except GeoWelfareError as error:
        return _Refusal(error.message(lang))


# --- coverage ---------------------------------------------------------------------------------------

def coverage_part(part: Part, minutes: Sequence[float], speed_kmh: float = DEFAULT_WALKING_SPEED_KMH
                  ) -> pd.DataFrame:
    """One part's residents within each walk of a place, summed by unit (a worker task).

    Parameters
    ----------
    part : Part
        The part.
    minutes : sequence of float
        Thresholds, minutes of walk.
    speed_kmh : float, default 4.0
        Walking speed, km/h.

    Returns
    -------
    pandas.DataFrame
        ``municipality``, ``code`` (NaN for residents in no unit), ``minutes`` and the persons of
        :data:`COUNTS`, one row per unit × threshold.
    """
    study = part.study
    walk = study.walk_to_nearest(study.resources)
    tables = []
    for threshold in minutes:
        table = coverage_by_area(study.residents, walk, threshold, speed_kmh, units=part.units)
        tables.append(table[["code", *COUNTS]].assign(minutes=float(threshold)))
    return pd.concat(tables, ignore_index=True).assign(municipality=part.code)


def _shares(table: pd.DataFrame) -> pd.DataFrame:
    for age in ("65_plus", "75_plus"):
        table[f"share_{age}_covered"] = table[f"age_{age}_covered"] / table[f"age_{age}"].where(table[f"age_{age}"] > 0)
    return table


def combine_coverage(tables: Sequence[pd.DataFrame], names: pd.Series, total_name: str, method: str
                     ) -> pd.DataFrame:
    """The parts' coverage rows as one table: straddling units added up, shares and the totals recomputed.

    Parameters
    ----------
    tables : sequence of pandas.DataFrame
        :func:`coverage_part` of every part.
    names : pandas.Series
        Unit name by code.
    total_name : str
        The name of the total rows (the catalogue's ``total_row``).
    method : str
        ``network`` or ``straight_line``.

    Returns
    -------
    pandas.DataFrame
        Per threshold: one row per unit (``municipality`` lists the parts it spans, comma-separated),
        one total row per municipality (``code`` ``"*"``) and the whole-area total row
        (``municipality`` and ``code`` ``"*"``), with the columns of
        :func:`geo_welfare.analysis.planning.coverage` after ``municipality``.
    """
    rows = pd.concat(tables, ignore_index=True)
    spans = rows.groupby(["minutes", "code"], dropna=False)["municipality"].agg(lambda codes: ",".join(sorted(set(codes))))
    units = rows.groupby(["minutes", "code"], dropna=False)[list(COUNTS)].sum().assign(municipality=spans).reset_index()
    result = []
    for threshold, table in units.groupby("minutes", sort=True):
        own = rows[rows["minutes"] == threshold].groupby("municipality")[list(COUNTS)].sum().reset_index()
        whole = pd.DataFrame([{"municipality": "*", **table[list(COUNTS)].sum().to_dict()}])
        result.append(pd.concat([table, own.assign(code="*"), whole.assign(code="*")], ignore_index=True)
                      .assign(minutes=float(threshold)))
    table = _shares(pd.concat(result, ignore_index=True))
    table.insert(2, "name", table["code"].map(names).where(table["code"] != "*", total_name))
    columns = ["municipality", "code", "name", "minutes", *COUNTS, "share_65_plus_covered", "share_75_plus_covered"]
    return table[columns].assign(method=method)


# --- gaps -------------------------------------------------------------------------------------------

def gaps_part(part: Part, minutes: float, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH) -> gpd.GeoDataFrame:
    """The gap pieces of the units a part owns (a worker task); see :func:`geo_welfare.analysis.planning.gaps`.

    Parameters
    ----------
    part : Part
        The part, cut with ``whole_units`` (:func:`~geo_welfare.analysis.partition.cut`).
    minutes : float
        Threshold, minutes of walk.
    speed_kmh : float, default 4.0
        Walking speed, km/h.

    Returns
    -------
    geopandas.GeoDataFrame
        The pieces of :func:`~geo_welfare.analysis.gaps.gap_areas` of the part's own units, with
        ``municipality``, in lon/lat (EPSG:6668); ``rank`` is the part's own.
    """
    study = part.study
    limit = walk_metres(minutes, speed_kmh)
    walk = study.walk_to_nearest(study.resources)
    study.progress("gaps")
    served = (study.land_grid(minutes, speed_kmh) if study.network is not None  # as planning.gaps draws it
              else land_within(study.resources, minutes, speed_kmh, crs=study.crs).iloc[0])
    districts = part.units if part.units is not None else study.small_areas
    pieces = gap_areas(districts, served, study.residents, walk, limit)
    if part.owned is not None:
        pieces = pieces[pieces["code"].isin(set(part.owned))]
    pieces = pieces.assign(municipality=part.code)
    return pieces.to_crs(STORAGE_CRS)


def combine_gaps(pieces: Sequence[gpd.GeoDataFrame], minutes: float, method: str) -> gpd.GeoDataFrame:
    """The parts' gap pieces as one layer, ranked again over all of them (most 65+ first, then largest).

    Parameters
    ----------
    pieces : sequence of geopandas.GeoDataFrame
        :func:`gaps_part` of every part.
    minutes : float
        The threshold, minutes.
    method : str
        ``network`` or ``straight_line``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``rank``, ``municipality`` and the columns of :func:`geo_welfare.analysis.planning.gaps`, lon/lat.
    """
    frames = [frame for frame in pieces if len(frame)]
    if not frames:
        frames = list(pieces[:1])
    layer = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)
    layer = layer.sort_values(["age_65_plus", "area_m2"], ascending=False, kind="stable").reset_index(drop=True)
    layer["rank"] = np.arange(1, len(layer) + 1)
    layer = layer[["rank", "municipality", *[c for c in layer.columns if c not in ("rank", "municipality")]]]
    return layer.assign(minutes=float(minutes), method=method)


# --- plan -------------------------------------------------------------------------------------------

def plan_part(part: Part, minutes: float, k: int | None = None, target: float | None = None,
              grid: float | None = None, speed_kmh: float = DEFAULT_WALKING_SPEED_KMH
              ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """One municipality's own new bases (a worker task): :func:`geo_welfare.analysis.planning.plan` of its part.

    Parameters
    ----------
    part : Part
        The part; its candidates are those standing in it.
    minutes : float
        Walking threshold, minutes.
    k, target : int or float, optional
        New sites per municipality (maximal covering), or the share (0, 1] of its 65+ to reach.
    grid : float, optional
        Candidates on a grid of this step (metres) over the part's small areas instead.
    speed_kmh : float, default 4.0
        Walking speed, km/h.

    Returns
    -------
    sites : geopandas.GeoDataFrame
        The exact model's sites with ``municipality``, lon/lat.
    summary : pandas.DataFrame
        The plan's summary rows with ``municipality``.

    Raises
    ------
    UsageError
        If the part has no candidate site.
    """
    from geo_welfare.analysis import planning
    candidates = planning.grid_candidates(part.study, grid) if grid else part.candidates
    if candidates is None or len(candidates) == 0:
        raise UsageError("no_candidates", field="--grid")
    result = planning.plan(part.study, candidates, minutes, k=k, target=target, speed_kmh=speed_kmh)
    sites = result.sites.to_crs(STORAGE_CRS)
    sites.insert(0, "municipality", part.code)
    summary = result.summary.copy()
    summary.insert(0, "municipality", part.code)
    return sites, summary
