"""The ``geo-welfare`` command: init, import, list, export, serve, demo.

Exit codes scripts can trust: 0 done; 1 the input was refused (nothing was written);
2 the command line was wrong; 3 the store could not be used; 4 an unexpected error (a bug:
``GEO_WELFARE_DEBUG=1`` shows the traceback).  Errors go to stderr, the
first line being the one-line reason.  Messages are Japanese unless ``--lang en`` or
``GEO_WELFARE_LANG=en``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import pandas as pd
from tqdm import tqdm

from geo_welfare import settings
from geo_welfare.errors import GeoWelfareError, InputError
from geo_welfare.i18n import t
from layers import glossary
from layers.columns import parse_column_map

EXIT_INPUT, EXIT_USAGE, EXIT_STORE, EXIT_INTERNAL = 1, 2, 3, 4
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Context:
    """What every subcommand shares: the store URL and the language."""

    def __init__(self, database: str | None, lang: str | None):
        self.database_url = settings.database_url(database)
        self.lang = settings.language(lang)

    def engine(self):
        from geo_welfare.store import open_store
        return open_store(self.database_url)

    def say(self, key: str, **values: object) -> None:
        click.echo(t(key, self.lang, **values), err=True)


def _fail(error: GeoWelfareError, lang: str) -> None:
    """Print the reason (first line) and details, then exit with the code for its kind."""
    if isinstance(error, InputError):
        click.echo(t("nothing_written", lang), err=True)
        click.echo(error.message(lang), err=True)
        sys.exit(EXIT_INPUT)
    click.echo(error.message(lang), err=True)
    sys.exit(EXIT_STORE)


class Group(click.Group):
    """A command group that turns our errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GeoWelfareError as error:
            lang = ctx.obj.lang if isinstance(ctx.obj, Context) else settings.language()
            _fail(error, lang)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("GEO_WELFARE_DEBUG"):
                raise
            lang = ctx.obj.lang if isinstance(ctx.obj, Context) else settings.language()
            click.echo(t("internal_error", lang, error=f"{type(error).__name__}: {error}"), err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=Group, context_settings=CONTEXT)
@click.option("--database", metavar="URL", envvar=settings.DATABASE_URL_ENV,
              help="保存先（sqlite:///ファイル または postgresql+psycopg://…）。既定: ./geo_welfare.sqlite / "
                   "Store URL (SpatiaLite file or PostGIS); default ./geo_welfare.sqlite")
@click.option("--lang", type=click.Choice(["ja", "en"]), envvar=settings.LANGUAGE_ENV,
              help="表示言語 / message language (default ja)")
@click.version_option(package_name="geo-welfare")
@click.pass_context
def main(ctx: click.Context, database: str | None, lang: str | None) -> None:
    """地域福祉の資源マップと徒歩圏分析 / Community-welfare resource maps and walking-reach analysis.

    \b
    例 / Examples:
      geo-welfare demo
      geo-welfare import resources salons.csv --kind サロン
      geo-welfare import areas small_areas.geojson --unit small-area
      geo-welfare list resources --format csv
    """
    ctx.obj = Context(database, lang)


@main.command(context_settings=CONTEXT)
@click.pass_obj
def init(obj: Context) -> None:
    """保存先を作成・更新する / Create or upgrade the store."""
    obj.engine()
    obj.say("store_ready", url=obj.database_url)


@main.group("import", context_settings=CONTEXT)
def import_group() -> None:
    """ファイルを取り込む（全件成功か、何も変更しないか） / Import files (all or nothing)."""


def option_group(options: list):
    """One decorator that adds ``options`` to a command, in the order listed (click applies bottom-up)."""
    def apply(function):
        for option in reversed(options):
            function = option(function)
        return function
    return apply


def resolve_kinds(kinds: tuple[str, ...]) -> list[str] | None:
    """The resource kinds ``--kind`` names (identifiers, labels or aliases); None when none is named."""
    resolved = []
    for kind in kinds:
        identifier = glossary.resource_kind(kind)
        if identifier is None:
            raise click.BadParameter(f"{kind}: {', '.join(glossary.RESOURCE_KIND_IDS)}", param_hint="--kind")
        resolved.append(identifier)
    return resolved or None


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
    from geo_welfare.importing import import_resources
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
    from geo_welfare.importing import import_candidates
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
    from geo_welfare.importing import import_areas
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
    from geo_welfare.importing import import_population
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


LIST_LAYERS = ("resources", "areas", "candidates", "population")


def _listing(obj: Context, layer: str, unit: str | None, kind: str | None, include_staff: bool,
             dataset: str | None):
    from geo_welfare.store import read
    engine = obj.engine()
    if layer == "resources":
        kinds = [glossary.resource_kind(kind) or kind] if kind else None
        return read.read_resources(engine, kinds=kinds, include_staff_only=include_staff)
    if layer == "areas":
        return read.read_areas(engine, glossary.AREA_UNIT_OPTIONS.get(unit, unit) if unit else None)
    if layer == "candidates":
        return read.read_candidates(engine)
    datasets = read.population_datasets(engine)
    if dataset is None:
        return datasets
    if dataset not in set(datasets["name"]):
        names = ", ".join(datasets["name"]) or "—"
        raise click.BadParameter(f"{dataset}: 人口データセットがありません / no such population dataset "
                                 f"(あるもの / stored: {names})", param_hint="--dataset")
    counts = read.read_population(engine, dataset)
    known = counts["age_65_plus"].notna()
    counts["aging_rate"] = (counts["age_65_plus"].astype("Float64") / counts["total"].where(known)).round(4)
    return counts


@main.command("list", context_settings=CONTEXT)
@click.argument("layer", type=click.Choice(LIST_LAYERS))
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              help="出力形式 / output format")
@click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), help="区域の単位 / area level")
@click.option("--kind", help="資源の種別 / resource kind")
@click.option("--dataset", help="人口データセット名（省略時は一覧） / population dataset (omit to list datasets)")
@click.option("--include-staff", is_flag=True, help="職員のみの資源も含める / include staff-only resources")
@click.pass_obj
def list_command(obj: Context, layer, output_format, unit, kind, dataset, include_staff) -> None:
    """保存内容を一覧する（1行1件） / List stored items, one row each."""
    frame = _listing(obj, layer, unit, kind, include_staff, dataset)
    table = pd.DataFrame(frame.drop(columns=[c for c in ("geometry", "schedules") if c in frame.columns]))
    if "geometry" in frame.columns and len(frame):
        points = frame.geometry.geom_type.eq("Point").all()
        if points:
            table["lon"], table["lat"] = frame.geometry.x.round(7), frame.geometry.y.round(7)
    if output_format == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif output_format == "json":
        click.echo(json.dumps(json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso")),
                              ensure_ascii=False, indent=1))
    else:
        click.echo(table.to_string(index=False) if len(table) else "(0)")


WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
            "月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}


@main.command(context_settings=CONTEXT)
@click.argument("lon", type=click.FloatRange(122.0, 154.5))
@click.argument("lat", type=click.FloatRange(20.0, 46.0))
@click.option("--network", "network_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar=settings.NETWORK_ENV, help="道路網（OSM または道路中心線） / street file (OSM or road centre lines)")
@click.option("-k", "count", default=5, show_default=True, type=click.IntRange(1, 100), help="件数 / how many")
@click.option("--kind", "kinds", multiple=True, help="種別（複数可） / kind (repeatable)")
@click.option("--open", "open_at", type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]),
              help="この日時に開いている / open at this date and time, e.g. '2026-11-11 10:30'")
@click.option("--weekday", type=click.Choice(list(WEEKDAYS)), help="この曜日に開催 / held on this weekday")
@click.option("--target", help="対象者（例: 高齢者） / target group, e.g. 高齢者")
@click.option("--barrier-free", is_flag=True, help="バリアフリーのみ / barrier-free only")
@click.option("--consultation", is_flag=True, help="相談できる所のみ / places that take consultations only")
@click.option("--speed", default=settings.DEFAULT_WALKING_SPEED_KMH, show_default=True,
              type=click.FloatRange(0.5, 8.0), help="歩く速さ km/h（虚弱な方は 3） / walking speed km/h (frail: 3)")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json", "geojson"]), default="table",
              help="出力形式 / output format")
@click.pass_obj
def nearest(obj: Context, lon, lat, network_file, count, kinds, open_at, weekday, target, barrier_free,
            consultation, speed, output_format) -> None:
    """近くの資源を徒歩時間順に探す（利用者の位置は保存も記録もしない） / Nearest places by walking time.

    \b
    LON LAT は利用者の位置（経度 緯度） / the client's location (longitude latitude).
    The location is used for this answer only: it is neither stored nor logged.
    """
    from geo_welfare.analysis.nearest import Needs, nearest_resources
    from geo_welfare.store import read
    resolved = resolve_kinds(kinds) or []
    network = None
    if network_file is not None:
        from geo_welfare.network.cache import cached_network
        network, was_cached = cached_network(network_file, settings.cache_directory(obj.database_url))
        obj.say("network_loaded", nodes=network.node_count, edges=network.edge_count,
                cached=t("from_cache" if was_cached else "built", obj.lang))
    else:
        obj.say("straight_line_only")
    needs = Needs(kinds=tuple(resolved) or None, open_at=open_at, weekday=WEEKDAYS.get(weekday) if weekday else None,
                  target=target, barrier_free=barrier_free or None, consultation=consultation or None)
    result = nearest_resources(read.read_resources(obj.engine()), (lon, lat), k=count, network=network, needs=needs,
                               speed_kmh=speed, lang=obj.lang)
    if output_format == "geojson":
        click.echo(result.to_json(ensure_ascii=False, drop_id=True))
        return
    table = pd.DataFrame(result.drop(columns="geometry"))
    if output_format == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif output_format == "json":
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        click.echo(table.to_string(index=False) if len(table) else "(0)")


EXPORT_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".html")


@main.command(context_settings=CONTEXT)
@click.argument("layer", type=click.Choice(["resources", "areas", "candidates"]))
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--unit", type=click.Choice(list(glossary.AREA_UNIT_OPTIONS)), help="区域の単位 / area level")
@click.option("--kind", help="資源の種別 / resource kind")
@click.option("--include-staff", is_flag=True, help="職員のみの資源も含める（公開用には使わない） / include staff-only resources")
@click.pass_obj
def export(obj: Context, layer, output, unit, kind, include_staff) -> None:
    """層をファイルに書き出す / Export a layer.

    \b
    形式は拡張子で決まる / the suffix chooses the format:
      .gpkg .geojson .shp（.cpg 付き / with .cpg） .csv（UTF-8 BOM 付き / UTF-8 with BOM）
      .hsds.json（資源のみ、Open Referral HSDS 3.0 / resources only, Open Referral HSDS 3.0）
      .html（オフラインで開ける地図、公開の資源のみ / a map that opens offline, public places only）
    """
    from geo_welfare.exporting import write_layer
    from geo_welfare.hsds import write_hsds
    hsds = output.name.lower().endswith(".hsds.json")
    if hsds and layer != "resources":
        raise click.BadParameter("HSDS: resources only / 資源のみ", param_hint="OUTPUT")
    if not hsds and output.suffix.lower() not in EXPORT_SUFFIXES:
        raise click.BadParameter(f"{output.suffix or output.name}: .gpkg .geojson .shp .csv .hsds.json .html",
                                 param_hint="OUTPUT")
    if output.suffix.lower() == ".html":
        from geo_welfare.printmap.html import write_offline_map
        obj.say("exported", file=str(output), count=write_offline_map(obj.database_url, output, obj.lang))
        return
    frame = _listing(obj, layer, unit, kind, include_staff, None)
    if hsds:
        write_hsds(frame, output, obj.lang)
    else:
        write_layer(frame, output)
    obj.say("exported", file=str(output), count=len(frame))


SERVE_OPTIONS = [
    click.option("--host", default="127.0.0.1", show_default=True, help="待ち受けるアドレス / address to listen on"),
    click.option("--port", default=5000, show_default=True, type=int, help="ポート番号 / port"),
    click.option("--tiles", envvar="GEO_WELFARE_TILES",
                 help="背景地図: gsi（既定）, osm, none, または {z}/{x}/{y} の URL / base tiles: gsi (default), osm, "
                      "none, or a {z}/{x}/{y} URL template (closed networks: none or a local tile server)"),
    click.option("--network", "network_file", envvar=settings.NETWORK_ENV,
                 type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="徒歩距離に使う道路網 / street network for walking distances"),
]


_serve_options = option_group(SERVE_OPTIONS)


@main.command(context_settings=CONTEXT)
@_serve_options
@click.pass_obj
def serve(obj: Context, host: str, port: int, tiles: str | None, network_file: Path | None) -> None:
    """地図を配信する（本番は gunicorn 等の WSGI サーバーで web:create_app()） / Serve the map."""
    from web import create_app
    obj.engine()
    try:
        app = create_app(obj.database_url, lang=obj.lang, tiles=tiles, network=network_file)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--tiles") from error
    obj.say("serving", host=host, port=port)
    app.run(host=host, port=port)


@main.command(context_settings=CONTEXT)
@click.option("--serve/--no-serve", "then_serve", default=True, help="取り込み後に地図を配信する / serve the map afterwards")
@_serve_options
@click.pass_context
def demo(ctx: click.Context, then_serve: bool, host: str, port: int, tiles: str | None,
         network_file: Path | None) -> None:
    """デモ町（架空の合成データ）を取り込み地図を開く / Import the synthetic demo town and serve the map."""
    from geo_welfare.demo import import_demo_town
    obj: Context = ctx.obj
    obj.say("demo_importing", dir=str(settings.DEMO_DATA_DIR))
    for report in import_demo_town(obj.engine()):
        obj.say("imported", file=report.file.name, created=report.result.created, updated=report.result.updated,
                removed=report.result.removed, layer=report.layer)
    if then_serve:
        ctx.invoke(serve, host=host, port=port, tiles=tiles,
                   network_file=network_file or settings.DEMO_DATA_DIR / "streets.geojson")


from geo_welfare import cli_analysis  # noqa: E402,F401  (registers the planner's commands on main)
from geo_welfare import cli_users  # noqa: E402,F401  (registers `geo-welfare user add/list/remove`)

main.add_command(__import__("geo_welfare.cli_map", fromlist=["map_group"]).map_group)

if __name__ == "__main__":
    main()

