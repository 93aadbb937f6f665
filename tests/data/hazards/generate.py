"""Write the generated hazard fixtures of this folder (run: .venv/bin/python tests/data/hazards/generate.py).

Synthetic zones and shelters over the demo town (data/demo, open sea in Sagami Bay), in the exact
attribute layouts of 国土数値情報 A31a (想定最大規模, edition 4.x), A31 (edition 1.1, 2012), A33, and
the GSI 指定緊急避難場所 / 指定避難所 files of the shelter API.  Shapes are drawn in metres in JGD2011
zone IX (EPSG:6677) and written as lon/lat (EPSG:6668), 7 decimals.  Nothing here is real.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import shapely

HERE = Path(__file__).resolve().parent
METRIC, LONLAT = "EPSG:6677", "EPSG:6668"


def _lonlat(geometries):
    return list(gpd.GeoSeries(geometries, crs=METRIC).to_crs(LONLAT).values)


def _write(name: str, properties: list[dict], geometries, layer: str) -> None:
    features = []
    for props, geometry in zip(properties, _lonlat(geometries)):
        rounded = shapely.set_precision(geometry, 1e-7)
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(rounded))})
    text = json.dumps({"type": "FeatureCollection", "name": layer, "features": features}, ensure_ascii=False, indent=1)
    (HERE / name).write_text(text + "\n", encoding="utf-8")


def flood_maximum() -> None:
    """A31a 想定最大規模: ranks 1 (0–0.5 m), 2 (0.5–3.0 m) and 3 (3.0–5.0 m) along the town's south edge."""
    rank3 = shapely.box(-39600, -90166, -39000, -89950)
    rank2 = shapely.box(-40500, -90166, -38500, -89800).difference(rank3)
    rank1 = shapely.box(-40958, -90166, -37958, -89400).difference(shapely.box(-40500, -90166, -38500, -89800))
    river = {"A31a_201": "8503040001", "A31a_202": "デモ川（架空）", "A31a_203": "2", "A31a_204": "架空県",
             "A31a_206": "2026/04/01", "A31a_207": "架空県告示第1号", "A31a_208": "デモ川流域の24時間総雨量 632mm"}
    props = [{**river, "A31a_205": rank} for rank in (1, 2, 3)]
    props = [dict(sorted(p.items())) for p in props]
    _write("generated_A31a_maximum_demo.geojson", props, [rank1, rank2, rank3], "A31a_demo_20")


def flood_2012() -> None:
    """A31 edition 1.1 (2012): one zone of rank 22 (0.5–1.0 m, the 7-step code list) in the town's north-east."""
    _write("generated_A31_2012_demo.geojson", [{"A31_001": 22}], [shapely.box(-38800, -87600, -37958, -87166)],
           "A31_demo")


def landslide() -> None:
    """A33: a steep-slope 警戒区域 with its 特別警戒区域 inside (north-west), a debris-flow 警戒区域 (north)."""
    yellow = shapely.box(-40958, -87700, -40300, -87166)
    red = shapely.box(-40958, -87450, -40600, -87166)
    debris = shapely.box(-39700, -87500, -39300, -87166)
    base = {"A33_003": "99", "A33_006": "架空市デモ町（架空）", "A33_007": "2026-03-31", "A33_008": 0}
    props = [{"A33_001": 1, "A33_002": 1, "A33_004": "DEMO-001", "A33_005": "デモ台（架空）", **base},
             {"A33_001": 1, "A33_002": 2, "A33_004": "DEMO-001", "A33_005": "デモ台（架空）", **base},
             {"A33_001": 2, "A33_002": 1, "A33_004": "DEMO-002", "A33_005": "デモ沢（架空）", **base}]
    props = [dict(sorted(p.items())) for p in props]
    _write("generated_A33_demo.geojson", props, [yellow, red, debris], "A33_demo")


FLAGS = ("洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象")


def shelters() -> None:
    """GSI 指定緊急避難場所 (with hazard flags) and 指定避難所 (one with 受入対象者) inside the town."""
    sites = [("デモ台中学校（架空）", (-40200, -87900), {"洪水", "地震", "崖崩れ、土石流及び地滑り"}),
             ("デモ本町公園（架空）", (-39300, -88300), {"地震", "大規模な火事"}),
             ("デモ南小学校（架空）", (-39200, -89300), {"洪水", "地震", "津波"}),
             ("デモ浜高台（架空）", (-38300, -88700), {"内水氾濫", "津波"}),
             ("デモ北公民館（架空）", (-38500, -87700), {"洪水", "内水氾濫"})]
    props = []
    for number, (name, _, flags) in enumerate(sites, start=1):
        props.append({"NO": 90000 + number, "共通ID": f"E9999900{number:03d}201", "都道府県名及び市町村名": "架空県架空市",
                      "施設・場所名": name, "住所": f"架空県架空市デモ町{number}-1",
                      **{flag: "1" if flag in flags else "" for flag in FLAGS},
                      "指定避難所との住所同一": "1" if number in (1, 3) else "", "備考": ""})
    _write("generated_gsi_emergency_evacuation_sites_demo.geojson", props,
           [shapely.Point(xy) for _, xy, _ in sites], "999990")
    stays = [("デモ台中学校（架空）", (-40200, -87900), None), ("デモ南小学校（架空）", (-39200, -89300), ""),
             ("デモ福祉会館（架空）", (-39000, -88000), "要配慮者及びその家族")]
    props = [{"NO": 80000 + n, "共通ID": f"E9999900{n:03d}111", "都道府県名及び市町村名": "架空県架空市", "施設・場所名": name,
              "住所": f"架空県架空市デモ町{n}-1", "指定緊急避難場所との住所同一": "1" if n < 3 else "",
              "その他市町村長が必要と認める事項": None, "受入対象者": who, "備考": ""}
             for n, (name, _, who) in enumerate(stays, start=1)]
    _write("generated_gsi_designated_shelters_demo.geojson", props, [shapely.Point(xy) for _, xy, _ in stays],
           "999990")


if __name__ == "__main__":
    flood_maximum()
    flood_2012()
    landslide()
    shelters()
