"""The generated demo town: deterministic, labelled synthetic, and shaped as its README says.

Every check reads the written files with plain json/csv/shapely and works its figure out itself;
the expected values are the exact ones for seed 20261125 (data/demo), so any change to the
generator shows up here and in the committed files together.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, shape

from helpers import DEMO_GENERATOR, demo_town_generator

demo_town = demo_town_generator()

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "demo"
SYNTHETIC = "合成データ（デモ用・架空）/ synthetic demo data"
TO_METRES = Transformer.from_crs(6668, 6677, always_xy=True)
GENERATED = ["candidate_sites.geojson", "daily_life_areas.geojson", "elementary_districts.geojson", "engawa.csv",
             "junior_high_districts.geojson", "municipality.geojson", "population_by_age.csv", "railway.geojson",
             "salons.csv", "small_areas.geojson", "streets.geojson", "support_centres.geojson", "water.geojson"]
RESOURCE_HEADER = ["ID", "名称", "名称_カナ", "種別", "運営主体", "住所", "緯度", "経度", "開催日", "開始時間", "終了時間",
                   "対象者", "参加費", "定員", "バリアフリー", "相談対応", "電話番号", "公開", "最終確認日", "出典"]
AREA_FILES = ["daily_life_areas.geojson", "junior_high_districts.geojson", "elementary_districts.geojson",
              "small_areas.geojson"]


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    written = demo_town.generate(directory)
    assert sorted(p.name for p in written.values()) == GENERATED
    return directory


# ----------------------------------------------------------------------------------------------
# Reading helpers (independent of the generator).

def collection(directory: Path, name: str) -> dict:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def features(directory: Path, name: str) -> list[dict]:
    return collection(directory, name)["features"]


def metric(geometry):
    """lon/lat (EPSG:6668) → metres (EPSG:6677)."""
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_METRES.transform(xy[:, 0], xy[:, 1])))


def shapes(directory: Path, name: str) -> list:
    return [metric(shape(f["geometry"])) for f in features(directory, name)]


def rows(directory: Path, name: str, encoding: str = "utf-8-sig") -> list[dict]:
    return list(csv.DictReader(io.StringIO((directory / name).read_bytes().decode(encoding), newline="")))


def resource_point(row: dict) -> Point:
    return Point(TO_METRES.transform(float(row["経度"]), float(row["緯度"])))


def street_graph(directory: Path) -> nx.Graph:
    """Nodes are street end points rounded to 0.1 m; edges weighted by length in metres."""
    graph = nx.Graph()
    for line in shapes(directory, "streets.geojson"):
        a, b = (tuple(round(c, 1) for c in line.coords[0]), tuple(round(c, 1) for c in line.coords[-1]))
        graph.add_edge(a, b, length=line.length)
    return graph


def nearest_node(graph: nx.Graph, point: Point) -> tuple[float, float]:
    return min(graph.nodes, key=lambda n: (math.dist(n, (point.x, point.y)), n))


def walks_from_gathering_resources(directory: Path, graph: nx.Graph) -> dict:
    """Metres by street from every node to the nearest salon, 通いの場 or 地域の縁側 (door → corner included)."""
    sources = nx.Graph(graph)
    for row in rows(directory, "salons.csv") + rows(directory, "engawa.csv", "cp932"):
        point = resource_point(row)
        node = nearest_node(graph, point)
        sources.add_edge(("place", row["ID"]), node, length=point.distance(Point(node)))
        sources.add_edge("any place", ("place", row["ID"]), length=0.0)
    return nx.single_source_dijkstra_path_length(sources, "any place", weight="length")


# ----------------------------------------------------------------------------------------------
# Determinism and labelling.

def test_deterministic_and_identical_to_the_committed_files(town, tmp_path):
    again = demo_town.generate(tmp_path / "again", seed=demo_town.SEED)
    committed = sorted(p.name for p in COMMITTED.iterdir() if p.name not in ("README.md", ".gitattributes"))
    assert committed == GENERATED
    for name in GENERATED:
        assert (town / name).read_bytes() == again[Path(name).stem].read_bytes(), name
        assert (town / name).read_bytes() == (COMMITTED / name).read_bytes(), \
            f"data/demo/{name} is stale: run python scripts/demo_town.py data/demo"


def test_another_seed_gives_another_town(tmp_path):
    demo_town.generate(tmp_path, seed=7)
    assert (tmp_path / "streets.geojson").read_bytes() != (COMMITTED / "streets.geojson").read_bytes()
    assert len(features(tmp_path, "small_areas.geojson")) == 42


def test_command_line_writes_the_town(tmp_path):
    result = subprocess.run([sys.executable, str(DEMO_GENERATOR), str(tmp_path / "out")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == GENERATED
    assert (tmp_path / "out" / "salons.csv").read_bytes() == (COMMITTED / "salons.csv").read_bytes()
    usage = subprocess.run([sys.executable, str(DEMO_GENERATOR)], capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_counts(town):
    counts = {name: len(features(town, name)) for name in GENERATED if name.endswith(".geojson")}
    assert counts == {"candidate_sites.geojson": 12, "daily_life_areas.geojson": 2, "elementary_districts.geojson": 6,
                      "junior_high_districts.geojson": 3, "municipality.geojson": 1, "railway.geojson": 1,
                      "small_areas.geojson": 42, "streets.geojson": 798, "support_centres.geojson": 3,
                      "water.geojson": 1}
    assert len(rows(town, "salons.csv")) == 30
    assert len(rows(town, "engawa.csv", "cp932")) == 6
    assert len(rows(town, "population_by_age.csv")) == 42


def test_every_file_and_feature_is_marked_synthetic_and_fictional(town):
    for name in GENERATED:
        if name.endswith(".geojson"):
            head = collection(town, name)
            assert "架空市デモ町" in head["description"] and "Demo Town (fictional)" in head["description"], name
            assert SYNTHETIC in head["description"]
            assert all(f["properties"]["source"] == SYNTHETIC for f in head["features"]), name
        else:
            encoding = "cp932" if name == "engawa.csv" else "utf-8-sig"
            assert all(r["出典"] == SYNTHETIC for r in rows(town, name, encoding)), name
    municipality = features(town, "municipality.geojson")[0]["properties"]
    assert (municipality["code"], municipality["name"], municipality["name_en"]) == \
        ("14999", "架空市デモ町", "Demo Town (fictional)")
    addresses = [r["住所"] for r in rows(town, "salons.csv") + rows(town, "engawa.csv", "cp932")]
    addresses += [f["properties"]["address"] for f in features(town, "support_centres.geojson")]
    addresses += [f["properties"]["address"] for f in features(town, "candidate_sites.geojson")]
    assert len(addresses) == 51 and all(a.startswith("架空市デモ町") for a in addresses)
    phones = [r["電話番号"] for r in rows(town, "salons.csv")] + \
        [f["properties"]["telephoneNumber"] for f in features(town, "support_centres.geojson")]
    assert all(p.startswith("000-0000-") for p in phones)  # no number that can be dialled


def test_encodings_and_line_ends(town):
    for name in ("salons.csv", "population_by_age.csv"):
        raw = (town / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n")
        raw.decode("utf-8")
    raw = (town / "engawa.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp932")
    assert text.startswith("ID,名称,名称_カナ,種別") and text.count("\r\n") == 7
    for name in GENERATED:
        if name.endswith(".geojson"):
            (town / name).read_bytes().decode("utf-8")


def test_geojson_is_lon_lat_in_sagami_bay_with_rfc7946_rings(town):
    outline = shape(features(town, "municipality.geojson")[0]["geometry"])
    assert outline.centroid.x == pytest.approx(139.40, abs=2e-4)
    assert outline.centroid.y == pytest.approx(35.20, abs=2e-4)
    minx, miny, maxx, maxy = outline.bounds
    assert (round(minx, 4), round(miny, 4), round(maxx, 4), round(maxy, 4)) == (139.3835, 35.1864, 139.4165, 35.2136)
    assert metric(outline).area == pytest.approx(9_000_000, abs=5)  # 3 km × 3 km, built in EPSG:6677
    decimals = re.compile(r"-?\d+\.(\d+)")
    for name in GENERATED:
        if not name.endswith(".geojson"):
            continue
        head = collection(town, name)
        assert "crs" not in head
        for feature in head["features"]:
            geometry = feature["geometry"]
            assert max(len(d) for d in decimals.findall(json.dumps(geometry["coordinates"]))) <= 7
            if geometry["type"] == "Polygon":
                exterior, *holes = geometry["coordinates"]
                assert not holes
                assert LineString(exterior).is_ring and shapely.Polygon(exterior).exterior.is_ccw, name
            if name not in ("water.geojson", "railway.geojson"):  # the river and railway run past the town
                assert outline.buffer(1e-6).contains(shape(geometry)), name


# ----------------------------------------------------------------------------------------------
# Areas.

@pytest.mark.parametrize("name", AREA_FILES)
def test_each_level_tiles_the_town_without_gaps_or_overlaps(town, name):
    outline = metric(shape(features(town, "municipality.geojson")[0]["geometry"]))
    polygons = shapes(town, name)
    assert all(p.is_valid and p.geom_type == "Polygon" for p in polygons)
    union = shapely.union_all(polygons)
    assert abs(sum(p.area for p in polygons) - union.area) < 1.0  # no overlaps (m²)
    assert union.symmetric_difference(outline).area < 1.0  # no gaps, nothing outside
    assert abs(union.area - outline.area) < 1.0


def test_codes_names_and_nesting(town):
    def by_code(name):
        return {f["properties"]["code"]: (f["properties"], metric(shape(f["geometry"]))) for f in features(town, name)}

    daily, junior, elementary = (by_code(n) for n in AREA_FILES[:3])
    assert {c: p["name"] for c, (p, _) in daily.items()} == {"DL01": "北部圏域", "DL02": "南部圏域"}
    assert {c: p["name_kana"] for c, (p, _) in daily.items()} == {"DL01": "ホクブケンイキ", "DL02": "ナンブケンイキ"}
    assert {c: (p["name"], p["parent_code"]) for c, (p, _) in junior.items()} == {
        "J01": ("デモ第一中学校区", "DL01"), "J02": ("デモ第二中学校区", ""), "J03": ("デモ第三中学校区", "DL02")}
    assert {c: p["parent_code"] for c, (p, _) in elementary.items()} == {
        "E01": "J01", "E02": "J01", "E03": "J02", "E04": "J03", "E05": "J03", "E06": "J02"}
    for child, parent in ((elementary, junior), (junior, daily)):
        for code, (properties, polygon) in child.items():
            shares = {p: polygon.intersection(g).area / polygon.area for p, (_, g) in parent.items()}
            if properties["parent_code"]:
                assert shares[properties["parent_code"]] == pytest.approx(1.0, abs=1e-9), code
            else:  # J02 straddles the river, so it sits in both daily-life areas
                assert sorted(round(s, 3) for s in shares.values()) == [0.464, 0.536]
    # Small areas nest in daily-life areas (the river bounds both) but not in elementary districts.
    small = shapes(town, "small_areas.geojson")
    pieces = [sum(p.intersection(g).area > 1.0 for _, g in daily.values()) for p in small]
    assert pieces == [1] * 42
    cut = [sum(p.intersection(g).area > 1.0 for _, g in elementary.values()) for p in small]
    assert Counter(cut) == {1: 25, 2: 17}


def test_small_area_codes_in_the_e_stat_style(town):
    properties = [f["properties"] for f in features(town, "small_areas.geojson")]
    assert list(properties[0]) == ["KEY_CODE", "S_NAME", "JINKO", "SETAI", "source"]
    codes = [p["KEY_CODE"] for p in properties]
    assert codes == sorted(codes) and len(set(codes)) == 42
    assert all(isinstance(c, str) and c.startswith("14999") and c.isdigit() for c in codes)
    assert Counter(len(c) for c in codes) == {11: 40, 9: 2}  # two 大字 without 丁目
    names = {p["KEY_CODE"]: p["S_NAME"] for p in properties}
    assert names["14999001001"] == "デモ町一丁目" and names["14999006001"] == "デモ台一丁目"
    assert names["149990120"] == "大字デモ原" and names["149990130"] == "大字デモ沢"


# ----------------------------------------------------------------------------------------------
# Population.

def test_population_is_consistent_and_ages_realistically(town):
    table = rows(town, "population_by_age.csv")
    assert list(table[0]) == ["KEY_CODE", "地域名", "総数", "0～14歳", "15～64歳", "65歳以上", "75歳以上", "世帯数", "出典"]
    boundaries = {f["properties"]["KEY_CODE"]: f["properties"] for f in features(town, "small_areas.geojson")}
    assert [r["KEY_CODE"] for r in table] == list(boundaries)
    rates = {}
    for row in table:
        total, young, working, old, oldest, households = (
            int(row[k]) for k in ("総数", "0～14歳", "15～64歳", "65歳以上", "75歳以上", "世帯数"))
        assert young + working + old == total
        assert 0 < oldest <= old and young > 0 and working > 0
        assert 1.5 < total / households < 3.2
        props = boundaries[row["KEY_CODE"]]
        assert (props["S_NAME"], props["JINKO"], props["SETAI"]) == (row["地域名"], total, households)
        rates[row["地域名"]] = old / total
    assert sum(int(r["総数"]) for r in table) == 31508
    assert sum(int(r["世帯数"]) for r in table) == 13729
    assert all(0.18 <= rate <= 0.45 for rate in rates.values())
    lowest, highest = min(rates, key=rates.get), max(rates, key=rates.get)
    assert (lowest, round(rates[lowest], 4)) == ("デモ新町三丁目", 0.1819)
    assert (highest, round(rates[highest], 4)) == ("デモ台四丁目", 0.4473)
    # Older on the north-western hills, younger by the station.
    hills = [rate for name, rate in rates.items() if name.startswith("デモ台")]
    station = [rate for name, rate in rates.items() if name.startswith("デモ駅前")]
    assert min(hills) > 0.42 and max(station) < 0.20


# ----------------------------------------------------------------------------------------------
# Streets, river and railway.

def test_streets_are_noded_and_connected(town):
    lines = shapes(town, "streets.geojson")
    assert all(len(line.coords) == 2 for line in lines)
    graph = street_graph(town)
    assert nx.number_connected_components(graph) == 1
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (438, 798)
    tree = shapely.STRtree(lines)
    for i, j in zip(*tree.query(lines, predicate="intersects")):
        if i < j:  # two streets meet only at an end point they share
            shared = {lines[i].coords[0], lines[i].coords[-1]} & {lines[j].coords[0], lines[j].coords[-1]}
            assert len(shared) == 1 and lines[i].intersection(lines[j]).equals(Point(shared.pop())), (i, j)


def test_street_kinds_names_and_diagonals(town):
    properties = [f["properties"] for f in features(town, "streets.geojson")]
    assert all(list(p) == ["highway", "name", "source"] for p in properties)
    assert Counter(p["highway"] for p in properties) == {"residential": 588, "tertiary": 203, "footway": 7}
    diagonal = [line for line in shapes(town, "streets.geojson")
                if 20 < abs(math.degrees(math.atan2(line.coords[1][1] - line.coords[0][1],
                                                    line.coords[1][0] - line.coords[0][0]))) % 90 < 70]
    assert len(diagonal) == 17


def test_streets_cross_the_river_only_at_two_bridges_and_the_railway_at_two_crossings(town):
    river = shapes(town, "water.geojson")[0]
    railway = shapes(town, "railway.geojson")[0]
    water = features(town, "water.geojson")[0]["properties"]
    rail = features(town, "railway.geojson")[0]["properties"]
    assert (water["waterway"], water["name"], rail["railway"]) == ("river", "デモ川", "rail")
    # About 30 m wide: area over the length of its course.
    assert river.area / river.exterior.length * 2 == pytest.approx(30.0, abs=0.6)
    streets = list(zip(features(town, "streets.geojson"), shapes(town, "streets.geojson")))
    bridges = sorted(f["properties"]["name"] for f, line in streets if line.intersects(river))
    assert bridges == ["デモ東橋", "デモ西橋"]
    crossings = sorted(f["properties"]["name"] for f, line in streets if line.intersects(railway))
    assert crossings == ["デモ北通り", "デモ南通り"]
    assert river.intersects(railway)  # the railway crosses the river the other way


def test_the_salon_across_the_river_is_far_by_street(town):
    salon = next(r for r in rows(town, "salons.csv") if r["名称"] == demo_town.ACROSS_RIVER_SALON_NAME)
    assert salon["ID"] == "S15"
    river = shapes(town, "water.geojson")[0]
    graph = street_graph(town)
    door = resource_point(salon)
    start = nearest_node(graph, door)
    # The nearest street corner on the other bank: straight across the water.
    across = min((n for n in graph.nodes if LineString([(door.x, door.y), n]).intersects(river)),
                 key=lambda n: (door.distance(Point(n)), n))
    straight = door.distance(Point(across))
    walk = door.distance(Point(start)) + nx.shortest_path_length(graph, start, across, weight="length")
    assert round(straight, 1) == 173.7
    assert round(walk, 1) == 2329.1
    assert walk > 3 * straight
    # … and the other bank is one of the densest neighbourhoods in town.
    small = {f["properties"]["KEY_CODE"]: (f["properties"], metric(shape(f["geometry"])))
             for f in features(town, "small_areas.geojson")}
    density = {code: p["JINKO"] / (g.area / 1e6) for code, (p, g) in small.items()}
    there = next(code for code, (_, g) in small.items() if g.covers(Point(across)))
    assert small[there][0]["S_NAME"] == "デモ町四丁目"
    assert sorted(density.values(), reverse=True).index(density[there]) < 8


def test_the_hillside_neighbourhood_is_beyond_a_kilometre_of_every_gathering_place(town):
    graph = street_graph(town)
    walks = walks_from_gathering_resources(town, graph)
    small = {f["properties"]["S_NAME"]: metric(shape(f["geometry"])) for f in features(town, "small_areas.geojson")}
    table = {r["地域名"]: r for r in rows(town, "population_by_age.csv")}

    def nearest_walk(name):
        return min(walks[n] for n in graph.nodes if small[name].covers(Point(n)))

    assert demo_town.GAP_AREA_NAME == "デモ台一丁目"
    assert round(nearest_walk("デモ台一丁目")) == 1421
    assert round(nearest_walk("デモ台三丁目")) == 1205
    unreached = sorted(name for name in small if nearest_walk(name) > 1000)
    assert unreached == ["デモ台一丁目", "デモ台三丁目"]
    gap = table["デモ台一丁目"]
    assert int(gap["65歳以上"]) / int(gap["総数"]) > 0.42


# ----------------------------------------------------------------------------------------------
# Resources.

def test_salons_read_like_a_municipal_list(town):
    table = rows(town, "salons.csv")
    assert list(table[0]) == RESOURCE_HEADER
    assert [r["ID"] for r in table] == [f"S{n:02d}" for n in range(1, 31)]
    assert Counter(r["種別"] for r in table) == {"サロン": 23, "通いの場": 7}
    assert {r["ID"] for r in table if r["公開"] == "職員のみ"} == {"S07", "S19"}
    assert {r["公開"] for r in table} == {"公開", "職員のみ"}
    assert next(r for r in table if r["名称"] == "ひまわりサロン")["公開"] == "公開"
    schedules = {r["開催日"] for r in table}
    assert {"毎週火曜", "第1・第3木曜日", "第2・第4水曜", "月2回", "隔週金曜", "毎月第3土曜日", "平日",
            "不定期（要問合せ）"} <= schedules
    for row in table:
        assert re.fullmatch(r"[\u30a0-\u30ff]+", row["名称_カナ"]), row["名称_カナ"]
        irregular = row["開催日"].startswith("不定期")
        for column in ("開始時間", "終了時間"):
            assert (row[column] == "") if irregular else re.fullmatch(r"\d\d:\d\d", row[column]), row
        assert row["定員"] == "" or 10 <= int(row["定員"]) <= 40
        assert row["バリアフリー"] in ("あり", "なし", "") and row["相談対応"] in ("あり", "なし", "")
        assert re.fullmatch(r"202[56]-\d\d-\d\d", row["最終確認日"])
        assert row["参加費"] and row["対象者"]
    assert {r["対象者"] for r in table} == {"高齢者", "どなたでも", "65歳以上の方", "地域の高齢者とボランティア",
                                           "認知症の方とご家族"}


def test_engawa_one_per_elementary_district_in_shift_jis(town):
    table = rows(town, "engawa.csv", "cp932")
    assert list(table[0]) == RESOURCE_HEADER
    assert {r["種別"] for r in table} == {"地域の縁側"} and {r["相談対応"] for r in table} == {"あり"}
    districts = {f["properties"]["code"]: metric(shape(f["geometry"]))
                 for f in features(town, "elementary_districts.geojson")}
    homes = [next(code for code, g in districts.items() if g.covers(resource_point(r))) for r in table]
    assert homes == ["E01", "E02", "E03", "E04", "E05", "E06"]


def test_support_centres_and_candidate_sites(town):
    centres = features(town, "support_centres.geojson")
    assert [list(f["properties"]) for f in centres] == [["name", "address", "telephoneNumber", "availableDate",
                                                         "startTime", "endTime", "availableDateNote", "kind",
                                                         "source"]] * 3
    assert {(f["properties"]["availableDate"], f["properties"]["startTime"], f["properties"]["endTime"],
             f["properties"]["availableDateNote"], f["properties"]["kind"]) for f in centres} == \
        {("月火水木金", "08:30", "17:15", "祝日・年末年始休み", "地域包括支援センター")}
    assert [f["properties"]["name"] for f in centres] == [
        "デモ北部地域包括支援センター", "デモ東部地域包括支援センター", "デモ南部地域包括支援センター"]
    candidates = features(town, "candidate_sites.geojson")
    assert all(list(f["properties"]) == ["ID", "name", "kind", "address", "source"] for f in candidates)
    assert Counter(f["properties"]["kind"] for f in candidates) == {"公民館": 3, "集会所": 3, "空き家": 3, "空き店舗": 3}
    assert len({f["properties"]["name"] for f in candidates}) == 12
    # Mostly where the nearest salon, 通いの場 or 縁側 is a long walk away.
    graph = street_graph(town)
    walks = walks_from_gathering_resources(town, graph)
    far = [walks[nearest_node(graph, metric(shape(f["geometry"])))] > 600 for f in candidates]
    assert sum(far) == 9


def test_every_place_stands_beside_a_street(town):
    streets = shapely.union_all(shapes(town, "streets.geojson"))
    river = shapes(town, "water.geojson")[0]
    points = [resource_point(r) for r in rows(town, "salons.csv") + rows(town, "engawa.csv", "cp932")]
    points += shapes(town, "support_centres.geojson") + shapes(town, "candidate_sites.geojson")
    assert len(points) == 51
    distances = [streets.distance(p) for p in points]
    assert max(distances) < 30.0 and min(distances) > 5.0  # beside the street, not in it
    assert not any(river.intersects(p.buffer(5.0)) for p in points)
