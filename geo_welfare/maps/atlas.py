"""Many district pages at once (an atlas): the layers read once, the pages drawn on every core.

The store's layers, the background files and the street network are read once, before any page
is drawn; worker processes are then forked from that state, so each sees the same network and
layers without a copy being made or sent (copy-on-write pages of memory), and draws whole pages:
content, walking area, rendering, saving.  Pages come back in the order asked for, each with what
the user should hear about it; a page that fails is reported as such and the others are still
written.  One page, or one worker, is drawn in this process (the serial path).
"""

from __future__ import annotations

import datetime
import gc
import multiprocessing
import os
import re
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from geo_welfare.core.errors import GeoWelfareError
from geo_welfare.core.values import plain
from geo_welfare.core.words import t
from geo_welfare.maps.background import Background
from geo_welfare.maps.content import StoreLayers, district_content
from geo_welfare.maps.layout import LARGE_PRINT_PAPER
from geo_welfare.maps.reach import WalkingReach
from geo_welfare.maps.render import DEFAULT_DPI, render_district_map

#: Times the pages still owed are handed to a fresh set of workers after one died (killed for memory …).
POOL_RESTARTS = 2


@dataclass(frozen=True)
class PageRequest:
    """Everything every page of an atlas shares: read once, then drawn from by each page."""

    layers: StoreLayers
    background: Background
    reach: WalkingReach | None = None
    paper: str = "A4"
    orientation: str = "auto"
    lang: str = "ja"
    extra_credits: Sequence[str] = ()
    fmt: str = "pdf"
    dpi: int = DEFAULT_DPI
    day: datetime.date | None = None
    large_print: bool = False

    @property
    def paper_name(self) -> str:
        """The paper as the file name says it: ``A4``, ``A3``, or ``A3_large`` for large print."""
        return f"{LARGE_PRINT_PAPER}_large" if self.large_print else self.paper


@dataclass(frozen=True)
class PageResult:
    """One page as written (``path``), or why it was not (``failure``, in the request's language)."""

    code: str
    path: Path
    count: int = 0  # places listed
    crowded: list[int] = field(default_factory=list)  # numbers whose label overlaps
    list_fits: bool = True
    failure: str | None = None


def page_file_name(code: str, name: str, fmt: str) -> str:
    """``E02_デモ本町小学校区.pdf``: code first so the files sort as the districts do.

    A code that already ends with the district's name (Sapporo's ``01101:資生館小学校``) does not say
    it twice: ``01101_資生館小学校_A4.pdf``, not ``01101_資生館小学校_資生館小学校_A4.pdf``.
    """
    tail = re.split(r"[:：_\s]", code)[-1]
    text = f"{code}{name[len(tail):]}" if tail != code and tail and name.startswith(tail) else f"{code}_{name}"
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")
    return f"{safe}.{fmt}"


def map_file_name(code: str, name: str, paper: str, fmt: str, minutes: float | None = None,
                  hazards: Sequence[str] = ()) -> str:
    """``E02_デモ本町小学校区_A4.pdf``: district, paper and format, so an A4 and an A3 download of the
    same district (or its PDF and PNG) never take each other's name in a downloads folder; a page
    with a walking area or hazard zones says so too (``E02_デモ本町小学校区_A4_10min_flood.pdf``)."""
    extra = (f"_{minutes:g}min" if minutes else "") + "".join(f"_{hazard}" for hazard in hazards)
    return page_file_name(code, f"{name}_{paper}{extra}", fmt)


def district_names(layers: StoreLayers) -> dict[str, str]:
    """Each district's name as its page's title says it (the code where the store has no name)."""
    districts = layers.districts
    return {str(code): str(plain(name) or code) for code, name in zip(districts["code"], districts["name"])}


def draw_page(request: PageRequest, code: str, target: Path, *, catch: bool = True) -> PageResult:
    """Draw and save the page of district ``code`` to ``target``.

    With ``catch`` (an atlas), a failure is returned in the result rather than raised, so that one
    page's trouble does not cost the others.
    """
    if not catch:
        return _draw(request, code, target)
    try:
        return _draw(request, code, target)
    except GeoWelfareError as error:
        return PageResult(code, target, failure=error.message(request.lang))
    except Exception as error:  # noqa: BLE001 - one page's bug must not cost the other pages
        return PageResult(code, target, failure=f"{type(error).__name__}: {error}")


def _draw(request: PageRequest, code: str, target: Path) -> PageResult:
    page = render_district_map(district_content(request.layers, code), background=request.background,
                               paper=request.paper, orientation=request.orientation, lang=request.lang,
                               reach=request.reach, day=request.day, extra_credits=request.extra_credits,
                               large_print=request.large_print)
    page.save(target, request.fmt, dpi=request.dpi)
    return PageResult(code, target, len(page.entries), page.crowded, page.list_fits or request.fmt == "pdf")


def default_jobs() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


#: The request the forked workers draw from (set before they are forked; never sent to them).
_SHARED: PageRequest | None = None


def _draw_shared(code: str, target: Path) -> PageResult:
    assert _SHARED is not None, "workers are forked after the request is shared"
    return draw_page(_SHARED, code, target)


def _warm(request: PageRequest, first_code: str) -> None:
    """Build once, before forking, what each worker would otherwise build for itself.

    The first page's walking area (which builds the network's indexes and whatever else the
    planner's walk keeps on it), and the background's spatial indexes (each page's rows are chosen
    from them).
    """
    try:
        content = district_content(request.layers, first_code)
        if request.reach is not None:
            request.reach.area_near(content.bounds, content.crs)
    except Exception:  # noqa: BLE001 - that page will say what is wrong; warming is only a saving
        return
    for layer in ("streets", "water", "railway"):
        frame = getattr(request.background, layer)
        if frame is not None and not frame.empty:
            frame.sindex  # noqa: B018 - built on first use


def draw_pages(request: PageRequest, pages: Sequence[tuple[str, Path]], *, jobs: int | None = None,
               on_done: Callable[[PageResult], None] | None = None) -> Iterator[PageResult]:
    """Draw ``pages`` (code, target file) on ``jobs`` processes; yields the results in the order asked.

    ``on_done`` hears of each page as soon as it is written, in whatever order they finish (a
    progress bar); the results themselves come in the order of ``pages``.
    """
    jobs = max(1, min(jobs or default_jobs(), len(pages)))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for code, target in pages:
            result = draw_page(request, code, target)
            if on_done:
                on_done(result)
            yield result
        return
    yield from _in_workers(request, list(pages), jobs, on_done)


def _in_workers(request: PageRequest, pages: list[tuple[str, Path]], jobs: int,
                on_done: Callable[[PageResult], None] | None) -> Iterator[PageResult]:
    """The pages on forked workers, handed out one by one (the slow pages do not hold the others)."""
    global _SHARED
    _warm(request, pages[0][0])
    gc.freeze()  # before forking: the workers' collectors leave the shared state (and its memory pages) alone
    _SHARED = request
    done: dict[int, PageResult] = {}
    owed = list(range(len(pages)))
    next_out = 0
    try:
        for _attempt in range(POOL_RESTARTS + 1):
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                running: dict[Future, int] = {pool.submit(_draw_shared, *pages[i]): i for i in owed}
                while running:
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        index = running.pop(future)
                        try:
                            done[index] = future.result()
                        except BrokenProcessPool:
                            continue  # owed again below
                        if on_done:
                            on_done(done[index])
                    while next_out in done:
                        yield done[next_out]
                        next_out += 1
            owed = [i for i in range(len(pages)) if i not in done]
            if not owed:
                break
    finally:
        _SHARED = None
        gc.unfreeze()  # a long-lived caller (a server) collects what it made before as usual again
    lost = t("map_worker_lost", request.lang)
    for index in range(next_out, len(pages)):
        result = done.get(index) or PageResult(pages[index][0], pages[index][1], failure=lost)
        if index not in done and on_done:
            on_done(result)
        yield result
