"""A district profile as an A4 PDF, drawn with matplotlib in the maps' Japanese font.

The page is laid out top to bottom by a cursor (:class:`Sheet`): a heading, a table, a chart;
whatever does not fit goes on the next page, and a table that breaks repeats its header.  Every
size is in points (tables 9.5 pt, text 10 pt: readable at a 座談会), text is embedded as TrueType
so it can be searched and read back (``pdftotext``), and the numbers are the ones
:mod:`geo_welfare.reports.profile_tables` gives the HTML page too.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo_welfare.core.words import t
from geo_welfare.maps.fonts import font, map_style
from geo_welfare.maps.text import text_width, wrap
from geo_welfare.reports import profile_tables as tables
from geo_welfare.reports.district_profile import DistrictProfile
from geo_welfare.reports.profile_chart import chart_height, chart_note, draw_bands
from geo_welfare.reports.profile_tables import cell_text, is_number

A4_POINTS = (595.28, 841.89)
MARGIN = 42.0
TITLE, HEADING, TEXT, CELL, FOOT = 17.0, 12.5, 10.0, 9.5, 8.5
LINE = 1.35  # line height, times the size
PAD = 3.0  # cell padding, points
HEADER_FILL, RULE = "#e6ecf2", "#9aa8b5"


class Sheet:
    """Pages of an A4 document filled from the top by a cursor, in points."""

    def __init__(self, lang: str):
        self.lang = lang
        self.width, self.height = A4_POINTS
        self.pages: list[Figure] = []
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        self.figure = Figure(figsize=(self.width / 72, self.height / 72))
        self.pages.append(self.figure)
        self.y = self.height - MARGIN

    def _need(self, points: float) -> None:
        if self.y - points < MARGIN + FOOT * 2:
            self._new_page()

    def text(self, x: float, y: float, text: str, size: float, **style) -> None:
        self.figure.text(x / self.width, y / self.height, text, fontproperties=font(size), va="top", parse_math=False,
                         **style)  # a name written $\alpha$ is text, not mathtext

    def title(self, text: str, note: str) -> None:
        self.text(MARGIN, self.y, text, TITLE)
        self.y -= TITLE * LINE
        self.text(MARGIN, self.y, note, FOOT, color="#333")
        self.y -= FOOT * LINE + 6

    def heading(self, text: str, following: float = 0.0) -> None:
        """A section heading, moved to the next page with ``following`` points of what comes under it."""
        self._need(HEADING * LINE + 4 + following)
        self.y -= 6
        self.text(MARGIN, self.y, text, HEADING, color="#1f3a5f")
        self.y -= HEADING * LINE + 2

    def paragraph(self, text: str, size: float = TEXT) -> None:
        for line in wrap(text, self.width - 2 * MARGIN, size):
            self._need(size * LINE)
            self.text(MARGIN, self.y, line, size)
            self.y -= size * LINE
        self.y -= 2

    def _widths(self, frame: pd.DataFrame) -> list[float]:
        """Column widths: each its widest cell or header; when they do not fit, the widest give way first.

        One cap for every column (found by bisection) so that the page is filled: a column narrower
        than the cap (a phone number, a short header) stays whole, a wider one wraps at the cap, and a
        column of numbers never gets narrower than its numbers.
        """
        space = self.width - 2 * MARGIN
        cells = [[text_width(cell_text(v), CELL) + 2 * PAD for v in frame[c]] for c in frame.columns]
        natural = [max([text_width(str(c), CELL) + 2 * PAD] + one) for c, one in zip(frame.columns, cells)]
        if sum(natural) <= space:
            return natural
        floors = [max(one, default=0.0) if len(one) and all(is_number(v) or v == "" for v in frame[c]) else 4 * CELL
                  for c, one in zip(frame.columns, cells)]
        low, high = 0.0, max(natural)
        for _ in range(40):
            cap = (low + high) / 2
            if sum(max(f, min(n, cap)) for f, n in zip(floors, natural)) > space:
                high = cap
            else:
                low = cap
        return [max(f, min(n, low)) for f, n in zip(floors, natural)]

    def _row(self, cells: list[str], widths: list[float], numbers: list[bool], fill: str | None) -> None:
        lines = [wrap(text, width - 2 * PAD, CELL) for text, width in zip(cells, widths)]
        height = max(len(one) for one in lines) * CELL * LINE + 2 * PAD
        self._need(height)
        if fill:
            self.figure.patches.append(Rectangle((MARGIN / self.width, (self.y - height) / self.height),
                                                 sum(widths) / self.width, height / self.height, color=fill,
                                                 transform=self.figure.transFigure, zorder=0))
        x = MARGIN
        for one, width, number in zip(lines, widths, numbers):
            for index, line in enumerate(one):
                y = self.y - PAD - index * CELL * LINE
                if number:
                    self.text(x + width - PAD, y, line, CELL, ha="right")
                else:
                    self.text(x + PAD, y, line, CELL)
            x += width
        self.y -= height
        self.figure.add_artist(_rule(self, sum(widths)))

    def column_widths(self, frame: pd.DataFrame) -> list[float]:
        """The widths :meth:`table` would give ``frame``'s columns (to give several tables the same ones)."""
        return self._widths(frame)

    def table(self, frame: pd.DataFrame, widths: list[float] | None = None) -> None:
        """``frame`` as a ruled table; rows that do not fit go on the next page under the header again."""
        widths = widths or self._widths(frame)
        numbers = [bool(len(frame)) and all(is_number(v) or v == "" for v in frame[c]) for c in frame.columns]
        header = [str(c) for c in frame.columns]
        self._row(header, widths, numbers, HEADER_FILL)
        for record in frame.itertuples(index=False):
            page = len(self.pages)
            cells = [cell_text(v) for v in record]
            self._need(CELL * LINE + 2 * PAD)
            if len(self.pages) != page:
                self._row(header, widths, numbers, HEADER_FILL)
            self._row(cells, widths, numbers, None)
        self.y -= 6

    def chart(self, draw: Callable, height: float, width: float = 330.0) -> None:
        self._need(height)
        ax = self.figure.add_axes(((MARGIN + 70) / self.width, (self.y - height + 28) / self.height,
                                   width / self.width, (height - 34) / self.height))
        draw(ax)
        self.y -= height

    def save(self, footer: str) -> bytes:
        """The document's bytes, each page numbered in its footer."""
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": footer}) as pdf:
            for number, page in enumerate(self.pages, start=1):
                page.text(MARGIN / self.width, (MARGIN - 4) / self.height, f"{footer}　{number} / {len(self.pages)}",
                          fontproperties=font(FOOT), color="#444", parse_math=False)
                pdf.savefig(page)
        return buffer.getvalue()


def _rule(sheet: Sheet, length: float):
    from matplotlib.lines import Line2D
    y = sheet.y / sheet.height
    return Line2D([MARGIN / sheet.width, (MARGIN + length) / sheet.width], [y, y], color=RULE, linewidth=0.5,
                  transform=sheet.figure.transFigure)


# Long because it is the profile's reading order, one section after another, in one place.
def profile_pdf(profile: DistrictProfile, lang: str = "ja", day: datetime.date | None = None) -> bytes:
    """The A4 PDF of ``profile`` in ``lang``."""
    day = day or datetime.date.today()
    with map_style():
        sheet = Sheet(lang)
        heading = t("profile_heading", lang, name=profile.name, code=profile.code)
        notes = [t("profile_made_on", lang, date=day.isoformat()),
                 t("planner_group_shown", lang, group=profile.group.label(lang))]  # whom its coverage counts
        if profile.include_staff:
            notes.insert(0, t("profile_staff_copy", lang))
        sheet.title(heading, "　".join(notes))
        sheet.heading(t("profile_section_population", lang), 60)
        sheet.table(tables.population_table(profile, lang))
        how = t("profile_shared_streets" if profile.method == "network" else "profile_shared_area", lang)
        sheet.paragraph(t("profile_population_note", lang, dataset=profile.dataset, how=how), FOOT)
        sheet.heading(t("profile_section_bands", lang), chart_height(profile) + 10)
        sheet.chart(lambda ax: draw_bands(ax, profile, lang), chart_height(profile))
        sheet.table(tables.bands_table(profile, lang))
        sheet.paragraph(chart_note(profile, lang), FOOT)
        changes = tables.changes_table(profile, lang)
        sheet.heading(tables.changes_heading(profile, lang), 60)
        if changes is None:
            sheet.paragraph(t("profile_one_dataset", lang))
        else:
            sheet.table(changes)
        sheet.heading(t("profile_section_places", lang), 40)
        if len(profile.places):
            sheet.table(tables.kinds_table(profile, lang))
        else:
            sheet.paragraph(t("profile_no_places", lang))
        minutes = f"{profile.minutes:g}"
        sheet.heading(t("profile_section_coverage", lang), 60)
        sheet.table(tables.coverage_table(profile, lang))
        sheet.paragraph(t("profile_method_note", lang, method=t(f"method_{profile.method}", lang)) + "　" +
                        t("profile_coverage_note", lang), FOOT)
        sheet.heading(t("profile_section_gaps", lang, minutes=minutes), 40)
        if len(profile.gaps):
            sheet.table(tables.gaps_table(profile, lang))
        else:
            sheet.paragraph(t("profile_no_gaps", lang))
        sheet.heading(t("profile_section_capacity", lang, minutes=minutes), 40)
        sheet.table(tables.capacity_table(profile, lang))
        if profile.places_without_capacity:
            sheet.paragraph(t("profile_capacity_unknown", lang, count=profile.places_without_capacity), FOOT)
        sheet.heading(t("profile_section_attributes", lang), 40)
        if len(profile.attributes):
            sheet.table(tables.attributes_table(profile, lang))
        else:
            sheet.paragraph(t("profile_no_attributes", lang))
        sheet.heading(t("profile_section_list", lang), 40)
        if len(profile.places):
            sheet.table(tables.places_table(profile, lang))
        else:
            sheet.paragraph(t("profile_no_places", lang))
        return sheet.save(f"{t('profile_title', lang)} {profile.name}")
