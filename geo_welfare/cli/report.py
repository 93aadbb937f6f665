"""``geo-welfare report district``: the district profile (地区カルテ) as PDF or HTML, and importing its attributes.

A profile is what an office hands to a 地区 meeting (「地域健康カルテ」): ``report district E01`` writes
one, ``--all`` one file per district of ``--unit`` into a folder, the analyses asked once for all.
Public places only unless ``--include-staff`` (a staff copy, which the page says it is).
``import district-attributes FILE --unit …`` stores what the office records of each district
(CSW配置, 協議体, モデル地区) from a table keyed by district code; every code is checked first.
"""

from __future__ import annotations

from pathlib import Path

import click

from geo_welfare.cli.base import CONTEXT, Command, Context, Group, UsageError, argument, option, resolve_kinds
from geo_welfare.cli.options import (dataset_option, encoding_option, format_option, include_staff_option,
                                     kind_option, minutes_option, network_option, output_option, speed_option,
                                     unit_option)
from geo_welfare.cli.options import group_option
from geo_welfare.core import glossary
from geo_welfare.core.words import t

FORMATS = ("pdf", "html")


@click.group("report", cls=Group, context_settings=CONTEXT, help="help_cmd_report")
def report_group() -> None:
    """Reports to hand out: the district profile."""


@report_group.command("district", cls=Command, context_settings=CONTEXT, help="help_cmd_report_district")
@argument("code", required=False, help="help_arg_code_report")
@option("--all", "every", is_flag=True, help="help_opt_all")
@unit_option(default="elementary-district")
@format_option(FORMATS, dest="fmt", default=None, help="help_opt_format_report")
@output_option("help_opt_output_report", folder=True, short=True)
@dataset_option("help_opt_dataset_profile")
@option("--compare", metavar="DATASET", help="help_opt_compare")
@minutes_option(default=15.0, help="help_opt_minutes_profile")
@speed_option()
@network_option("help_opt_network")
@kind_option(multiple=True, help="help_opt_kinds_analysis")
@include_staff_option("help_opt_include_staff_profile")
@group_option()
@click.pass_obj
def district(obj: Context, code, every, unit, fmt, output, dataset, compare, minutes, speed, network_file, kinds,
             include_staff, group) -> None:
    """Write the profile of district CODE, or with ``--all`` of every district of ``--unit``.

    The format and the code are checked before anything is computed; the store and the analyses
    are read once for every district.
    """
    from geo_welfare.maps.atlas import page_file_name
    from geo_welfare.maps.content import NotStored
    from geo_welfare.reports.district_profile import district_profile, gather

    if bool(code) == bool(every):
        raise UsageError("cli_code_or_all", field="CODE")
    fmt = _format(fmt, output, every)
    unit_id = glossary.AREA_UNIT_OPTIONS[unit]
    engine = obj.engine()
    network = obj.network(network_file)
    try:
        inputs = gather(engine, unit_id, network, dataset=dataset, compare=compare, minutes=minutes, speed_kmh=speed,
                        include_staff=include_staff, kinds=resolve_kinds(kinds), lang=obj.lang, group=group)
        codes = inputs.codes if every else [_code(inputs, code)]
        profiles = [district_profile(engine, inputs, one) for one in codes]
    except NotStored as error:
        raise UsageError(error.key, field="CODE" if code else "--unit", **error.values) from error
    if inputs.study.staff_only:
        obj.say("staff_only_counted" if include_staff else "staff_only_left_out", count=inputs.study.staff_only)
    folder = (output or Path(".")) if every else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    for profile in profiles:
        name = page_file_name(profile.code, f"{profile.name}_{t('profile_title', obj.lang)}", fmt)
        target = folder / name if folder is not None else (output or Path(name))
        target.write_bytes(_render(profile, fmt, obj.lang))
        if not every:
            obj.say("profile_written", file=str(target))
    if every:
        obj.say("profiles_written", count=len(profiles), dir=str(folder))


def _format(fmt: str | None, output: Path | None, every: bool) -> str:
    """``--format``, else the suffix of ``--output`` (one profile), else pdf."""
    if fmt:
        return fmt
    if output is not None and not every and output.suffix:
        suffix = output.suffix.lstrip(".").lower()
        if suffix not in FORMATS:
            raise UsageError("profile_bad_suffix", field="--output", suffix=output.suffix)
        return suffix
    return "pdf"


def _code(inputs, code: str) -> str:
    """The district's code: as given, or the code of the one district of that name."""
    codes = inputs.codes
    if code in codes:
        return code
    named = [c for c, n in zip(inputs.districts["code"], inputs.districts["name"]) if n == code]
    return named[0] if len(named) == 1 else code  # an unknown code is refused by district_profile, listing them


def _render(profile, fmt: str, lang: str) -> bytes:
    if fmt == "html":
        from geo_welfare.reports.profile_html import profile_document
        return profile_document(profile, lang).encode("utf-8")
    from geo_welfare.reports.profile_pdf import profile_pdf
    return profile_pdf(profile, lang)


@click.command("district-attributes", cls=Command, context_settings=CONTEXT,
               help="help_cmd_import_district_attributes")
@argument("file", type=click.Path(path_type=Path), help="help_arg_file_district_attributes")
@unit_option(required=True, help="help_opt_unit_attributes")
@encoding_option()
@click.pass_obj
def import_district_attributes_command(obj: Context, file: Path, unit: str, encoding: str | None) -> None:
    """Check every row of FILE (each code a stored district of ``--unit``), then store them, replacing FILE's old rows."""
    from geo_welfare.store.district_attributes import import_district_attributes
    count = import_district_attributes(obj.engine(), file, glossary.AREA_UNIT_OPTIONS[unit], encoding=encoding)
    obj.say("district_attributes_imported", count=count, file=file.name)
