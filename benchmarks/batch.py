"""Batch against one machine: coverage of Sapporo's ten wards as ten Dask parts on two workers, and as one study.

``python -m benchmarks.batch``.  Both sides answer the same question (coverage of residents 65+ at 10,
15 and 20 minutes by elementary district, the GSI evacuation sites as places) and their tables are
compared before any time is printed.  The single machine spreads and walks the whole city once; the
batch cuts the study into ten self-contained parts (each ward's residents, the streets and places
within the walk plus 500 m), starts a ``LocalCluster`` of two processes, runs the parts and adds the
rows up.  Reading the files and building the network are timed apart and excluded from both.
Peak memory: this process (``ru_maxrss``) and the largest worker (``ru_maxrss`` of the children).
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_welfare.analysis import batch, partition
from geo_welfare.analysis.coverage import coverage_by_area
from geo_welfare.analysis.study import Study
from geo_welfare.core.walking import walk_metres
from geo_welfare.layers.areas import read_areas
from geo_welfare.layers.population import join_to_small_areas, read_population
from geo_welfare.layers.resources import read_resources
from geo_welfare.network import build_network, read_walkable_lines

SAPPORO = Path(__file__).resolve().parents[2] / "shared" / "data" / "sapporo"
WARDS = ("atsubetsu", "chuo", "higashi", "kita", "kiyota", "minami", "nishi", "shiroishi", "teine", "toyohira")
MINUTES = (10.0, 15.0, 20.0)
COUNTS = ["total", "age_65_plus", "age_75_plus", "age_65_plus_covered", "age_75_plus_covered"]


def read_inputs():
    """The whole city's study (small areas, joined age table, GSI sites, streets) and its elementary districts."""
    areas = pd.concat([read_areas(SAPPORO / "smallarea" / f"estat_h27_smallarea_{w}.geojson", "small_area").frame
                       for w in WARDS], ignore_index=True)
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=areas.crs)
    population = read_population(SAPPORO / "sapporo_jounen202010_age5_by_chome.csv").frame
    counts = population.assign(area_code=join_to_small_areas(population, areas[["code", "name", "municipality_name"]])
                               .area_codes)
    places = read_resources(SAPPORO / "gsi_emergency_evacuation_sites_011002.geojson", kind="salon").frame
    districts = read_areas(SAPPORO / "school" / "papamama_Elementary.geojson", "elementary_district").frame
    network = build_network(read_walkable_lines(SAPPORO / "network" /
                                                "sapporo_authorized_road_network_2021-11_wgs84.geojson"))
    return places, areas, counts, network, gpd.GeoDataFrame(districts, geometry="geometry", crs=districts.crs)


def single(places, areas, counts, network, districts) -> tuple[pd.DataFrame, float]:
    """One study of the whole city: spread, walk, coverage per threshold."""
    started = time.perf_counter()
    study = Study(places, areas, counts, network, partition.quiet)
    walk = study.walk_to_nearest(study.resources)
    tables = [coverage_by_area(study.residents, walk, m, units=districts).assign(minutes=m) for m in MINUTES]
    return pd.concat(tables, ignore_index=True), time.perf_counter() - started


def batched(places, areas, counts, network, districts, workers: int = 2) -> tuple[pd.DataFrame, dict]:
    """Ten parts on a local cluster: cut, start the cluster, run, add the rows up."""
    times = {}
    started = time.perf_counter()
    study = Study(places, areas, counts, network, partition.quiet)
    parts = partition.cut(study, margin_metres=partition.margin_for(walk_metres(max(MINUTES))), units=districts)
    times["cut"] = time.perf_counter() - started
    started = time.perf_counter()
    with batch.dask_client(workers=workers) as client:
        times["cluster"] = time.perf_counter() - started
        started = time.perf_counter()
        tables = batch.run_parts(client, batch.coverage_part, parts, minutes=list(MINUTES))
        times["run"] = time.perf_counter() - started
        worker_peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    started = time.perf_counter()
    table = batch.combine_coverage(tables, districts.set_index("code")["name"], "(all)", study.method)
    times["combine"] = time.perf_counter() - started
    times["total"] = sum(times.values())
    times["worker_peak_mb"] = max(worker_peaks.values()) / 1024
    return table, times


def main() -> dict:
    started = time.perf_counter()
    inputs = read_inputs()
    read_s = time.perf_counter() - started
    expected, single_s = single(*inputs)
    got, times = batched(*inputs)
    rows = got[got["code"] != "*"].sort_values(["minutes", "code"]).reset_index(drop=True)
    city = expected.sort_values(["minutes", "code"]).reset_index(drop=True)
    assert rows["code"].fillna("").tolist() == city["code"].fillna("").tolist()
    worst = float(np.nanmax(np.abs(rows[COUNTS].to_numpy(float) - city[COUNTS].to_numpy(float))
                            / np.maximum(np.abs(city[COUNTS].to_numpy(float)), 1.0)))
    assert worst < 1e-9, worst
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Sapporo, coverage by elementary district at {', '.join(f'{m:g}' for m in MINUTES)} min, "
          f"348 GSI sites (files read and network built in {read_s:.1f} s, excluded)")
    print(f"  single machine: {single_s:.2f} s")
    print(f"  batch, 10 parts on 2 workers: {times['total']:.2f} s (cut {times['cut']:.2f} s, cluster start "
          f"{times['cluster']:.2f} s, run {times['run']:.2f} s, combine {times['combine']:.2f} s); "
          f"ratio batch / single {times['total'] / single_s:.1f}×")
    print(f"  tables equal: largest relative difference {worst:.1e}; peak memory: client {peak_mb:,.0f} MB, "
          f"largest worker {times['worker_peak_mb']:,.0f} MB")
    return {"single_s": single_s, **times, "worst": worst}


if __name__ == "__main__":
    main()
