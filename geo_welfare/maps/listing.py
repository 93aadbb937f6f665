"""The numbered list beside the map: each place's number, name, schedule in words and phone, by kind.

The list is laid out at the largest font size at which all of it fits its box (one column more
when needed); the page itself is chosen so that the map is as large as a comfortably sized list
allows (:func:`page_for`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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

#: Shares of the page body tried for the map, largest first, and the list size each must allow.
MAP_SHARES = (0.8, 0.76, 0.72, 0.68, 0.63)
COMFORTABLE_LIST_SIZE = 7.5


@dataclass(frozen=True)
class ListEntry:
    """One numbered place as the list prints it."""

    number: int
    kind: str
    name: str
    schedule: str
    phone: str | None


def entries_of(content: DistrictContent, lang: str) -> list[ListEntry]:
    """The numbered list: name, schedule in words, contact phone."""
    return [ListEntry(int(row["number"]), row["kind"], str(row["name"]),
                      describe(schedule_of(row), lang) or t("no_schedule", lang),
                      plain(row.get("phone"))) for row in content.resources.to_dict("records")]


def _list_items(entries: list[ListEntry], width: float, size: float, lang: str) -> list[tuple[str, object, float]]:
    """(kind of item, payload, height in points) for headings and entries at font ``size``."""
    items: list[tuple[str, object, float]] = []
    detail = size * 0.86
    indent = size * 2.4
    kind = None
    for entry in entries:
        if entry.kind != kind:
            kind = entry.kind
            heading = wrap(label(RESOURCE_KINDS, kind, lang), width - size * 1.4, size)
            items.append(("heading", (kind, heading), size * 1.3 * len(heading) + size * 0.25))
        name_lines = wrap(entry.name, width - indent, size)
        detail_lines = wrap(entry.schedule, width - indent, detail)
        if entry.phone:
            detail_lines += wrap(t("map_phone", lang, phone=entry.phone), width - indent, detail)
        height = len(name_lines) * size * 1.3 + len(detail_lines) * detail * 1.3 + size * 0.5
        items.append(("entry", (entry, name_lines, detail_lines), height))
    return items


def _fit_list(entries: list[ListEntry], box: Box, columns: int, s: float, lang: str):
    """The largest font size (and its columns) at which the whole list fits its box.

    Returns (size, column width, gutter, placed items, fits); a kind's heading stays with its first
    entry.  When even the smallest size overflows, what fits is drawn and ``fits`` is False.
    """
    width_all, height = box[2] - box[0], box[3] - box[1] - 14 * s
    gutter = 6 * s
    for columns_used in (columns, columns + 1):
        width = (width_all - gutter * (columns_used - 1)) / columns_used
        for size in np.arange(8.5, 4.4, -0.5) * s:
            items = _list_items(entries, width, size, lang)
            placed, column, y = [], 0, 0.0
            for index, item in enumerate(items):
                need = item[2] + (items[index + 1][2] if item[0] == "heading" and index + 1 < len(items) else 0)
                if y + need > height and y > 0:
                    column, y = column + 1, 0.0
                if column >= columns_used:
                    break
                placed.append((column, y, item))
                y += item[2]
            else:
                return size, width, gutter, placed, True
    return size, width, gutter, placed, False


def page_for(entries: list[ListEntry], paper: str, orientation: str, lang: str) -> PageLayout:
    """The page with the largest map whose list still fits at a comfortable size (a short list gives
    the map more room; a long one takes it)."""
    for share in MAP_SHARES:
        layout = page_layout(paper, orientation, share)
        size, *_, fits = _fit_list(entries, layout.points(layout.list), layout.list_columns, layout.scale, lang)
        if fits and size >= COMFORTABLE_LIST_SIZE * layout.scale:
            return layout
    return layout


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
    detail = size * 0.86
    for line in detail_lines:
        fig.text((x + indent) / page_w, line_y / page_h, line, va="top", parse_math=False, fontproperties=font(detail),
                 color="#444444")
        line_y -= detail * 1.3


def draw_list(fig: Figure, layout: PageLayout, entries: list[ListEntry], lang: str) -> bool:
    """Draw the numbered list; False when even the smallest size could not hold all of it."""
    s = layout.scale
    box = layout.points(layout.list)
    page = layout.points((0, 0, layout.width, layout.height))[2:]
    page_w, page_h = page
    top = box[3]
    if not entries:
        fig.text(box[0] / page_w, top / page_h, t("list_empty", lang), va="top", parse_math=False,
                 fontproperties=font(9 * s))
        return True
    fig.text(box[0] / page_w, top / page_h, t("list_heading", lang, count=len(entries)), va="top",
             parse_math=False, fontproperties=font(10.5 * s), color=INK)
    size, width, gutter, placed, fits = _fit_list(entries, box, layout.list_columns, s, lang)
    start = top - 14 * s
    for column, y, (kind_of_item, payload, _height) in placed:
        x = box[0] + column * (width + gutter)
        if kind_of_item == "heading":
            _draw_heading(fig, x, start - y, size, page, *payload)
        else:
            _draw_entry(fig, x, start - y, size, page, *payload, s)
    return fits
