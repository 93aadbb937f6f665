"""A resource list's consultation desk cells: the fields a place takes (相談分野 / 相談内容) and outreach (訪問).

Descriptive cells, read by the import policy of :mod:`geo_welfare.layers.cells`: a word the glossary
does not know, or an outreach cell neither yes nor no, is a warning of the import report and is left
out; it never refuses the row.  A place's kind adds the fields it takes by law (a 地域包括支援センター:
高齢・介護 and 権利擁護), an office of a national list those of its services (計画相談支援 → 障がい).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo_welfare.core import consultation_fields as consultation, glossary
from geo_welfare.io.cells import shown
from geo_welfare.layers.cells import yes_no


def desk_cells(reader, row: pd.Series, number: int, kind: str | None) -> dict[str, object]:
    """The row's ``consultation_fields`` (stored form) and ``outreach``; ``reader`` notes the warnings.

    ``reader`` is the resource reader's row reader (``cell`` and ``warn``, :mod:`geo_welfare.layers.resources`).
    """
    fields, unknown = consultation.consultation_fields(reader.cell(row, "consultation_fields"))
    if unknown:
        reader.warn(number, "consultation_fields", "consultation_field_unknown", "、".join(unknown),
                    fields="、".join(term.ja for term in glossary.CONSULTATION_FIELDS))
    outreach = yes_no(reader.cell(row, "outreach"))
    if outreach == "?":
        reader.warn(number, "outreach", "outreach_not_yes_no", shown(reader.cell(row, "outreach")))
    by_kind = glossary.KIND_CONSULTATION_FIELDS.get(kind or "")
    return {"consultation_fields": consultation.joined_fields(fields, by_kind),
            "outreach": None if outreach == "?" else outreach}


def with_service_fields(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """An office of a national list (a frame with ``services``) with the fields of its services added."""
    if "services" not in frame.columns or frame.empty:
        return frame
    frame = frame.copy()
    frame["consultation_fields"] = [
        consultation.joined_fields(consultation.stored_fields(own), *(
            service.fields for item in services if isinstance(item, dict)
            and (service := glossary.national_service(item.get("service_type"))) is not None))
        for own, services in zip(frame["consultation_fields"], frame["services"])]
    return frame
