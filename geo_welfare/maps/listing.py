"""The numbered list beside the map: each place's number, name, schedule in words and phone, by kind.

The list is laid out at the largest font size at which all of it fits its box (one column more
when needed); the page itself is chosen so that the map is as large as a comfortably sized list
allows (:func:`page_for`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo_welfare.core.glossary import RESOURCE_KINDS, label
from geo_welfare.core.values import plain
from geo_welfare.layers.schedules import describe, schedule_of
from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.fonts import font
from geo_welfare.maps.labels import Box
from geo_welfare.maps.layout import PageLayout, page_layout
from geo_welfare.maps.palette import INK
from geo_welfare.maps.style import RESOURCE_COLOURS, RESOURCE_MARKERS
from geo_welfare.maps.text import text_width, wrap
from geo_welfare.core.words import t

#: Shares of the page body tried for the map, largest first; the first whose list fits on the page
#: at a meeting size is taken, else the largest (the list then continues on the next page).
MAP_SHARES = (0.8, 0.76, 0.72, 0.68, 0.63)
#: Name sizes tried on A4 (scaled for A3), largest first: 10 pt is the least a 座談会 reads at arm's length.
NAME_SIZES = (11.0, 10.5, 10.0)
#: Schedule, address and phone against the name: 0.9 × 10 pt = 9 pt, the least for the list's details.
DETAIL_RATIO = 0.9
LIST_HEADING_GAP = 14  # points (A4) under the list's heading
GUTTER = 6  # points (A4) between columns
#: Columns of a continuation page (the whole body holds the list).
CONTINUATION_COLUMNS = {"portrait": 2, "landscape": 3}
MAX_PAGES = 30
CONTINUES_NOTE = 14  # points (A4) kept under a list that continues, for the note saying so


@dataclass(frozen=True)
class ListEntry:
    """One numbered place as the list prints it."""

    number: int
    kind: str
    name: str
    schedule: str
    phone: str | None
    address: str | None = None


@dataclass(frozen=True)
class PlacedItem:
    """A heading or an entry at its place: page (0 is the map's page), left edge and top (points)."""

    page: int
    x: float
    top: float
    kind: str  # "heading" or "entry"
    payload: tuple


def entries_of(content: DistrictContent, lang: str) -> list[ListEntry]:
    """The numbered list: name, schedule in words, address, contact phone."""
    return [ListEntry(int(row["number"]), row["kind"], str(row["name"]),
                      describe(schedule_of(row), lang) or t("no_schedule", lang),
                      plain(row.get("phone")), plain(row.get("address")))
            for row in content.resources.to_dict("records")]


def _list_items(entries: list[ListEntry], width: float, size: float, lang: str) -> list[tuple[str, object, float]]:
    """(kind of item, payload, height in points) for headings and entries at font ``size``."""
    items: list[tuple[str, object, float]] = []
    detail = size * DETAIL_RATIO
    indent = size * 2.4
    kind = None
    for entry in entries:
        if entry.kind != kind:
            kind = entry.kind
            heading = wrap(label(RESOURCE_KINDS, kind, lang), width - size * 1.4, size)
            items.append(("heading", (kind, heading), size * 1.3 * len(heading) + size * 0.25))
        name_lines = wrap(entry.name, width - indent, size)
        detail_lines = wrap(entry.schedule, width - indent, detail)
        if entry.address:
            detail_lines += wrap(t("map_address", lang, address=entry.address), width - indent, detail)
        if entry.phone:
            detail_lines += wrap(t("map_phone", lang, phone=entry.phone), width - indent, detail)
        height = len(name_lines) * size * 1.3 + len(detail_lines) * detail * 1.3 + size * 0.5
        items.append(("entry", (entry, name_lines, detail_lines), height))
    return items


def list_frame(layout: PageLayout) -> Box:
    """Where the list's items go on the map's page (points): the list box under its heading."""
    box = layout.points(layout.list)
    return (box[0], box[1], box[2], box[3] - LIST_HEADING_GAP * layout.scale)


def continuation_frame(layout: PageLayout) -> Box:
    """Where the list's items go on a continuation page (points): the whole body under the heading."""
    body = (layout.map[0], layout.list[1] if layout.orientation == "portrait" else layout.map[1],
            layout.list[2] if layout.orientation == "landscape" else layout.map[2], layout.map[3])
    box = layout.points(body)
    return (box[0], box[1], box[2], box[3] - LIST_HEADING_GAP * layout.scale)


def _place(entries: list[ListEntry], frames: list[tuple[Box, int]], size: float, s: float,
           lang: str) -> tuple[list[PlacedItem], int]:
    """Lay the entries out frame after frame (a frame: a page's box and its columns).

    Returns the placed items and how many entries found no room.  A kind's heading stays with its
    first entry; a kind continued on a new page gets its heading again (rewrapped for that page).
    """
    placed: list[PlacedItem] = []
    remaining = list(entries)
    gutter = GUTTER * s
    for page, (box, columns) in enumerate(frames):
        if not remaining:
            break
        width = (box[2] - box[0] - gutter * (columns - 1)) / columns
        height = box[3] - box[1]
        items = _list_items(remaining, width, size, lang)
        column, y, used = 0, 0.0, 0
        for index, item in enumerate(items):
            need = item[2] + (items[index + 1][2] if item[0] == "heading" and index + 1 < len(items) else 0)
            if y + need > height and y > 0:
                column, y = column + 1, 0.0
                carried = placed.pop() if item[0] == "entry" and placed and placed[-1].kind == "heading" and \
                    placed[-1].page == page else None
                if carried is not None and column < columns:  # the heading goes on with its first entry
                    x = box[0] + column * (width + gutter)
                    placed.append(PlacedItem(page, x, box[3], "heading", carried.payload))
                    y = items[index - 1][2]
            if column >= columns:
                break
            placed.append(PlacedItem(page, box[0] + column * (width + gutter), box[3] - y, item[0], item[1]))
            y += item[2]
            used += item[0] == "entry"
        if placed and placed[-1].kind == "heading":  # a heading whose entry went on: it goes on with it
            placed.pop()
        remaining = remaining[used:]
    return placed, len(remaining)


def _fit_list(entries: list[ListEntry], layout: PageLayout, lang: str) -> tuple[float, list[PlacedItem], bool]:
    """The largest name size (and the items placed) at which the list fits the map's page.

    Returns (size, placed items, fits); when even the smallest size overflows, the list is laid out
    at that size onto as many continuation pages as it needs and ``fits`` is False.
    """
    s = layout.scale
    first = (list_frame(layout), layout.list_columns)
    for size in NAME_SIZES:
        placed, left = _place(entries, [first], size * s, s, lang)
        if not left:
            return size * s, placed, True
    size = NAME_SIZES[-1] * s
    box = first[0]
    first = ((box[0], box[1] + CONTINUES_NOTE * s, box[2], box[3]), first[1])  # room for 「次のページに続きます」
    more = (continuation_frame(layout), CONTINUATION_COLUMNS[layout.orientation])
    placed, _ = _place(entries, [first] + [more] * MAX_PAGES, size, s, lang)
    return size, placed, False


def page_for(entries: list[ListEntry], paper: str, orientation: str, lang: str,
             large_print: bool = False) -> PageLayout:
    """The page with the largest map whose list still fits on it at a meeting size (a short list
    gives the map more room; a long one takes it).  A list that fits on none gets the most room for
    its first part (the smallest map share) and continues on the next page."""
    for share in MAP_SHARES:
        layout = page_layout(paper, orientation, share, large_print)
        if _fit_list(entries, layout, lang)[2]:
            return layout
    return page_layout(paper, orientation, MAP_SHARES[-1], large_print)


def _draw_heading(fig: Figure, x: float, line_y: float, size: float, page: tuple[float, float], kind: str,
                  heading: list[str]) -> None:
    """A kind's heading: its symbol, then its name."""
    page_w, page_h = page
    fig.add_artist(Line2D([(x + size * 0.5) / page_w], [(line_y - size * 0.75) / page_h],
                          marker=RESOURCE_MARKERS.get(kind, "o"), color=RESOURCE_COLOURS.get(kind, "#666"),
                          markeredgecolor=INK, markeredgewidth=0.6, markersize=size * 0.9, linestyle="none",
                          transform=fig.transFigure))
    for number, line in enumerate(heading):
        fig.text((x + size * 1.4) / page_w, (line_y - size * 0.2 - number * size * 1.3) / page_h, line,
                 va="top", parse_math=False, fontproperties=font(size), color="#444444")


def _draw_entry(fig: Figure, x: float, line_y: float, size: float, page: tuple[float, float], entry: ListEntry,
                name_lines: list[str], detail_lines: list[str], s: float) -> None:
    """One place: its number in a badge of its kind's colour, its name, then schedule and phone smaller."""
    page_w, page_h = page
    colour = RESOURCE_COLOURS.get(entry.kind, "#666666")
    badge_w = max(text_width(str(entry.number), size) + size * 0.7, size * 1.5)
    fig.text((x + badge_w / 2) / page_w, (line_y - size * 0.62) / page_h, str(entry.number), ha="center",
             va="center_baseline", parse_math=False, fontproperties=font(size), color=INK,
             bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": colour, "linewidth": 1.0 * s})
    indent = size * 2.4
    for line in name_lines:
        fig.text((x + indent) / page_w, line_y / page_h, line, va="top", parse_math=False, fontproperties=font(size),
                 color=INK)
        line_y -= size * 1.3
    detail = size * DETAIL_RATIO
    for line in detail_lines:
        fig.text((x + indent) / page_w, line_y / page_h, line, va="top", parse_math=False, fontproperties=font(detail),
                 color="#444444")
        line_y -= detail * 1.3


def list_pages(entries: list[ListEntry], layout: PageLayout, lang: str) -> int:
    """How many pages the list takes (1: it fits beside the map)."""
    _size, placed, _fits = _fit_list(entries, layout, lang)
    return 1 + max((item.page for item in placed), default=0)


def draw_list(figures: Callable[[int], Figure], layout: PageLayout, entries: list[ListEntry], lang: str) -> int:
    """Draw the numbered list; returns the pages it takes (1 when it fits beside the map).

    ``figures(n)`` gives the figure of page ``n`` (0: the map's page; later ones are made on demand
    by the caller, with their title and credits).
    """
    s = layout.scale
    fig = figures(0)
    box = layout.points(layout.list)
    page = layout.points((0, 0, layout.width, layout.height))[2:]
    page_w, page_h = page
    if not entries:
        fig.text(box[0] / page_w, box[3] / page_h, t("list_empty", lang), va="top", parse_math=False,
                 fontproperties=font(9 * s))
        return 1
    fig.text(box[0] / page_w, box[3] / page_h, t("list_heading", lang, count=len(entries)), va="top",
             parse_math=False, fontproperties=font(11 * s), color=INK)
    size, placed, fits = _fit_list(entries, layout, lang)
    pages = 1 + max((item.page for item in placed), default=0)
    for number in range(1, pages):
        top = continuation_frame(layout)[3] + LIST_HEADING_GAP * s
        figures(number).text(continuation_frame(layout)[0] / page_w, top / page_h,
                             t("list_continued", lang, count=len(entries)), va="top", parse_math=False,
                             fontproperties=font(11 * s), color=INK)
    if not fits:
        fig.text(box[0] / page_w, box[1] / page_h, t("list_continues", lang), va="bottom",
                 parse_math=False, fontproperties=font(9 * s), color="#444444")
    for item in placed:
        target = figures(item.page)
        if item.kind == "heading":
            _draw_heading(target, item.x, item.top, size, page, *item.payload)
        else:
            _draw_entry(target, item.x, item.top, size, page, *item.payload, s)
    return pages
