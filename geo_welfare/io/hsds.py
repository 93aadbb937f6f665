"""Resources as Open Referral HSDS 3.0 ``service`` records, for exchange with human-services tools.

Each resource becomes a service offered at one location, with its recurrence rules as HSDS
``schedule`` objects (RFC 5545 parts: ``freq``, ``interval``, ``byday``, ``opens_at``,
``closes_at``) and the original Japanese text as the schedule ``description``, so nothing the
municipality wrote is lost even where the rules could not capture it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import geopandas as gpd

from geo_welfare.core.values import plain
from geo_welfare.core.glossary import RESOURCE_KINDS, label
from geo_welfare.core.words import SOURCE_LANGUAGE, t, word

#: Namespace for deterministic HSDS ids (uuid5 of source + source_id), so exports are stable.
ID_NAMESPACE = uuid.UUID("6f1d3a52-3b0e-4c57-9a43-2f6c7d0b9e11")


def _id(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(p) for p in parts)))


def _schedule_notes(resource: dict) -> list[str]:
    """What the rules cannot carry (closures, 月2回, fragments not understood), as a note.

    The note sits beside the schedule ``description``, which is the municipality's own Japanese
    text, so it is written in that language too, whatever language the export is for.
    """
    times = resource.get("times_per_month")
    times_key = {1: "schedule_once_a_month", 2: "schedule_twice_a_month"}.get(times, "schedule_times_a_month")
    return [text for text in (
        word("schedule_closed_on_holidays", SOURCE_LANGUAGE) if resource.get("closed_on_holidays") else None,
        word("schedule_closed_year_end", SOURCE_LANGUAGE) if resource.get("closed_year_end") else None,
        t(times_key, SOURCE_LANGUAGE, count=times) if times else None,
        t("hsds_note_unparsed", SOURCE_LANGUAGE, text=resource["schedule_unparsed"])
        if resource.get("schedule_unparsed") else None) if text]


def service_record(resource: dict, lang: str = "ja", service: dict | None = None) -> dict:
    """One resource row (as read from the store) as an HSDS service with its location and schedules.

    With ``service`` (one of the place's services, :func:`geo_welfare.store.read.read_services`: an office of
    the national lists offering 通所介護 and 居宅介護支援), the record is that service at the place's location:
    its own type, hours, target groups and id, the location shared with the office's other services.
    """
    resource = {key: (value if key in ("schedules", "geometry") else plain(value)) for key, value in resource.items()}
    location_id = _id(resource["source"], resource["source_id"], "location")
    service_id = _id(resource["source"], resource["source_id"])
    description = label(RESOURCE_KINDS, resource["kind"], lang)
    if service is not None:
        service_id = _id(resource["source"], resource["source_id"], "service", plain(service.get("source_id")))
        description = plain(service.get("service_type")) or description
        resource = {**resource, "schedules": service.get("schedule_rules") or [],
                    **{key: plain(service.get(key)) for key in ("schedule_text", "closed_on_holidays",
                                                                "closed_year_end", "schedule_unparsed")},
                    "target_groups": plain(service.get("target_groups")) or resource.get("target_groups")}
    notes = _schedule_notes(resource)
    schedules = [{
        "id": _id(service_id, "schedule", index),
        "service_id": service_id,
        "freq": rule["freq"],
        "interval": int(rule.get("interval") or 1),
        "byday": rule.get("byday"),
        "bymonthday": rule.get("bymonthday"),
        "bymonth": rule.get("bymonth"),
        "opens_at": rule.get("opens_at"),
        "closes_at": rule.get("closes_at"),
        "wkst": "MO",
        "timezone": 9,
        "description": resource.get("schedule_text"),
        "notes": "; ".join(notes) or None,
    } for index, rule in enumerate(resource.get("schedules") or []) if not rule.get("closed")]  # 定休日: in the text
    if not schedules and resource.get("schedule_text"):
        schedules = [{"id": _id(service_id, "schedule", 0), "service_id": service_id,
                      "description": resource["schedule_text"], "notes": "; ".join(notes) or None}]
    geometry = resource["geometry"]
    return {
        "id": service_id,
        "name": resource["name"],
        "alternate_name": resource.get("name_kana"),
        "description": description,
        "url": resource.get("url"),
        "status": "active",
        "fees_description": resource.get("fee"),
        "eligibility_description": resource.get("target_groups"),
        "last_modified": resource["last_checked"].isoformat() if resource.get("last_checked") else None,
        "phones": [{"id": _id(service_id, "phone"), "number": resource["phone"]}] if resource.get("phone") else [],
        "schedules": schedules,
        "service_at_locations": [{
            "id": _id(service_id, "at", location_id),
            "service_id": service_id,
            "location_id": location_id,
            "location": {
                "id": location_id,
                "location_type": "physical",
                "name": resource["name"],
                "latitude": round(geometry.y, 7),
                "longitude": round(geometry.x, 7),
                "addresses": [{"id": _id(location_id, "address"), "address_1": resource["address"],
                               "country": "JP", "address_type": "physical"}] if resource.get("address") else [],
            },
        }],
    }


def write_hsds(resources: gpd.GeoDataFrame, output: Path, lang: str = "ja", services=None) -> None:
    """Write resources as a JSON array of HSDS services (UTF-8): a place with services (``services``, the
    store's rows of them) as one HSDS service each at its location, any other place as one service."""
    by_place: dict[int, list[dict]] = {}
    if services is not None:
        for row in services.to_dict("records"):
            by_place.setdefault(int(row["resource_id"]), []).append(row)
    records = []
    for row in resources.to_dict("records"):
        offered = by_place.get(int(row["id"])) if "id" in row else None
        records += [service_record(row, lang, one) for one in offered] if offered else [service_record(row, lang)]
    Path(output).write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
