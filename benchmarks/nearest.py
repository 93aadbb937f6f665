"""Nearest-k walking query on Sapporo's whole road network: ours against networkx, same run.

The query a coordinator makes: from a client's home, the 5 nearest of 2,000 places within 3 km
of walking.  Both sides snap the same points and use the same graph; the answers are compared
before any time is reported, so a fast wrong answer cannot win.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import networkx as nx
import numpy as np

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances

ROADS = Path(__file__).resolve().parents[2] / "shared" / "data" / "sapporo" / "network" / \
    "sapporo_authorized_road_network_2021-11_wgs84.geojson"
QUERIES, PLACES, K, CUTOFF = 200, 2000, 5, 3000.0


def networkx_nearest(graph, network, origin, places, k):
    """The same query with networkx: Dijkstra from both ends of the client's street, with a cut-off."""
    edge, along, offset = int(origin.edge[0]), float(origin.along[0]), float(origin.offset[0])
    length = float(network.edge_length[edge])
    starts = {int(network.edge_u[edge]): offset + along, int(network.edge_v[edge]): offset + length - along}
    best: dict[int, float] = {}
    for node, cost in starts.items():
        for reached, metres in nx.single_source_dijkstra_path_length(graph, node, cutoff=CUTOFF, weight="length").items():
            if cost + metres < best.get(reached, np.inf):
                best[reached] = cost + metres
    u, v = network.edge_u[places.edge], network.edge_v[places.edge]
    to_u = np.array([best.get(int(n), np.inf) for n in u]) + places.along + places.offset
    to_v = np.array([best.get(int(n), np.inf) for n in v]) + network.edge_length[places.edge] - places.along + \
        places.offset
    metres = np.minimum(to_u, to_v)
    same = places.edge == edge
    metres[same] = np.minimum(metres[same], offset + np.abs(places.along[same] - along) + places.offset[same])
    metres[metres > CUTOFF] = np.inf
    return np.sort(metres)[:k]


def run() -> dict[str, float]:
    started = time.perf_counter()
    network = build_network(read_walkable_lines(ROADS))
    build_seconds = time.perf_counter() - started
    graph = nx.Graph()
    for u, v, length in zip(network.edge_u, network.edge_v, network.edge_length):
        if not graph.has_edge(u, v) or graph[u][v]["length"] > length:
            graph.add_edge(int(u), int(v), length=float(length))
    rng = np.random.default_rng(2026)
    main = network.component_labels == 0
    nodes = network.node_xy[main]
    places = snap_points(network, nodes[rng.choice(len(nodes), PLACES, replace=False)] + rng.normal(0, 20, (PLACES, 2)))
    origins = nodes[rng.choice(len(nodes), QUERIES, replace=False)] + rng.normal(0, 20, (QUERIES, 2))
    ours_times, theirs_times = [], []
    network.adjacency  # built once, as a running app would
    for origin_xy in origins:
        start = time.perf_counter()
        origin = snap_points(network, origin_xy[None])
        ours = np.sort(walking_distances(network, origin, places, cutoff=CUTOFF)[0])[:K]
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs = networkx_nearest(graph, network, snap_points(network, origin_xy[None]), places, K)
        theirs_times.append(time.perf_counter() - start)
        finite = np.isfinite(theirs)
        assert np.array_equal(np.isfinite(ours), finite) and np.allclose(ours[finite], theirs[finite], atol=0.01)
    ours_ms, theirs_ms = statistics.median(ours_times) * 1000, statistics.median(theirs_times) * 1000
    return {"nodes": network.node_count, "edges": network.edge_count, "build_s": build_seconds,
            "ours_ms": ours_ms, "networkx_ms": theirs_ms, "ratio": theirs_ms / ours_ms}


def main() -> None:
    result = run()
    print(f"Sapporo road network: {result['nodes']:,} nodes, {result['edges']:,} edges, built in "
          f"{result['build_s']:.2f} s")
    print(f"nearest-{K} of {PLACES:,} places within {CUTOFF:.0f} m, median of {QUERIES} queries:")
    print(f"  geo-welfare (SciPy Dijkstra):  {result['ours_ms']:8.2f} ms")
    print(f"  networkx Dijkstra:             {result['networkx_ms']:8.2f} ms")
    print(f"  ratio networkx / geo-welfare:  {result['ratio']:8.1f}×")


if __name__ == "__main__":
    main()
