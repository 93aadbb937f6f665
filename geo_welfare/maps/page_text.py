"""The words around the map: the title line (name, area level, date, staff-copy mark) and the credits.

Credits are required by the data's licences, so the footer shrinks its font (down to 4.5 pt) to
hold them all rather than dropping one.
"""

from __future__ import annotations

import datetime

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo_welfare.core.glossary import AREA_UNITS, label
from geo_welfare.maps.content import DistrictContent
from geo_welfare.maps.fonts import font
from geo_welfare.maps.layout import PageLayout
from geo_welfare.maps.palette import INK
from geo_welfare.maps.text import text_width, wrap
from geo_welfare.core.words import Word, t
from geo_welfare.maps.words import date_text


def draw_title(fig: Figure, layout: PageLayout, content: DistrictContent, title: str, day: datetime.date,
               lang: str, demo: bool) -> None:
    """Title and area level on the left, the date (and the staff-copy mark) on the right, a rule under."""
    s = layout.scale
    box = layout.points(layout.title)
    page_w, page_h = layout.points((0, 0, layout.width, layout.height))[2:]
    date = t("made_on", lang, date=date_text(day, lang))
    room = box[2] - box[0] - text_width(date, 9 * s) - 6 * s
    size = 19 * s
    while text_width(title, size) > room and size > 12 * s:  # a long name (or large print) clear of the date
        size -= 0.5 * s
    fig.text(box[0] / page_w, box[3] / page_h, title, va="top", parse_math=False, fontproperties=font(size),
             color=INK)
    subtitle = label(AREA_UNITS, content.unit, lang) + (f"（{content.municipality}）" if lang == "ja" and
                                                         content.municipality else
                                                         f" ({content.municipality})" if content.municipality else "")
    notes = [subtitle] + ([t("demo_note", lang)] if demo else [])
    fig.text(box[0] / page_w, (box[1] + 1 * s) / page_h, "　".join(notes) if lang == "ja" else " · ".join(notes),
             va="bottom", parse_math=False, fontproperties=font(9 * s), color="#555555")
    fig.text(box[2] / page_w, box[3] / page_h, date, va="top", ha="right",
             parse_math=False, fontproperties=font(9 * s), color="#555555")
    if content.include_staff:
        fig.text(box[2] / page_w, (box[1] + 1 * s) / page_h, t("staff_copy", lang), va="bottom", ha="right",
                 parse_math=False, fontproperties=font(9 * s), color="#b2182b")
    fig.add_artist(Line2D([box[0] / page_w, box[2] / page_w], [(box[1] - 1.5 * s) / page_h] * 2, color=INK,
                          linewidth=0.8 * s, transform=fig.transFigure))


def draw_credits(fig: Figure, layout: PageLayout, lines: list[str], lang: str) -> None:
    """The data sources in the footer, wrapped, at the largest size (down to 4.5 pt) that fits."""
    s = layout.scale
    box = layout.points(layout.footer)
    page_w, page_h = layout.points((0, 0, layout.width, layout.height))[2:]
    size = 6.2 * s
    text = t("credits_footer", lang, sources=Word("sources"), lines=t("credit_lines_separator", lang).join(lines))
    wrapped = wrap(text, box[2] - box[0], size)
    while len(wrapped) * size * 1.3 > box[3] - box[1] and size > 4.5 * s:
        size -= 0.3 * s
        wrapped = wrap(text, box[2] - box[0], size)
    fig.text(box[0] / page_w, box[3] / page_h, "\n".join(wrapped), va="top", parse_math=False,
             fontproperties=font(size), color="#444444", linespacing=1.3)


def draw_page_number(fig: Figure, layout: PageLayout, number: int, pages: int, lang: str) -> None:
    """「1/2ページ」 under the footer's right end, on a map whose list takes more than one page."""
    s = layout.scale
    box = layout.points(layout.footer)
    page_w, page_h = layout.points((0, 0, layout.width, layout.height))[2:]
    fig.text(box[2] / page_w, (box[1] - 2 * s) / page_h, t("map_page_of", lang, page=number, pages=pages),
             va="top", ha="right", parse_math=False, fontproperties=font(8 * s), color="#444444")
