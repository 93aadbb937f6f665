"""The built network cached next to the store, so that a second start does not rebuild it.

The cache key is the source file's SHA-256 and the metric CRS: a changed file or zone never
reuses an old graph.  Files are plain ``.npz`` (arrays and WKB), readable without this code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS

from geo_welfare.network.graph import WalkingNetwork, build_network
from geo_welfare.network.sources import read_walkable_lines

FORMAT = 1


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_network(network: WalkingNetwork, path: Path) -> None:
    """Write the network to a compressed ``.npz`` file, readable with NumPy alone.

    Parameters
    ----------
    network : WalkingNetwork
        The network to save.
    path : Path
        Where to write it (NumPy adds ``.npz`` if missing).
    """
    np.savez_compressed(path, format=FORMAT, crs=network.crs.to_wkt(), node_xy=network.node_xy,
                        edge_u=network.edge_u, edge_v=network.edge_v, edge_length=network.edge_length,
                        edge_wkb=np.array(shapely.to_wkb(network.edge_geometry), dtype=object))


def read_saved_network(path: Path) -> WalkingNetwork:
    """Read a network written by :func:`save_network`.

    Parameters
    ----------
    path : Path
        The ``.npz`` file.

    Returns
    -------
    WalkingNetwork
        The network, in the CRS it was saved in.

    Raises
    ------
    ValueError
        If the file was written in another cache format.
    """
    with np.load(path, allow_pickle=True) as data:
        if int(data["format"]) != FORMAT:
            raise ValueError(f"{path}: network cache format {int(data['format'])}, expected {FORMAT}")
        return WalkingNetwork(CRS.from_wkt(str(data["crs"])), data["node_xy"], data["edge_u"], data["edge_v"],
                              data["edge_length"], shapely.from_wkb(data["edge_wkb"]))


def cached_network(source: str | Path, cache_dir: str | Path, crs: str | None = None) -> tuple[WalkingNetwork, bool]:
    """The network of a street file, from the cache when it holds a build of this very file.

    The cache key is the file's SHA-256 and the metric CRS, so a changed file or zone never reuses
    an old graph.  Without ``crs`` the file's lines are read to choose the zone, even when the
    cache then answers.

    Parameters
    ----------
    source : str or Path
        The street file (OSM .osm/.pbf or a line layer, see
        :func:`~geo_welfare.network.sources.read_walkable_lines`).
    cache_dir : str or Path
        Directory of the cached builds; created when needed.
    crs : str, optional
        Metric CRS to build in (any form pyproj accepts).  Default: the plane rectangular zone
        of the lines' lon/lat bounds.

    Returns
    -------
    network : WalkingNetwork
        The street graph.
    was_cached : bool
        True when it came from the cache, False when it was built (and saved) now.

    Raises
    ------
    InputError
        If the file is missing or its lines cannot be read.
    """
    source, cache_dir = Path(source), Path(cache_dir)
    lines = None
    if crs is None:
        lines = read_walkable_lines(source)
        from geo_welfare.core.crs import metric_crs_for_bounds
        crs = metric_crs_for_bounds(tuple(lines.total_bounds)).to_string()
    key = hashlib.sha256(f"{_digest(source)}|{CRS.from_user_input(crs).to_epsg() or crs}|{FORMAT}".encode())
    path = cache_dir / f"network-{source.stem}-{key.hexdigest()[:16]}.npz"
    if path.exists():
        return read_saved_network(path), True
    network = build_network(lines if lines is not None else read_walkable_lines(source), crs=crs)
    cache_dir.mkdir(parents=True, exist_ok=True)
    save_network(network, path)
    return network, False


def load_network(path: str | Path | None, cache_directory: str | Path) -> tuple[WalkingNetwork | None, bool]:
    """The street network of a file through the cache, or none when there is no street file.

    The one way the CLI, the planner and the web load a network, so all three reuse the same
    cached build.

    Parameters
    ----------
    path : str or Path or None
        The street file; None means no network (analyses then use straight lines).
    cache_directory : str or Path
        Directory of the cached builds.

    Returns
    -------
    network : WalkingNetwork or None
        The street graph, in the plane rectangular zone of its area; None when ``path`` is None.
    was_cached : bool
        True when it came from the cache; False when built now or when ``path`` is None.

    Raises
    ------
    InputError
        If the file is missing or its lines cannot be read.
    """
    if path is None:
        return None, False
    return cached_network(path, cache_directory)
