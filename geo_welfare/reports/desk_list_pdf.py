"""The consultation desk list on A4, like a 広報 page: a heading per field, a ruled table of its desks.

Drawn with the district profile's page (:class:`geo_welfare.reports.profile_pdf.Sheet`: the maps'
Japanese font embedded as TrueType, so ``pdftotext`` reads it back; tables that break repeat their
header), from the same tables as the HTML (:mod:`geo_welfare.reports.desk_list`), all with the same
column widths.
"""

from __future__ import annotations

import datetime

import pandas as pd

from geo_welfare.analysis.desks import DeskList
from geo_welfare.core.words import t
from geo_welfare.maps.fonts import map_style
from geo_welfare.reports.desk_list import heading, notes, sections
from geo_welfare.reports.profile_pdf import FOOT, Sheet


def desk_list_pdf(desks: DeskList, lang: str = "ja", day: datetime.date | None = None) -> bytes:
    """The A4 PDF of ``desks`` in ``lang``."""
    with map_style():
        sheet = Sheet(lang)
        title = heading(desks, lang)
        sheet.title(title, "　".join(notes(desks, lang, day)))
        found = sections(desks, lang)
        # one set of column widths for every field, as a printed list lines up from table to table
        widths = sheet.column_widths(pd.concat([table for _, _, table in found])) if found else None
        for _, label, table in found:
            sheet.heading(label, 40)
            sheet.table(table, widths)
        if found:
            sheet.paragraph(t("desks_outreach_note", lang), FOOT)
        else:
            sheet.paragraph(t("desks_none", lang))
        return sheet.save(title)
