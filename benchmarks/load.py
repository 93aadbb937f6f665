"""Load test: the production command on loopback, 50 concurrent clients, latency and errors per endpoint.

Two servers are measured in the same run, one after the other, on each store:

- **ours**, the README's production command: ``gunicorn -c python:geo_welfare.web.gunicorn_conf
  'geo_welfare.web:create_app()'`` (``nproc + 1`` gthread workers of 8 threads, the app preloaded and
  warmed in the master, see ``web/gunicorn_conf.py``);
- **previous**, the configuration before it: ``gunicorn 'geo_welfare.web:create_app()'``, gunicorn's
  default of one sync worker (one request at a time).

Both bound to 127.0.0.1 only, under ``/usr/bin/time -v``.  The stores: Sapporo as a whole city (a copy
of the whole-city store (``benchmarks/city_store.py``): 5,781 small areas, the age table, 202 + 97 school districts, the 348
GSI evacuation sites as places; skipped with a note when absent) with Sapporo's road centre lines,
and the demo town with its streets.

:data:`CLIENTS` clients (threads, one keep-alive connection each, a session cookie and CSRF token
of their own) share a bounded budget: :data:`REQUESTS` requests per endpoint, interleaved, and stop
at :data:`DEADLINE_S` seconds whichever comes first.  Endpoints: ``GET /api/resources`` (the GeoJSON
of every place), ``POST /api/nearest`` (the coordinator's search: a seeded random home inside the
store's small areas, k = 5) and ``GET /`` (the map page).  Before the timed run every client makes
one request of each (not counted).  An error is a status other than 200 or a broken connection.

Reported per endpoint: requests, errors, p50/p95/p99 latency and throughput; for the server, the
peak resident memory of the whole process tree (master + workers, sampled from ``/proc`` every
0.2 s; pages shared between forked workers are counted once per process, so this overstates) and
``time -v``'s maximum resident set size (the largest single process).  The server is stopped
(SIGTERM to its master, by the process id this run started) when the clients are done.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.web_load import SHARED
from benchmarks.city_store import city_store

ROADS = SHARED / "network" / "sapporo_authorized_road_network_2021-11_wgs84.geojson"
DEMO_STREETS = Path(__file__).resolve().parents[1] / "data" / "demo" / "streets.geojson"
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLIENTS = 50
REQUESTS = 200  # per endpoint
DEADLINE_S = 150.0
SAMPLE_S = 0.2
#: The mix without the coordinator's search, whose ~0.3 s of CPU a request saturates two cores at 50 clients.
WITHOUT_NEAREST = ("/api/resources", "/")
#: The two servers compared: (name, gunicorn's arguments before the app).
CONFIGURATIONS = (("ours", ["-c", "python:geo_welfare.web.gunicorn_conf"]), ("previous", []))
ENDPOINTS = ("/api/resources", "/api/nearest", "/")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def _rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        total += int(match[1]) * 1024 if match else 0
    return total


class Server:
    """The production command under ``/usr/bin/time -v`` on a loopback port, its memory sampled."""

    def __init__(self, database_url: str, streets: Path, arguments: list[str]):
        self.port = _free_port()
        self.command = [str(GUNICORN), *arguments, "-b", f"127.0.0.1:{self.port}", "--timeout", "120",
                        "geo_welfare.web:create_app()"]
        environment = {**os.environ, "GEO_WELFARE_DATABASE_URL": database_url, "GEO_WELFARE_NETWORK": str(streets),
                       "GEO_WELFARE_TILES": "none", "GEO_WELFARE_SECRET_KEY": secrets.token_hex(32)}
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log")
        self.process = subprocess.Popen(["/usr/bin/time", "-v", *self.command], env=environment,
                                        stdout=self.log, stderr=self.log)
        self.peak, self._stop = 0, threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_bytes(_tree(self.process.pid)))
            self._stop.wait(SAMPLE_S)

    def wait_ready(self, timeout: float = 300.0) -> None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/session")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the server did not answer in {timeout:.0f} s:\n{self._log_text()}")

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> int | None:
        """SIGTERM to gunicorn's master (the child of the ``time`` this run started); ``time -v``'s max RSS (bytes)."""
        self._stop.set()
        masters = [pid for pid in _tree(self.process.pid) if pid != self.process.pid][:1]
        for pid in masters:
            os.kill(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in masters:
                os.kill(pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", self._log_text())
        self.log.close()
        return int(match[1]) * 1024 if match else None


def _homes(database_url: str, count: int, seed: int = 7) -> list[tuple[float, float]]:
    """Seeded random points inside the store's small areas (of the first ward, for a city), where clients live."""
    import shapely

    from geo_welfare.store import open_store
    from geo_welfare.store.read import read_areas
    small = read_areas(open_store(database_url), "small_area")
    first_ward = small["code"].str[:5] == small["code"].iloc[0][:5]
    land = shapely.union_all(small.geometry.values[first_ward.to_numpy()]).buffer(0)
    rng, found = np.random.default_rng(seed), []
    minx, miny, maxx, maxy = land.bounds
    while len(found) < count:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if land.contains(shapely.Point(x, y)):
            found.append((round(x, 6), round(y, 6)))
    return found


class Client:
    """One browser-like client: a keep-alive connection, its session cookie and CSRF token."""

    def __init__(self, port: int):
        self.port, self.connection, self.headers = port, None, {}
        status, _, response = self.send("GET", "/api/session")
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        self.headers = {"Cookie": cookie, "X-CSRFToken": json.loads(self.body)["csrf_token"]}

    def send(self, method: str, path: str, body: bytes | None = None):
        """One request: (status or the failure's name, seconds, response).

        A kept-alive connection the server has closed meanwhile (gunicorn closes idle ones after 2 s)
        is reopened and the request sent again once, as browsers do; any other failure is an error.
        """
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                self.body = response.read()
                return response.status, time.perf_counter() - started, response
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                self.connection = None
                stale = reused and isinstance(error, (http.client.RemoteDisconnected, ConnectionResetError,
                                                      BrokenPipeError))
                if attempt == 2 or not stale:
                    return type(error).__name__, time.perf_counter() - started, None
        raise AssertionError("unreachable")

    def ask(self, endpoint: str, home: tuple[float, float]) -> tuple[int | str, float]:
        if endpoint == "/api/nearest":
            body = json.dumps({"lon": home[0], "lat": home[1], "k": 5}).encode()
            status, seconds, _ = self.send("POST", endpoint, body)
        else:
            status, seconds, _ = self.send("GET", endpoint)
        return status, seconds


def _drive(port: int, homes: list[tuple[float, float]],
           endpoints: tuple[str, ...] = ENDPOINTS) -> tuple[dict[str, list], float]:
    """Every client's requests until the budget is spent or the deadline passes: {endpoint: [(status, s)]}."""
    clients = [Client(port) for _ in range(CLIENTS)]
    _run_all(clients, lambda client: [client.ask(endpoint, homes[0]) for endpoint in endpoints], None)  # warm-up
    budget: queue.Queue = queue.Queue()
    for number in range(REQUESTS):
        for endpoint in endpoints:
            budget.put((endpoint, homes[number % len(homes)]))
    results: dict[str, list] = {endpoint: [] for endpoint in endpoints}
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + DEADLINE_S

    def work(client: Client) -> None:
        while time.monotonic() < deadline:
            try:
                endpoint, home = budget.get_nowait()
            except queue.Empty:
                return
            answer = client.ask(endpoint, home)
            with lock:
                results[endpoint].append(answer)

    _run_all(clients, work, deadline)
    return results, time.monotonic() - started


def _run_all(clients: list[Client], work, deadline: float | None) -> None:
    """``work(client)`` for every client at once, each in its own thread; waits for them all.

    A request in flight at the deadline may finish (up to the client's timeout).
    """
    threads = [threading.Thread(target=work, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=None if deadline is None else max(1.0, deadline + 130 - time.monotonic()))


def _stores(directory: Path) -> list[tuple[str, str, Path]]:
    """(name, store URL, street file) of each store measured: the whole city and the demo town."""
    from geo_welfare.store.demo import import_demo_town
    from geo_welfare.store import open_store
    stores = []
    shutil.copy(city_store(), directory / "city.sqlite")  # built from ../shared/data the first time
    stores.append(("Sapporo, whole city", f"sqlite:///{directory / 'city.sqlite'}", ROADS))
    demo = f"sqlite:///{directory / 'demo.sqlite'}"
    import_demo_town(open_store(demo))
    stores.append(("demo town", demo, DEMO_STREETS))
    return stores


def measure(database_url: str, streets: Path, arguments: list[str], endpoints: tuple[str, ...] = ENDPOINTS) -> dict:
    """One server (``arguments`` to gunicorn) on one store under the clients asking ``endpoints``; its figures."""
    server = Server(database_url, streets, arguments)
    try:
        server.wait_ready()
        results, elapsed = _drive(server.port, _homes(database_url, REQUESTS), endpoints)
    finally:
        time_max_rss = server.stop()
    return {"command": " ".join(server.command[:-1] + ["'geo_welfare.web:create_app()'"]), "elapsed_s": elapsed,
            "peak_rss_bytes": server.peak, "time_max_rss_bytes": time_max_rss,
            "endpoints": {endpoint: _summary(answers, elapsed) for endpoint, answers in results.items()}}


def run() -> list[dict]:
    """Every store under each configuration, ours first; the network built once per store beforehand."""
    from geo_welfare.core.config import cache_directory
    from geo_welfare.network.cache import load_network
    found = []
    with tempfile.TemporaryDirectory() as directory:
        for name, url, streets in _stores(Path(directory)):
            load_network(streets, cache_directory(url))  # built once here; every worker loads the cached build
            found.append({"store": name, **{label: measure(url, streets, arguments)
                                            for label, arguments in CONFIGURATIONS},
                          "ours_without_nearest": measure(url, streets, CONFIGURATIONS[0][1], WITHOUT_NEAREST)})
    return found


def _summary(answers: list[tuple[int | str, float]], elapsed: float) -> dict:
    seconds = np.array([s for _, s in answers]) * 1000
    failures = Counter(str(status) for status, _ in answers if status != 200)
    errors = sum(failures.values())
    p50, p95, p99 = np.percentile(seconds, [50, 95, 99]) if len(seconds) else (np.nan,) * 3
    return {"requests": len(answers), "errors": errors, "failures": dict(failures), "p50_ms": p50, "p95_ms": p95,
            "p99_ms": p99,
            "per_s": len(answers) / elapsed if elapsed else 0.0}


#: The issue's targets: p99 per endpoint, milliseconds.
TARGET_P99_MS = {"/api/resources": 300, "/api/nearest": 300, "/": 1500}


def _print(label: str, result: dict) -> None:
    print(f"  {label}: {result['command']}; ran {result['elapsed_s']:.1f} s")
    print(f"    {'endpoint':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>8}")
    for endpoint, row in result["endpoints"].items():
        print(f"    {endpoint:<16}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
              f"{row['p99_ms']:>9.0f}{row['per_s']:>8.1f}  {row['failures'] or ''}")
    peak, largest = result["peak_rss_bytes"], result["time_max_rss_bytes"]
    print(f"    server memory: peak {peak / 2**20:.0f} MiB for master + workers (sampled, shared pages counted in each); "
          f"largest process {largest / 2**20 if largest else float('nan'):.0f} MiB (time -v)")


def main() -> list[dict]:
    results = run()
    print(f"loopback, {CLIENTS} clients, {REQUESTS} requests per endpoint or {DEADLINE_S:.0f} s; nproc = {os.cpu_count()}")
    for result in results:
        print(f"{result['store']}:")
        for label, _ in CONFIGURATIONS:
            _print(label, result[label])
        _print("ours, the same clients asking only /api/resources and /", result["ours_without_nearest"])
        ours, previous = result["ours"]["endpoints"], result["previous"]["endpoints"]
        for endpoint, target in TARGET_P99_MS.items():
            p99, before = ours[endpoint]["p99_ms"], previous[endpoint]["p99_ms"]
            met = p99 < target and ours[endpoint]["errors"] == 0
            print(f"    {endpoint:<16} p99 {p99:7.0f} ms (previous {before:7.0f} ms, {before / p99:5.1f}x); "
                  f"target < {target} ms, no errors: {'met' if met else 'NOT met'}")
    return results


if __name__ == "__main__":
    main()
