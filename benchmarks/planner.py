"""The planner page's round trip for the whole of Sapporo, through a real server: first asked, asked again, and its memory.

The page asks in two steps, and so does this benchmark, over HTTP to a server running in its own
process (``werkzeug``, threaded, as ``geo-welfare serve`` runs it):

1. the coverage table, with the areas and the places it draws beside it (three requests at once);
2. the gaps and the walking areas (two requests at once), once the table is in.

Each step is timed from the click (the start of step 1).  The same question is then asked a second
time.  The peer is the same server in the same run with nothing kept (``GEO_WELFARE_RESULTS_CACHE_MB=0``:
every request opens its study and works its answer out afresh, as before answers were kept).  Both
servers' answers are compared byte for byte before any time is printed.  The server's peak memory is
its ``VmHWM`` from ``/proc``; a server passing ``--limit-gb`` (default 4) is stopped and reported so.

Our server prepares the network and the residents at start (``geo_welfare.web.network.start_warm_up``)
and is asked once that is done; the peer has no warm-up.  A first server, not shown, asks for the table
once, so that neither side pays for the disk cache or for compiled code cached on disk.  The store is
copied first (to a temporary folder, with the built network beside it if there is one), since opening a
store brings its schema up to date; nothing is written to the original.

Run: ``python -m benchmarks planner`` or ``python -m benchmarks.planner [--minutes 15] [--within 01101]``.
Target from the issue: the table within 2 s, everything within 6 s the first time, under 1 s the
second time, the server under 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from benchmarks.city_store import city_store

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared" / "data" / "sapporo"
NETWORK = SHARED / "network" / "sapporo_authorized_road_network_2021-11_wgs84.geojson"
KINDS = ("salon",)  # the city store's 348 GSI evacuation sites are imported as salons

SERVER = """
import logging, sys
from werkzeug.serving import make_server
logging.getLogger("werkzeug").setLevel(logging.WARNING)
from geo_welfare.web import create_app
app = create_app(sys.argv[1], tiles="none", network=sys.argv[2])
warming = app.extensions.get("geo_welfare_warm_up")  # the network and residents, prepared at start
if warming is not None:
    warming.join()
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


class Server:
    """The app in a process of its own, its memory watched: stopped when it passes ``limit`` bytes."""

    def __init__(self, url: str, network: Path, cache_mb: int | None, limit: int, warm_up: bool = True):
        env = dict(os.environ)
        if cache_mb is not None:
            env["GEO_WELFARE_RESULTS_CACHE_MB"] = str(cache_mb)
        env["GEO_WELFARE_WARM_UP"] = "1" if warm_up else "0"
        started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, url, str(network)], env=env,
                                        stdout=subprocess.PIPE, text=True, cwd=REPOSITORY)
        self.base = f"http://127.0.0.1:{self.process.stdout.readline().strip()}"
        self.ready = time.perf_counter() - started  # start, imports and (with warm_up) the warm-up
        self.limit, self.over, self.peak = limit, False, 0
        self._watching = True
        threading.Thread(target=self._watch, daemon=True).start()

    def _status(self, field: str) -> int:
        with open(f"/proc/{self.process.pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def _watch(self) -> None:
        while self._watching and self.process.poll() is None:
            try:
                self.peak = max(self.peak, self._status("VmHWM"))
                if self._status("VmRSS") > self.limit:
                    self.over = True
                    self.process.kill()
            except OSError:
                return
            time.sleep(0.1)

    def get(self, path: str, query: dict | list | None = None) -> bytes:
        address = self.base + path + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")
        with urllib.request.urlopen(address, timeout=1800) as answer:
            return answer.read()

    def cpu(self) -> float:
        """CPU seconds (user + system) of the server process so far."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return float("nan")

    def stop(self) -> None:
        self.peak = max(self.peak, self._status("VmHWM"))
        self._watching = False
        self.process.terminate()
        self.process.wait(timeout=30)


def ask(server: Server, question: dict, times: dict, answers: dict[str, bytes], table_only: bool = False) -> None:
    """One click of 計算する as the page makes it: seconds to the table and to everything, and the answers.

    ``times`` and ``answers`` are filled as the steps end, so a server stopped in step 2 leaves step 1's.
    """
    started = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        first = {"coverage": pool.submit(server.get, "/api/coverage", question),
                 "areas": pool.submit(server.get, "/api/areas", {"unit": question["unit"]}),
                 "resources": pool.submit(server.get, "/api/resources", {"kind": question["kind"]})}
        answers.update({name: future.result() for name, future in first.items()})
        times["table"] = time.perf_counter() - started
        if table_only:
            return
        second = {"gaps": pool.submit(server.get, "/api/gaps", question),
                  "service_areas": pool.submit(server.get, "/api/service-areas", question)}
        answers.update({name: future.result() for name, future in second.items()})
    times["all"] = time.perf_counter() - started


def measure(url: str, network: Path, question: dict, cache_mb: int | None, limit: int, table_only: bool,
            warm_up: bool = True) -> dict:
    """Open the page, then ask the question twice; the times, answers and peak memory of one server.

    With ``warm_up`` the server prepares the network and the residents at start and is asked once
    that is done (``ready``: seconds from starting its process), as a planner's first click finds a
    server started a while before; the CPU seconds of the server process are read at the end.
    """
    server = Server(url, network, cache_mb, limit, warm_up)
    result: dict = {"over": False, "first": {}, "again": {}, "answers": {}, "ready": server.ready}
    again: dict[str, bytes] = {}
    try:
        started = time.perf_counter()
        server.get("/planner")  # loads the network, as the page does before anyone clicks
        result["page"] = time.perf_counter() - started
        before = server.cpu()
        ask(server, question, result["first"], result["answers"], table_only)
        result["cpu_first"] = server.cpu() - before  # the server's CPU seconds for the first question
        ask(server, question, result["again"], again, table_only)
        result["same_again"] = again == result["answers"]
    except OSError as error:  # the server was stopped at the memory limit (or died)
        result["error"] = str(error)
    finally:
        result["cpu"] = server.cpu()
        server.stop()
        result["over"], result["peak"] = server.over, server.peak
    return result


def copied_store(store: Path, folder: Path) -> str:
    """A copy of ``store`` (and of the networks built beside it) in ``folder``: its URL."""
    shutil.copy2(store, folder / store.name)
    cache = store.parent / "geo_welfare_cache"
    if cache.is_dir():
        shutil.copytree(cache, folder / "geo_welfare_cache")
    return f"sqlite:///{folder / store.name}"


def _row(label: str, result: dict) -> str:
    why = "stopped at the memory limit" if result["over"] else result.get("error", "–")

    def cell(times: dict, step: str) -> str:
        return f"{times[step]:.2f} s" if step in times else why
    first, again = result["first"], result["again"]
    return (f"| {label} | {cell(first, 'table')} | {cell(first, 'all')} | {cell(again, 'table')} | "
            f"{cell(again, 'all')} | {result['peak'] / 2 ** 30:.2f} GB |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.planner", description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--network", type=Path, default=NETWORK)
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--unit", default="elementary_district")
    parser.add_argument("--within", default=None, help="a ward's code (01101 …): that ward's planner")
    parser.add_argument("--table-only", action="store_true", help="ask for the coverage table alone (step 1)")
    parser.add_argument("--limit-gb", type=float, default=4.0, help="stop a server whose memory passes this")
    options = parser.parse_args(argv if argv is not None else [])
    question = {"minutes": f"{options.minutes:g}", "unit": options.unit, "kind": list(KINDS), "lang": "ja"}
    if options.within:
        question["within"] = options.within
    limit = int(options.limit_gb * 2 ** 30)
    with tempfile.TemporaryDirectory() as directory:
        url = copied_store(options.store or city_store(), Path(directory))
        measure(url, options.network, question, 0, limit, True, False)  # not shown: disk cache, numba's caches
        load = [os.getloadavg()[0]]
        ours = measure(url, options.network, question, None, limit, options.table_only)
        load.append(os.getloadavg()[0])
        peer = measure(url, options.network, question, 0, limit, options.table_only, warm_up=False)
        load.append(os.getloadavg()[0])
    shared = [name for name in ours["answers"] if name in peer["answers"]]
    different = [name for name in shared if ours["answers"][name] != peer["answers"][name]]
    assert not different, f"kept and fresh answers differ: {different}"
    assert ours.get("same_again", True) and peer.get("same_again", True), "a second answer differs from the first"
    sizes = ", ".join(f"{name} {len(ours['answers'][name]) / 1e6:.2f} MB" for name in shared)
    print(f"answers compared, equal byte for byte (ours and the peer's): {sizes}")
    if "coverage" in shared:
        coverage = json.loads(ours["answers"]["coverage"])
        print(f"{len(coverage['rows']) - 1} units, method {coverage['method']}"
              + (f", {len(json.loads(ours['answers']['gaps'])['features'])} gap pieces" if "gaps" in shared else ""))
    where = f"within {options.within}" if options.within else "whole city"
    print(f"{where}, {options.minutes:g} min, {options.unit}, kinds {', '.join(KINDS)}; page (network loaded) "
          f"{ours.get('page', float('nan')):.2f} s")
    print(f"load average (1 min) {', '.join(f'{value:.1f}' for value in load)}; server ready after start: ours "
          f"{ours['ready']:.2f} s (with the warm-up), peer {peer['ready']:.2f} s; server CPU in all: ours "
          f"{ours['cpu']:.1f} s, peer {peer['cpu']:.1f} s; for the first question: ours "
          f"{ours.get('cpu_first', float('nan')):.1f} s, peer {peer.get('cpu_first', float('nan')):.1f} s")
    print("| server | table, first | everything, first | table, again | everything, again | peak memory |")
    print("|---|---|---|---|---|---|")
    print(_row("kept answers (ours)", ours))
    print(_row("nothing kept (peer)", peer))
    if "all" in ours["again"] and "all" in peer["again"]:
        print(f"again: {peer['again']['all'] / ours['again']['all']:.0f}× faster than the peer; "
              f"first: {peer['first']['all'] / ours['first']['all']:.2f}× the peer's speed")


if __name__ == "__main__":
    main(sys.argv[1:])
