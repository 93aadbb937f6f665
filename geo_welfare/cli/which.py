"""``geo-welfare which`` (which centre serves this address or point) and ``geo-welfare link centre`` (the tie it uses).

``which`` answers on stdout only: stderr, which may end up in a log, carries no address, name of a
town or coordinate of the place asked about (nor does the store: nothing is written).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import click
from sqlalchemy import select

from geo_welfare.cli.base import CONTEXT, Command, Context, Group, UsageError, argument
from geo_welfare.cli.options import encoding_option, format_option, network_option, speed_option
from geo_welfare.core.config import JAPAN_BOUNDS
from geo_welfare.core.errors import NotFoundError
from geo_welfare.core.glossary import AREA_UNITS, RESOURCE_KINDS, label
from geo_welfare.core.words import t


def _point(where: tuple[str, ...]) -> tuple[float, float] | None:
    """(lon, lat) when WHERE is two numbers, None when it is one address; a UsageError otherwise."""
    if len(where) == 1:
        return None
    if len(where) != 2:
        raise UsageError("which_where_usage", field="WHERE")
    try:
        lon, lat = float(where[0]), float(where[1])
    except ValueError:
        raise UsageError("which_where_usage", field="WHERE") from None
    low_lon, low_lat, high_lon, high_lat = JAPAN_BOUNDS
    if not (math.isfinite(lon) and math.isfinite(lat) and low_lon <= lon <= high_lon and low_lat <= lat <= high_lat):
        raise UsageError("which_bad_point", field="WHERE", low_lon=low_lon, high_lon=high_lon, low_lat=low_lat,
                         high_lat=high_lat)  # the values given are not repeated: they are a location
    return lon, lat


def answer_lines(answer, located: str, lang: str) -> list[str]:
    """The answer as the lines ``which`` prints (also what a coordinator reads out)."""
    lines = [located]
    for unit in ("daily_life_area", "elementary_district", "junior_high_district", "district"):
        area, name = answer.areas[unit], label(AREA_UNITS, unit, lang)
        lines.append(t("which_area_line", lang, unit=name, name=area.name or area.code, code=area.code)
                     if area else t("which_area_none", lang, unit=name))
        if unit == "daily_life_area":
            lines += _centre_lines(answer.centre, lang)
    if answer.areas["district"] is not None:
        lines += [t("which_csw_line", lang, key=key, value=value) for key, value in answer.csw] or \
            [t("which_csw_none", lang)]
    return lines


def _centre_lines(centre, lang: str) -> list[str]:
    if centre is None:
        return [t("which_centre_none", lang)]
    lines = [t("which_centre_assigned" if centre.tie == "assigned" else "which_centre_nearest", lang, name=centre.name)]
    lines += [t(key, lang, **{field: value}) for key, field, value in (
        ("which_centre_address", "address", centre.address), ("which_centre_phone", "phone", centre.phone),
        ("which_centre_hours", "hours", centre.hours)) if value]
    if centre.walking_m is None:
        lines.append(t("which_walk_unreachable", lang))
    else:
        key = "which_walk_network" if centre.method == "network" else "which_walk_straight"
        lines.append(t(key, lang, minutes=f"{centre.walking_min:.0f}", metres=f"{centre.walking_m:,.0f}"))
    return lines


@click.command("which", cls=Command, context_settings=CONTEXT, help="help_cmd_which")
@argument("where", nargs=-1, required=True, metavar="ADDRESS|LON LAT", help="help_arg_where_which")
@network_option("help_opt_network_streets")
@speed_option("help_opt_speed_nearest")
@format_option(("table", "json"))
@click.pass_obj
def which(obj: Context, where, network_file, speed, output_format) -> None:
    """The 日常生活圏域 at an address or point, its centre (the tied one; else the nearest, said so), districts, CSW."""
    from geo_welfare.analysis.which import answer_at, locate, prepare_service_map
    from geo_welfare.core.words import word
    point = _point(where)
    engine = obj.engine()
    match = None
    if point is None:
        match = locate(engine, where[0])  # refused (exit 3) when only the municipality or nothing matched
        point = (match.lon, match.lat)
    service = prepare_service_map(engine, obj.network(network_file))
    answer = answer_at(engine, service, point, speed_kmh=speed, lang=obj.lang)
    level = word(f"geocode_level_{match.level}", obj.lang) if match else None
    if output_format == "json":
        body = answer.as_dict() | {"location": None if match is None else {
            "level": match.level, "level_label": level, "matched": match.matched, "gazetteer": match.gazetteer}}
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
        return
    located = t("which_located", obj.lang, level=level, matched=match.matched, gazetteer=match.gazetteer) \
        if match else t("which_located_point", obj.lang)
    click.echo("\n".join(answer_lines(answer, located, obj.lang)))


@click.group("link", cls=Group, context_settings=CONTEXT, help="help_cmd_link")
def link_group() -> None:
    """Ties of places to the areas they serve."""


def _resource(engine, text: str):
    """The stored place named by id or by exact name (one of them)."""
    from geo_welfare.store.models import Resource
    columns = (Resource.id, Resource.name, Resource.kind)
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).where(Resource.id == int(text))).all() if text.isdigit() else []
        rows = rows or connection.execute(select(*columns).where(Resource.name == text.strip())).all()
    if not rows:
        raise NotFoundError("link_resource_unknown", field="RESOURCE", resource=text)
    if len(rows) > 1:
        raise UsageError("link_resource_ambiguous", field="RESOURCE", resource=text, count=len(rows))
    return rows[0]


@link_group.command("centre", help="help_cmd_link_centre")
@argument("resource", help="help_arg_resource_link")
@argument("area", help="help_arg_area_link")
@click.pass_obj
def link_centre(obj: Context, resource: str, area: str) -> None:
    """Tie the support centre RESOURCE to the 日常生活圏域 AREA (by code or name); the area's old tie is replaced."""
    from geo_welfare.analysis.which import CENTRE_KIND, SERVICE_UNIT
    from geo_welfare.store.area_links import link_place
    from geo_welfare.store.models import AreaUnit
    engine = obj.engine()
    identifier, name, kind = _resource(engine, resource)
    if kind != CENTRE_KIND:
        raise UsageError("link_resource_not_centre", field="RESOURCE", name=name,
                                 kind=label(RESOURCE_KINDS, kind, obj.lang))
    with engine.connect() as connection:
        found = connection.execute(select(AreaUnit.code, AreaUnit.name).where(AreaUnit.unit == SERVICE_UNIT)
                                   .where((AreaUnit.code == area.strip()) | (AreaUnit.name == area.strip()))).all()
    if len(found) != 1:
        raise NotFoundError("link_area_unknown", field="AREA", area=area)
    link_place(engine, identifier, SERVICE_UNIT, found[0].code)
    obj.say("link_centre_done", name=name, area=found[0].name or found[0].code, code=found[0].code)


@link_group.command("centres", help="help_cmd_link_centres")
@argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="help_arg_file_link_centres")
@encoding_option()
@click.pass_obj
def link_centres(obj: Context, file: Path, encoding: str | None) -> None:
    """Tie each centre of an imported list to the 圏域 its 担当圏域 column names (every row or none)."""
    from geo_welfare.analysis.which import CENTRE_KIND, SERVICE_UNIT
    from geo_welfare.store.area_links import link_places, ties_from_list
    engine = obj.engine()
    ties = ties_from_list(engine, file, unit=SERVICE_UNIT, kind=CENTRE_KIND, encoding=encoding)
    link_places(engine, [(identifier, SERVICE_UNIT, code) for identifier, _, code in ties])
    obj.say("link_centres_done", file=file.name, count=len(ties))
