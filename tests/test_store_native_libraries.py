"""A street file read after a SpatiaLite store was opened, in a fresh process (as `serve --network` does).

SQLite loads mod_spatialite with RTLD_GLOBAL, bringing the system's GEOS and PROJ; pyogrio's GDAL, loaded
after it, bound to those and either failed ("WKB output dimension must be 2 or 3") or crashed the process
(double free).  The store now loads the bundled libraries first (store/engine.py).  The expected answer is
the same network built in a process that loads pyogrio before anything else.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import DEMO_STREETS

SCRIPT = """
import sys
from pathlib import Path
if sys.argv[1] == "pyogrio-first":
    import pyogrio
from geo_welfare.store import open_store
engine = open_store("sqlite:///" + sys.argv[2])
with engine.connect():
    pass
import geo_welfare.network.cache_arrays
from geo_welfare.network.cache import load_network
network, _ = load_network(sys.argv[3], Path(sys.argv[4]))
print(network.node_count, network.edge_count)
"""


def _run(order: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, order, str(tmp_path / f"{order}.sqlite"), str(DEMO_STREETS),
                           str(tmp_path / f"cache_{order}")], capture_output=True, text=True, timeout=300)


def test_streets_read_after_the_store_opened_in_a_fresh_process(tmp_path):
    reference = _run("pyogrio-first", tmp_path)
    assert reference.returncode == 0, reference.stderr
    after = _run("store-first", tmp_path)
    assert after.returncode == 0, after.stderr
    assert after.stdout.split() == reference.stdout.split() and len(after.stdout.split()) == 2
