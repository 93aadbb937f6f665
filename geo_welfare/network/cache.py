"""A street file's lines and its built network, cached next to the store: a second start reads neither.

Two kinds of file, both plain ``.npz`` (NumPy arrays only, no pickles: readable without this code):

* ``streets-<stem>-<key>.npz``: the walkable lines exactly as
  :func:`~geo_welfare.network.sources.read_walkable_lines` reads them (geometries as WKB, the
  other columns as arrays or JSON), and their lon/lat bounds, from which the zone is chosen.  The
  print maps draw these lines, so a page with a fresh cache never parses the street file.
* ``network-<stem>-<key>.npz``: the graph built in one metric CRS, with what every walking area
  derives from the streets alone (:attr:`~geo_welfare.network.graph.WalkingNetwork.street_points`,
  the adjacency matrix, the components), so a new process does not derive them again either.

Freshness.  The key is the SHA-256 of the whole street file, with the cache :data:`FORMAT` and the
GEOS and PROJ versions (which the noding and the datum shift depend on), and for a network its
CRS: a changed file, zone, layout or library never reuses an old build.  Hashing reads the file
once, about 10 ms for Sapporo's 6 MB (a second for a 400 MB prefecture extract), far less than
parsing it.  A check of size and modification time would be cheaper but is not safe: a file
replaced in place by one of the same size keeps an old time under ``cp -p``, ``rsync -t``, ``tar -x``
or ``touch -r``, and the time has a coarse grain; a hash of the file's head misses any change past it.

A cache that cannot be written (a read-only folder) costs only the time to build; a file that
cannot be read (cut short, another layout) is built again.  Files are written beside their final
name and renamed into place, so another process never reads one half written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyproj
import shapely
from pyproj import CRS
from scipy import sparse

from geo_welfare.core.errors import InputError
from geo_welfare.network.cache_arrays import (array_text, frame_arrays, frame_from, line_arrays, lines_from,
                                             same_frame, text_array)
from geo_welfare.network.graph import StreetPoints, WalkingNetwork, build_network

#: The layout of the cache files; part of every key, so a new layout never reads an old file.
FORMAT = 2
#: What the keys depend on besides the file: the noding (GEOS) and the datum shift (PROJ).
_LIBRARIES = f"geos {shapely.geos_version_string}|proj {pyproj.proj_version_str}"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_file(cache_dir: Path, kind: str, source: Path, *key_parts: object) -> Path:
    key = hashlib.sha256("|".join(map(str, (*key_parts, FORMAT, _LIBRARIES))).encode()).hexdigest()[:16]
    return cache_dir / f"{kind}-{source.stem}-{key}.npz"


def _existing(source: str | Path) -> Path:
    source = Path(source)
    if not source.is_file():
        raise InputError.single(source, "file_not_found")
    return source


def _write(path: Path, arrays: dict[str, np.ndarray]) -> bool:
    """Write ``arrays`` to ``path`` whole or not at all; False when the folder cannot be written."""
    part = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.stem}-", suffix=".part",
                                         delete=False) as handle:
            part = Path(handle.name)
            np.savez(handle, **arrays)
        os.replace(part, path)
        return True
    except OSError:
        if part is not None:
            part.unlink(missing_ok=True)
        return False


def _read(path: Path, decode):
    """``decode`` of the arrays in ``path``, or None when there is no such file or it cannot be read."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                return None
            return decode(data)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        return None


def _lines_file(source: Path, cache_dir: Path, digest: str) -> Path:
    return _cache_file(cache_dir, "streets", source, digest)


def _read_and_cache_lines(source: Path, path: Path):
    """The file's lines, read now and cached at ``path`` when they read back the same."""
    from geo_welfare.network.sources import read_walkable_lines

    lines = read_walkable_lines(source)
    arrays = frame_arrays(lines)
    if arrays is not None:
        arrays["bounds"] = np.asarray(lines.total_bounds, dtype=float)
        arrays["format"] = np.array(FORMAT)
        check = frame_from(arrays)
        if same_frame(check, lines):
            _write(path, arrays)
    return lines


def cached_street_lines(source: str | Path, cache_dir: str | Path):
    """The walkable lines of a street file, from the cache when it holds this very file's.

    The same frame as :func:`~geo_welfare.network.sources.read_walkable_lines` gives (columns,
    types, index, geometries to the bit), in a fraction of the time: the print maps draw them.

    Parameters
    ----------
    source : str or Path
        The street file (OSM .osm/.pbf or a line layer).
    cache_dir : str or Path
        Directory of the cached files; created when needed.

    Returns
    -------
    lines : geopandas.GeoDataFrame
        LineStrings and MultiLineStrings in EPSG:6668.
    was_cached : bool
        True when they came from the cache, False when the file was read (and cached) now.

    Raises
    ------
    InputError
        If the file is missing or its lines cannot be read.
    """
    source, cache_dir = _existing(source), Path(cache_dir)
    path = _lines_file(source, cache_dir, _digest(source))
    lines = _read(path, frame_from)
    if lines is not None:
        return lines, True
    return _read_and_cache_lines(source, path), False


# --- the network ------------------------------------------------------------------------------------------

def _network_arrays(network: WalkingNetwork) -> dict[str, np.ndarray]:
    points, adjacency = network.street_points, network.adjacency
    return {"format": np.array(FORMAT), "crs": text_array(network.crs.to_wkt()), "node_xy": network.node_xy,
            "edge_u": network.edge_u, "edge_v": network.edge_v, "edge_length": network.edge_length,
            **line_arrays(network.edge_geometry, "edge"),
            "point_count": np.bincount(points.edge, minlength=network.edge_count), "point_along": points.along,
            "point_xy": points.xy, "adjacency_indptr": adjacency.indptr, "adjacency_indices": adjacency.indices,
            "adjacency_data": adjacency.data, "component_labels": network.component_labels}


def _network(data) -> WalkingNetwork:
    network = WalkingNetwork(CRS.from_wkt(array_text(data["crs"])), data["node_xy"], data["edge_u"], data["edge_v"],
                             data["edge_length"], lines_from(data, "edge"))
    n = network.node_count
    # What the network would derive on first use, put in place (the properties compute once and keep).
    network.street_points = StreetPoints(np.repeat(np.arange(network.edge_count), data["point_count"]),
                                         data["point_along"], data["point_xy"])
    network.adjacency = sparse.csr_matrix((data["adjacency_data"], data["adjacency_indices"],
                                           data["adjacency_indptr"]), shape=(n, n))
    network.component_labels = data["component_labels"]
    return network


def save_network(network: WalkingNetwork, path: Path) -> None:
    """Write the network, with its street points, adjacency and components, to an ``.npz`` file.

    Parameters
    ----------
    network : WalkingNetwork
        The network to save.
    path : Path
        Where to write it (NumPy adds ``.npz`` if missing).
    """
    np.savez(path, **_network_arrays(network))


def read_saved_network(path: Path) -> WalkingNetwork:
    """Read a network written by :func:`save_network`.

    Parameters
    ----------
    path : Path
        The ``.npz`` file.

    Returns
    -------
    WalkingNetwork
        The network, in the CRS it was saved in, its street points, adjacency and components
        already in place.

    Raises
    ------
    ValueError
        If the file was written in another cache format.
    """
    with np.load(path, allow_pickle=False) as data:
        if int(data["format"]) != FORMAT:
            raise ValueError(f"{path}: network cache format {int(data['format'])}, expected {FORMAT}")
        return _network(data)


def _zone(source: Path, cache_dir: Path, digest: str) -> tuple[str, object]:
    """The plane rectangular zone of the file's lines, from the cached bounds when there are some;
    and the lines, when they had to be read for it (else None)."""
    from geo_welfare.core.crs import metric_crs_for_bounds

    path = _lines_file(source, cache_dir, digest)
    bounds = _read(path, lambda data: tuple(float(v) for v in data["bounds"]))
    lines = None
    if bounds is None:
        lines = _read_and_cache_lines(source, path)
        bounds = tuple(lines.total_bounds)
    return metric_crs_for_bounds(bounds).to_string(), lines


def cached_network(source: str | Path, cache_dir: str | Path, crs: str | None = None) -> tuple[WalkingNetwork, bool]:
    """The network of a street file, from the cache when it holds a build of this very file.

    The cache key is the file's SHA-256 and the metric CRS (see the module's note), so a changed
    file or zone never reuses an old graph.  Without ``crs`` the zone comes from the lines' bounds,
    which the cache keeps too: a fresh cache answers without the file being parsed.

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
    source, cache_dir = _existing(source), Path(cache_dir)
    digest = _digest(source)
    lines = None
    if crs is None:
        crs, lines = _zone(source, cache_dir, digest)
    path = _cache_file(cache_dir, "network", source, digest, CRS.from_user_input(crs).to_epsg() or crs)
    network = _read(path, _network)
    if network is not None:
        return network, True
    if lines is None:
        lines, _ = cached_street_lines(source, cache_dir)
    network = build_network(lines, crs=crs)
    _write(path, _network_arrays(network))
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
