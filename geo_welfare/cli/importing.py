"""``geo-welfare import …``: resource lists, candidate sites, areas and population, each all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from geo_welfare.cli.base import CONTEXT, Context, option_group
from geo_welfare.core import glossary
from geo_welfare.core.words import t
from geo_welfare.layers.columns import parse_column_map


@click.group("import", context_settings=CONTEXT)
def import_group() -> None:
    """ファイルを取り込む（全件成功か、何も変更しないか） / Import files (all or nothing)."""


_common_import_options = option_group([
    click.option("--columns", metavar="MAP", help="列の対応付け 例: name=施設名称,lat=Y / column map, e.g. name=施設名称,lat=Y"),
    click.option("--encoding", help="文字コード（既定: UTF-8→CP932 の順に判定） / encoding (default: detect UTF-8, then CP932)"),
])


def _progress(obj: Context, total: int):
    bar = tqdm(total=total, desc=t("reading", obj.lang, file=""), unit="file", file=sys.stderr,
               disable=total < 2, leave=False)

    def report(stage: str, path: Path) -> None:
        if stage == "reading":
            if total < 2:
                obj.say("reading", file=path.name)
            bar.update(1)
        elif stage == "writing" and total < 2:
            obj.say("writing")
    return report, bar


def _columns(text: str | None) -> dict[str, str]:
    try:
        return parse_column_map(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--columns") from error


def _one_file_per_name(files, name: str | None, option: str) -> None:
    """A name given to an import keys its rows; shared by several files, each would replace the last."""
    if name and len(files) > 1:
        raise click.UsageError(f"{option} は1ファイルのときだけ指定できます / {option} needs a single file "
                               f"(each file is its own source)")


def _print_reports(obj: Context, reports) -> None:
    for report in reports:
        obj.say("imported", file=report.file.name, created=report.result.created, updated=report.result.updated,
                removed=report.result.removed, layer=report.layer)


@import_group.command("resources", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", help="種別（ファイルに種別列がない行に適用。既定: other） / kind for rows whose file names none "
                             f"(default other): {', '.join(glossary.RESOURCE_KIND_IDS)}")
@click.option("--source", help="同じ一覧を再取込するときの識別名（既定: ファイル名） / source name keying re-imports (default: file stem)")
@click.option("--crs", help="座標系（CSV の既定: JGD2011 経緯度） / CRS of the coordinates (CSV default: JGD2011 lon/lat)")
@_common_import_options
@click.pass_obj
def import_resources_command(obj: Context, files, kind, source, crs, columns, encoding) -> None:
    """資源の一覧（CSV/GeoJSON/SHP/GPKG）を取り込む / Import resource lists."""
    _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_resources
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_resources(obj.engine(), files, kind=kind, columns=_columns(columns), source=source,
                                   encoding=encoding, crs=crs, progress=report)
    _print_reports(obj, reports)
    for item in reports:
        unparsed = item.notes["unparsed_schedules"]
        if unparsed:
            obj.say("unparsed_schedules", count=len(unparsed))
            for row, name, text in unparsed:
                click.echo(f"  {item.file.name}:{row} {name}: {text}", err=True)


@import_group.command("candidates", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", help="識別名（既定: ファイル名） / source name (default: file stem)")
@click.option("--crs", help="座標系 / CRS of the coordinates")
@_common_import_options
@click.pass_obj
def import_candidates_command(obj: Context, files, source, crs, columns, encoding) -> None:
    """新しい拠点の候補地を取り込む / Import candidate sites for new community bases."""
    _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_candidates
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_candidates(obj.engine(), files, columns=_columns(columns), source=source,
                                    encoding=encoding, crs=crs, progress=report)
    _print_reports(obj, reports)


@import_group.command("areas", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--unit", required=True, type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)),
              help="区域の単位 / area level")
@click.option("--source", help="識別名（既定: ファイル名） / source name (default: file stem)")
@click.option("--crs", help="座標系（.prj がないとき） / CRS when the file has none")
@click.option("--repair-geometry", is_flag=True, help="不正な図形を修復する / mend invalid polygons instead of refusing them")
@_common_import_options
@click.pass_obj
def import_areas_command(obj: Context, files, unit, source, crs, repair_geometry, columns, encoding) -> None:
    """区域（圏域・学区・小地域など）を取り込む / Import area polygons of one level."""
    _one_file_per_name(files, source, "--source")
    from geo_welfare.store.importing import import_areas
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_areas(obj.engine(), files, glossary.AREA_UNIT_OPTIONS[unit], columns=_columns(columns),
                               source=source, encoding=encoding, crs=crs, repair=repair_geometry, progress=report)
    _print_reports(obj, reports)
    dissolved = sum(item.notes["dissolved_codes"] for item in reports)
    repaired = sum(item.notes["repaired"] for item in reports)
    if dissolved:
        obj.say("dissolved_pieces", count=dissolved)
    if repaired:
        obj.say("repaired_geometries", count=repaired)


@import_group.command("population", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dataset", help="データセット名（既定: ファイル名） / dataset name (default: file stem)")
@_common_import_options
@click.pass_obj
def import_population_command(obj: Context, files, dataset, columns, encoding) -> None:
    """年齢別人口を取り込み小地域に結合する / Import population by age and join it to small areas."""
    _one_file_per_name(files, dataset, "--dataset")
    from geo_welfare.store.importing import import_population
    report, bar = _progress(obj, len(files))
    with bar:
        reports = import_population(obj.engine(), files, columns=_columns(columns), dataset=dataset,
                                    encoding=encoding, progress=report)
    _print_reports(obj, reports)
    for item in reports:
        obj.say("matched_rows", matched=item.notes["matched"], total=item.notes["rows"])
        unmatched = item.notes["unmatched"]
        if len(unmatched):
            obj.say("unmatched_rows", count=len(unmatched))
            for row in unmatched.itertuples(index=False):
                place = "/".join(str(part) for part in (row.parent_name, row.name) if part)
                click.echo(f"  {item.file.name}:{row._0} {place}: {row.reason}", err=True)

