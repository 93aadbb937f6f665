"""``geo-welfare import hazards FILE…`` and ``geo-welfare hazard``: hazard zones, shelters and who is exposed.

``import hazards`` takes 国土数値情報 A31 (洪水浸水想定区域) and A33 (土砂災害警戒区域) files and GSI
指定緊急避難場所・指定避難所 files in one go, all or nothing (:mod:`geo_welfare.store.hazards`).
``hazard`` counts, per area unit and zone class, the residents aged 65+ and 75+ inside the zones and
those of them beyond ``--minutes`` of a shelter open for that hazard
(:mod:`geo_welfare.analysis.hazard_exposure`), and says first how it counts them.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from geo_welfare.cli.base import CONTEXT, Command, Context, argument, option
from geo_welfare.cli.options import (crs_option, dataset_option, encoding_option, minutes_option, network_option,
                                     speed_option, unit_option, within_option)
from geo_welfare.cli.output import emit_table, outputs
from geo_welfare.core import glossary
from geo_welfare.core.words import t

#: The hazards of the zones ``hazard`` may be limited to.
HAZARDS = glossary.HAZARD_IDS
#: Columns that are words for scripts (``--raw``, JSON) and give way to their labels for people.
MACHINE_ONLY = ["hazard", "scenario", "zone_class", "phenomenon"]
#: The columns this command adds to the table forms of :mod:`geo_welfare.reports.tables`.
OWN_COLUMNS = ("hazard_label", "zone_label", "age_65_plus_beyond", "age_75_plus_beyond")


@click.command("hazards", cls=Command, context_settings=CONTEXT, help="help_cmd_import_hazards")
@argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), help="help_arg_files_hazards")
@crs_option()
@encoding_option()
@click.pass_obj
def import_hazards_command(obj: Context, files, crs, encoding) -> None:
    """Import A31 / A33 zone files and GSI shelter files; every file is checked before anything is written."""
    from geo_welfare.store.hazards import import_hazards
    for report in import_hazards(obj.engine(), files, encoding=encoding, crs=crs):
        if report.layer == "shelters":
            obj.say("shelters_imported", file=report.file.name, count=report.count, replaced=report.replaced)
            continue
        obj.say("hazard_zones_imported", file=report.file.name, count=report.count, replaced=report.replaced,
                edition=report.edition)
        if report.repaired:
            obj.say("hazard_zones_repaired", count=report.repaired)


def for_people(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The exposure table for people: the shared forms, this command's own columns headed and in whole people."""
    from geo_welfare.reports.tables import for_people as shared_form
    shown = shared_form(table.drop(columns=MACHINE_ONLY), lang)
    inside = {"age_65_plus_beyond": t("table_age_65_plus", lang), "age_75_plus_beyond": t("table_age_75_plus", lang)}
    for column, in_zone in inside.items():
        whole = pd.to_numeric(shown[column], errors="coerce").round(0)
        limit = pd.to_numeric(shown[in_zone], errors="coerce") if in_zone in shown else whole
        shown[column] = np.minimum(whole, limit).astype("Int64")  # never more beyond reach than in the zone
    return shown.rename(columns={column: t(f"table_{column}", lang) for column in OWN_COLUMNS})


@click.command("hazard", cls=Command, context_settings=CONTEXT, help="help_cmd_hazard")
@network_option()
@dataset_option()
@speed_option()
@within_option()
@minutes_option(default=10.0, help="help_opt_minutes_hazard")
@unit_option(default="elementary-district", help="help_opt_unit_hazard")
@option("--hazard", "hazards", type=click.Choice(HAZARDS), multiple=True, help="help_opt_hazard")
@outputs
@click.pass_obj
def hazard_command(obj: Context, network_file, dataset, speed, within, minutes, unit, hazards, output_format, output,
                   raw) -> None:
    """Residents 65+ and 75+ in each hazard zone class by unit, and those beyond walking reach of an open shelter."""
    from geo_welfare.analysis.hazard_exposure import hazard_exposure
    from geo_welfare.analysis.study import open_study
    from geo_welfare.analysis.within import margin_for
    from geo_welfare.layers.hazards import hazard_label
    network = obj.network(network_file)
    study = open_study(obj.engine(), network, dataset=dataset, within=within, margin_metres=margin_for(minutes, speed),
                       progress=lambda stage: obj.say(f"stage_{stage}"))
    obj.say("hazard_definition", minutes=f"{minutes:g}", speed=f"{speed:g}")
    table = hazard_exposure(obj.engine(), study, minutes, glossary.AREA_UNIT_OPTIONS[unit], speed,
                            tuple(hazards) or None, obj.lang)
    for hazard, count in table.attrs["shelters"].items():
        obj.say("hazard_shelters_open" if count else "hazard_no_shelters_open",
                hazard=hazard_label(hazard, None, obj.lang), count=count, minutes=f"{minutes:g}")
    if raw or output_format == "json" or (output is not None and output.suffix.lower() not in (".csv", ".xlsx")):
        emit_table(obj, table, output, output_format, raw=True)  # a GIS file: each row's zones in its unit
    else:
        emit_table(obj, for_people(table, obj.lang), output, output_format, raw=True)
