"""Walking areas and gaps for the whole of Sapporo at 10, 15 and 20 minutes: the grid against plain GEOS.

What a planner waits for after coverage: the land within reach of all places (drawn on the map),
each place's own walking area, and the gap pieces of the 202 elementary-school districts with the
older residents in them.  Both sides start from the same inputs (network built, residents spread and
snapped, the walk from every place to every node known) and answer the same three questions, one
limit at a time as the planner asks them.

- **ours**: :mod:`geo_welfare.analysis.walk_grid` (one 10 m grid, marching squares, each district
  cut by the land parts that meet it) and :mod:`geo_welfare.analysis.walk_areas` (each place's own
  grid after a bounded search); the grids are built on the first question for 20 minutes and kept,
  as :class:`~geo_welfare.analysis.study.Study` keeps them, so the first question's time holds them.
  CPU seconds are printed beside the wall-clock ones (the machine is shared).
- **peer**: the plain GeoPandas/Shapely way: the reached street pieces buffered by 50 m
  (``GeoSeries.buffer``), merged (``union_all``), small holes filled, and each district's
  difference with the merged land; each place's area the same way from its own search
  (:func:`geo_welfare.analysis.service_areas.service_areas`, the reference drawing).  The peer's
  per-place areas take about a second each, so they are timed on a sample of places and scaled
  (printed as such).

Each side runs in its own process under ``/usr/bin/time -v`` for its peak memory.

Checks, before any time is printed: drawn for the same model (every cell within 50 m of a reached
street, ``nearest_street=False``), the grid's land and GEOS's differ by no more than their perimeter
times 6 m (each edge within half a 10 m cell, and a few holes at the 5 ha edge) at each limit (the product's land is smaller: a home walks out to its *nearest* street, so land nearer an
unreached street is left out, and the table prints by how much); every gap piece's older residents sum to the uncovered 65+ of the same walks; and on
2,000 random points of the grid's land per limit, the walk over the network from the point (to its
nearest street, then along the streets: how a resident there would walk) is within 10 % over the
limit for at least 99 % of them, with the largest overshoot printed (the false inclusions reported
for OpenRouteService #972 and Valhalla #3741 are whole blocks across a river or a motorway).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo_welfare.analysis.walk_grid import CELL_METRES

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "sapporo"
ROADS = SHARED / "network" / "sapporo_authorized_road_network_2021-11_wgs84.geojson"
SITES = SHARED / "gsi_emergency_evacuation_sites_011002.geojson"
DISTRICTS = SHARED / "school" / "papamama_Elementary.geojson"
MINUTES, SPEED_KMH = (10.0, 15.0, 20.0), 4.0
PEER_PLACE_SAMPLE = 12
CHECK_POINTS, OVERSHOOT, SHARE_WITHIN = 2000, 1.10, 0.99


def _inputs():
    """Network, snapped places, resident points with walks, districts: what both sides start from."""
    from benchmarks.coverage import read_inputs
    from geo_welfare.analysis.coverage import distance_to_nearest, walk_from_resources
    from geo_welfare.analysis.spread import resident_positions, spread_population
    from geo_welfare.analysis.street_cells import street_cells
    from geo_welfare.network import build_network, read_walkable_lines, snap_points

    network = build_network(read_walkable_lines(ROADS))
    areas, population, _, _ = read_inputs()
    residents = spread_population(areas, population, network)
    sites = gpd.read_file(SITES).to_crs(network.crs)
    resources = snap_points(network, np.column_stack([sites.geometry.x, sites.geometry.y]))
    walk = distance_to_nearest(network, resources, resident_positions(residents, network))
    districts = gpd.read_file(DISTRICTS).to_crs(network.crs)
    districts = gpd.GeoDataFrame({"code": np.arange(len(districts)).astype(str), "name": "d"},
                                 geometry=shapely.make_valid(districts.geometry.values), crs=network.crs)
    network.street_points  # a served network has them from its first question on, and the cells
    street_cells(network).fill_all()  # each home walks out to (web.network's warm-up builds both: 0.3 s)
    return network, resources, residents, walk, districts, walk_from_resources(network, resources)


def side(name: str) -> dict:
    """Run one side over the three limits; seconds per step and what the checks need."""
    from geo_welfare.analysis.gaps import gap_areas
    from geo_welfare.analysis.service_areas import reached_streets, service_areas, without_block_holes
    from geo_welfare.analysis.study import GRID_METRES_AT_LEAST
    from geo_welfare.analysis.walk_areas import combined_grid, resource_grids
    from geo_welfare.analysis.walk_grid import walk_grid
    from geo_welfare.core.walking import walk_metres
    from geo_welfare.network.snap import Snapped

    network, resources, residents, walk, districts, node_walk = _inputs()
    result = {"seconds": {}, "land_m2": {}, "gap_65": {}, "places": len(resources)}
    kept: dict = {}  # the grids, built on the first question
    for minutes in MINUTES:
        limit = walk_metres(minutes, SPEED_KMH)
        start, cpu_start = time.perf_counter(), time.process_time()
        if name == "ours":  # as a Study keeps them: grids built on the first question, for 20 minutes
            longest = max(walk_metres(max(MINUTES), SPEED_KMH), GRID_METRES_AT_LEAST)
            if not kept:
                kept["combined"] = combined_grid(network, resources, longest)
                kept["own"] = resource_grids(network, resources, longest)
            land = kept["combined"].land(limit)
            gaps = gap_areas(districts, kept["combined"], residents, walk, limit)
            own = [grid.land(limit) for grid in kept["own"]]
            seconds = time.perf_counter() - start
            result.setdefault("cpu", {})[minutes] = time.process_time() - cpu_start
        else:
            pieces = reached_streets(network, node_walk, limit, resources)
            land = without_block_holes(shapely.union_all(gpd.GeoSeries(pieces).buffer(50.0).values))
            gaps = gap_areas(districts, land, residents, walk, limit)
            combined = time.perf_counter() - start
            sample = np.linspace(0, len(resources) - 1, PEER_PLACE_SAMPLE).astype(int)
            start = time.perf_counter()
            own = service_areas(network, Snapped(resources.edge[sample], resources.along[sample],
                                                 resources.offset[sample]), limit)
            seconds = combined + (time.perf_counter() - start) * len(resources) / PEER_PLACE_SAMPLE
        result["seconds"][minutes] = seconds
        result["land_m2"][minutes] = float(land.area)
        if name == "ours":
            result.setdefault("product_m2", {})[minutes] = float(land.area)
        result["gap_65"][minutes] = float(gaps["age_65_plus"].sum() + gaps.attrs["unplaced_65_plus"])
        if name == "ours":
            result.setdefault("overshoot", {})[minutes] = _overshoot(network, resources, land, limit)
            # The same drawing of the buffer model GEOS draws (every cell within 50 m of a reached street),
            # for the check against the peer's land.
            land = walk_grid(network, node_walk, limit, resources, nearest_street=False).land(limit)
            result.setdefault("uncovered_65", {})[minutes] = float(residents["age_65_plus"][walk > limit].sum())
            Path(f"/tmp/geo_welfare_polygons_{int(minutes)}.wkb").write_bytes(shapely.to_wkb(land))
        else:
            ours = shapely.from_wkb(Path(f"/tmp/geo_welfare_polygons_{int(minutes)}.wkb").read_bytes())
            result.setdefault("differs_m2", {})[minutes] = float(shapely.symmetric_difference(ours, land).area)
            result.setdefault("perimeter_m", {})[minutes] = float(land.length)
    return result


def _overshoot(network, resources, land, limit: float) -> dict:
    """Walk over the network from random points of ``land``, as a share of ``limit``."""
    from geo_welfare.analysis.coverage import distance_to_nearest
    from geo_welfare.network import snap_points

    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = land.bounds
    points = np.empty((0, 2))
    shapely.prepare(land)
    while len(points) < CHECK_POINTS:
        candidates = rng.uniform([xmin, ymin], [xmax, ymax], size=(20000, 2))
        points = np.vstack([points, candidates[shapely.contains_xy(land, candidates[:, 0], candidates[:, 1])]])
    ratio = distance_to_nearest(network, resources, snap_points(network, points[:CHECK_POINTS])) / limit
    return {"within_share": float((ratio <= OVERSHOOT).mean()), "largest": float(ratio.max())}


def _measured(name: str) -> tuple[dict, float]:
    """One side in its own process: its answer and its peak memory (GB, /usr/bin/time -v)."""
    run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "benchmarks.polygons", name],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if run.returncode:
        sys.exit(f"the {name} side failed:\n{run.stderr[-3000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)[1])
    return json.loads(run.stdout.strip().splitlines()[-1]), peak_kb / 1024 ** 2


LOAD: list[float] = []


def main() -> None:
    LOAD.append(os.getloadavg()[0])
    ours, our_peak = _measured("ours")
    LOAD.append(os.getloadavg()[0])
    peer, peer_peak = _measured("peer")
    LOAD.append(os.getloadavg()[0])
    for minutes in MINUTES:
        key = str(minutes)
        # Every edge within half a cell of GEOS's (tests/test_walk_grid.py), so on average at most 5 m apart;
        # a little more is allowed for holes just over or under 5 ha on one side and not the other.
        offset = peer["differs_m2"][key] / peer["perimeter_m"][key]
        assert offset <= 0.6 * CELL_METRES, f"{minutes} min: edges {offset:.1f} m apart on average"
        assert abs(ours["gap_65"][key] - ours["uncovered_65"][key]) < 1e-6 * ours["uncovered_65"][key]
        assert ours["overshoot"][key]["within_share"] >= SHARE_WITHIN, ours["overshoot"][key]
    print(f"Sapporo, whole city: {ours['places']} places (GSI evacuation sites), 202 elementary districts, "
          f"limits {', '.join(f'{m:g}' for m in MINUTES)} min at {SPEED_KMH:g} km/h")
    print(f"{'minutes':>8} {'ours s':>8} {'peer s':>9} {'ratio':>7} {'edges apart':>13} "
          f"{'≤ 110 % of limit':>17} {'largest':>8} {'land, nearest street / buffer':>31}")
    for minutes in MINUTES:
        key = str(minutes)
        check = ours["overshoot"][key]
        print(f"{minutes:>8g} {ours['seconds'][key]:>8.2f} {peer['seconds'][key]:>9.1f} "
              f"{peer['seconds'][key] / ours['seconds'][key]:>6.0f}× "
              f"{peer['differs_m2'][key] / peer['perimeter_m'][key]:>10.1f} m "
              f"{check['within_share']:>16.1%} {check['largest']:>7.2f}× "
              f"{ours['product_m2'][key] / peer['land_m2'][key]:>30.1%}")
    total, peer_total = sum(ours["seconds"].values()), sum(peer["seconds"].values())
    print(f"{'together':>8} {total:>8.2f} {peer_total:>9.1f} {peer_total / total:>6.0f}×   "
          f"(target < 5 s: {'met' if total < 5 else 'not met'})")
    cpu = ", ".join(f"{m:g} min {ours['cpu'][str(m)]:.2f} s" for m in MINUTES)
    print(f"ours, CPU seconds: {cpu}, together "
          f"{sum(ours['cpu'].values()):.2f} s; load average (1 min) {', '.join(f'{x:.1f}' for x in LOAD)}")
    print(f"peak memory: ours {our_peak:.2f} GB, peer {peer_peak:.2f} GB (target < 1.5 GB: "
          f"{'met' if our_peak < 1.5 else 'not met'}); the peer's per-place areas timed on "
          f"{PEER_PLACE_SAMPLE} places and scaled to {peer['places']}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(side(sys.argv[1])))
    else:
        main()
