"""Nearest-k walking query on Sapporo's whole road network: ours against its peers, same run.

The query a coordinator makes: from a client's home, the 5 nearest of 2,000 places within 3 km
of walking.  Peers, all on the same noded graph and the same points:

* networkx: Dijkstra (cut-off) from both ends of the client's street, our snapping;
* osmnx + networkx: the graph made by ``osmnx.convert.graph_from_gdfs``, the client snapped with
  ``osmnx.distance.nearest_edges`` (which rebuilds its spatial index on every call, so it is also
  shown with all clients snapped in one batch), then networkx Dijkstra as an osmnx user would;
* pandarm (pandana's contraction hierarchies): point-to-point CH distances from the client's two
  street ends to the end nodes of the places within 3 km in a straight line (a walk is never shorter
  than the straight line, so the filter is exact), snapping offsets added exactly as ours; also its
  range query (``nodes_in_range``), and its precomputed POI route (``set_pois`` + ``nearest_pois``),
  whose precompute is shown apart and whose answers (places and clients moved to their nearest
  node, as pandana does) are checked against SciPy's Dijkstra on the same node-snapped problem.

Every answer is compared with ours before any time is reported, so a fast wrong answer cannot win:
to 0.01 m for exact methods; pandana stores edge weights as whole millimetres (its unreachable marker
4294967.295 is 2³²−1 mm), so its sums are held to :data:`PANDANA_ATOL` and the largest difference seen
is printed.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geo_welfare.network import build_network, read_walkable_lines, snap_points, walking_distances

ROADS = Path(__file__).resolve().parents[2] / "shared" / "data" / "sapporo" / "network" / \
    "sapporo_authorized_road_network_2021-11_wgs84.geojson"
QUERIES, RESOURCES, K, CUTOFF = 200, 2000, 5, 3000.0
OSMNX_PER_CALL_QUERIES = 20  # nearest_edges rebuilds its index per call: ~1 s each, so fewer of them
#: pandana rounds each edge weight to a millimetre: a walk of n edges may be off by n × 0.5 mm;
#: 3 km of Sapporo's streets is at most a few hundred edges.
PANDANA_ATOL = 0.2


def ours_query(network, resources):
    """Our nearest-k query for one client: ``query(origin_xy) -> (place indices, metres)``, sorted.

    Uses ``geo_welfare.network.search.PlaceSearch`` when it exists (built once, as a running app
    would); otherwise snapping + ``walking_distances`` with a cut-off.
    """
    try:
        from geo_welfare.network.search import ResourceSearch
    except ImportError:
        def query(origin_xy):
            metres = walking_distances(network, snap_points(network, origin_xy[None]), resources, cutoff=CUTOFF)[0]
            order = np.argsort(metres, kind="stable")[:K]
            return order, metres[order]
        query.label = "geo-welfare (SciPy Dijkstra)"
        return query
    search = ResourceSearch(network, resources)

    def query(origin_xy):
        order, metres = search.nearest(snap_points(network, origin_xy[None]), K, cutoff=CUTOFF)
        return order, np.concatenate([metres, np.full(K - len(metres), np.inf)])  # fewer than k within reach
    query.label = "geo-welfare (PlaceSearch)"
    return query


def _finish(network, origin, resources, node_metres, k):
    """Metres to each place from per-node walks (a dict or array lookup), same-street walks included."""
    edge, along, offset = int(origin.edge[0]), float(origin.along[0]), float(origin.offset[0])
    u, v = network.edge_u[resources.edge], network.edge_v[resources.edge]
    to_u = node_metres(u) + resources.along + resources.offset
    to_v = node_metres(v) + network.edge_length[resources.edge] - resources.along + resources.offset
    metres = np.minimum(to_u, to_v)
    same = resources.edge == edge
    metres[same] = np.minimum(metres[same], offset + np.abs(resources.along[same] - along) + resources.offset[same])
    metres[metres > CUTOFF] = np.inf
    return np.sort(metres)[:k]


def _starts(network, origin):
    edge, along, offset = int(origin.edge[0]), float(origin.along[0]), float(origin.offset[0])
    length = float(network.edge_length[edge])
    return {int(network.edge_u[edge]): offset + along, int(network.edge_v[edge]): offset + length - along}


def networkx_nearest(graph, network, origin, resources, k):
    """The same query with networkx: Dijkstra from both ends of the client's street, with a cut-off."""
    best: dict[int, float] = {}
    for node, cost in _starts(network, origin).items():
        walks = nx.single_source_dijkstra_path_length(graph, node, cutoff=CUTOFF, weight="length")
        for reached, metres in walks.items():
            if cost + metres < best.get(reached, np.inf):
                best[reached] = cost + metres
    return _finish(network, origin, resources, lambda nodes: np.array([best.get(int(n), np.inf) for n in nodes]), k)


# --- osmnx -----------------------------------------------------------------------------------------

def osmnx_graph(network):
    """The same edges as an osmnx MultiDiGraph (both directions, geometry oriented u → v, length)."""
    import geopandas as gpd
    import osmnx

    nodes = gpd.GeoDataFrame({"x": network.node_xy[:, 0], "y": network.node_xy[:, 1]},
                             geometry=gpd.points_from_xy(network.node_xy[:, 0], network.node_xy[:, 1]),
                             index=pd.Index(np.arange(network.node_count), name="osmid"), crs=network.crs)
    lo, hi = np.minimum(network.edge_u, network.edge_v), np.maximum(network.edge_u, network.edge_v)
    key = pd.DataFrame({"lo": lo, "hi": hi}).groupby(["lo", "hi"]).cumcount().to_numpy()
    forward = pd.DataFrame({"u": network.edge_u, "v": network.edge_v, "key": key, "length": network.edge_length,
                            "geometry": network.edge_geometry, "edge": np.arange(network.edge_count)})
    backward = forward.assign(u=forward["v"], v=forward["u"], geometry=shapely.reverse(network.edge_geometry))
    loops = forward["u"] == forward["v"]  # a loop street once is enough (its reverse would clash on the key)
    edges = gpd.GeoDataFrame(pd.concat([forward, backward[~loops]], ignore_index=True), geometry="geometry",
                             crs=network.crs).set_index(["u", "v", "key"])
    return osmnx.convert.graph_from_gdfs(nodes, edges)


def osmnx_snap(graph, xy):
    """Snap points as an osmnx user does: nearest_edges, then where along that edge and how far off it."""
    import osmnx

    found, distance = osmnx.distance.nearest_edges(graph, xy[:, 0], xy[:, 1], return_dist=True)
    result = []
    for (u, v, key), point, off in zip(found, shapely.points(xy), distance):
        data = graph.edges[u, v, key]
        result.append((int(u), int(v), int(data["edge"]), float(shapely.line_locate_point(data["geometry"], point)),
                       float(data["length"]), float(off)))
    return result


def osmnx_nearest(graph, origin, resources, k):
    """Dijkstra with networkx on the osmnx graph from the client's two street ends; places snapped by osmnx."""
    u, v, edge, along, length, offset = origin
    best: dict[int, float] = {}
    for node, cost in ((u, offset + along), (v, offset + length - along)):
        walks = nx.single_source_dijkstra_path_length(graph, node, cutoff=CUTOFF, weight="length")
        for reached, metres in walks.items():
            if cost + metres < best.get(reached, np.inf):
                best[reached] = cost + metres
    pu, pv, pedge, palong, plength, poffset = resources
    metres = np.minimum(np.array([best.get(n, np.inf) for n in pu]) + palong,
                        np.array([best.get(n, np.inf) for n in pv]) + plength - palong) + poffset
    same = np.flatnonzero(pedge == edge)
    if len(same):
        from_u = np.where(pu[same] == u, palong[same], plength[same] - palong[same])  # along from the client's u
        metres[same] = np.minimum(metres[same], offset + np.abs(from_u - along) + poffset[same])
    metres[metres > CUTOFF] = np.inf
    return np.sort(metres)[:k]


# --- pandarm -----------------------------------------------------------------------------------------

@contextlib.contextmanager
def _quiet_stdout():
    """pandana's C++ prints its progress to the process's stdout; keep the benchmark's output readable."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def pandarm_network(network):
    """pandarm.Network on the same graph: one undirected edge per node pair (the shortest), no loops."""
    import pandarm

    adjacency = network.adjacency.tocoo()
    upper = adjacency.row < adjacency.col
    with warnings.catch_warnings(), _quiet_stdout():
        warnings.simplefilter("ignore")
        return pandarm.Network(pd.Series(network.node_xy[:, 0]), pd.Series(network.node_xy[:, 1]),
                               pd.Series(adjacency.row[upper]), pd.Series(adjacency.col[upper]),
                               pd.DataFrame({"length": adjacency.data[upper]}), twoway=True, crs=network.crs)


def pandarm_nearest(net, network, origin, origin_xy, resources, resource_xy, k):
    """CH point-to-point distances from the client's two street ends to the candidate places' ends."""
    starts = _starts(network, origin)
    near = np.flatnonzero(((resource_xy - origin_xy) ** 2).sum(axis=1) <= CUTOFF ** 2)
    ends = np.unique(np.concatenate([network.edge_u[resources.edge[near]], network.edge_v[resources.edge[near]]]))
    best = np.full(network.node_count, np.inf)
    if len(ends):
        sources = np.repeat(np.fromiter(starts, dtype=np.int64), len(ends))
        costs = np.repeat(np.fromiter(starts.values(), dtype=float), len(ends))
        lengths = np.asarray(net.net.shortest_path_distances(sources, np.tile(ends, len(starts)), 0))
        lengths = np.where(lengths >= 4294967.295 - 1e-6, np.inf, lengths) + costs
        np.minimum.at(best, np.tile(ends, len(starts)), lengths)
    subset = type(resources)(resources.edge[near], resources.along[near], resources.offset[near])
    return _finish(network, origin, subset, lambda nodes: best[nodes], k)


def pandarm_range_nearest(net, network, origin, resources, k):
    """pandana's range query (nodes within 3 km) from both street ends, then the same finish."""
    best = np.full(network.node_count, np.inf)
    starts = _starts(network, origin)
    for found, cost in zip(net.net.nodes_in_range(list(starts), CUTOFF, 0, net.node_idx.index.values),
                           starts.values()):
        if len(found):
            found = np.asarray(found)
            np.minimum.at(best, found[:, 0].astype(np.int64), found[:, 1] + cost)
    return _finish(network, origin, resources, lambda nodes: best[nodes], k)


def _median_ms(times):
    return statistics.median(times) * 1000


def _networkx_graph(network) -> nx.Graph:
    """The network as a networkx graph: one edge per node pair, the shortest."""
    graph = nx.Graph()
    for u, v, length in zip(network.edge_u, network.edge_v, network.edge_length):
        if not graph.has_edge(u, v) or graph[u][v]["length"] > length:
            graph.add_edge(int(u), int(v), length=float(length))
    return graph


def _sample(network):
    """(place points, snapped places, client points) near random nodes of the main component, the same every run."""
    rng = np.random.default_rng(2026)
    main = network.component_labels == 0
    nodes = network.node_xy[main]
    resource_xy = nodes[rng.choice(len(nodes), RESOURCES, replace=False)] + rng.normal(0, 20, (RESOURCES, 2))
    resources = snap_points(network, resource_xy)
    origins = nodes[rng.choice(len(nodes), QUERIES, replace=False)] + rng.normal(0, 20, (QUERIES, 2))
    return resource_xy, resources, origins


@dataclass
class Peers:
    """Every method's structures, set up once before any query is timed."""

    ours: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  # from ours_query
    graph: nx.Graph
    osmnx_graph: object
    osmnx_resources: tuple[np.ndarray, ...]  # the places as osmnx snaps them (u, v, edge, along, length, offset)
    pandarm: object


def _set_up(network, graph: nx.Graph, resources, resource_xy, origins, result: dict) -> Peers:
    """Set up each method, its set-up time (and our method's label) written into ``result``."""
    started = time.perf_counter()
    ours = ours_query(network, resources)
    network.adjacency  # built once, as a running app would
    ours(origins[0])  # warm-up
    result["ours_setup_s"] = time.perf_counter() - started
    result["ours_label"] = ours.label

    started = time.perf_counter()
    og = osmnx_graph(network)
    result["osmnx_graph_s"] = time.perf_counter() - started
    started = time.perf_counter()
    resource_snaps = osmnx_snap(og, resource_xy)  # the places are snapped once, outside the timing
    columns = list(zip(*resource_snaps))
    osmnx_resources = tuple(np.asarray(c, dtype=np.int64 if i < 3 else float) for i, c in enumerate(columns))
    result["osmnx_places_s"] = time.perf_counter() - started

    started = time.perf_counter()
    net = pandarm_network(network)
    result["pandarm_build_s"] = time.perf_counter() - started
    return Peers(ours, graph, og, osmnx_resources, net)


def _check(mine, theirs, name: str, q: int, atol: float = 0.01) -> float:
    """Refuse an answer that is not ours (to ``atol`` metres); returns the largest difference."""
    finite = np.isfinite(mine)
    assert np.array_equal(np.isfinite(theirs), finite), (name, q, mine, theirs)
    assert np.allclose(mine[finite], theirs[finite], atol=atol, rtol=0), (name, q, mine, theirs)
    return float(np.abs(mine[finite] - theirs[finite]).max(initial=0.0))


def _time_queries(network, peers: Peers, resources, resource_xy, origins) -> tuple[dict[str, list[float]], float]:
    """Seconds per query of each method, every answer checked against ours; and pandarm's largest difference."""
    times: dict[str, list[float]] = {name: [] for name in ("ours", "networkx", "osmnx", "osmnx_batch", "pandarm",
                                                            "pandarm_range")}
    worst_pandarm = 0.0
    batch_start = time.perf_counter()
    osmnx_origins = osmnx_snap(peers.osmnx_graph, origins)  # every client in one nearest_edges call (amortised below)
    batch_snap = (time.perf_counter() - batch_start) / QUERIES
    for q, origin_xy in enumerate(origins):
        start = time.perf_counter()
        _, mine = peers.ours(origin_xy)
        times["ours"].append(time.perf_counter() - start)

        start = time.perf_counter()
        origin = snap_points(network, origin_xy[None])
        theirs = networkx_nearest(peers.graph, network, origin, resources, K)
        times["networkx"].append(time.perf_counter() - start)
        _check(mine, theirs, "networkx", q)

        if q < OSMNX_PER_CALL_QUERIES:
            start = time.perf_counter()
            theirs = osmnx_nearest(peers.osmnx_graph, osmnx_snap(peers.osmnx_graph, origin_xy[None])[0],
                                   peers.osmnx_resources, K)
            times["osmnx"].append(time.perf_counter() - start)
            _check(mine, theirs, "osmnx", q)
        start = time.perf_counter()
        theirs = osmnx_nearest(peers.osmnx_graph, osmnx_origins[q], peers.osmnx_resources, K)
        times["osmnx_batch"].append(time.perf_counter() - start + batch_snap)
        _check(mine, theirs, "osmnx (batch snap)", q)

        start = time.perf_counter()
        origin = snap_points(network, origin_xy[None])
        theirs = pandarm_nearest(peers.pandarm, network, origin, origin_xy, resources, resource_xy, K)
        times["pandarm"].append(time.perf_counter() - start)
        worst_pandarm = max(worst_pandarm, _check(mine, theirs, "pandarm", q, PANDANA_ATOL))

        start = time.perf_counter()
        origin = snap_points(network, origin_xy[None])
        theirs = pandarm_range_nearest(peers.pandarm, network, origin, resources, K)
        times["pandarm_range"].append(time.perf_counter() - start)
        worst_pandarm = max(worst_pandarm, _check(mine, theirs, "pandarm range", q, PANDANA_ATOL))
    return times, worst_pandarm


def run() -> dict[str, float]:
    """Build the network and every method, time the queries (answers checked first); returns the figures."""
    started = time.perf_counter()
    network = build_network(read_walkable_lines(ROADS))
    build_seconds = time.perf_counter() - started
    graph = _networkx_graph(network)
    resource_xy, resources, origins = _sample(network)
    result: dict[str, float] = {"nodes": network.node_count, "edges": network.edge_count, "build_s": build_seconds}
    peers = _set_up(network, graph, resources, resource_xy, origins, result)
    times, worst_pandarm = _time_queries(network, peers, resources, resource_xy, origins)
    for name, values in times.items():
        result[f"{name}_ms"] = _median_ms(values)
    result["pandarm_worst_m"] = worst_pandarm
    result.update(_pandarm_pois(peers.pandarm, network, resource_xy, origins))
    result["networkx_ratio"] = result["networkx_ms"] / result["ours_ms"]
    result["osmnx_ratio"] = result["osmnx_ms"] / result["ours_ms"]
    result["osmnx_batch_ratio"] = result["osmnx_batch_ms"] / result["ours_ms"]
    result["pandarm_ratio"] = result["ours_ms"] / result["pandarm_ms"]
    result["pandarm_range_ratio"] = result["ours_ms"] / result["pandarm_range_ms"]
    return result


def _pandarm_pois(net, network, resource_xy, origins):
    """pandana's own route: POIs on their nearest node, k nearest precomputed for every node."""
    from scipy.sparse.csgraph import dijkstra

    started = time.perf_counter()
    net.set_pois("places", CUTOFF, K, pd.Series(resource_xy[:, 0]), pd.Series(resource_xy[:, 1]))
    set_s = time.perf_counter() - started
    started = time.perf_counter()
    table = net.nearest_pois(CUTOFF, "places", num_pois=K, max_distance=np.inf)
    all_s = time.perf_counter() - started
    client_nodes = net.get_node_ids(pd.Series(origins[:, 0]), pd.Series(origins[:, 1])).to_numpy()
    resource_nodes = net.get_node_ids(pd.Series(resource_xy[:, 0]), pd.Series(resource_xy[:, 1])).to_numpy()
    lookups, worst = [], 0.0
    values = table.to_numpy()
    from_clients = dijkstra(network.adjacency, directed=False, indices=client_nodes, limit=CUTOFF)
    for row, node in enumerate(client_nodes):
        start = time.perf_counter()
        theirs = table.loc[node].to_numpy()
        lookups.append(time.perf_counter() - start)
        expected = np.sort(from_clients[row, resource_nodes])[:K]
        theirs = np.where(values[node] > CUTOFF, np.inf, values[node])
        finite = np.isfinite(expected)
        assert np.array_equal(np.isfinite(theirs), finite), (node, expected, theirs)
        assert np.allclose(theirs[finite], expected[finite], atol=PANDANA_ATOL, rtol=0), (node, expected, theirs)
        worst = max(worst, float(np.abs(theirs[finite] - expected[finite]).max(initial=0.0)))
    return {"pois_set_s": set_s, "pois_all_nodes_s": all_s, "pois_lookup_ms": _median_ms(lookups),
            "pois_worst_m": worst}


def main() -> dict[str, float]:
    r = run()
    print(f"Sapporo road network: {r['nodes']:,} nodes, {r['edges']:,} edges, built in {r['build_s']:.2f} s")
    print(f"nearest-{K} of {RESOURCES:,} places within {CUTOFF:.0f} m, median of {QUERIES} queries "
          f"(snapping included; answers checked against ours first):")
    print(f"  {r['ours_label']:<42} {r['ours_ms']:8.2f} ms   (set-up + warm-up {r['ours_setup_s']:.2f} s)")
    print(f"  {'networkx Dijkstra':<42} {r['networkx_ms']:8.2f} ms")
    print(f"  {'osmnx nearest_edges + networkx':<42} {r['osmnx_ms']:8.2f} ms   (median of "
          f"{OSMNX_PER_CALL_QUERIES}; graph_from_gdfs {r['osmnx_graph_s']:.2f} s, places snapped "
          f"{r['osmnx_places_s']:.2f} s)")
    print(f"  {'  same, clients snapped in one batch':<42} {r['osmnx_batch_ms']:8.2f} ms")
    print(f"  {'pandarm CH point-to-point':<42} {r['pandarm_ms']:8.2f} ms   (CH built in {r['pandarm_build_s']:.2f} s; "
          f"largest difference {r['pandarm_worst_m'] * 1000:.1f} mm)")
    print(f"  {'pandarm range query (nodes_in_range)':<42} {r['pandarm_range_ms']:8.2f} ms")
    print(f"  {'pandarm set_pois + nearest_pois lookup':<42} {r['pois_lookup_ms']:8.3f} ms   (node-snapped; "
          f"precompute: set_pois {r['pois_set_s']:.2f} s + nearest_pois for all nodes {r['pois_all_nodes_s']:.2f} s; "
          f"largest difference {r['pois_worst_m'] * 1000:.1f} mm)")
    print(f"  ratio networkx / ours:  {r['networkx_ratio']:8.1f}×   (target ≥ 20×)")
    print(f"  ratio osmnx / ours:     {r['osmnx_ratio']:8.1f}×   (batch-snapped: {r['osmnx_batch_ratio']:.1f}×)")
    print(f"  ratio ours / pandarm:   {r['pandarm_ratio']:8.2f}×   (range query: {r['pandarm_range_ratio']:.2f}×; "
          f"target ≤ 2×)")
    return r


if __name__ == "__main__":
    main()
