"""Helpers for the bad-input tests: a seeded store, a snapshot of every table, small hand-made files.

A module, not a conftest: tests import what they use (``from fixtures_badinput import …``) and
ask for the ``seeded`` fixture by importing it into their own namespace.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import inspect, text

from conftest import run_cli
from geo_welfare.store import open_store

#: A resource list in the 自治体 layout with Japanese headers; every column the importer validates.
HEADER = "ID,名称,種別,住所,緯度,経度,開催日,開始時間,終了時間,定員,バリアフリー,公開,最終確認日\n"
GOOD = "S1,ひまわりサロン,サロン,架空町1-1,35.20,139.40,毎週火曜,10:00,12:00,20,あり,公開,2026-10-01\n"

#: SpatiaLite virtual tables that cannot be read with a plain SELECT (their contents are other tables').
_UNREADABLE = {"SpatialIndex", "KNN", "KNN2", "ElementaryGeometries"}

SQUARE = shapely.box(139.40, 35.20, 139.41, 35.21)
#: A self-intersecting "bow tie": the ring crosses itself at (139.405, 35.205).
BOW_TIE = shapely.Polygon([(139.40, 35.20), (139.41, 35.21), (139.41, 35.20), (139.40, 35.21)])


def snapshot(url: str) -> dict[str, list]:
    """Every row of every table in the store (system tables included), as sorted tuples.

    Geometries come back in each backend's own binary/hex form, so any change at all shows.
    """
    engine = open_store(url)
    contents: dict[str, list] = {}
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
        for name in names:
            if name in _UNREADABLE:
                continue
            rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
            contents[name] = sorted((tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                                     for row in rows), key=repr)
    assert {"area_unit", "resource", "schedule", "population_dataset", "population_count", "candidate_site",
            "alembic_version"} <= set(contents)
    return contents


def write_csv(tmp_path: Path, body: str, name: str = "bad.csv", encoding: str = "utf-8",
              header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes((header + body).encode(encoding))
    return path


def seed_files(directory: Path) -> list[tuple[str, ...]]:
    """Files for a store that has rows in every table; returns the CLI argument lists to import them."""
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory, GOOD, name="seed_resources.csv")
    small = gpd.GeoDataFrame({"code": ["S001", "S002"], "name": ["見本町一丁目", "見本町二丁目"]},
                             geometry=[shapely.box(139.50, 35.30, 139.51, 35.31), shapely.box(139.51, 35.30, 139.52, 35.31)],
                             crs="EPSG:6668")
    small.to_file(directory / "seed_small_areas.geojson", driver="GeoJSON")
    (directory / "seed_population.csv").write_text(
        "KEY_CODE,地域名,総数,0～14歳,15～64歳,65歳以上,75歳以上,世帯数\n"
        "S001,見本町一丁目,100,10,60,30,12,45\nS002,見本町二丁目,50,5,30,15,7,20\n", encoding="utf-8")
    (directory / "seed_candidates.csv").write_text("ID,名称,種別,住所,緯度,経度\nC1,見本集会所,集会所,見本町1,35.305,139.505\n",
                                                   encoding="utf-8")
    return [("import", "resources", str(directory / "seed_resources.csv")),
            ("import", "areas", str(directory / "seed_small_areas.geojson"), "--unit", "small-area"),
            ("import", "population", str(directory / "seed_population.csv")),
            ("import", "candidates", str(directory / "seed_candidates.csv"))]


@pytest.fixture
def seeded(store_url, tmp_path):
    """A store (each backend) holding a known import in every table, and its full contents."""
    for arguments in seed_files(tmp_path / "seed"):
        result = run_cli(store_url, *arguments)
        assert result.exit_code == 0, result.stderr
    before = snapshot(store_url)
    assert len(before["resource"]) == 1 and len(before["schedule"]) == 1
    assert len(before["area_unit"]) == 2 and len(before["population_count"]) == 2
    assert len(before["candidate_site"]) == 1
    return store_url, before


ABORTED = {"en": "Import aborted; nothing in the store was changed.",
           "ja": "取り込みを中止しました。データは変更されていません。"}


def refused(seeded, *arguments, lang: str = "en") -> str:
    """Run an import that must be refused: exit code 1, the store unchanged; return the reason lines."""
    url, before = seeded
    result = run_cli(url, *map(str, arguments), lang=lang)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert snapshot(url) == before
    lines = result.stderr.splitlines()
    assert ABORTED[lang] in lines, result.stderr  # after any progress lines comes the one-line reason
    return "\n".join(lines[lines.index(ABORTED[lang]) + 1:])


def areas_frame(geometries, names=("北町", "南町"), crs="EPSG:6668") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": [f"A{i}" for i in range(len(geometries))], "name": list(names[:len(geometries)])},
                            geometry=list(geometries), crs=crs)


def geojson_text(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
