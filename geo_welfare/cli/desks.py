"""``geo-welfare report desks``: the consultation desk list (相談窓口一覧) by field, as an A4 PDF or HTML.

``report desks E02`` lists the desks of one district of ``--unit``, ``report desks`` those of the whole
municipality; ``--consults`` keeps some fields only.  Public places only unless ``--include-staff``
(a staff copy, which the page says it is).  The format is the suffix of ``-o`` (pdf by default).
"""

from __future__ import annotations

from pathlib import Path

import click

from geo_welfare.cli.base import CONTEXT, Command, Context, UsageError, argument, option, resolve_consultation_field
from geo_welfare.cli.options import format_option, include_staff_option, output_option, unit_option
from geo_welfare.core import glossary
from geo_welfare.core.errors import NotFoundError

FORMATS = ("pdf", "html")


@click.command("desks", cls=Command, context_settings=CONTEXT, help="help_cmd_report_desks")
@argument("district", required=False, help="help_arg_district_desks")
@unit_option(default="elementary-district")
@option("--consults", "consults", multiple=True, metavar="FIELD", help="help_opt_consults_desks")
@format_option(FORMATS, dest="fmt", default=None, help="help_opt_format_report")
@output_option("help_opt_output_desks", short=True)
@include_staff_option("help_opt_include_staff_desks")
@click.pass_obj
def desks_command(obj: Context, district, unit, consults, fmt, output, include_staff) -> None:
    """Write the desk list of DISTRICT (of ``--unit``), or of the whole municipality without one."""
    from geo_welfare.analysis.desks import desk_list
    from geo_welfare.maps.atlas import page_file_name

    fmt = _format(fmt, output)
    fields = tuple(resolve_consultation_field(word) for word in consults)
    try:
        desks = desk_list(obj.engine(), glossary.AREA_UNIT_OPTIONS[unit], district, include_staff=include_staff,
                          fields=fields or None, lang=obj.lang)
    except NotFoundError as error:
        if error.key != "not_stored":
            raise
        raise UsageError(error.key, field=error.field, **error.values) from error
    from geo_welfare.core.words import t
    target = output or Path(page_file_name(desks.code or "", t("desks_title", obj.lang) + (
        f"_{desks.name}" if desks.name else ""), fmt))
    target.write_bytes(_render(desks, fmt, obj.lang))
    obj.say("desks_written", file=str(target))



def _format(fmt: str | None, output: Path | None) -> str:
    """``--format``, else the suffix of ``-o``, else pdf."""
    if fmt:
        return fmt
    if output is not None and output.suffix:
        suffix = output.suffix.lstrip(".").lower()
        if suffix not in FORMATS:
            raise UsageError("desks_bad_suffix", field="--output", suffix=output.suffix)
        return suffix
    return "pdf"


def _render(desks, fmt: str, lang: str) -> bytes:
    if fmt == "html":
        from geo_welfare.reports.desk_list import desk_document
        return desk_document(desks, lang).encode("utf-8")
    from geo_welfare.reports.desk_list_pdf import desk_list_pdf
    return desk_list_pdf(desks, lang)
