"""Print maps with walking areas for Sapporo: one district page, and an atlas of the elementary districts.

Each case runs in a process of its own, so that its time and its peak memory (``ru_maxrss`` of the
process, and of its largest worker) are its own:

* ``command``: ``geo-welfare map district 01101:資生館小学校 --service-minutes 10`` with the real streets, as a
  user types it, in a process of its own: what the user waits for, Python's start and imports included.
* ``one``: the same command in-process, from reading the store to the saved PDF (the Python start and
  imports given apart); its page must read as the command's.  The peer, with ``--uncropped``, is the same
  page with the walking area computed from every place of the city, as it was before (slow: minutes and
  several GB).
* ``web``: the same page as a CSW downloads it from the CSW page (``/district/…/map.pdf?minutes=10``),
  served by the README's production command (gunicorn, warmed as it starts) over HTTP on loopback:
  the first download and the median of :data:`WEB_REPEATS`, and the server's peak memory.  Its page
  must read as the command's.
* ``all``: the pages of the elementary districts (all 202, or ``--sample N`` of them evenly spread)
  drawn in parallel on every core, and the same pages drawn one after the other in one process
  (``--jobs 1``, the serial path) as the peer; seconds per page and the ratio.  The two sets of PDFs
  are compared page by page (their text, by ``pdftotext``) before any time is printed.

The store is copied first (with its network cache beside it) since opening a store brings its
schema up to date; nothing is written to the original.  The ``cache`` case then makes sure the copy's
cache holds the street file's lines and network in this code's format (built once per street file,
as a user's first command with it does; timed and printed apart), so every case reads them cached.

Run: ``python -m benchmarks.printmap [--sample 24] [--minutes 10] [--uncropped]``.  Targets from the
issue: one page under 2 s; the atlas under 1.4 s a page (QGIS's atlas: 2.8–4.2 s a page, QGIS #54461).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from benchmarks.city_store import city_store

REPOSITORY = Path(__file__).resolve().parents[1]
NETWORK = REPOSITORY.parent / "shared" / "data" / "sapporo" / "network" / \
    "sapporo_authorized_road_network_2021-11_wgs84.geojson"
PAGE = "01101:資生館小学校"

#: One case, run as ``python -m benchmarks.printmap --case …``: prints one JSON line.
CASES = ("one", "all", "cache", "command", "web")
#: Downloads timed from the served page (the first is printed apart).
WEB_REPEATS = 7


def _usage() -> dict:
    """Peak memory of this process and of its largest worker, and the CPU seconds of both together.

    The CPU seconds are given beside the wall-clock ones because the machine may be shared: on a
    busy machine the wall clock measures the neighbours as much as the code.
    """
    import resource
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"peak_mb": round(own.ru_maxrss / 1024), "worker_peak_mb": round(workers.ru_maxrss / 1024),
            "cpu_s": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime}


def _case_one(args) -> dict:
    """The one-page command, in this process (imports timed apart), with the walk cropped or not."""
    started = time.perf_counter()
    from geo_welfare.cli import main
    import geo_welfare.maps.reach as reach
    imported, cpu_imported = time.perf_counter(), _usage()["cpu_s"]
    if args.uncropped:  # the page's area from every place of the city, as before
        reach.WalkingReach.area_near = lambda self, bounds, crs: self.area
    walk = ["--service-minutes", f"{args.minutes:g}"] if args.minutes else []
    main.main(["--database", args.database, "map", "district", PAGE, "--network", str(args.network), *walk,
               "--output", str(args.out / "one.pdf")], standalone_mode=False)
    done, usage = time.perf_counter(), _usage()
    return {"imports_s": imported - started, "page_s": done - imported, **usage,
            "page_cpu_s": usage["cpu_s"] - cpu_imported}


def _case_command(args) -> dict:
    """The one-page command as a user types it, in a process of its own: what the user waits for."""
    script = Path(sys.executable).with_name("geo-welfare")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from geo_welfare.cli import main; main()"]
    walk = ["--service-minutes", f"{args.minutes:g}"] if args.minutes else []
    started = time.perf_counter()
    result = subprocess.run(command + ["--database", args.database, "map", "district", PAGE, "--network",
                                       str(args.network), *walk, "--output", str(args.out / "command.pdf")],
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"the command failed:\n{result.stderr[-3000:]}")
    usage = _usage()  # its own process is the only child
    return {"command_s": wall, "command_cpu_s": usage["cpu_s"], "command_peak_mb": usage["worker_peak_mb"]}


def _case_web(args) -> dict:
    """The CSW's download from the served page (production command, warmed at start), timed over HTTP."""
    import http.client
    from urllib.parse import quote

    from benchmarks.load import CONFIGURATIONS, Server
    walk = f"?minutes={args.minutes:g}" if args.minutes else ""
    path = f"/district/elementary-district/{quote(PAGE)}/map.pdf{walk}"
    server = Server(args.database, args.network, dict(CONFIGURATIONS)["ours"])
    seconds, body = [], b""
    try:
        started = time.perf_counter()
        server.wait_ready()
        ready = time.perf_counter() - started
        for _ in range(WEB_REPEATS):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            began = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            body = answer.read()
            seconds.append(time.perf_counter() - began)
            connection.close()
            if answer.status != 200:
                raise SystemExit(f"the download answered {answer.status}: {body[:500]!r}")
    finally:
        peak = server.stop()
    (args.out / "web.pdf").write_bytes(body)
    return {"ready_s": ready, "first_s": seconds[0], "median_s": statistics.median(seconds[1:]),
            "max_s": max(seconds), "server_peak_mb": round((peak or 0) / 2**20)}


def _sample(codes: list[str], size: int | None) -> list[str]:
    if not size or size >= len(codes):
        return codes
    step = len(codes) / size
    return [codes[int(i * step)] for i in range(size)]


def _case_all(args) -> dict:
    """The atlas through the same code as ``map district --all`` (:func:`geo_welfare.maps.atlas.draw_pages`)."""
    started = time.perf_counter()
    from geo_welfare.cli.maps import _settle, _walking_reach
    from geo_welfare.cli.base import Context
    from geo_welfare.core.config import cache_directory
    from geo_welfare.maps import load_store_layers
    from geo_welfare.maps.atlas import PageRequest, district_names, draw_pages, page_file_name
    from geo_welfare.maps.background import read_background
    imported = time.perf_counter()
    _settle()  # as the command does: the modules, then the inputs, are left out of the collector's walks
    context = Context(args.database, "ja")
    layers = load_store_layers(context.engine(), "elementary_district")
    background = read_background(streets=args.network, cache_directory=cache_directory(args.database))
    reach = _walking_reach(context, layers, args.minutes, args.network, 4.0, background)
    _settle()
    read, cpu_read = time.perf_counter(), _usage()["cpu_s"]
    codes = _sample(layers.codes, args.sample)
    names = district_names(layers)
    pages = [(code, args.out / page_file_name(code, names[code], "pdf")) for code in codes]
    failed = [r.code for r in draw_pages(PageRequest(layers, background, reach), pages, jobs=args.jobs)
              if r.failure is not None]
    done, usage = time.perf_counter(), _usage()
    return {"imports_s": imported - started, "read_s": read - imported, "pages": len(pages), "failed": failed,
            "draw_s": done - read, "total_s": done - imported, **usage, "draw_cpu_s": usage["cpu_s"] - cpu_read}


def _run_case(case: str, database: str, out: Path, args, **extra) -> dict:
    """One case in a fresh process; its JSON line."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "benchmarks.printmap", "--case", case, "--database", database,
               "--network", str(args.network), "--minutes", f"{args.minutes:g}", "--out", str(out)]
    for key, value in extra.items():
        if value is True:
            command.append(f"--{key}")
        elif value is not None and value is not False:
            command += [f"--{key}", str(value)]
    result = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _texts(folder: Path) -> dict[str, str]:
    """Each PDF's text (``pdftotext``), by file name."""
    return {pdf.name: subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                     text=True).stdout for pdf in sorted(folder.glob("*.pdf"))}


def _copy_store(work: Path) -> str:
    store = city_store()
    shutil.copy(store, work / "city.sqlite")
    cache = store.parent / "geo_welfare_cache"
    if cache.exists():
        shutil.copytree(cache, work / "geo_welfare_cache")
    return f"sqlite:///{work / 'city.sqlite'}"


def _case_cache(args) -> dict:
    """The street file's first use with this store: its lines and network built and cached (once)."""
    started = time.perf_counter()
    from geo_welfare.core.config import cache_directory
    from geo_welfare.network.cache import cached_network, cached_street_lines
    from geo_welfare.store import open_store
    open_store(args.database)  # brings the copy's schema up to date, as every command does first
    imported = time.perf_counter()
    folder = cache_directory(args.database)
    _, lines_cached = cached_street_lines(args.network, folder)
    _, network_cached = cached_network(args.network, folder)
    return {"imports_s": imported - started, "build_s": time.perf_counter() - imported,
            "was_cached": lines_cached and network_cached, **_usage()}


def _report_one(one: dict, peer: dict | None, commands: list[dict], web: dict) -> None:
    walk = f"{one['minutes']:g}-minute walking area over the real streets" if one["minutes"] else "no walking area"
    print(f"one page ({PAGE}, {walk}):")
    print(f"  downloaded from the CSW page (production command, warmed): {web['median_s']:.2f} s median of "
          f"{WEB_REPEATS - 1} after a first {web['first_s']:.2f} s (slowest {web['max_s']:.2f} s); server ready "
          f"{web['ready_s']:.1f} s after start, peak {web['server_peak_mb']} MB (all its processes)")
    for command, when in zip(commands, ("first run", "again")):
        print(f"  the whole command, as typed (Python start to saved PDF), {when}: {command['command_s']:.2f} s, "
              f"{command['command_cpu_s']:.2f} CPU s, peak {command['command_peak_mb']} MB "
              f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  ratio command (again) / download: {commands[-1]['command_s'] / web['median_s']:.1f}x")
    print(f"  in-process, from reading the store to the saved PDF: {one['page_s']:.2f} s "
          f"(+ {one['imports_s']:.2f} s Python start and imports), {one['page_cpu_s']:.2f} CPU s, "
          f"peak {one['peak_mb']} MB")
    if peer is not None:
        print(f"  peer, the walk from every place of the city (uncropped): {peer['page_s']:.2f} s, "
              f"{peer['page_cpu_s']:.2f} CPU s, peak {peer['peak_mb']} MB; ratio {peer['page_s'] / one['page_s']:.1f}x")


def _report_all(parallel: dict, serial: dict, jobs: int | None) -> None:
    n = parallel["pages"]
    per, per_serial = parallel["draw_s"] / n, serial["draw_s"] / n
    walk = f"{parallel['minutes']:g}-minute walking areas" if parallel["minutes"] else "no walking areas"
    print(f"atlas, {n} elementary districts ({'all' if n == 202 else 'an even sample'}), {walk}:")
    workers = f"{jobs} processes" if jobs else "one process per core"
    print(f"  parallel ({workers}): {per:.2f} s a page "
          f"({parallel['draw_s']:.1f} s drawing + {parallel['read_s']:.1f} s reading the store, files and network "
          f"once), {parallel['draw_cpu_s'] / n:.2f} CPU s a page, peak {parallel['peak_mb']} MB main + "
          f"{parallel['worker_peak_mb']} MB largest worker")
    print(f"  peer, serial (one process): {per_serial:.2f} s a page ({serial['draw_s']:.1f} s), "
          f"{serial['draw_cpu_s'] / n:.2f} CPU s a page, peak {serial['peak_mb']} MB; ratio {per_serial / per:.2f}x")
    print(f"  machine load while measured (1-minute average): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if parallel["failed"] or serial["failed"]:
        print(f"  failed pages: {parallel['failed']} / {serial['failed']}")


def main(argv: list[str] | None = None) -> None:
    """Run the cases (or one, with ``--case``) and print seconds, memory and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--database")
    parser.add_argument("--network", type=Path, default=NETWORK)
    parser.add_argument("--minutes", type=float, default=10.0, help="walking area's minutes (0: none)")
    parser.add_argument("--sample", type=int, help="districts drawn in the atlas (default: all 202)")
    parser.add_argument("--jobs", type=int, help="processes of the parallel atlas (default: every core)")
    parser.add_argument("--uncropped", action="store_true", help="also time the old uncropped page (slow)")
    parser.add_argument("--skip", choices=CASES[:2], action="append", default=[])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.case:
        case = {"one": _case_one, "all": _case_all, "cache": _case_cache, "command": _case_command,
                "web": _case_web}[args.case]
        result = case(args)
        print(json.dumps({**result, "minutes": args.minutes}))
        return
    with tempfile.TemporaryDirectory(prefix="printmap-bench-") as tmp:
        work = Path(tmp)
        database = _copy_store(work)
        cache = _run_case("cache", database, work / "cache", args)
        state = "already cached" if cache["was_cached"] else "built and cached"
        print(f"the street file's first use: lines and network {state} in {cache['build_s']:.1f} s "
              f"(once per street file; every case below reads the cache)")
        print(f"  machine load (1-minute average): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if "one" not in args.skip:
            # twice: a first run after an install also compiles numba's cache and reads files cold
            commands = [_run_case("command", database, work / "one", args) for _ in range(2)]
            one = _run_case("one", database, work / "one", args)
            web = _run_case("web", database, work / "one", args)
            texts = _texts(work / "one")
            if not texts["command.pdf"] == texts["one.pdf"] == texts["web.pdf"]:
                raise SystemExit("the command's page, the in-process page and the download differ")
            peer = _run_case("one", database, work / "uncropped", args, uncropped=True) if args.uncropped else None
            _report_one(one, peer, commands, web)
        if "all" not in args.skip:
            parallel = _run_case("all", database, work / "parallel", args, sample=args.sample, jobs=args.jobs)
            serial = _run_case("all", database, work / "serial", args, sample=args.sample, jobs=1)
            serial_texts = _texts(work / "serial")
            differ = [name for name, text in _texts(work / "parallel").items() if serial_texts.get(name) != text]
            if differ:
                raise SystemExit(f"the parallel and the serial pages differ: {differ}")
            _report_all(parallel, serial, args.jobs)


if __name__ == "__main__":
    main(sys.argv[1:])
